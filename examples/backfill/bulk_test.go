package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/redis/go-redis/v9"
)

// childEnv names the variable that makes the test binary run the program
// itself (TestMain), so that a test can kill a real process mid-run.
const childEnv = "BC2SF_BACKFILL_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// A range of at least -bulk-threshold orders is written with Bulk API jobs,
// a chunk at a time, each order once, and no Composite Graph call.
func TestSyncWritesLargeRangesWithBulkJobs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 300)
	r := runWith(context.Background(), f.env("", nil), nil, f.args(modeSync, "-page-size", "50", "-bulk-threshold", "100", "-bulk-chunk", "120")...)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	noSecrets(t, r)
	if want := "300 orders synced (Bulk API 2.0, 9 jobs), 0 skipped, 0 failed"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if got := f.syncedOrderIDs(t); !slices.Equal(got, f.inRange) {
		t.Errorf("synced %d orders, want each of the %d once", len(got), len(f.inRange))
	}
	if n := f.sf.Calls(sftest.RouteGraph); n != 0 {
		t.Errorf("%d Composite Graph calls", n)
	}
	if !strings.Contains(r.stderr, "300/300 orders (100.0%)") {
		t.Errorf("no final progress line in:\n%s", r.stderr)
	}
	if st := f.readCheckpoint(t); !st.LastCreated.Equal(rangeTo) {
		t.Errorf("checkpoint at %v, want %v", st.LastCreated, rangeTo)
	}
	f.noLeftovers(t)
}

// Below the threshold the worker syncs the range, as before; uncounted, the
// range is handed to the worker by the bulk path itself.
func TestSyncSmallRangesStayWithTheWorker(t *testing.T) {
	t.Parallel()
	for _, count := range []string{"-count=true", "-count=false"} {
		f := newFixture(t, 20)
		r := runWith(context.Background(), f.env("", nil), nil, f.args(modeSync, count, "-bulk-threshold", "50", "-bulk-chunk", "50")...)
		if r.code != exitOK || !strings.Contains(r.stdout, "20 orders synced, 0 skipped") {
			t.Fatalf("%s: exit %d, stdout %q\nstderr:\n%s", count, r.code, r.stdout, r.stderr)
		}
		if f.sf.BulkJobs() != 0 {
			t.Errorf("%s: %d bulk jobs for a small range", count, f.sf.BulkJobs())
		}
	}
}

// An order Salesforce refuses in a job is named with its reason, the run
// fails, and the checkpoint stays before it (the in-memory dead letters die
// with the process).
func TestBulkReportsRefusedOrders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 150)
	for range 2 { // an org whose order id is not unique: the upsert matches two
		if _, err := f.sf.Seed("Opportunity", sftest.Record{"Name": "Twin", "StageName": "x", "CloseDate": "2026-01-01",
			"BigCommerce_Order_Id__c": fmt.Sprint(f.inRange[3])}); err != nil {
			t.Fatal(err)
		}
	}
	r := runWith(context.Background(), f.env("", nil), nil, f.args(modeSync, "-page-size", "50", "-bulk-threshold", "100", "-bulk-chunk", "100")...)
	if r.code != exitFailed {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if want := "149 orders synced (Bulk API 2.0, 6 jobs), 0 skipped, 1 failed"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if want := fmt.Sprintf("not synced: order:%d:", f.inRange[3]); !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "DUPLICATE_EXTERNAL_ID") {
		t.Errorf("stderr does not name the refused order and its reason:\n%s", r.stderr)
	}
	if _, err := os.Stat(f.checkpointPath()); !os.IsNotExist(err) {
		t.Errorf("a checkpoint was saved past a refused order (stat: %v)", err)
	}
}

// With REDIS_URL set, refused orders wait in the Redis queue's dead
// letters, where the console shows them, and the checkpoint moves on.
func TestBulkDeadLettersGoToRedis(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	f := newFixture(t, 150)
	for range 2 {
		if _, err := f.sf.Seed("Opportunity", sftest.Record{"Name": "Twin", "StageName": "x", "CloseDate": "2026-01-01",
			"BigCommerce_Order_Id__c": fmt.Sprint(f.inRange[7])}); err != nil {
			t.Fatal(err)
		}
	}
	r := runWith(context.Background(), f.env(srv.URL(), nil), nil,
		f.args(modeSync, "-page-size", "50", "-bulk-threshold", "100", "-bulk-chunk", "100")...)
	if r.code != exitFailed || !strings.Contains(r.stderr, "wait in the dead letters of the Redis queue") {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	dead := redisDeadLetters(t, srv.URL())
	if len(dead) != 1 || !strings.HasPrefix(dead[0].Key, fmt.Sprintf("order:%d:", f.inRange[7])) ||
		!strings.Contains(dead[0].Reason, "bulk upsert Opportunity: DUPLICATE_EXTERNAL_ID") {
		t.Errorf("dead letters %+v", dead)
	}
	if st := f.readCheckpoint(t); !st.LastCreated.Equal(rangeTo) {
		t.Errorf("checkpoint at %v, want %v: dead letters in Redis need no rerun", st.LastCreated, rangeTo)
	}
}

// Killed with SIGKILL in the middle of a bulk run, the program resumes from
// its checkpoint when run again, and completes with every order once.
func TestBulkResumesAfterAKill(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the program twice in a child process")
	}
	f := newFixture(t, 600)
	// 15 ms on every Salesforce call: a run of 6 chunks takes long enough to
	// be killed in.
	if err := f.sf.FailNext(1000, sftest.Fault{Delay: 15 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), childEnv+"=1", "TMPDIR="+t.TempDir(), // a killed run leaves its chunk's files there
		envStoreHash+"="+f.bc.StoreHash(), envClientToken+"="+bcToken, envAPIURL+"="+f.bc.URL(),
		envSFClientID+"="+sftest.DefaultClientID, envSFSecret+"="+sfSecret, envSFInstance+"="+f.sf.URL())
	args := f.args(modeSync, "-page-size", "100", "-bulk-threshold", "100", "-bulk-chunk", "100")

	cmd := exec.Command(exe, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, err := os.ReadFile(f.checkpointPath())
		if err == nil && bytes.Contains(b, []byte("last_created")) {
			break // the first chunk is done
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no checkpoint within 60 s; stderr:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killedAt := f.readCheckpoint(t).LastCreated
	if !killedAt.Before(rangeTo) {
		t.Fatalf("the first run finished before it was killed (checkpoint %v)", killedAt)
	}
	before := len(f.syncedOrderIDs(t))

	f.sf.ClearFaults()
	cmd = exec.Command(exe, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("second run: %v\nstderr:\n%s", err, stderr.String())
	}
	if got := f.syncedOrderIDs(t); !slices.Equal(got, f.inRange) {
		t.Errorf("after the kill and the rerun: %d orders synced, want each of the %d once", len(got), len(f.inRange))
	}
	// The rerun started at the checkpoint: it wrote fewer than all orders.
	line, _ := bufio.NewReader(&out).ReadString('\n')
	var synced int
	if _, err := fmt.Sscanf(line[strings.Index(line, ": ")+2:], "%d orders synced", &synced); err != nil || synced >= len(f.inRange) || synced < len(f.inRange)-before {
		t.Errorf("rerun summary %q: want fewer than %d orders, at least the %d not written before the kill", line, len(f.inRange), len(f.inRange)-before)
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	m := newMeter(func() time.Time { return time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC) })
	m.start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.setCreated(make([]int64, 1000))
	m.set(250, "900 listed, writing Contact")
	want := "[#######.......................] 250/1,000 orders (25.0%), 25/s, ~30s left; 900 listed, writing Contact"
	if got := m.bar(); got != want {
		t.Errorf("bar\n%q\nwant\n%q", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan struct{})
	go func() { m.report(ctx, &out, time.Millisecond, true); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "\r[") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	s := out.String()
	if !strings.HasPrefix(s, "\r[#######") || strings.Contains(s, "\n") || !strings.HasSuffix(s, "\r\x1b[K") {
		t.Errorf("terminal output %q: want bars redrawn in place, no newline, erased at the end", s)
	}
	if isTerminal(&out) {
		t.Error("a buffer is not a terminal")
	}
}

// redisDeadLetters lists the dead letters of the default Redis queue.
func redisDeadLetters(t *testing.T, url string) []idempotency.DeadLetter {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	q, err := idemredis.NewQueue(rdb)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := q.DeadLetters(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return dead
}
