package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

const (
	sfSecret = "sf-secret-that-must-not-print"
	bcToken  = "bc-token-that-must-not-print"
)

var (
	rangeFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rangeTo   = time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC)
)

// fixture is a fake store holding orders inside and around the range, and a
// fake org to sync them to.
type fixture struct {
	bc      *bctest.Server
	sf      *sftest.Server
	inRange []int64 // ids of the orders created inside the range, ascending
	dir     string
}

// newFixture seeds n orders spread over January 2026, on both boundaries,
// and orders one second outside each end that must never be touched.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	bc, err := bctest.NewServer(bctest.WithBasePath("/bc"), bctest.WithToken(bcToken), bctest.WithRateLimit(1_000_000, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bc.Close)
	sf, err := sftest.NewServer(sftest.WithClientCredentials(sftest.DefaultClientID, sfSecret))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sf.Close)
	f := &fixture{bc: bc, sf: sf, dir: t.TempDir()}

	add := func(created time.Time, i int) int64 {
		o, err := bc.AddOrder(bctest.Order{
			DateCreated: created,
			StatusID:    11,
			TotalIncTax: "10.50",
			BillingAddress: bctest.Address{
				FirstName: "Ada", LastName: "Buyer" + strconv.Itoa(i),
				Email: "buyer" + strconv.Itoa(i) + "@example.com",
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	add(rangeFrom.Add(-time.Second), -1)
	step := rangeTo.Sub(rangeFrom) / time.Duration(max(n-1, 1))
	for i := range n {
		created := rangeFrom.Add(time.Duration(i) * step).Truncate(time.Second)
		if i == n-1 {
			created = rangeTo
		}
		f.inRange = append(f.inRange, add(created, i))
	}
	add(rangeTo.Add(time.Second), -2)
	return f
}

func (f *fixture) checkpointPath() string { return filepath.Join(f.dir, "backfill.json") }

// env is a complete environment for both modes; extra overrides it, and an
// empty value removes a variable.
func (f *fixture) env(redisURL string, extra map[string]string) func(string) string {
	env := map[string]string{
		envStoreHash:   f.bc.StoreHash(),
		envClientToken: bcToken,
		envAPIURL:      f.bc.URL(),
		envSFClientID:  sftest.DefaultClientID,
		envSFSecret:    sfSecret,
		envSFInstance:  f.sf.URL(),
		envRedisURL:    redisURL,
	}
	maps.Copy(env, extra)
	return func(k string) string { return env[k] }
}

func (f *fixture) args(mode string, extra ...string) []string {
	return append([]string{"-from", "2026-01-01", "-to", "2026-01-31", "-mode", mode,
		"-checkpoint", f.checkpointPath(), "-page-size", "5"}, extra...)
}

type result struct {
	code           int
	stdout, stderr string
}

func runWith(ctx context.Context, env func(string) string, stderr *lockedBuffer, args ...string) result {
	var out bytes.Buffer
	if stderr == nil {
		stderr = &lockedBuffer{}
	}
	code := run(ctx, args, env, &out, stderr)
	return result{code, out.String(), stderr.String()}
}

// lockedBuffer is a stderr that the program's goroutines may share, and
// that can call a function on every write (to interrupt the run at a chosen
// point).
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func(p []byte)
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.onWrite != nil {
		b.onWrite(p)
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cancelOnFirstCheckpoint returns a stderr that cancels the run as soon as
// the first checkpoint is saved (the program logs it with -v).
func cancelOnFirstCheckpoint(cancel context.CancelFunc) *lockedBuffer {
	return &lockedBuffer{onWrite: func(p []byte) {
		if bytes.Contains(p, []byte(`msg="checkpoint saved"`)) {
			cancel()
		}
	}}
}

// syncedOrderIDs returns the order ids of the Opportunities in the org,
// failing the test when one appears twice.
func (f *fixture) syncedOrderIDs(t *testing.T) []int64 {
	t.Helper()
	var ids []int64
	for _, r := range f.sf.Records("Opportunity") {
		id, err := strconv.ParseInt(toString(r["BigCommerce_Order_Id__c"]), 10, 64)
		if err != nil {
			t.Fatalf("opportunity without an order id: %v", r)
		}
		if slices.Contains(ids, id) {
			t.Errorf("order %d synced into two Opportunities", id)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// readCheckpoint decodes the checkpoint file, failing the test when it is not
// valid JSON of the expected shape.
func (f *fixture) readCheckpoint(t *testing.T) checkpointState {
	t.Helper()
	b, err := os.ReadFile(f.checkpointPath())
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if !json.Valid(b) {
		t.Fatalf("checkpoint is not valid JSON: %q", b)
	}
	st, err := decodeCheckpoint(b)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return st
}

// noLeftovers fails when a temporary checkpoint file was left behind.
func (f *fixture) noLeftovers(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != filepath.Base(f.checkpointPath()) {
			t.Errorf("stray file %s next to the checkpoint", e.Name())
		}
	}
}

func noSecrets(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{sfSecret, bcToken} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("a credential was printed")
		}
	}
}

func orderCount(short, long int) int {
	if testing.Short() {
		return short
	}
	return long
}

func TestSyncWholeRange(t *testing.T) {
	t.Parallel()
	f := newFixture(t, orderCount(12, 40))
	// An incomplete order (status 0) in the range is listed but not synced.
	if _, err := f.bc.AddOrder(bctest.Order{DateCreated: rangeFrom.Add(time.Hour), StatusID: 0}); err != nil {
		t.Fatal(err)
	}
	r := runWith(context.Background(), f.env("", nil), nil, f.args(modeSync, "-v")...)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	noSecrets(t, r)
	if got := f.syncedOrderIDs(t); !slices.Equal(got, f.inRange) {
		t.Errorf("synced orders %v, want exactly %v", got, f.inRange)
	}
	n := len(f.inRange)
	if want := strconv.Itoa(n) + " orders synced, 1 skipped, 0 failed"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout %q does not say %q", r.stdout, want)
	}
	if want := fmt.Sprintf("%d/%d orders (100.0%%)", n+1, n+1); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr has no final progress line %q", want)
	}
	// The worker reads the orders in pages, at most one call per order, and
	// writes them in batches: fewer graph calls than orders.
	if calls := f.bc.Calls(bctest.RouteGetOrder) + f.bc.Calls(bctest.RouteListOrders); calls > 2*(n+1) {
		t.Errorf("%d order reads and listings, want at most %d (one listing and one read per order)", calls, 2*(n+1))
	}
	graphs := f.sf.Calls(sftest.RouteGraph)
	if graphs == 0 || graphs >= n {
		t.Errorf("%d Composite Graph calls for %d orders, want them batched", graphs, n)
	}
	if st := f.readCheckpoint(t); !st.LastCreated.Equal(rangeTo) {
		t.Errorf("checkpoint at %v, want the last order's creation %v", st.LastCreated, rangeTo)
	}
	f.noLeftovers(t)
}

func TestSyncResumesAfterInterrupt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, orderCount(13, 33))
	n := len(f.inRange)

	// Slow fetches and one worker leave most of the first page unsynced
	// when the lister finishes it, so a checkpoint saved too early shows.
	if err := f.bc.FailNext(5, bctest.Fault{Route: bctest.RouteGetOrder, Delay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := runWith(ctx, f.env("", nil), cancelOnFirstCheckpoint(cancel), f.args(modeSync, "-v", "-workers", "1")...)
	if r.code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d, want %d\nstderr:\n%s", r.code, exitInterrupted, r.stderr)
	}
	st := f.readCheckpoint(t)
	if st.LastCreated.Before(rangeFrom) || !st.LastCreated.Before(rangeTo) {
		t.Fatalf("checkpoint after the first page at %v, want inside the range and before its end", st.LastCreated)
	}
	// Every order up to the checkpoint is in Salesforce already.
	firstPage := f.syncedOrderIDs(t)
	if len(firstPage) < 5 {
		t.Fatalf("%d orders synced before the checkpoint, want the first page of 5", len(firstPage))
	}

	f.bc.ResetCalls()
	r = runWith(context.Background(), f.env("", nil), nil, f.args(modeSync)...)
	if r.code != exitOK {
		t.Fatalf("second run: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	noSecrets(t, r)
	if got := f.syncedOrderIDs(t); !slices.Equal(got, f.inRange) {
		t.Errorf("synced orders %v, want each of %v exactly once", got, f.inRange)
	}
	// The second run resumed: it fetched only the orders from the
	// checkpoint on (the checkpoint's own order again), not the first page.
	if calls := f.bc.Calls(bctest.RouteGetOrder); calls > n-4 {
		t.Errorf("second run fetched %d orders, want at most %d", calls, n-4)
	}
	if st := f.readCheckpoint(t); !st.LastCreated.Equal(rangeTo) {
		t.Errorf("final checkpoint at %v, want %v", st.LastCreated, rangeTo)
	}
	f.noLeftovers(t)
}

func TestMissingEnvironment(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	tests := []struct {
		name  string
		mode  string
		unset []string
		want  []string
	}{
		{"enqueue without redis", modeEnqueue, []string{envRedisURL}, []string{envRedisURL}},
		{"sync without salesforce", modeSync, []string{envSFClientID, envSFSecret, envSFInstance}, []string{envSFClientID, envSFSecret, envSFInstance}},
		{"sync without the instance", modeSync, []string{envSFInstance, envRedisURL}, []string{envSFInstance}},
		{"no bigcommerce", modeEnqueue, []string{envStoreHash, envClientToken}, []string{envStoreHash, envClientToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			unset := map[string]string{}
			for _, k := range tt.unset {
				unset[k] = ""
			}
			r := runWith(context.Background(), f.env("redis://127.0.0.1:1/0", unset), nil, f.args(tt.mode)...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			for _, name := range tt.want {
				if !strings.Contains(r.stderr, name) {
					t.Errorf("stderr %q does not name %s", r.stderr, name)
				}
			}
			noSecrets(t, r)
		})
	}
	if calls := f.bc.TotalCalls(); calls != 0 {
		t.Errorf("%d BigCommerce calls without a complete configuration", calls)
	}
}

func TestBadCommandLine(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no from", []string{"-to", "2026-01-31"}, "-from is required"},
		{"bad from", []string{"-from", "01/02/2026"}, "YYYY-MM-DD"},
		{"bad to", []string{"-from", "2026-01-01", "-to", "2026-02-30"}, "-to"},
		{"to before from", []string{"-from", "2026-02-01", "-to", "2026-01-31"}, "before"},
		{"bad mode", []string{"-from", "2026-01-01", "-mode", "push"}, "-mode"},
		{"page size", []string{"-from", "2026-01-01", "-page-size", "251"}, "-page-size"},
		{"workers", []string{"-from", "2026-01-01", "-workers", "0"}, "-workers"},
		{"empty checkpoint", []string{"-from", "2026-01-01", "-checkpoint", ""}, "-checkpoint"},
		{"stray argument", []string{"-from", "2026-01-01", "now"}, "now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runWith(context.Background(), f.env("", nil), nil, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", r.code, r.stderr, exitUsage, tt.want)
			}
		})
	}
}

func TestCorruptCheckpointStopsTheRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	if err := os.WriteFile(f.checkpointPath(), []byte(`{"version":1,"from":`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runWith(context.Background(), f.env("", nil), nil, f.args(modeSync)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "-restart") {
		t.Errorf("exit %d, stderr %q; want %d suggesting -restart", r.code, r.stderr, exitUsage)
	}
	if len(f.sf.Records("Opportunity")) != 0 {
		t.Error("orders were synced despite the unreadable checkpoint")
	}
}

func TestWrongSalesforceSecretFailsFast(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	r := runWith(context.Background(), f.env("", map[string]string{envSFSecret: "wrong-secret-value"}), nil, f.args(modeSync)...)
	if r.code != exitFailed {
		t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, exitFailed, r.stderr)
	}
	if strings.Contains(r.stderr, "wrong-secret-value") {
		t.Error("the secret was printed")
	}
	if calls := f.bc.Calls(bctest.RouteGetOrder); calls != 0 {
		t.Errorf("%d orders fetched before Salesforce was reachable", calls)
	}
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	r := runWith(context.Background(), func(string) string { return "" }, nil, "-h")
	if r.code != exitOK || !strings.Contains(r.stderr, "usage: backfill") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestSyncReportsFailedOrders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	// A total of 45 digits, more than any currency field holds: the mapper
	// refuses the order, and the worker dead-letters it at once.
	bad, err := f.bc.AddOrder(bctest.Order{DateCreated: rangeFrom.Add(time.Hour), StatusID: 11,
		TotalIncTax: "1" + strings.Repeat("0", 44), BillingAddress: bctest.Address{LastName: "Big", Email: "big@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	r := runWith(context.Background(), f.env("", nil), nil, f.args(modeSync)...)
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitFailed, r.stderr)
	}
	if want := "3 orders synced, 0 skipped, 1 failed"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if want := fmt.Sprintf("not synced: order:%d:", bad.ID); !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not name the failed order (%q):\n%s", want, r.stderr)
	}
	if got := f.syncedOrderIDs(t); !slices.Equal(got, f.inRange) {
		t.Errorf("synced %v, want %v", got, f.inRange)
	}
	// The failed order is in the first page, so no checkpoint was saved:
	// the next run tries it again.
	if _, err := os.Stat(f.checkpointPath()); !os.IsNotExist(err) {
		t.Errorf("a checkpoint was saved past a failed order (stat: %v)", err)
	}
}
