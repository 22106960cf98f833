package idemredis

import (
	"fmt"
	"strconv"
	"time"
)

// Script replies arrive as go-redis values: int64 for integers, string for
// bulk strings, []any for arrays. These helpers turn them into Go values and
// report any other shape as an error, never a panic.

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected integer %q in reply", x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("unexpected %T in reply, want integer", v)
}

func asString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("unexpected %T in reply, want string", v)
}

// asFields reads a stream entry's flat field-value array into a map.
func asFields(v any) (map[string]string, error) {
	kv, ok := v.([]any)
	if !ok || len(kv)%2 != 0 {
		return nil, fmt.Errorf("unexpected %T in reply, want field-value pairs", v)
	}
	f := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, err1 := asString(kv[i])
		val, err2 := asString(kv[i+1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("unexpected non-string field in reply")
		}
		f[k] = val
	}
	return f, nil
}

// millis renders d as whole milliseconds, at least 1, for PX and scores.
func millis(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}
