package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

func graphErr(codes ...string) error {
	e := &salesforce.GraphError{GraphID: "order_1"}
	for i, c := range codes {
		e.Nodes = append(e.Nodes, salesforce.SubResult{
			ReferenceID:    fmt.Sprintf("n%d", i),
			HTTPStatusCode: 400,
			Body:           []byte(`[{"errorCode":"` + c + `","message":"m"}]`),
		})
	}
	return e
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		kind      failureKind
		wantDelay time.Duration
	}{
		{"bc 429 with reset", &bigcommerce.APIError{Status: 429, RetryAfter: 7 * time.Second}, kindRateLimit, 7 * time.Second},
		{"sf 429", &salesforce.APIError{StatusCode: 429, RetryAfter: 3 * time.Second}, kindRateLimit, 3 * time.Second},
		{"sf daily limit", &salesforce.APIError{StatusCode: 403, Errors: []salesforce.ErrorEntry{{Code: "REQUEST_LIMIT_EXCEEDED", Message: "TotalRequests Limit exceeded."}}}, kindRateLimit, salesforce.DailyLimitRetryAfter},
		{"bc 503", &bigcommerce.APIError{Status: 503}, kindTransient, 0},
		{"sf 503", &salesforce.APIError{StatusCode: 503}, kindTransient, 0},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, kindTransient, 0},
		{"bc 401", &bigcommerce.APIError{Status: 401}, kindTransient, 0},
		{"sf session", fmt.Errorf("x: %w", salesforce.ErrSessionExpired), kindTransient, 0},
		{"store down", fmt.Errorf("claim: %w", errors.New("connection reset")), kindTransient, 0},
		{"bc 404", fmt.Errorf("fetch: %w", &bigcommerce.APIError{Status: 404}), kindData, 0},
		{"bc 422", &bigcommerce.APIError{Status: 422}, kindData, 0},
		{"sf 400", &salesforce.APIError{StatusCode: 400, Errors: []salesforce.ErrorEntry{{Code: "MALFORMED_QUERY"}}}, kindData, 0},
		{"mapper invalid", fmt.Errorf("map: %w", mapper.ErrInvalidOrder), kindData, 0},
		{"missing entry", fmt.Errorf("build graph: %w", &missingEntryError{productKey: "k", lineItemID: "1"}), kindData, 0},
		{"invalid graph", fmt.Errorf("build graph: %w", salesforce.ErrInvalidGraph), kindData, 0},
		{"bad task", fmt.Errorf("%w: x", ErrInvalidTask), kindData, 0},
		{"bc too many lines", fmt.Errorf("fetch: %w", bigcommerce.ErrTooManyLineItems), kindData, 0},
		{"bc essential field", fmt.Errorf("fetch: %w", &bigcommerce.FieldError{Field: "total_inc_tax", Err: errors.New("invalid decimal")}), kindData, 0},
		{"graph required field", graphErr("REQUIRED_FIELD_MISSING"), kindData, 0},
		{"graph too long", graphErr("STRING_TOO_LONG"), kindData, 0},
		{"graph duplicate rule", graphErr("DUPLICATES_DETECTED"), kindData, 0},
		{"sf duplicate rule", &salesforce.APIError{StatusCode: 400, Errors: []salesforce.ErrorEntry{{Code: "DUPLICATES_DETECTED"}}}, kindData, 0},
		{"graph lock", graphErr("UNABLE_TO_LOCK_ROW"), kindTransient, 0},
		{"graph duplicate", graphErr("DUPLICATE_VALUE"), kindTransient, 0},
		{"graph create-only field raced", graphErr("INVALID_FIELD_FOR_INSERT_UPDATE"), kindTransient, 0},
		{"graph mixed", graphErr("UNABLE_TO_LOCK_ROW", "STRING_TOO_LONG"), kindData, 0},
		{"graph halted", graphErr(), kindTransient, 0},
		{"invalid argument", idempotency.ErrInvalidArgument, kindTransient, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kind, delay := classify(tt.err)
			if kind != tt.kind || delay != tt.wantDelay {
				t.Errorf("classify(%v) = %d, %v; want %d, %v", tt.err, kind, delay, tt.kind, tt.wantDelay)
			}
		})
	}
}

func TestExponentialBackoff(t *testing.T) {
	t.Parallel()
	b := ExponentialBackoff(time.Second, 10*time.Second)
	for _, tt := range []struct {
		attempt int
		max     time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {60, 10 * time.Second}} {
		for range 20 {
			d := b(tt.attempt)
			if d > tt.max || d < tt.max*3/4 {
				t.Fatalf("attempt %d: %v outside [%v, %v]", tt.attempt, d, tt.max*3/4, tt.max)
			}
		}
	}
	if d := ExponentialBackoff(0, 0)(1); d > time.Second || d < 750*time.Millisecond {
		t.Errorf("defaults: %v", d)
	}
}

func TestPauseOnlyExtends(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	w := &Worker{cfg: WorkerConfig{Now: func() time.Time { return now }}}
	w.pause(10 * time.Second)
	w.pause(time.Second)
	if got := time.Unix(0, w.pauseUntil.Load()); !got.Equal(now.Add(10 * time.Second)) {
		t.Errorf("pause until %v, want %v", got, now.Add(10*time.Second))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.waitPause(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("waitPause = %v", err)
	}
}

func TestDataHintNamesTheDuplicateRuleFix(t *testing.T) {
	t.Parallel()
	for name, err := range map[string]error{
		"graph node": graphErr("DUPLICATES_DETECTED"),
		"api error":  &salesforce.APIError{StatusCode: 400, Errors: []salesforce.ErrorEntry{{Code: "DUPLICATES_DETECTED"}}},
	} {
		if got := dataHint(err); !strings.Contains(got, "WithDuplicateRuleAllowSave") {
			t.Errorf("%s: dataHint = %q, want the allow-save option named", name, got)
		}
	}
	if got := dataHint(graphErr("REQUIRED_FIELD_MISSING")); got != "" {
		t.Errorf("dataHint(REQUIRED_FIELD_MISSING) = %q, want none", got)
	}
}
