package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/pipeline"
)

// Exit statuses of the program.
const (
	exitOK          = 0
	exitFailed      = 1   // a call failed, or orders could not be synced
	exitUsage       = 2   // bad command line or missing configuration
	exitInterrupted = 130 // stopped by a signal; the checkpoint is kept
)

// progressInterval is how often the progress line is printed while it moves.
const progressInterval = time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// job is what both modes need: the range, the listing, the checkpoint and
// the progress meter.
type job struct {
	opts       options
	cfg        config
	orders     *bigcommerce.OrdersService
	checkpoint *fileCheckpoint
	meter      *meter
	// logger is for the program's own messages (Info, or Debug with -v);
	// libLogger for the clients and the pipeline, which log every order
	// and request (Warn, or Debug with -v).
	logger, libLogger *slog.Logger
}

// run is the whole program, with its inputs passed in so tests can drive it
// in-process. The summary goes to stdout; progress and logs go to stderr.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, time.Now(), stderr)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "backfill: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(env, opts.mode)
	if err != nil {
		fmt.Fprintf(stderr, "backfill: %v\n", err)
		return exitUsage
	}
	j, err := newJob(opts, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "backfill: %v\n", err)
		return exitUsage
	}

	// The meter prints while the work runs and once more at the end.
	reportCtx, stopReport := context.WithCancel(ctx)
	var wg sync.WaitGroup
	tty := isTerminal(stderr)
	wg.Go(func() { j.meter.report(reportCtx, stderr, progressInterval, tty) })
	var sum summary
	if opts.mode == modeSync {
		sum, err = runSync(ctx, j)
	} else {
		sum, err = runEnqueue(ctx, j)
	}
	stopReport()
	wg.Wait()
	fmt.Fprintln(stderr, j.meter.line())
	return finish(ctx, j, sum, err, stdout, stderr)
}

// newJob builds the BigCommerce client and opens the checkpoint.
func newJob(opts options, cfg config, stderr io.Writer) (*job, error) {
	level, libLevel := slog.LevelInfo, slog.LevelWarn
	if opts.verbose {
		level, libLevel = slog.LevelDebug, slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	libLogger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: libLevel}))
	bc, err := bigcommerce.NewClient(cfg.storeHash, cfg.token,
		bigcommerce.WithBaseURL(cfg.apiURL), bigcommerce.WithLogger(libLogger))
	if err != nil {
		return nil, err
	}
	cp, note, err := openCheckpoint(opts.checkpoint, opts.from, opts.to, opts.restart, time.Now)
	if err != nil {
		return nil, err
	}
	cp.logger = logger
	if note != "" {
		logger.Warn(note, "checkpoint", opts.checkpoint)
	}
	if !cp.last.IsZero() {
		logger.Info("resuming from the checkpoint", "checkpoint", opts.checkpoint, "last_created", cp.last)
	}
	return &job{
		opts: opts, cfg: cfg, orders: bc.Orders,
		checkpoint: cp, meter: newMeter(time.Now), logger: logger, libLogger: libLogger,
	}, nil
}

// summary is what a mode reports at the end.
type summary struct {
	enqueued, duplicates int
	synced, skipped      int64
	// bulk is set when Bulk API jobs wrote the range, in jobs jobs;
	// deadElsewhere when its failed orders went to the Redis dead letters
	// rather than the in-memory queue.
	bulk, deadElsewhere bool
	jobs                int
	// failed counts the orders dead-lettered in sync mode; dead lists the
	// first maxDeadListed of them.
	failed int64
	dead   []deadOrder
}

// maxDeadListed bounds the failed orders named at the end of a run.
const maxDeadListed = 100

// deadOrder is an order the worker gave up on, in sync mode.
type deadOrder struct {
	key, reason string
}

// finish prints the outcome and chooses the exit status.
func finish(ctx context.Context, j *job, sum summary, err error, stdout, stderr io.Writer) int {
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "backfill: interrupted; run the same command again to resume from %s\n", j.opts.checkpoint)
		return exitInterrupted
	}
	if err != nil {
		fmt.Fprintf(stderr, "backfill: %v\nrun the same command again to resume from %s\n", err, j.opts.checkpoint)
		return exitFailed
	}
	rng := j.opts.from.Format(time.RFC3339) + " to " + j.opts.to.Format(time.RFC3339)
	if j.opts.mode == modeSync {
		how := ""
		if sum.bulk {
			how = fmt.Sprintf(" (Bulk API 2.0, %d jobs)", sum.jobs)
		}
		fmt.Fprintf(stdout, "backfill %s: %s orders synced%s, %s skipped, %s failed\n", rng,
			thousands(int(sum.synced)), how, thousands(int(sum.skipped)), thousands(int(sum.failed)))
	} else {
		// Duplicates include the orders the listing saw twice where pages
		// or runs meet, and those the reconciler had queued already.
		fmt.Fprintf(stdout, "backfill %s: %s orders enqueued (%s already queued)\n", rng,
			thousands(sum.enqueued), thousands(sum.duplicates))
	}
	if sum.failed > 0 && sum.deadElsewhere {
		fmt.Fprintf(stderr, "backfill: %s orders not synced wait in the dead letters of the Redis queue (REDIS_URL), with their reasons; replay them from the dead-letter console once fixed\n",
			thousands(int(sum.failed)))
		return exitFailed
	}
	if sum.failed > 0 {
		for _, d := range sum.dead {
			fmt.Fprintf(stderr, "backfill: not synced: %s: %s\n", d.key, d.reason)
		}
		if more := sum.failed - int64(len(sum.dead)); more > 0 {
			fmt.Fprintf(stderr, "backfill: and %s more not synced\n", thousands(int(more)))
		}
		return exitFailed
	}
	return exitOK
}

// countOrders lists the range (from the checkpoint on) once, to learn how
// many orders it holds and when each was created, for the progress line.
// The listing API returns no total; this costs one call per 250 orders,
// as enqueueing does, and as syncing does again when it reads the orders in
// pages.
func (j *job) countOrders(ctx context.Context) (from time.Time, created []int64, err error) {
	from = j.opts.from
	if j.checkpoint.last.After(from) {
		from = j.checkpoint.last
	}
	created = []int64{}
	opts := bigcommerce.ListOrdersOptions{MinDateCreated: from, MaxDateCreated: j.opts.to, PageSize: j.opts.pageSize}
	for o, err := range j.orders.List(ctx, opts) {
		if err != nil {
			return from, nil, fmt.Errorf("count orders: %w", err)
		}
		created = append(created, o.DateCreated.Unix())
	}
	return from, created, nil
}

// startCount gives the meter its total, unless -count=false.
func (j *job) startCount(ctx context.Context) error {
	if !j.opts.count {
		return nil
	}
	from, created, err := j.countOrders(ctx)
	if err != nil {
		return err
	}
	j.meter.setCreated(created)
	j.logger.Info("orders to backfill", "count", len(created), "from", from, "to", j.opts.to)
	return nil
}

// backfillConfig is the pipeline.Backfill configuration both modes share.
func (j *job) backfillConfig() pipeline.BackfillConfig {
	return pipeline.BackfillConfig{
		Orders:   j.orders,
		From:     j.opts.from,
		To:       j.opts.to,
		PageSize: j.opts.pageSize,
		Logger:   j.libLogger,
	}
}
