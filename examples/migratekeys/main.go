package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// Exit statuses of the program.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	apply   bool
	objects []string
	field   string
	verbose bool
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	opts := options{}
	var objects string
	fs := flag.NewFlagSet("migratekeys", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&opts.apply, "apply", false, "update the records (default: only print what would change)")
	fs.StringVar(&objects, "objects", "Account,Contact", "comma-separated `objects` keyed by the customer key")
	fs.StringVar(&opts.field, "field", "BigCommerce_Customer_Key__c", "the customer-key `field`")
	fs.BoolVar(&opts.verbose, "v", false, "print every key, not only the counts")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, o := range strings.Split(objects, ",") {
		if o = strings.TrimSpace(o); o != "" && !slices.Contains(opts.objects, o) {
			opts.objects = append(opts.objects, o)
		}
	}
	for _, name := range append([]string{opts.field}, opts.objects...) {
		if !apiName(name) {
			return options{}, fmt.Errorf("%q is not a Salesforce API name", name)
		}
	}
	if len(opts.objects) == 0 {
		return options{}, errors.New("-objects is empty")
	}
	return opts, nil
}

// apiName accepts letters, digits and underscores, starting with a letter:
// the names spliced into the SOQL query.
func apiName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '_')) {
			return false
		}
	}
	return true
}

func newClient(env func(string) string) (*salesforce.Client, error) {
	var missing []string
	get := func(name string) string {
		v := strings.TrimSpace(env(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	id, secret, instance := get("SALESFORCE_CLIENT_ID"), get("SALESFORCE_CLIENT_SECRET"), get("SALESFORCE_INSTANCE_URL")
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing environment variable(s): %s", strings.Join(missing, ", "))
	}
	opts := []salesforce.Option{salesforce.WithClientCredentials(id, secret), salesforce.WithInstanceURL(instance)}
	if v := strings.TrimSpace(env("SALESFORCE_TOKEN_URL")); v != "" {
		opts = append(opts, salesforce.WithTokenURL(v))
	}
	if v := strings.TrimSpace(env("SALESFORCE_API_VERSION")); v != "" {
		opts = append(opts, salesforce.WithAPIVersion(v))
	}
	return salesforce.NewClient(opts...)
}

// run is the whole program, its inputs passed in so tests drive it
// in-process.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "migratekeys: %v\n", err)
		return exitUsage
	}
	sf, err := newClient(env)
	if err != nil {
		fmt.Fprintf(stderr, "migratekeys: %v\n", err)
		return exitUsage
	}
	code := exitOK
	for _, obj := range opts.objects {
		p, err := plan(ctx, sf, obj, opts.field)
		if err != nil {
			fmt.Fprintf(stderr, "migratekeys: %s: %v\n", obj, err)
			return exitFailed
		}
		p.print(stdout, opts)
		if len(p.conflicts) > 0 {
			code = exitFailed
		}
		if !opts.apply || len(p.changes) == 0 {
			continue
		}
		failed, err := apply(ctx, sf, obj, opts.field, p.changes, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "migratekeys: %s: %v\n", obj, err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "%s: updated %d keys, %d failed\n", obj, len(p.changes)-failed, failed)
		if failed > 0 {
			code = exitFailed
		}
	}
	return code
}

// change is one record whose key is to be rewritten.
type change struct {
	id, old, key string
}

// migration is what one object needs.
type migration struct {
	object    string
	scanned   int
	changes   []change
	conflicts []change // the new key is held by another record already
}

// plan reads every key of obj and works out the changes. It reads all keys
// first, so that a new key already present anywhere is a conflict.
func plan(ctx context.Context, sf *salesforce.Client, obj, field string) (*migration, error) {
	soql := fmt.Sprintf("SELECT Id, %s FROM %s WHERE %s != null", field, obj, field)
	held := map[string]bool{}
	var candidates []change
	m := &migration{object: obj}
	for raw, err := range sf.Query(ctx, soql) {
		if err != nil {
			return nil, err
		}
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("a record that is not an object: %w", err)
		}
		id, _ := rec["Id"].(string)
		old, _ := rec[field].(string)
		if id == "" || old == "" {
			continue
		}
		m.scanned++
		held[old] = true
		if key, changed := mapper.MigrateCustomerKey(old); changed {
			candidates = append(candidates, change{id: id, old: old, key: key})
		}
	}
	for _, c := range candidates {
		if held[c.key] {
			m.conflicts = append(m.conflicts, c)
		} else {
			m.changes = append(m.changes, c)
		}
	}
	return m, nil
}

func (m *migration) print(w io.Writer, opts options) {
	verb := "would update"
	if opts.apply {
		verb = "updating"
	}
	fmt.Fprintf(w, "%s: %d keys read, %s %d, %d conflicts\n", m.object, m.scanned, verb, len(m.changes), len(m.conflicts))
	if opts.verbose {
		for _, c := range m.changes {
			fmt.Fprintf(w, "  %s %s %q -> %q\n", m.object, c.id, c.old, c.key)
		}
	}
	for _, c := range m.conflicts {
		fmt.Fprintf(w, "  conflict: %s %s %q: another %s holds %q already; merge the two, then run again\n",
			m.object, c.id, c.old, m.object, c.key)
	}
}

// apply updates the keys by id, through sObject Collections (200 records a
// call, each record on its own: allOrNone false), and returns how many
// failed.
func apply(ctx context.Context, sf *salesforce.Client, obj, field string, changes []change, stderr io.Writer) (int, error) {
	recs := make([]salesforce.Record, len(changes))
	for i, c := range changes {
		recs[i] = salesforce.Record{Type: obj, Fields: map[string]any{"Id": c.id, field: c.key}}
	}
	res, err := sf.UpdateMany(ctx, recs, salesforce.CollectionOptions{})
	if err != nil {
		return 0, err
	}
	failed := 0
	for i, r := range res {
		if err := r.Err(); err != nil {
			failed++
			fmt.Fprintf(stderr, "migratekeys: %s %s: %v\n", obj, changes[i].id, err)
		}
	}
	return failed, nil
}
