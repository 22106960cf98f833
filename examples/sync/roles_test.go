package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// asRole keeps of env the variables role reads, and sets ROLE: a receiver
// gets no API credential and a worker no webhook credential, to show that
// each needs none.
func asRole(env map[string]string, r role) map[string]string {
	out := map[string]string{"ROLE": string(r)}
	for k, v := range env {
		webhookVar := strings.HasPrefix(k, "BIGCOMMERCE_WEBHOOK_") || k == "BIGCOMMERCE_CLIENT_SECRET"
		common := k == "REDIS_URL" || k == "LISTEN_ADDR" || k == "LOG_FORMAT" || strings.HasPrefix(k, "ADMIN_")
		if common || webhookVar == (r == roleReceiver) {
			out[k] = v
		}
	}
	return out
}

// Scaled out: a receiver and a worker, two runs of the program on one
// Redis. The worker reconciles a missed order at start; a delivery to the
// receiver is synced by the worker; each serves the probes, and only the
// receiver the webhook route. With Redis gone the receiver answers 503, so
// that BigCommerce delivers again, and both say so on /readyz.
func TestRolesSplitOnRedis(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := fakes(t)
	env["REDIS_URL"] = rs.URL()
	env["RECONCILE_INTERVAL"] = "1h"
	missed := addOrder(t, bc)

	worker := start(t, asRole(env, roleWorker))
	waitForOpportunity(t, sf, missed, worker.logs)
	checkpointSaved(t, rs.URL(), worker.logs)

	receiver := start(t, asRole(env, roleReceiver))
	hookURL := receiver.url + webhookPath
	id := addOrder(t, bc)
	if code := deliverStatus(t, bc, hookURL, bctest.EventSpec{OrderID: id, Forge: true}); code != http.StatusUnauthorized {
		t.Errorf("forged delivery: status %d, want 401", code)
	}
	deliver(t, bc, hookURL, id)
	waitForOpportunity(t, sf, id, worker.logs)
	if strings.Contains(receiver.logs.String(), `"msg":"order synced"`) {
		t.Errorf("the receiver synced an order:\n%s", receiver.logs)
	}

	probes := []struct {
		p            *program
		method, path string
		up, down     int // status with Redis up, then down
	}{
		{receiver, "GET", "/healthz", http.StatusOK, http.StatusOK},
		{receiver, "GET", "/readyz", http.StatusOK, http.StatusServiceUnavailable},
		{worker, "GET", "/healthz", http.StatusOK, http.StatusOK},
		{worker, "GET", "/readyz", http.StatusOK, http.StatusServiceUnavailable},
		{worker, "POST", webhookPath, http.StatusNotFound, http.StatusNotFound},
	}
	for _, pr := range probes {
		if code := status(t, pr.method, pr.p.url+pr.path); code != pr.up {
			t.Errorf("%s %s %s with Redis up: %d, want %d", pr.p.role(), pr.method, pr.path, code, pr.up)
		}
	}
	rs.Kill()
	if code := deliverStatus(t, bc, hookURL, bctest.EventSpec{OrderID: addOrder(t, bc)}); code != http.StatusServiceUnavailable {
		t.Errorf("delivery with Redis down: status %d, want 503", code)
	}
	for _, pr := range probes {
		if code := status(t, pr.method, pr.p.url+pr.path); code != pr.down {
			t.Errorf("%s %s %s with Redis down: %d, want %d", pr.p.role(), pr.method, pr.path, code, pr.down)
		}
	}

	for _, p := range []*program{receiver, worker} {
		if code := p.stop(t); code != exitOK {
			t.Errorf("%s: exit code %d, want 0; logs:\n%s", p.role(), code, p.logs)
		}
		assertNoSecrets(t, p.logs.String(), env)
	}
}

// A worker stopped while it holds an order exits 0 without losing it: the
// order is written during the drain or given back to the queue, and a
// restarted worker finds nothing left undone.
func TestWorkerRoleStopsWithoutLosingWork(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	bc, sf, env := fakes(t)
	env["REDIS_URL"] = rs.URL()
	// Every Salesforce call waits 300 ms: the order stays in flight a while.
	if err := sf.FailRandomly(1, sftest.Fault{Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	receiver := start(t, asRole(env, roleReceiver))
	id := addOrder(t, bc)

	first := start(t, asRole(env, roleWorker))
	deliver(t, bc, receiver.url+webhookPath, id)
	waitFor(t, "the worker to fetch the order", first.logs, func() bool {
		return bc.Calls(bctest.RouteGetOrder) > 0
	})
	if code := first.stop(t); code != exitOK {
		t.Fatalf("exit code %d, want 0; logs:\n%s", code, first.logs)
	}

	second := start(t, asRole(env, roleWorker))
	waitForOpportunity(t, sf, id, second.logs)
	if code := second.stop(t); code != exitOK {
		t.Errorf("exit code %d, want 0; logs:\n%s", code, second.logs)
	}
}
