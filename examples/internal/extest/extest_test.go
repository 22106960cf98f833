package extest_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/examples/internal/extest"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

func TestAssertNoSecrets(t *testing.T) {
	t.Parallel()
	_, _, env := extest.Fakes(t)
	tests := []struct {
		name, out string
		wantFail  bool
	}{
		{"clean", `{"msg":"starting"}`, false},
		{"webhook secret", "header " + extest.WebhookSecret, true},
		{"client secret", extest.ClientSecret, true},
		{"salesforce secret", "x" + extest.SFSecret + "x", true},
		{"store token", "token " + env["BIGCOMMERCE_CLIENT_TOKEN"], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{TB: t}
			extest.AssertNoSecrets(r, tt.out, env)
			if got := len(r.failed) > 0; got != tt.wantFail {
				t.Errorf("failed = %v (%q), want %v", got, r.failed, tt.wantFail)
			}
		})
	}
}

// fakeProgram logs as the example programs do, serves /readyz and exits 0
// when its context ends.
func fakeProgram(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	fmt.Fprintln(stderr, `{"msg":"starting"}`)
	if getenv("LISTEN_ADDR") == "" {
		<-ctx.Done()
		return 0
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", getenv("LISTEN_ADDR"))
	if err != nil {
		return 1
	}
	fmt.Fprintf(stderr, `{"msg":"listening","addr":%q}`+"\n", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	<-ctx.Done()
	_ = srv.Close()
	return 0
}

func TestStartAndStop(t *testing.T) {
	t.Parallel()
	p := extest.Start(t, fakeProgram, map[string]string{"LISTEN_ADDR": "127.0.0.1:0"})
	if !strings.HasPrefix(p.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %q, want the listening address", p.URL)
	}
	if code := extest.Status(t, "GET", p.URL+"/"); code != http.StatusTeapot {
		t.Errorf("GET: %d, want 418", code)
	}
	if code := p.Stop(t); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}

	q := extest.StartQuiet(t, fakeProgram, nil)
	if q.URL != "" || !strings.Contains(q.Logs.String(), "starting") {
		t.Errorf("StartQuiet: URL %q, logs %q", q.URL, q.Logs)
	}
	if code := q.Stop(t); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
