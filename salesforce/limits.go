package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Usage is one used/allowed pair of the Sforce-Limit-Info header, e.g.
// api-usage=18/5000 is Usage{Used: 18, Max: 5000}. Used may exceed Max while
// the org spends API bursts.
type Usage struct {
	// Used is the number of calls made in the window.
	Used int64
	// Max is the allowance.
	Max int64
}

// Fraction returns Used/Max, or 0 when Max is 0.
func (u Usage) Fraction() float64 {
	if u.Max <= 0 {
		return 0
	}
	return float64(u.Used) / float64(u.Max)
}

// LimitInfo is the parsed Sforce-Limit-Info response header.
type LimitInfo struct {
	// APIUsage is the org's daily API usage (rolling 24 hours).
	APIUsage Usage
	// APIBursts is the api-bursts part, zero when absent.
	APIBursts Usage
	// PerAppAPIUsage is the per-app-api-usage part, zero when absent.
	PerAppAPIUsage Usage
}

// ParseLimitInfo parses a Sforce-Limit-Info header such as
// "api-usage=18/5000; api-bursts=1/750". Parts are separated by ';' (or
// ','), spaces are tolerated, a "(appName=...)" suffix is ignored, and
// unknown parts are skipped. It fails when a known part is malformed or when
// no known part is present.
func ParseLimitInfo(header string) (LimitInfo, error) {
	var info LimitInfo
	found := false
	for part := range strings.FieldsFuncSeq(header, func(r rune) bool { return r == ';' || r == ',' }) {
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		var dst *Usage
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "api-usage":
			dst = &info.APIUsage
		case "api-bursts":
			dst = &info.APIBursts
		case "per-app-api-usage":
			dst = &info.PerAppAPIUsage
		default:
			continue
		}
		u, err := parseUsage(val)
		if err != nil {
			return LimitInfo{}, fmt.Errorf("salesforce: Sforce-Limit-Info %s: %w", strings.TrimSpace(key), err)
		}
		*dst, found = u, true
	}
	if !found {
		return LimitInfo{}, errors.New("salesforce: Sforce-Limit-Info has no api-usage part")
	}
	return info, nil
}

// parseUsage reads "N/M", optionally followed by "(...)".
func parseUsage(v string) (Usage, error) {
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	used, max, ok := strings.Cut(v, "/")
	if !ok {
		return Usage{}, fmt.Errorf("%q is not used/max", strings.TrimSpace(v))
	}
	u, err1 := strconv.ParseInt(strings.TrimSpace(used), 10, 64)
	m, err2 := strconv.ParseInt(strings.TrimSpace(max), 10, 64)
	if err1 != nil || err2 != nil || u < 0 || m < 0 {
		return Usage{}, fmt.Errorf("%q is not two non-negative integers", strings.TrimSpace(v))
	}
	return Usage{Used: u, Max: m}, nil
}

// Usage returns the limit information of the most recent response that
// carried a Sforce-Limit-Info header, and false before the first one.
func (c *Client) Usage() (LimitInfo, bool) {
	return c.throttle.last()
}

// Limit is one entry of the /limits resource.
type Limit struct {
	// Max is the allowance.
	Max int64 `json:"Max"`
	// Remaining is what is left of it.
	Remaining int64 `json:"Remaining"`
}

// Limits reads /limits: every org limit by name, e.g. "DailyApiRequests".
// Like any call it counts against the daily allowance and obeys the ceiling.
func (c *Client) Limits(ctx context.Context) (map[string]Limit, error) {
	resp, err := c.do(ctx, call{method: http.MethodGet, path: c.dataPath("limits"), idempotent: true})
	if err != nil {
		return nil, err
	}
	var out map[string]Limit
	if err := json.Unmarshal(resp.body, &out); err != nil {
		return nil, fmt.Errorf("salesforce: decode /limits: %w", err)
	}
	return out, nil
}
