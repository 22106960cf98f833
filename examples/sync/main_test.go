package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// Each role names every variable it is missing or cannot read, and none
// that it does not use.
func TestRunRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	full := fullEnv()
	change := func(kv ...string) map[string]string { return withEnv(full, kv...) }
	receiver := func(kv ...string) map[string]string {
		return withEnv(map[string]string{"ROLE": "receiver", "BIGCOMMERCE_WEBHOOK_SECRET": webhookSecret, "REDIS_URL": "redis://127.0.0.1:1/0"}, kv...)
	}
	worker := func(kv ...string) map[string]string {
		return change(append([]string{"ROLE", "worker", "BIGCOMMERCE_WEBHOOK_SECRET", "-", "BIGCOMMERCE_CLIENT_SECRET", "-", "REDIS_URL", "redis://127.0.0.1:1/0"}, kv...)...)
	}
	tests := []struct {
		name     string
		env      map[string]string
		wants    []string // each must appear in the output
		notWants []string // none may
	}{
		{"empty", map[string]string{}, []string{
			"missing BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_CLIENT_TOKEN, SALESFORCE_CLIENT_ID, " +
				"SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL, " +
				"BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET",
		}, []string{"REDIS_URL"}},
		{"salesforce missing", change("SALESFORCE_CLIENT_ID", "-", "SALESFORCE_INSTANCE_URL", "-"),
			[]string{"missing SALESFORCE_CLIENT_ID, SALESFORCE_INSTANCE_URL"}, nil},
		{"no webhook credential", change("BIGCOMMERCE_WEBHOOK_SECRET", "-", "BIGCOMMERCE_CLIENT_SECRET", "-"),
			[]string{"missing BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET"}, nil},
		{"blank counts as unset", change("BIGCOMMERCE_STORE_HASH", "  "), []string{"missing BIGCOMMERCE_STORE_HASH"}, nil},
		{"missing and invalid", change("SALESFORCE_CLIENT_ID", "-", "WORKERS", "many", "LOG_FORMAT", "xml"),
			[]string{"missing SALESFORCE_CLIENT_ID; invalid LOG_FORMAT (want text or json), WORKERS"}, nil},
		{"bad role", change("ROLE", "both"), []string{"invalid ROLE (want all, receiver or worker)"}, nil},
		{"bad target", change("SYNC_TARGET", "opportunities"), []string{"invalid SYNC_TARGET (want opportunity or order)"}, nil},
		{"bad price book", change("SYNC_TARGET", "order", "SALESFORCE_PRICEBOOK_ID", "standard"),
			[]string{"invalid SALESFORCE_PRICEBOOK_ID (want a 15- or 18-character Salesforce id)"}, nil},
		{"bad workers", change("WORKERS", "0"), []string{"invalid WORKERS"}, nil},
		{"bad interval", change("RECONCILE_INTERVAL", "often"), []string{"invalid RECONCILE_INTERVAL"}, nil},
		{"admin without token", change("ADMIN_ADDR", "127.0.0.1:0", "ADMIN_TOKEN", "-"), []string{"missing ADMIN_TOKEN"}, nil},
		{"admin token too short", change("ADMIN_ADDR", "127.0.0.1:0", "ADMIN_TOKEN", "short-token"),
			[]string{"invalid ADMIN_TOKEN (want at least 16 characters)"}, []string{"short-token"}},
		{"bad redis URL", change("REDIS_URL", "http://user:redis-password@host"), []string{"invalid REDIS_URL"}, nil},
		{"bad store hash", change("BIGCOMMERCE_STORE_HASH", "not a hash"), []string{"invalid configuration"}, nil},
		{"bad API version", change("SALESFORCE_API_VERSION", "64"), []string{"invalid configuration"}, nil},
		{"bad token URL", change("SALESFORCE_TOKEN_URL", "not a url"), []string{"invalid configuration"}, nil},

		{"receiver: empty", map[string]string{"ROLE": "receiver"},
			[]string{"missing REDIS_URL, BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET"},
			[]string{"BIGCOMMERCE_STORE_HASH", "SALESFORCE"}},
		{"receiver: no redis", receiver("REDIS_URL", "-"), []string{"missing REDIS_URL"}, []string{"SALESFORCE"}},
		{"receiver: no webhook credential", receiver("BIGCOMMERCE_WEBHOOK_SECRET", "-"),
			[]string{"missing BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET"}, []string{"SALESFORCE"}},
		{"receiver: bad header name", receiver("BIGCOMMERCE_WEBHOOK_HEADER", "bad header"), []string{"invalid configuration"}, nil},

		{"worker: empty", map[string]string{"ROLE": "worker"}, []string{
			"missing BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_CLIENT_TOKEN, SALESFORCE_CLIENT_ID, " +
				"SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL, REDIS_URL",
		}, []string{"WEBHOOK"}},
		{"worker: no redis", worker("REDIS_URL", "-"), []string{"missing REDIS_URL"}, []string{"WEBHOOK"}},
		{"worker: bad interval", worker("RECONCILE_INTERVAL", "1ms"), []string{"invalid RECONCILE_INTERVAL (want a duration"}, []string{"WEBHOOK"}},
		{"worker: bad API URL", worker("BIGCOMMERCE_API_URL", "ftp://api"), []string{"invalid configuration"}, nil},
		{"worker: admin without token", worker("ADMIN_ADDR", ":9090", "ADMIN_TOKEN", "-"), []string{"missing ADMIN_TOKEN"}, []string{"WEBHOOK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out logBuffer
			if code := run(context.Background(), mapEnv(tt.env), &out); code != exitConfig {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, exitConfig, out.String())
			}
			for _, want := range tt.wants {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output does not contain %q:\n%s", want, out.String())
				}
			}
			for _, notWanted := range append(tt.notWants, "redis-password") {
				if strings.Contains(out.String(), notWanted) {
					t.Errorf("output mentions %s:\n%s", notWanted, out.String())
				}
			}
			assertNoSecrets(t, out.String(), tt.env)
		})
	}
}

// A signed delivery ends as an Opportunity, a forged one is refused, and
// cancelling the context stops the program with exit code 0.
func TestRunSyncsDeliveredOrder(t *testing.T) {
	t.Parallel()
	bc, sf, env := fakes(t)
	p := start(t, env)
	hookURL := p.url + webhookPath
	id := addOrder(t, bc)

	forged, err := bc.Deliver(t.Context(), hookURL, bctest.EventSpec{OrderID: id, Forge: true})
	if err != nil {
		t.Fatal(err)
	}
	if forged.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged delivery: status %d, want 401", forged.StatusCode)
	}
	deliver(t, bc, hookURL, id)
	waitForOpportunity(t, sf, id, p.logs)

	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.logs)
	}
	logs := p.logs.String()
	for _, want := range []string{`"msg":"order synced"`, `"order_id":` + itoa(id), `"msg":"stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs do not contain %s:\n%s", want, logs)
		}
	}
	assertNoSecrets(t, logs, env)
}

// An order whose webhook never came is synced by the reconciler, which
// runs once at start.
func TestRunReconcilesMissedOrder(t *testing.T) {
	t.Parallel()
	bc, sf, env := fakes(t)
	env["RECONCILE_INTERVAL"] = "1h"
	id := addOrder(t, bc)
	p := start(t, env)
	waitForOpportunity(t, sf, id, p.logs)
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.logs)
	}
}

func TestRunProbes(t *testing.T) {
	t.Parallel()
	_, _, env := fakes(t)
	p := start(t, env)
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/healthz", http.StatusOK},
		{"GET", "/readyz", http.StatusOK},
		{"GET", webhookPath, http.StatusMethodNotAllowed},
		{"POST", webhookPath, http.StatusUnauthorized},
		{"GET", "/other", http.StatusNotFound},
	}
	for _, tt := range tests {
		if got := status(t, tt.method, p.url+tt.path); got != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, got, tt.want)
		}
	}
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.logs)
	}
}

// With REDIS_URL the queue, the store and the reconciler's checkpoint live
// in Redis: a missed order is reconciled, a delivery is synced, and /readyz
// turns 503 when Redis goes away while /healthz stays 200.
func TestRunOnRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := fakes(t)
	env["REDIS_URL"] = rs.URL()
	env["RECONCILE_INTERVAL"] = "1h"
	missed := addOrder(t, bc)
	p := start(t, env)
	waitForOpportunity(t, sf, missed, p.logs)
	checkpointSaved(t, rs.URL(), p.logs)

	id := addOrder(t, bc)
	deliver(t, bc, p.url+webhookPath, id)
	waitForOpportunity(t, sf, id, p.logs)
	if code := status(t, "GET", p.url+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz with Redis up: %d, want 200", code)
	}

	rs.Kill()
	if code := status(t, "GET", p.url+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with Redis down: %d, want 503", code)
	}
	if code := status(t, "GET", p.url+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with Redis down: %d, want 200", code)
	}
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, p.logs)
	}
	assertNoSecrets(t, p.logs.String(), env)
}

// With the queue in memory, a graceful stop lets the workers empty it: events
// already answered 200 must not vanish with the process.
func TestRunDrainsTheMemoryQueueOnStop(t *testing.T) {
	t.Parallel()
	bc, sf, env := fakes(t)
	env["WORKERS"] = "1"
	// Every Salesforce call waits 200 ms: events keep waiting in the queue.
	if err := sf.FailRandomly(1, sftest.Fault{Delay: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	p := start(t, env)
	hookURL := p.url + webhookPath
	var ids []int64
	for range 6 {
		id := addOrder(t, bc)
		deliver(t, bc, hookURL, id)
		ids = append(ids, id)
	}
	if code := p.stop(t); code != exitOK {
		t.Fatalf("exit code %d, want 0; logs:\n%s", code, p.logs)
	}
	for _, id := range ids {
		if _, ok := sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", itoa(id)); !ok {
			t.Errorf("order %d was accepted but not synced before exit; logs:\n%s", id, p.logs)
		}
	}
}
