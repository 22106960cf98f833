package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// newPhone is the number the demo's customer changes to.
const newPhone = "+44 20 7946 0018"

// customerEdit is the demo's customer change: a registered customer edits
// her phone number in the store, BigCommerce fires store/customer/updated,
// and her Contact follows, for one call on each side.
type customerEdit struct {
	id, email, key string
	outcome        pipeline.Outcome
	phone          string // the Contact's, read back
	bcCalls        int
	bcRoutes       map[string]int
	sfCalls        int
	graphs         int64
}

// editCustomer subscribes the receiver to the customer events, edits the
// customer in the store (which delivers the event), syncs it with a worker
// that reads customers, and reads the Contact back.
func editCustomer(ctx context.Context, store *bctest.Server, org *sftest.Server, recvURL string,
	queue *idempotency.MemoryQueue, done idempotency.Store, bc *bigcommerce.Client, sf *salesforce.Client,
	logger *slog.Logger, sec secrets, customerID int64,
) (customerEdit, error) {
	if _, err := bc.Webhooks.Create(ctx, bigcommerce.WebhookCreate{
		Scope: "store/customer/*", Destination: recvURL, Headers: map[string]string{secretHeader: sec.webhook},
	}); err != nil {
		return customerEdit{}, fmt.Errorf("register the customer hook: %w", err)
	}
	before := apiUsage(store, org)
	c, res, err := store.EditCustomer(ctx, customerID, func(c *bctest.Customer) { c.Phone = newPhone })
	if err != nil {
		return customerEdit{}, fmt.Errorf("edit customer %d: %w", customerID, err)
	}
	if len(res) != 1 || !res[0].Delivered() {
		return customerEdit{}, fmt.Errorf("deliver store/customer/updated: %v", res)
	}
	out := customerEdit{id: fmt.Sprint(c.ID), email: c.Email, key: mapper.CustomerKey(c.Email, c.ID, 0)}
	r, stats, err := syncCustomer(ctx, queue, done, bc, sf, logger)
	if err != nil {
		return customerEdit{}, err
	}
	after := apiUsage(store, org)
	out.outcome, out.graphs = r.Outcome, stats.GraphCalls
	out.bcCalls, out.sfCalls = after.bcTotal-before.bcTotal, after.sfCalls-before.sfCalls
	out.bcRoutes = map[string]int{}
	for route, n := range after.bcRoutes {
		if d := n - before.bcRoutes[route]; d > 0 {
			out.bcRoutes[route] = d
		}
	}
	type contact struct {
		Phone string `json:"Phone"`
	}
	got, err := query[contact](ctx, sf, "SELECT Phone FROM Contact WHERE "+customerKeyField+" = "+salesforce.QuoteString(out.key))
	if err != nil {
		return customerEdit{}, err
	}
	if len(got) == 1 {
		out.phone = got[0].Phone
	}
	return out, nil
}

// syncCustomer runs a worker that syncs customer events until one customer
// has an outcome and the queue is empty, then stops it.
func syncCustomer(ctx context.Context, queue *idempotency.MemoryQueue, done idempotency.Store,
	bc *bigcommerce.Client, sf *salesforce.Client, logger *slog.Logger,
) (pipeline.Result, pipeline.Stats, error) {
	m, err := mapper.New(mapper.Config{MultiCurrency: true})
	if err != nil {
		return pipeline.Result{}, pipeline.Stats{}, fmt.Errorf("mapper: %w", err)
	}
	var mu sync.Mutex
	var final *pipeline.Result
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue: queue, Store: done, Orders: bc.Orders, Graphs: sf, Mapper: m, Logger: logger,
		Customers: bc.Customers,
		OnResult: func(r pipeline.Result) {
			if r.Kind == pipeline.KindCustomer && r.Outcome != pipeline.OutcomeRetried {
				mu.Lock()
				final = &r
				mu.Unlock()
			}
		},
	})
	if err != nil {
		return pipeline.Result{}, pipeline.Stats{}, fmt.Errorf("worker: %w", err)
	}
	wctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- w.Run(wctx) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var waitErr error
	for {
		mu.Lock()
		settled := final != nil
		mu.Unlock()
		st, err := queue.Stats(ctx)
		if err == nil && settled && st.Ready+st.Delayed+st.InFlight == 0 {
			break
		}
		select {
		case <-ctx.Done():
			waitErr = fmt.Errorf("waiting for the customer's sync: %w", ctx.Err())
		case <-tick.C:
			continue
		}
		break
	}
	stop()
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		return pipeline.Result{}, pipeline.Stats{}, fmt.Errorf("worker: %w", err)
	}
	if waitErr != nil {
		return pipeline.Result{}, pipeline.Stats{}, waitErr
	}
	return *final, w.Stats(), nil
}

// writeCustomer prints the section on the customer edit.
func writeCustomer(s *sections, c customerEdit) {
	s.section("A customer edit: customer " + c.id + " (" + c.email + ") changes her phone; BigCommerce fires store/customer/updated")
	s.row("customer "+c.id, "store/customer/updated", string(c.outcome), "Contact "+customerKeyField+"="+c.key,
		fmt.Sprintf("Phone %q", c.phone))
	s.row("it cost", "BigCommerce "+count(c.bcCalls, "call"), joinCounts(c.bcRoutes)+": the customer, with her addresses")
	s.row("", "Salesforce "+count(c.sfCalls, "API call"), count(int(c.graphs), "Composite Graph call")+": her Account and Contact")
}
