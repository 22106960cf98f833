package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// Exit statuses of the program.
const (
	exitOK     = 0
	exitFailed = 1 // an API call failed
	exitUsage  = 2 // bad command line or missing configuration
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, with its inputs passed in so tests can drive it
// in-process. Results go to stdout, diagnostics to stderr.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "register: %v\n", err)
		return exitUsage
	}
	cfg, err := loadConfig(env, opts.command == cmdEnsure)
	if err != nil {
		fmt.Fprintf(stderr, "register: %v\n", err)
		return exitUsage
	}

	level := slog.LevelInfo
	if opts.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	client, err := bigcommerce.NewClient(cfg.storeHash, cfg.token,
		bigcommerce.WithBaseURL(cfg.apiURL), bigcommerce.WithLogger(logger))
	if err != nil {
		fmt.Fprintf(stderr, "register: %v\n", err)
		return exitUsage
	}

	hooks := client.Webhooks
	switch opts.command {
	case cmdList:
		err = list(ctx, hooks, opts, stdout)
	case cmdDelete:
		err = deleteHooks(ctx, hooks, opts, stdout)
	default:
		err = ensureAll(ctx, hooks, opts, cfg.headers(), stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "register: %v\n", err)
		return exitFailed
	}
	return exitOK
}
