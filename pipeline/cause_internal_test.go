package pipeline

import (
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// Every failure the policy settles gets one cause from the fixed list, by
// the same classification that settles it.
func TestCauseOf(t *testing.T) {
	t.Parallel()
	if c := CauseOf(nil); c != "" {
		t.Errorf("CauseOf(nil) = %q, want none", c)
	}
	tests := []struct {
		name string
		err  error
		want Cause
	}{
		{"bc 429", &bigcommerce.APIError{Status: 429}, CauseRateLimited},
		{"sf daily limit", &salesforce.APIError{StatusCode: 403, Errors: []salesforce.ErrorEntry{{Code: "REQUEST_LIMIT_EXCEEDED", Message: "TotalRequests Limit exceeded."}}}, CauseRateLimited},
		{"sf ceiling", fmt.Errorf("x: %w", &salesforce.UsageCeilingError{}), CauseRateLimited},
		{"bc 503", &bigcommerce.APIError{Status: 503}, CauseUnavailable},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, CauseUnavailable},
		{"store down", fmt.Errorf("claim: %w", errors.New("connection reset")), CauseUnavailable},
		{"graph lock", graphErr("UNABLE_TO_LOCK_ROW"), CauseUnavailable},
		{"bc 401", &bigcommerce.APIError{Status: 401}, CauseAuth},
		{"sf session", fmt.Errorf("x: %w", salesforce.ErrSessionExpired), CauseAuth},
		{"bad task", fmt.Errorf("%w: x", ErrInvalidTask), CauseInvalidTask},
		{"bc 404", fmt.Errorf("fetch: %w", &bigcommerce.APIError{Status: 404}), CauseBigCommerceRejected},
		{"mapper invalid", fmt.Errorf("map: %w", mapper.ErrInvalidOrder), CauseInvalidOrder},
		{"no product key", fmt.Errorf("map: %w", mapper.ErrNoProductKey), CauseInvalidOrder},
		{"missing entry", fmt.Errorf("build graph: %w", &missingEntryError{productKey: "k", lineItemID: "1"}), CauseMissingPricebookEntry},
		{"graph required field", graphErr("REQUIRED_FIELD_MISSING"), CauseSalesforceRejected},
		{"sf 400", &salesforce.APIError{StatusCode: 400}, CauseSalesforceRejected},
		{"invalid graph", fmt.Errorf("build graph: %w", salesforce.ErrInvalidGraph), CauseSalesforceRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kind, _ := classify(tt.err)
			if got := causeOf(tt.err, kind); got != tt.want {
				t.Errorf("causeOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
			if got := CauseOf(tt.err); got != tt.want {
				t.Errorf("CauseOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
