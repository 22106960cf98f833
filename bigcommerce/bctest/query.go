package bctest

import (
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// badParam names the query parameter a request got wrong.
type badParam struct {
	name, value, want string
}

func (e *badParam) Error() string {
	return fmt.Sprintf("The field '%s' is invalid: %q is not %s.", e.name, e.value, e.want)
}

// query reads typed values from a query string, remembering the first bad
// one so a handler checks once at the end.
type query struct {
	v   url.Values
	err error
}

func (q *query) fail(name, value, want string) {
	if q.err == nil {
		q.err = &badParam{name, value, want}
	}
}

// int64 reads a non-negative integer; ok is false when the parameter is absent.
func (q *query) int64(name string) (n int64, ok bool) {
	raw, present := q.lookup(name)
	if !present {
		return 0, false
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		q.fail(name, raw, "a non-negative integer")
		return 0, false
	}
	return n, true
}

func (q *query) lookup(name string) (string, bool) {
	vs, ok := q.v[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// page reads page (default 1) and limit (default 50, at most maxLimit).
// A limit above maxLimit reports tooLarge, which v2 answers with 413.
func (q *query) page(maxLimit int) (page, limit int, tooLarge bool) {
	page, limit = 1, 50
	if n, ok := q.int64("page"); ok {
		if n < 1 || n > 1<<31 {
			q.fail("page", strconv.FormatInt(n, 10), "a page number from 1")
		} else {
			page = int(n)
		}
	}
	if n, ok := q.int64("limit"); ok {
		switch {
		case n < 1:
			q.fail("limit", strconv.FormatInt(n, 10), "a limit from 1")
		case n > int64(maxLimit):
			tooLarge = true
		default:
			limit = int(n)
		}
	}
	return page, limit, tooLarge
}

// dateLayouts are the forms v2 accepts for date filters: RFC 2822 and
// ISO 8601 (with or without fractional seconds or a zone, or a bare date;
// no zone means UTC).
var dateLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02",
}

func (q *query) date(name string) (time.Time, bool) {
	raw, present := q.lookup(name)
	if !present {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, raw); err == nil {
			return t, true
		}
	}
	q.fail(name, raw, "an RFC 2822 or ISO 8601 date")
	return time.Time{}, false
}

// decimal reads an exact decimal number, such as a total.
func (q *query) decimal(name string) (*big.Rat, bool) {
	raw, present := q.lookup(name)
	if !present {
		return nil, false
	}
	if !decimalText.MatchString(raw) {
		q.fail(name, raw, "a decimal number")
		return nil, false
	}
	r, ok := new(big.Rat).SetString(raw)
	if !ok {
		q.fail(name, raw, "a decimal number")
		return nil, false
	}
	return r, true
}

// list reads a comma-separated list, as the v3 ":in" filters take.
func (q *query) list(name string) ([]string, bool) {
	raw, present := q.lookup(name)
	if !present {
		return nil, false
	}
	var out []string
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	if len(out) == 0 {
		q.fail(name, raw, "a comma-separated list")
		return nil, false
	}
	return out, true
}

// window returns the items of one page, or nil when the page is past the end.
func pageOf[T any](items []T, page, limit int) []T {
	start := (page - 1) * limit
	if start >= len(items) || start < 0 {
		return nil
	}
	return items[start:min(start+limit, len(items))]
}
