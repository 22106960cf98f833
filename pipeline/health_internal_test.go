package pipeline

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/salesforce"
)

func TestHealthSlowsDownAndRecovers(t *testing.T) {
	h := newHealth(4)
	h.failed(batchT0, 0)
	if h.limit != 2 || h.failures != 1 {
		t.Fatalf("after a failure: limit %d, failures %d; want 2 and 1", h.limit, h.failures)
	}
	if d := h.notBefore.Sub(batchT0); d <= 0 || d > healthBase {
		t.Errorf("first delay %v, want up to %v", d, healthBase)
	}
	for range 10 {
		h.failed(batchT0, 0)
	}
	if h.limit != 1 {
		t.Errorf("limit %d after a run of failures, want 1", h.limit)
	}
	if d := h.notBefore.Sub(batchT0); d < healthCap*3/4 || d > healthCap {
		t.Errorf("delay after 11 failures %v, want about the cap %v", d, healthCap)
	}
	// A server's delay is honoured as it is.
	h2 := newHealth(4)
	h2.failed(batchT0, 7*time.Second)
	if !h2.notBefore.Equal(batchT0.Add(7 * time.Second)) {
		t.Errorf("notBefore %v, want the 7 s the server asked for", h2.notBefore)
	}
	// Each success ends the run and the breaker's own hold, and lets one
	// more call fly; a wait the server asked for is kept.
	h.succeeded()
	if h.failures != 0 || h.limit != 2 || !h.notBefore.IsZero() {
		t.Errorf("after a success: failures %d, limit %d, hold until %v; want 0, 2 and none", h.failures, h.limit, h.notBefore)
	}
	h2.succeeded()
	if !h2.notBefore.Equal(batchT0.Add(7 * time.Second)) {
		t.Errorf("a success ended the wait the server asked for (now %v)", h2.notBefore)
	}
	h.succeeded()
	h.succeeded()
	h.succeeded()
	if h.limit != 4 {
		t.Errorf("limit %d after successes, want back to 4", h.limit)
	}
}

func TestCallFailure(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"503", &salesforce.APIError{StatusCode: 503, Errors: []salesforce.ErrorEntry{{Code: "SERVER_UNAVAILABLE"}}}, true},
		{"session expired", &salesforce.APIError{StatusCode: 401, Errors: []salesforce.ErrorEntry{{Code: "INVALID_SESSION_ID"}}}, true},
		{"429", &salesforce.APIError{StatusCode: 429, RetryAfter: time.Second}, true},
		{"timeout", errors.New("context deadline exceeded (Client.Timeout exceeded while awaiting headers)"), true},
		{"bigcommerce 503", &bigcommerce.APIError{Status: http.StatusServiceUnavailable}, true},
		{"bad request", &salesforce.APIError{StatusCode: 400, Errors: []salesforce.ErrorEntry{{Code: "JSON_PARSER_ERROR"}}}, false},
		{"a graph's node", graphErr("UNABLE_TO_LOCK_ROW"), false},
	}
	for _, tt := range tests {
		if got, _ := callFailure(tt.err); got != tt.want {
			t.Errorf("%s: callFailure = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, d := callFailure(&salesforce.APIError{StatusCode: 429, RetryAfter: 3 * time.Second}); d != 3*time.Second {
		t.Errorf("429 delay %v, want the 3 s it asked for", d)
	}
}

func TestBatcherHoldsEveryCallWhileTheOrgIsFailing(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 1, 3, batchT0)
	first, _ := b.next(batchT0, 0, false)
	b.done(callDone{b: first, again: []*item{first.items[1]}, failed: true, delay: 2 * time.Second}, batchT0)
	if b.health.limit != 2 {
		t.Errorf("limit %d after a failed call, want 2", b.health.limit)
	}
	if out, wake := b.next(batchT0.Add(time.Second), 0, false); out != nil || !wake.Equal(batchT0.Add(2*time.Second)) {
		t.Fatalf("sent %v (wake %v) during the org's pause; want to wait until %v", ids(out), wake, batchT0.Add(2*time.Second))
	}
	out, _ := b.next(batchT0.Add(2*time.Second), 0, false)
	if !slices.Equal(ids(out), []int64{1}) || out.items[1].jobs == nil {
		t.Fatalf("after the pause sent %v, want order 1 again", ids(out))
	}
}

func TestBatcherDelaysANodeRetry(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 2, 3, batchT0)
	first, _ := b.next(batchT0, 0, false)
	retry := first.items[2]
	retry.notBefore = batchT0.Add(300 * time.Millisecond)
	b.done(callDone{b: first, again: []*item{retry}}, batchT0)
	if b.health.failures != 0 || b.health.limit != 4 {
		t.Errorf("health %+v after a call that went through, want untouched", b.health)
	}
	if out, wake := b.next(batchT0, 0, false); out != nil || !wake.Equal(retry.notBefore) {
		t.Fatalf("sent %v (wake %v) before the retry's delay; want to wait until %v", ids(out), wake, retry.notBefore)
	}
	if out, _ := b.next(retry.notBefore, 0, false); !slices.Equal(ids(out), []int64{2}) {
		t.Fatalf("after the delay sent %v, want [2]", ids(out))
	}
}

func TestBatcherSendsASuspectAlone(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 5, 3, batchT0)
	b.waiting[2].callFails = suspectAfter // order 3 was in every failed call
	out, _ := b.next(batchT0, 0, false)
	if !slices.Equal(ids(out), []int64{1, 2, 4, 5}) {
		t.Fatalf("sent %v, want the others without the suspect", ids(out))
	}
	b.done(callDone{b: out}, batchT0)
	out, _ = b.next(batchT0, 0, false)
	if !slices.Equal(ids(out), []int64{3}) || !out.blame {
		t.Fatalf("sent %v (blame %v), want the suspect alone, to blame if it fails while the org answers", ids(out), out.blame)
	}
}
