package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/orgsetup"
)

// Exit statuses of the program.
const (
	exitOK     = 0
	exitFailed = 1 // a call failed, or a field conflicts
	exitUsage  = 2 // bad command line or missing configuration
)

// permissionSetName is a permission set's API name.
var permissionSetName = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9]|_[A-Za-z0-9]){0,79}$`)

// errHelp means -h was asked for and usage has been printed.
var errHelp = errors.New("help requested")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options is the parsed command line.
type options struct {
	dryRun        bool
	permissionSet string
	assignTo      string
	verbose       bool
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var opts options
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&opts.dryRun, "dry-run", false, "print the plan and change nothing")
	fs.StringVar(&opts.permissionSet, "permission-set", orgsetup.DefaultPermissionSet, "API `name` of the permission set that grants access to the fields")
	fs.StringVar(&opts.assignTo, "assign", "", "`username` of the integration user to assign the permission set to (default: assign it in Setup)")
	fs.BoolVar(&opts.verbose, "v", false, "log every API request (never a token or secret)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: setup [-dry-run] [-assign USERNAME] [-permission-set NAME]")
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
	if !permissionSetName.MatchString(opts.permissionSet) {
		return options{}, fmt.Errorf("-permission-set %q: letters, digits and single underscores, starting with a letter, at most 80", opts.permissionSet)
	}
	if len(opts.assignTo) > 80 || strings.ContainsAny(opts.assignTo, " \t\r\n") {
		return options{}, fmt.Errorf("-assign %q is not a Salesforce username", opts.assignTo)
	}
	return opts, nil
}

// config is what the environment says. It holds the client secret, so it
// has no String method and is never printed.
type config struct {
	clientID, secret, instance, tokenURL, version string
	target                                        mapper.Target
}

// loadConfig reads the environment and names every missing or invalid
// variable in one error.
func loadConfig(env func(string) string) (config, error) {
	get := func(name string) string { return strings.TrimSpace(env(name)) }
	cfg := config{
		clientID: get("SALESFORCE_CLIENT_ID"), secret: get("SALESFORCE_CLIENT_SECRET"),
		instance: get("SALESFORCE_INSTANCE_URL"), tokenURL: get("SALESFORCE_TOKEN_URL"),
		version: get("SALESFORCE_API_VERSION"),
	}
	if cfg.version == "" {
		cfg.version = salesforce.DefaultAPIVersion
	}
	var problems []string
	for name, v := range map[string]string{
		"SALESFORCE_CLIENT_ID": cfg.clientID, "SALESFORCE_CLIENT_SECRET": cfg.secret, "SALESFORCE_INSTANCE_URL": cfg.instance,
	} {
		if v == "" {
			problems = append(problems, "missing "+name)
		}
	}
	switch strings.ToLower(get("SYNC_TARGET")) {
	case "", "opportunity":
		cfg.target = mapper.TargetOpportunity
	case "order":
		cfg.target = mapper.TargetOrder
	default:
		problems = append(problems, "SYNC_TARGET: want opportunity or order")
	}
	if len(problems) > 0 {
		// Map order is random; sort for a stable message.
		slices.Sort(problems)
		return config{}, errors.New(strings.Join(problems, "; "))
	}
	return cfg, nil
}

// run is the whole program, with its inputs passed in so tests can drive it
// in-process. The plan and the report go to stdout, diagnostics to stderr.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "setup: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(env)
	if err != nil {
		fmt.Fprintf(stderr, "setup: %v\n", err)
		return exitUsage
	}
	level := slog.LevelWarn
	if opts.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	sfOpts := []salesforce.Option{
		salesforce.WithClientCredentials(cfg.clientID, cfg.secret),
		salesforce.WithInstanceURL(cfg.instance),
		salesforce.WithAPIVersion(cfg.version),
		salesforce.WithLogger(logger),
	}
	if cfg.tokenURL != "" {
		sfOpts = append(sfOpts, salesforce.WithTokenURL(cfg.tokenURL))
	}
	sf, err := salesforce.NewClient(sfOpts...)
	if err != nil {
		fmt.Fprintf(stderr, "setup: %v\n", err)
		return exitUsage
	}
	fields, err := orgsetup.Fields(mapper.Config{Target: cfg.target})
	if err != nil {
		fmt.Fprintf(stderr, "setup: %v\n", err)
		return exitUsage
	}
	plan, err := orgsetup.Inspect(ctx, sf, fields, orgsetup.Options{PermissionSet: opts.permissionSet, AssignTo: opts.assignTo})
	if err != nil {
		fmt.Fprintf(stderr, "setup: %v\n", err)
		return exitFailed
	}
	if opts.dryRun {
		fmt.Fprintln(stdout, "dry run: nothing will be changed")
		if err := plan.Write(stdout); err != nil {
			return exitFailed
		}
		if len(plan.Conflicts()) > 0 {
			return exitFailed
		}
		return exitOK
	}
	if err := plan.Write(stdout); err != nil {
		return exitFailed
	}
	rep, err := orgsetup.Apply(ctx, sf, plan)
	printReport(stdout, rep)
	if err != nil {
		fmt.Fprintf(stderr, "setup: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// printReport says what Apply did.
func printReport(w io.Writer, rep orgsetup.Report) {
	names := func(fs []orgsetup.FieldPlan) string {
		if len(fs) == 0 {
			return "none"
		}
		out := make([]string, len(fs))
		for i, f := range fs {
			out[i] = f.Field.FullName()
		}
		return strings.Join(out, ", ")
	}
	fmt.Fprintf(w, "created: %s\n", names(rep.Created))
	fmt.Fprintf(w, "already there: %s\n", names(rep.Existing))
	if len(rep.Conflicts) > 0 {
		fmt.Fprintf(w, "conflicts (left alone): %s\n", names(rep.Conflicts))
	}
	fmt.Fprintf(w, "permission set created: %v; fields granted: %d; assigned: %v\n", rep.PermissionSetCreated, rep.Granted, rep.Assigned)
}
