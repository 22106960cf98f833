package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestParseLimitInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    LimitInfo
		wantErr bool
	}{
		{"api-usage=18/5000", LimitInfo{APIUsage: Usage{18, 5000}}, false},
		{"api-usage=110018/100000; api-bursts=1/750", LimitInfo{APIUsage: Usage{110018, 100000}, APIBursts: Usage{1, 750}}, false},
		{"  api-usage = 25 / 5000 ;per-app-api-usage=17/250(appName=sample-connected-app)", LimitInfo{APIUsage: Usage{25, 5000}, PerAppAPIUsage: Usage{17, 250}}, false},
		{"future-thing=abc; api-usage=1/2; flag", LimitInfo{APIUsage: Usage{1, 2}}, false},
		{"API-USAGE=3/4", LimitInfo{APIUsage: Usage{3, 4}}, false},
		{"", LimitInfo{}, true},
		{"api-usage=abc", LimitInfo{}, true},
		{"api-usage=-1/5", LimitInfo{}, true},
		{"api-usage=1/99999999999999999999", LimitInfo{}, true},
		{"other=1/2", LimitInfo{}, true},
	}
	for _, tt := range tests {
		got, err := ParseLimitInfo(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLimitInfo(%q) = %+v, %v; want %+v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseLimitInfo(f *testing.F) {
	for _, s := range []string{"api-usage=18/5000", "api-usage=1/2; api-bursts=3/4", "per-app-api-usage=17/250(appName=x)", ";;=;/", "api-usage= 9 /9 ,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, err := ParseLimitInfo(s)
		if err != nil {
			if info != (LimitInfo{}) {
				t.Fatalf("error with non-zero result %+v", info)
			}
			return
		}
		for _, u := range []Usage{info.APIUsage, info.APIBursts, info.PerAppAPIUsage} {
			if u.Used < 0 || u.Max < 0 || u.Fraction() < 0 {
				t.Fatalf("negative usage %+v", u)
			}
		}
		// What was parsed must print and parse back to itself.
		again, err := ParseLimitInfo(fmt.Sprintf("api-usage=%d/%d; api-bursts=%d/%d; per-app-api-usage=%d/%d",
			info.APIUsage.Used, info.APIUsage.Max, info.APIBursts.Used, info.APIBursts.Max, info.PerAppAPIUsage.Used, info.PerAppAPIUsage.Max))
		if err != nil || again != info {
			t.Fatalf("round trip %+v -> %+v, %v", info, again, err)
		}
	})
}

func TestUsageCeiling(t *testing.T) {
	t.Parallel()
	synctest.Test(t, usageCeiling)
}

func usageCeiling(t *testing.T) {
	var calls atomic.Int32
	var usage atomic.Value
	usage.Store("api-usage=95/100")
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/limits"), func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Sforce-Limit-Info", usage.Load().(string))
		writeJSON(w, 200, `{}`)
	})
	c := newMemClient(t, mux, WithUsageCeiling(0.9))
	ctx := context.Background()

	if _, err := c.Limits(ctx); err != nil { // learns 95%
		t.Fatal(err)
	}
	_, err := c.Limits(ctx)
	var ce *UsageCeilingError
	if !errors.Is(err, ErrUsageCeiling) || !errors.As(err, &ce) || ce.Usage != (Usage{95, 100}) || ce.RetryAfter != DefaultUsageRecheck {
		t.Fatalf("err = %v, want usage ceiling with recheck %v", err, DefaultUsageRecheck)
	}
	if calls.Load() != 1 {
		t.Fatalf("Salesforce called %d times, want 1", calls.Load())
	}
	time.Sleep(DefaultUsageRecheck - time.Second)
	if _, err := c.Limits(ctx); !errors.As(err, &ce) || ce.RetryAfter != time.Second {
		t.Fatalf("a second before the recheck: err = %v", err)
	}
	time.Sleep(time.Second)
	usage.Store("api-usage=50/100")
	if _, err := c.Limits(ctx); err != nil { // the probe goes through and learns 50%
		t.Fatalf("probe: %v", err)
	}
	if _, err := c.Limits(ctx); err != nil {
		t.Fatalf("after usage fell: %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("Salesforce called %d times, want 3", calls.Load())
	}
}

func TestUsageCeilingOff(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/limits"), func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sforce-Limit-Info", "api-usage=100/100")
		writeJSON(w, 200, `{}`)
	})
	c := newTestClient(t, mux, WithUsageCeiling(0))
	for range 3 {
		if _, err := c.Limits(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRateLimitOption(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/limits"), func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	c := newTestClient(t, mux, WithRateLimit(0.001, 1))
	ctx := context.Background()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	// The burst is spent; the next call would wait ~1000 s, longer than the
	// context allows, so the limiter refuses at once.
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := c.Limits(ctx); err == nil {
		t.Fatal("second call passed the rate limiter")
	}
}
