package pipeline

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// BulkWriter is what BulkBackfill needs from Salesforce: Bulk API 2.0
// ingest and query jobs. *salesforce.Client implements it.
type BulkWriter interface {
	CreateIngestJob(ctx context.Context, req salesforce.IngestJobRequest) (*salesforce.JobInfo, error)
	UploadJobData(ctx context.Context, jobID string, csv io.ReadSeeker) error
	CloseIngestJob(ctx context.Context, jobID string) (*salesforce.JobInfo, error)
	AbortIngestJob(ctx context.Context, jobID string) (*salesforce.JobInfo, error)
	WaitIngestJob(ctx context.Context, jobID string, poll salesforce.PollPolicy) (*salesforce.JobInfo, error)
	IngestResults(ctx context.Context, jobID string, kind salesforce.ResultKind) (io.ReadCloser, error)
	CreateQueryJob(ctx context.Context, soql string, all bool) (*salesforce.JobInfo, error)
	WaitQueryJob(ctx context.Context, jobID string, poll salesforce.PollPolicy) (*salesforce.JobInfo, error)
	QueryJobResults(ctx context.Context, jobID string, opts salesforce.QueryResultsOptions) iter.Seq2[*salesforce.ResultPage, error]
}

var _ BulkWriter = (*salesforce.Client)(nil)

// Defaults of BulkBackfillConfig.
const (
	// DefaultBulkMinOrders is the smallest range BulkBackfill writes with
	// Bulk API jobs: 2,000 orders. A set of jobs costs about 12 to 20 API
	// calls whatever its size, Composite Graph one per 75 orders, so below
	// about 1,000 orders the Worker is cheaper, and it is quicker too.
	DefaultBulkMinOrders = 2000
	// DefaultBulkChunkOrders is how many orders one set of jobs carries:
	// 50,000. Memory grows with it (about 50 bytes per distinct customer
	// while a chunk is written) and the checkpoint moves once per chunk;
	// API calls shrink with it. 100,000 orders take 24 calls in two
	// chunks for the Opportunity target.
	DefaultBulkChunkOrders = 50000
)

// BulkBackfillConfig configures BulkBackfill. Orders, Salesforce, Mapper
// and Queue are required; every other field has the default named beside
// it.
type BulkBackfillConfig struct {
	// Orders lists the orders (a *bigcommerce.Client's Orders), 250 per
	// call with their line items inlined for the Order target.
	Orders OrderLister
	// Salesforce runs the jobs (a *salesforce.Client).
	Salesforce BulkWriter
	// Mapper maps the orders: the Worker's, so that both write the same
	// records. BulkBackfill maps with a copy of its Config whose Link is
	// mapper.LinkByExternalID, as a CSV row names its parent by external ID.
	Mapper *mapper.Mapper
	// Queue receives, as Tasks at PriorityLow, the orders of a range too
	// small for jobs (MinOrders), and the dead letters unless DeadLetters
	// is set.
	Queue idempotency.Queue
	// DeadLetters receives the orders Salesforce refused, as dead letters
	// of Tasks (through idempotency.DeadLetterWriter, which MemoryQueue and
	// the Redis queue implement) that the Worker syncs again when an
	// operator replays them; a queue without EnqueueDead gets them as Tasks
	// at PriorityLow instead, for the Worker to try again. Default Queue.
	DeadLetters idempotency.Queue
	// From and To bound the orders' creation date, inclusive; the zero time
	// leaves that side open.
	From, To time.Time
	// Checkpoint, when set, holds the creation date of the last order of
	// the last chunk written: BulkBackfill starts from it and saves it
	// after every chunk, so an interrupted run resumes there.
	Checkpoint idempotency.Checkpoint
	// MinOrders: a range (from the checkpoint) with fewer orders is not
	// written with jobs but enqueued on Queue as Tasks at PriorityLow, for
	// the Worker; default DefaultBulkMinOrders (2,000). The first chunk is
	// listed before this is decided, so it costs no extra call.
	MinOrders int
	// ChunkOrders is how many orders one set of jobs carries; default
	// DefaultBulkChunkOrders (50,000). A chunk also ends early when one of
	// its CSV files would pass salesforce.MaxUploadBytes.
	ChunkOrders int
	// PageSize is the number of orders per list call, 1 to 250; default
	// 250.
	PageSize int
	// PricebookKeyField is the PricebookEntry field matched against the
	// product keys, for the Order target; default DefaultPricebookKeyField.
	PricebookKeyField string
	// Poll spaces the job state reads; default
	// salesforce.DefaultPollPolicy().
	Poll salesforce.PollPolicy
	// TempDir holds the chunk's files while it is written; default
	// os.TempDir(). They are removed when the chunk is done.
	TempDir string
	// Progress, when set, is called after every page listed and every job.
	Progress func(BulkProgress)
	// Logger receives a line per job and per chunk; default discard.
	Logger *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// BulkProgress reports how far BulkBackfill got.
type BulkProgress struct {
	// Listed counts the orders listed so far; Done those of the chunks
	// finished (Written + Skipped + Failed + Enqueued).
	Listed, Done int
	// Written counts orders whose every record was written by a job;
	// Skipped those the mapper skipped (an Incomplete order, say); Failed
	// those sent to the dead letters; Enqueued those enqueued as Tasks
	// (a range under MinOrders).
	Written, Skipped, Failed, Enqueued int
	// Jobs counts the Bulk API jobs run, ingest and query.
	Jobs int
	// Phase names what runs now: "listing", or the object of the job, such
	// as "Account".
	Phase string
	// Last is the creation date of the last order of the last chunk done:
	// where a resumed run starts.
	Last time.Time
	// Elapsed is the time since BulkBackfill started; Rate is Done per
	// second.
	Elapsed time.Duration
	Rate    float64
}

// BulkBackfill writes the orders created between cfg.From and cfg.To
// (inclusive; a zero bound is open) to Salesforce with Bulk API 2.0 ingest
// jobs, a chunk of cfg.ChunkOrders orders at a time. Per chunk it lists the
// orders (one call per 250), maps them with the Worker's Config, and spools
// the records to files under cfg.TempDir: nothing of the range stays in
// memory but a hash per distinct customer. Then it runs, in this order:
//
//   - an upsert of the Accounts on the customer key (one row per customer,
//     from its newest order);
//   - an upsert of the Contacts, linked to their Account by the
//     relationship column Account.<customer key field>;
//   - for the Opportunity target, an upsert of the Opportunities, linked the
//     same way;
//   - for the Order target, a query job for the price book's active
//     PricebookEntries, an insert of the Orders and one of their OrderItems
//     (linked by Order.<order id field>, priced from the entries); a row
//     refused because its record exists (a resumed chunk) is written again
//     by an upsert without its create-only fields, as the Worker does.
//
// A row Salesforce refuses, and the rows a failed job left unprocessed,
// make their orders dead letters on cfg.Queue with Salesforce's reason (an
// Account's failure fails every order of that customer, whose other rows
// are then not sent). Each job costs four API calls (create, upload, close,
// one state read when it finishes at once) and one more per result set
// read: the failed rows when there are any. After the chunk the checkpoint
// moves to its last order.
//
// A range with fewer than cfg.MinOrders orders is enqueued as Tasks instead
// (keyed like Backfill's), for the Worker. BulkBackfill returns the final
// progress, and on failure the progress so far with an error; orders of a
// chunk that did not finish are written again by the next run, which
// upsert by external ID makes safe.
func BulkBackfill(ctx context.Context, cfg BulkBackfillConfig) (BulkProgress, error) {
	b, err := newBulkRun(cfg)
	if err != nil {
		return BulkProgress{}, err
	}
	return b.run(ctx)
}

// bulkRun is one BulkBackfill call.
type bulkRun struct {
	cfg           BulkBackfillConfig
	m             *mapper.Mapper // with LinkByExternalID
	mc            mapper.Config
	multiCurrency bool
	log           *slog.Logger
	start         time.Time
	p             BulkProgress
}

func newBulkRun(cfg BulkBackfillConfig) (*bulkRun, error) {
	switch {
	case isNil(cfg.Orders) || isNil(cfg.Salesforce) || cfg.Mapper == nil || isNil(cfg.Queue):
		return nil, fmt.Errorf("%w: Orders, Salesforce, Mapper and Queue are required", ErrInvalidConfig)
	case cfg.PageSize < 0 || cfg.PageSize > DefaultPageSize:
		return nil, fmt.Errorf("%w: PageSize %d is outside 1-%d", ErrInvalidConfig, cfg.PageSize, DefaultPageSize)
	case cfg.MinOrders < 0 || cfg.ChunkOrders < 0:
		return nil, fmt.Errorf("%w: MinOrders and ChunkOrders must not be negative", ErrInvalidConfig)
	case cfg.ChunkOrders > 0 && cfg.MinOrders > cfg.ChunkOrders,
		cfg.ChunkOrders > 0 && cfg.MinOrders == 0 && cfg.ChunkOrders < DefaultBulkMinOrders:
		return nil, fmt.Errorf("%w: MinOrders is above ChunkOrders: a first chunk could never tell a small range", ErrInvalidConfig)
	case !cfg.To.IsZero() && cfg.To.Before(cfg.From):
		return nil, fmt.Errorf("%w: To is before From", ErrInvalidConfig)
	}
	if isNil(cfg.DeadLetters) {
		cfg.DeadLetters = cfg.Queue
	}
	setDefault(&cfg.PageSize, DefaultPageSize)
	setDefault(&cfg.MinOrders, DefaultBulkMinOrders)
	setDefault(&cfg.ChunkOrders, DefaultBulkChunkOrders)
	setDefault(&cfg.PricebookKeyField, DefaultPricebookKeyField)
	setDefault(&cfg.TempDir, os.TempDir())
	if err := salesforce.CheckFieldPath(cfg.PricebookKeyField); err != nil {
		return nil, fmt.Errorf("%w: PricebookKeyField %q: %v", ErrInvalidConfig, cfg.PricebookKeyField, err)
	}
	if cfg.Poll == (salesforce.PollPolicy{}) {
		cfg.Poll = salesforce.DefaultPollPolicy()
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mc := cfg.Mapper.Config()
	mc.Link = mapper.LinkByExternalID
	m, err := mapper.New(mc)
	if err != nil {
		return nil, fmt.Errorf("%w: the Mapper's Config with LinkByExternalID: %v", ErrInvalidConfig, err)
	}
	return &bulkRun{cfg: cfg, m: m, mc: m.Config(), multiCurrency: mc.MultiCurrency, log: cfg.Logger}, nil
}

// run lists the range chunk by chunk and writes each.
func (b *bulkRun) run(ctx context.Context) (BulkProgress, error) {
	b.start = b.cfg.Now()
	from := b.cfg.From
	if b.cfg.Checkpoint != nil {
		cp, err := b.cfg.Checkpoint.Load(ctx)
		if err != nil {
			return b.p, fmt.Errorf("pipeline: load checkpoint: %w", err)
		}
		if cp.After(from) {
			from = cp
		}
	}
	opts := bigcommerce.ListOrdersOptions{MaxDateCreated: b.cfg.To, WithLineItems: b.mc.Target == mapper.TargetOrder}
	first := true
	var c *chunk
	var err error
	finish := func() error {
		if c == nil {
			return nil
		}
		defer func() { c.close(); c = nil }()
		if first && c.listed < b.cfg.MinOrders && c.small != nil {
			first = false
			return b.enqueueSmall(ctx, c)
		}
		first = false
		return b.writeChunk(ctx, c)
	}
	b.phase("listing")
	err = walk(ctx, b.cfg.Orders, opts, byCreated, from, b.cfg.PageSize, func(orders []bigcommerce.Order) error {
		for i := range orders {
			if c == nil {
				if c, err = b.newChunk(first); err != nil {
					return err
				}
			}
			if err := c.add(b, &orders[i]); err != nil {
				return err
			}
			b.p.Listed++
			if c.full(b.cfg.ChunkOrders) {
				if err := finish(); err != nil {
					return err
				}
				b.phase("listing")
			}
		}
		b.report()
		return nil
	})
	if err == nil {
		err = finish()
	}
	if c != nil {
		c.close()
	}
	b.p.Phase = "done"
	b.report()
	if err != nil {
		return b.p, fmt.Errorf("pipeline: bulk backfill: %w", err)
	}
	return b.p, nil
}

// phase records what runs now and reports it.
func (b *bulkRun) phase(name string) {
	b.p.Phase = name
	b.report()
}

func (b *bulkRun) report() {
	b.p.Elapsed = b.cfg.Now().Sub(b.start)
	if b.p.Elapsed > 0 {
		b.p.Rate = float64(b.p.Done) / b.p.Elapsed.Seconds()
	}
	if b.cfg.Progress != nil {
		b.cfg.Progress(b.p)
	}
}

// enqueueSmall enqueues the orders of a range under MinOrders as Tasks.
func (b *bulkRun) enqueueSmall(ctx context.Context, c *chunk) error {
	now := b.cfg.Now()
	for _, o := range c.small {
		if _, err := enqueueOrder(ctx, b.cfg.Queue, &o, SourceBackfill, now); err != nil {
			return err
		}
		b.p.Enqueued++
		b.p.Done++
	}
	b.log.Info("bulk backfill: range below MinOrders, enqueued for the worker", "orders", len(c.small), "min_orders", b.cfg.MinOrders)
	return b.saveCheckpoint(ctx, c.last)
}

func (b *bulkRun) saveCheckpoint(ctx context.Context, last time.Time) error {
	b.p.Last = last
	if b.cfg.Checkpoint == nil || last.IsZero() {
		return nil
	}
	if err := b.cfg.Checkpoint.Save(ctx, last); err != nil {
		return fmt.Errorf("pipeline: save checkpoint: %w", err)
	}
	return nil
}
