package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/deadletter"
)

// role is what one process runs: ROLE=all (the default) runs everything in
// one process; to scale out, run receivers (ROLE=receiver) and workers
// (ROLE=worker) as separate processes on one Redis.
type role string

const (
	roleAll      role = "all"      // receiver, workers and reconciler
	roleReceiver role = "receiver" // verify and enqueue webhooks
	roleWorker   role = "worker"   // workers and reconciler
)

// receives reports whether the role serves the webhook route.
func (r role) receives() bool { return r != roleWorker }

// works reports whether the role runs the workers and the reconciler.
func (r role) works() bool { return r != roleReceiver }

// Sync targets: what an order becomes in Salesforce.
const (
	targetOpportunity = "opportunity" // Account, Contact, Opportunity
	targetOrder       = "order"       // Account, Contact, Order, OrderItems
)

// config is what the program reads from the environment. A role reads only
// the variables it uses, so one environment can serve every role. Fields
// marked secret never reach a log line or an error; LogValue leaves them
// out.
type config struct {
	role       role
	redis      *redis.Options // nil: queue, store and checkpoint in memory; holds the password
	listenAddr string
	logFormat  string
	adminAddr  string // "": no admin listener
	adminToken string // secret: the dead-letter console's token
	otlp       bool   // OTEL_EXPORTER_OTLP_ENDPOINT is set: export traces and metrics over OTLP

	// Receiver (ROLE all or receiver).
	bcClientSecret string // secret: Standard Webhooks key
	webhookSecret  string // secret: shared-secret header value
	webhookHeader  string

	// Workers and reconciler (ROLE all or worker).
	bcStoreHash    string
	bcToken        string // secret
	bcAPIURL       string
	sfClientID     string
	sfClientSecret string // secret
	sfInstanceURL  string
	sfTokenURL     string
	sfAPIVersion   string
	workers        int
	reconcileEvery time.Duration // 0: no reconciler
	target         string        // targetOpportunity or targetOrder
	pricebookID    string        // order target; "": the org's standard price book
	stageName      string        // "" keeps the mapper's default, "Closed Won"
}

// loadConfig reads the environment through getenv. It checks everything
// before it answers, so one failed start names every missing or invalid
// variable; the error never repeats a value. ROLE=receiver and ROLE=worker
// need REDIS_URL, through which they share the queue; ADMIN_ADDR needs
// ADMIN_TOKEN.
func loadConfig(getenv func(string) string) (config, error) {
	e := &env{get: getenv}
	c := config{
		role:       role(e.oneOf("ROLE", string(roleAll), string(roleReceiver), string(roleWorker))),
		listenAddr: e.optional("LISTEN_ADDR", ":8080"),
		logFormat:  e.oneOf("LOG_FORMAT", "text", "json"),
		adminAddr:  e.optional("ADMIN_ADDR", ""),
		otlp:       e.optional("OTEL_EXPORTER_OTLP_ENDPOINT", "") != "",
	}
	if c.adminAddr != "" {
		c.adminToken = e.required("ADMIN_TOKEN")
		if c.adminToken != "" && len(c.adminToken) < deadletter.MinTokenBytes {
			e.invalid = append(e.invalid, fmt.Sprintf("ADMIN_TOKEN (want at least %d characters)", deadletter.MinTokenBytes))
		}
	}
	if c.role.works() {
		c.bcStoreHash = e.required("BIGCOMMERCE_STORE_HASH")
		c.bcToken = e.required("BIGCOMMERCE_CLIENT_TOKEN")
		c.bcAPIURL = e.optional("BIGCOMMERCE_API_URL", "https://api.bigcommerce.com")
		c.sfClientID = e.required("SALESFORCE_CLIENT_ID")
		c.sfClientSecret = e.required("SALESFORCE_CLIENT_SECRET")
		c.sfInstanceURL = e.required("SALESFORCE_INSTANCE_URL")
		c.sfTokenURL = e.optional("SALESFORCE_TOKEN_URL", strings.TrimRight(c.sfInstanceURL, "/")+"/services/oauth2/token")
		c.sfAPIVersion = e.optional("SALESFORCE_API_VERSION", "v64.0")
		c.workers = e.positiveInt("WORKERS", 4)
		c.reconcileEvery = e.duration("RECONCILE_INTERVAL")
		c.target = e.oneOf("SYNC_TARGET", targetOpportunity, targetOrder)
		c.pricebookID = e.salesforceID("SALESFORCE_PRICEBOOK_ID")
		c.stageName = e.optional("MAPPER_STAGE_NAME", "")
	}
	c.redis = e.redisURL("REDIS_URL", c.role != roleAll)
	if c.role.receives() {
		c.bcClientSecret = e.optional("BIGCOMMERCE_CLIENT_SECRET", "")
		c.webhookSecret = e.optional("BIGCOMMERCE_WEBHOOK_SECRET", "")
		c.webhookHeader = e.optional("BIGCOMMERCE_WEBHOOK_HEADER", "X-Webhook-Secret")
		if c.bcClientSecret == "" && c.webhookSecret == "" {
			e.missing = append(e.missing, "BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET")
		}
	}
	return c, e.err()
}

// LogValue describes the configuration without its secrets, for the
// start-up log line: what the role reads, and no more.
func (c config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("role", string(c.role)),
		slog.Bool("redis", c.redis != nil),
		slog.String("listen_addr", c.listenAddr),
	}
	if c.redis != nil {
		attrs = append(attrs, slog.String("redis_addr", c.redis.Addr))
	}
	if c.adminAddr != "" {
		attrs = append(attrs, slog.String("admin_addr", c.adminAddr))
	}
	attrs = append(attrs, slog.Bool("otlp", c.otlp))
	if c.role.receives() {
		attrs = append(attrs,
			slog.Bool("shared_secret_header", c.webhookSecret != ""),
			slog.Bool("standard_webhooks", c.bcClientSecret != ""))
	}
	if c.role.works() {
		attrs = append(attrs,
			slog.String("store_hash", c.bcStoreHash),
			slog.String("bigcommerce_api_url", c.bcAPIURL),
			slog.String("salesforce_instance_url", c.sfInstanceURL),
			slog.String("salesforce_api_version", c.sfAPIVersion),
			slog.String("sync_target", c.target),
			slog.Int("workers", c.workers),
			slog.Duration("reconcile_interval", c.reconcileEvery))
		if c.target == targetOrder {
			attrs = append(attrs, slog.String("pricebook_id", c.pricebookID))
		}
	}
	return slog.GroupValue(attrs...)
}

// String and GoString print what LogValue does, so that %v, %+v and %#v
// show no secret either.
func (c config) String() string   { return c.LogValue().String() }
func (c config) GoString() string { return c.String() }
