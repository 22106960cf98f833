package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
)

// Exit codes: 0 after a clean shutdown, 1 when the program fails while
// running, 2 when its configuration is wrong.
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2
)

// shutdownTimeout bounds how long requests in flight may take after a
// signal. Keep it below the orchestrator's grace period (30 s on Kubernetes).
const shutdownTimeout = 15 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	code := run(ctx, os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program; it returns the exit code. When ctx ends the
// server stops accepting, finishes the requests in flight and run returns 0.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "receiver:", err)
		return exitConfig
	}
	log := newLogger(cfg.logFormat, stderr)
	log.Info("starting", "config", cfg)

	client := redis.NewClient(cfg.redis)
	defer func() {
		if err := client.Close(); err != nil {
			log.Warn("closing the Redis client", "err", err)
		}
	}()
	queue, err := idemredis.NewQueue(client, idemredis.WithOptions(idempotency.WithLogger(log)))
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitConfig
	}
	defer queue.Close() // always nil: the client above is what holds connections

	webhooks, err := newWebhookHandler(cfg, queue, log)
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return exitConfig
	}
	srv := newServer(cfg.listenAddr, newMux(webhooks, queue), log)
	if err := serve(ctx, srv, log); err != nil {
		log.Error("stopped on failure", "err", err)
		return exitFailed
	}
	log.Info("stopped")
	return exitOK
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// serve runs srv until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, srv *http.Server, log *slog.Logger) error {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String())
	failed := make(chan error, 1)
	go func() { failed <- srv.Serve(ln) }()

	select {
	case err := <-failed:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-failed; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}
