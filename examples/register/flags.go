package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bc2sf/bc2sf/pipeline"
)

// Commands; ensure is the default.
const (
	cmdEnsure = "ensure"
	cmdList   = "list"
	cmdDelete = "delete"
)

// defaultScopes are the events a bc2sf receiver syncs: every order event,
// the customer events and the product creations and updates
// (pipeline.SyncedScopes).
var defaultScopes = pipeline.SyncedScopes()

// errHelp means -h was asked for and usage has been printed.
var errHelp = errors.New("help requested")

// options is the parsed command line.
type options struct {
	command     string
	scopes      []string // never empty for ensure
	scopeSet    bool     // -scope was given, so list and delete filter by it
	destination string
	ids         []int64
	verbose     bool
	dryRun      bool // ensure: print what would change, write nothing
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	opts := options{command: cmdEnsure}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		opts.command, args = args[0], args[1:]
	}
	switch opts.command {
	case cmdEnsure, cmdList, cmdDelete:
	default:
		return options{}, fmt.Errorf("unknown command %q (want ensure, list or delete)", opts.command)
	}

	var scopes listFlag
	var ids listFlag
	var insecure bool
	fs := flag.NewFlagSet("register "+opts.command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&scopes, "scope", "webhook `scope`; repeat or separate with commas (default "+strings.Join(defaultScopes, ",")+")")
	fs.StringVar(&opts.destination, "destination", "", "receiver `URL`, such as https://sync.example.com/webhooks/bigcommerce")
	fs.BoolVar(&insecure, "insecure-destination", false, "allow an http destination or a port other than 443 (local testing only; BigCommerce refuses them)")
	fs.Var(&ids, "id", "hook `id` to delete; repeat or separate with commas")
	fs.BoolVar(&opts.verbose, "v", false, "log every API request")
	fs.BoolVar(&opts.dryRun, "dry-run", false, "ensure: print what would be created or changed, and write nothing")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: register [ensure|list|delete] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return options{}, errHelp
		}
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q (flags go after the command)", fs.Arg(0))
	}

	opts.scopeSet = scopes.set
	opts.scopes = scopes.vals
	if len(opts.scopes) == 0 {
		opts.scopes = slices.Clone(defaultScopes)
	}
	for _, s := range opts.scopes {
		if err := checkScope(s); err != nil {
			return options{}, err
		}
	}
	for _, raw := range ids.vals {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			return options{}, fmt.Errorf("-id %q is not a positive hook id", raw)
		}
		opts.ids = append(opts.ids, id)
	}
	return opts, opts.validate(insecure)
}

// validate checks that the flags fit the command.
func (o options) validate(insecure bool) error {
	switch o.command {
	case cmdEnsure:
		if o.destination == "" {
			return errors.New("ensure needs -destination")
		}
		if len(o.ids) > 0 {
			return errors.New("-id is for delete only")
		}
	case cmdList:
		if len(o.ids) > 0 {
			return errors.New("-id is for delete only")
		}
		if o.dryRun {
			return errors.New("-dry-run is for ensure only")
		}
	case cmdDelete:
		if (len(o.ids) == 0) == (o.destination == "") {
			return errors.New("delete needs either -id or -destination")
		}
		if len(o.ids) > 0 && o.scopeSet {
			return errors.New("-scope filters -destination; it cannot be combined with -id")
		}
		if o.dryRun {
			return errors.New("-dry-run is for ensure only")
		}
	}
	if o.destination != "" && o.command == cmdEnsure {
		return checkDestination(o.destination, insecure)
	}
	return nil
}

// checkScope accepts what BigCommerce's scopes look like: store/... without
// spaces. The API has the final word on which scopes exist.
func checkScope(s string) error {
	if !strings.HasPrefix(s, "store/") || strings.ContainsAny(s, " \t\r\n?#") {
		return fmt.Errorf("-scope %q is not a webhook scope such as store/order/*", s)
	}
	return nil
}

// checkDestination applies BigCommerce's rule for destinations: an absolute
// https URL on port 443. insecure lifts the scheme and port rule for fakes
// and tunnels during local testing. Credentials in the URL are refused: they
// belong in the secret header, and a URL gets printed.
func checkDestination(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("-destination %q is not an absolute URL", raw)
	}
	if u.User != nil {
		return errors.New("-destination must not carry a user or password; the secret header authenticates deliveries")
	}
	if u.Fragment != "" {
		return fmt.Errorf("-destination %q has a fragment, which is never sent", raw)
	}
	switch u.Scheme {
	case "https":
		if p := u.Port(); p != "" && p != "443" && !insecure {
			return fmt.Errorf("-destination %q: BigCommerce delivers to port 443 only (-insecure-destination allows others for local testing)", raw)
		}
	case "http":
		if !insecure {
			return fmt.Errorf("-destination %q: BigCommerce delivers to https only (-insecure-destination allows http for local testing)", raw)
		}
	default:
		return fmt.Errorf("-destination %q: scheme must be https", raw)
	}
	return nil
}

// listFlag collects a flag given several times and/or as a comma-separated
// list, dropping empty items and duplicates.
type listFlag struct {
	vals []string
	set  bool
}

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }

func (l *listFlag) Set(s string) error {
	l.set = true
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(l.vals, v) {
			l.vals = append(l.vals, v)
		}
	}
	return nil
}
