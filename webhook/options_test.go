package webhook

import (
	"testing"
	"time"
)

// Each option implements the option interfaces of the constructors it
// applies to, and no other, so that a misplaced option fails to compile.
func TestOptionKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		opt               any
		verifier, handler bool
	}{
		{"WithLogger", WithLogger(nil), true, true},
		{"WithMaxBodyBytes", WithMaxBodyBytes(1), true, true},
		{"WithTolerance", WithTolerance(time.Second), true, false},
		{"WithScopeFilter", WithScopeFilter(IsOrderScope), false, true},
	}
	for _, tt := range tests {
		_, v := tt.opt.(VerifierOption)
		_, h := tt.opt.(HandlerOption)
		if v != tt.verifier || h != tt.handler {
			t.Errorf("%s: VerifierOption %v, HandlerOption %v; want %v, %v", tt.name, v, h, tt.verifier, tt.handler)
		}
	}
}
