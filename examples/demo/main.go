package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// demoTimeout bounds the whole run; it normally takes well under a second.
const demoTimeout = 30 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run plays the whole flow on loopback and writes the report to stdout.
// Warnings (the rejected deliveries, for one) are logged to stderr. The
// webhook credentials are made up for the run: the demo needs no
// configuration, and holds no real secret that it could leak.
func run(ctx context.Context, stdout, stderr io.Writer) error {
	return runWith(ctx, stdout, stderr, secrets{webhook: rand.Text(), client: rand.Text()})
}

// runWith is run with the given webhook credentials.
func runWith(ctx context.Context, stdout, stderr io.Writer, sec secrets) error {
	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	store, err := bctest.NewServer(bctest.WithClientSecret(sec.client))
	if err != nil {
		return fmt.Errorf("start the fake store: %w", err)
	}
	defer store.Close()
	org, err := sftest.NewServer()
	if err != nil {
		return fmt.Errorf("start the fake org: %w", err)
	}
	defer org.Close()

	queue := idempotency.NewMemoryQueue()
	defer queue.Close()
	done := idempotency.NewMemoryStore()

	recv, err := startReceiver(ctx, queue, done, sec, logger)
	if err != nil {
		return err
	}
	defer recv.close()

	bc, sf, err := newClients(store, org, logger)
	if err != nil {
		return err
	}
	if err := registerHook(ctx, bc, recv.url, sec); err != nil {
		return err
	}
	orders, err := seedOrders(store)
	if err != nil {
		return err
	}
	deliveries, err := deliverWebhooks(ctx, store, recv.url, orders, sec)
	if err != nil {
		return err
	}

	results, stats, err := syncAll(ctx, queue, done, bc, sf, logger, orders)
	if err != nil {
		return err
	}
	spent := apiUsage(store, org)
	changed, err := changeOrders(ctx, store, org, recv.url, queue, done, bc, sf, logger, orders)
	if err != nil {
		return err
	}
	records, err := readBack(ctx, sf)
	if err != nil {
		return err
	}
	edited, err := editCustomer(ctx, store, org, recv.url, queue, done, bc, sf, logger, sec, orders[0].order.CustomerID)
	if err != nil {
		return err
	}
	return writeReport(stdout, report{
		orders: orders, deliveries: deliveries, results: results, stats: stats, spent: spent, records: records,
		later: changed, customer: edited,
	})
}

// newClients builds the real API clients, pointed at the fakes.
func newClients(store *bctest.Server, org *sftest.Server, logger *slog.Logger) (*bigcommerce.Client, *salesforce.Client, error) {
	bc, err := bigcommerce.NewClient(store.StoreHash(), store.Token(),
		bigcommerce.WithBaseURL(store.URL()), bigcommerce.WithLogger(logger))
	if err != nil {
		return nil, nil, fmt.Errorf("bigcommerce client: %w", err)
	}
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()),
		salesforce.WithLogger(logger),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("salesforce client: %w", err)
	}
	return bc, sf, nil
}

// registerHook subscribes the receiver to every order event, with the
// shared secret BigCommerce will send back in a header on each delivery.
func registerHook(ctx context.Context, bc *bigcommerce.Client, url string, sec secrets) error {
	_, err := bc.Webhooks.Create(ctx, bigcommerce.WebhookCreate{
		Scope: "store/order/*", Destination: url,
		Headers: map[string]string{secretHeader: sec.webhook},
	})
	if err != nil {
		return fmt.Errorf("register the hook: %w", err)
	}
	return nil
}

// syncAll runs a worker pool until every seeded order has an outcome and
// the queue is empty, then stops it gracefully.
func syncAll(ctx context.Context, queue *idempotency.MemoryQueue, done idempotency.Store,
	bc *bigcommerce.Client, sf *salesforce.Client, logger *slog.Logger, orders []seeded,
) (map[int64]pipeline.Result, pipeline.Stats, error) {
	// MultiCurrency sends CurrencyIsoCode; leave it off for an org that
	// has a single currency, where the field does not exist.
	m, err := mapper.New(mapper.Config{MultiCurrency: true})
	if err != nil {
		return nil, pipeline.Stats{}, fmt.Errorf("mapper: %w", err)
	}
	col := newCollector()
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue: queue, Store: done, Orders: bc.Orders, Graphs: sf, Mapper: m,
		Logger: logger, OnResult: col.add,
	})
	if err != nil {
		return nil, pipeline.Stats{}, fmt.Errorf("worker: %w", err)
	}
	wctx, stop := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- w.Run(wctx) }()

	waitErr := col.wait(ctx, queue, orders)
	stop()
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		return nil, pipeline.Stats{}, fmt.Errorf("worker: %w", err)
	}
	if waitErr != nil {
		return nil, pipeline.Stats{}, waitErr
	}
	return col.results(), w.Stats(), nil
}
