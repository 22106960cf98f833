package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// Environment variables the program reads.
const (
	envStoreHash   = "BIGCOMMERCE_STORE_HASH"
	envClientToken = "BIGCOMMERCE_CLIENT_TOKEN"
	envAPIURL      = "BIGCOMMERCE_API_URL"
	envSFClientID  = "SALESFORCE_CLIENT_ID"
	envSFSecret    = "SALESFORCE_CLIENT_SECRET"
	envSFInstance  = "SALESFORCE_INSTANCE_URL"
	envSFTokenURL  = "SALESFORCE_TOKEN_URL"
	envSFVersion   = "SALESFORCE_API_VERSION"
	envRedisURL    = "REDIS_URL"
)

// Modes.
const (
	modeEnqueue = "enqueue"
	modeSync    = "sync"
)

// defaultCheckpoint is the checkpoint file in the working directory.
const defaultCheckpoint = ".bc2sf-backfill.json"

// errHelp means -h was asked for and usage has been printed.
var errHelp = errors.New("help requested")

// options is the parsed command line.
type options struct {
	from, to   time.Time
	mode       string
	checkpoint string
	restart    bool
	count      bool
	workers    int
	pageSize   int
	verbose    bool
	// bulkThreshold is the smallest range sync mode writes with Bulk API
	// jobs (0: never); bulkChunk the orders per set of jobs.
	bulkThreshold int
	bulkChunk     int
}

// config is what the environment says. It holds credentials, so it has no
// String method and is never printed.
type config struct {
	storeHash, token, apiURL string

	sfClientID, sfSecret, sfInstance, sfTokenURL, sfVersion string

	redisURL string
}

func parseArgs(args []string, now time.Time, stderr io.Writer) (options, error) {
	var opts options
	var from, to string
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&from, "from", "", "first creation `date` of the range: YYYY-MM-DD (UTC midnight) or RFC 3339 (required)")
	fs.StringVar(&to, "to", "", "last creation `date` of the range, inclusive: YYYY-MM-DD (the whole day, UTC) or RFC 3339 (default now)")
	fs.StringVar(&opts.mode, "mode", modeEnqueue, "`enqueue|sync`: enqueue onto the Redis queue for the running workers, or sync to Salesforce from this process")
	fs.StringVar(&opts.checkpoint, "checkpoint", defaultCheckpoint, "checkpoint `file`, so that a rerun resumes")
	fs.BoolVar(&opts.restart, "restart", false, "ignore the checkpoint and start again at -from")
	fs.BoolVar(&opts.count, "count", true, "list the range once first, to show done/total and the time left")
	fs.IntVar(&opts.workers, "workers", 4, "sync mode: orders fetched from BigCommerce at once")
	fs.IntVar(&opts.pageSize, "page-size", 250, "orders per list call, 1 to 250")
	fs.IntVar(&opts.bulkThreshold, "bulk-threshold", pipeline.DefaultBulkMinOrders,
		"sync mode: write ranges of at least this many `orders` with Bulk API 2.0 jobs instead of the worker; 0 never")
	fs.IntVar(&opts.bulkChunk, "bulk-chunk", pipeline.DefaultBulkChunkOrders, "sync mode: `orders` per set of Bulk API jobs")
	fs.BoolVar(&opts.verbose, "v", false, "log every order and API request")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: backfill -from DATE [-to DATE] [-mode enqueue|sync] [-bulk-threshold N] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return options{}, errHelp
		}
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	var err error
	if from == "" {
		return options{}, errors.New("-from is required")
	}
	if opts.from, err = parseDate(from, false); err != nil {
		return options{}, fmt.Errorf("-from: %w", err)
	}
	opts.to = now.UTC().Truncate(time.Second)
	if to != "" {
		if opts.to, err = parseDate(to, true); err != nil {
			return options{}, fmt.Errorf("-to: %w", err)
		}
	}
	if opts.to.Before(opts.from) {
		return options{}, fmt.Errorf("-to %s is before -from %s", opts.to.Format(time.RFC3339), opts.from.Format(time.RFC3339))
	}
	switch {
	case opts.mode != modeEnqueue && opts.mode != modeSync:
		return options{}, fmt.Errorf("-mode %q: want %s or %s", opts.mode, modeEnqueue, modeSync)
	case opts.checkpoint == "":
		return options{}, errors.New("-checkpoint must name a file")
	case opts.workers < 1 || opts.workers > 64:
		return options{}, fmt.Errorf("-workers %d: want 1 to 64", opts.workers)
	case opts.pageSize < 1 || opts.pageSize > 250:
		return options{}, fmt.Errorf("-page-size %d: want 1 to 250", opts.pageSize)
	case opts.bulkThreshold < 0:
		return options{}, fmt.Errorf("-bulk-threshold %d: want 0 or more", opts.bulkThreshold)
	case opts.bulkChunk < max(opts.bulkThreshold, 1):
		return options{}, fmt.Errorf("-bulk-chunk %d: want at least -bulk-threshold (%d) and 1", opts.bulkChunk, opts.bulkThreshold)
	}
	return opts, nil
}

// parseDate reads YYYY-MM-DD (a whole UTC day: its first second, or with
// endOfDay its last, since BigCommerce dates are whole seconds and the
// bounds are inclusive) or RFC 3339.
func parseDate(s string, endOfDay bool) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339 (2026-01-02T15:04:05Z)", s)
	}
	return t.UTC(), nil
}

// loadConfig reads the environment and names every required variable that is
// missing in one error: BigCommerce always, Salesforce in sync mode, Redis in
// enqueue mode.
func loadConfig(env func(string) string, mode string) (config, error) {
	get := func(name string) string { return strings.TrimSpace(env(name)) }
	cfg := config{
		storeHash: get(envStoreHash), token: get(envClientToken), apiURL: get(envAPIURL),
		sfClientID: get(envSFClientID), sfSecret: get(envSFSecret), sfInstance: get(envSFInstance),
		sfTokenURL: get(envSFTokenURL), sfVersion: get(envSFVersion),
		redisURL: get(envRedisURL),
	}
	if cfg.apiURL == "" {
		cfg.apiURL = bigcommerce.DefaultBaseURL
	}
	if cfg.sfVersion == "" {
		cfg.sfVersion = salesforce.DefaultAPIVersion
	}

	type envVar struct{ name, value string }
	required := []envVar{{envStoreHash, cfg.storeHash}, {envClientToken, cfg.token}}
	switch mode {
	case modeSync:
		required = append(required, envVar{envSFClientID, cfg.sfClientID},
			envVar{envSFSecret, cfg.sfSecret}, envVar{envSFInstance, cfg.sfInstance})
	case modeEnqueue:
		required = append(required, envVar{envRedisURL, cfg.redisURL})
	}
	var missing []string
	for _, r := range required {
		if r.value == "" {
			missing = append(missing, r.name)
		}
	}
	if len(missing) > 0 {
		return config{}, fmt.Errorf("missing environment variable(s) for -mode %s: %s", mode, strings.Join(missing, ", "))
	}
	return cfg, nil
}
