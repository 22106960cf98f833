// Worker is the syncing half of a scaled-out bc2sf. A pool of workers takes
// the order events that receivers (examples/receiver) put in Redis, fetches
// each order from BigCommerce (one call), maps it and upserts it into
// Salesforce in Composite Graph calls of up to 75 orders. With
// RECONCILE_INTERVAL set it also runs the reconciler, which enqueues the
// orders modified since a checkpoint kept in Redis, so that an order whose
// webhook never arrived is synced all the same. Run as many workers as the
// Salesforce API allowance permits.
//
// The worker needs REDIS_URL and the BigCommerce and Salesforce API
// credentials; it never sees a webhook, so it reads no webhook credential.
// A missing variable stops it at start with a message naming everything
// that is missing.
//
// It listens nowhere unless HEALTH_ADDR is set; then GET /healthz answers
// 200 while the process runs and GET /readyz answers 503 while Redis cannot
// be reached (checked with a 2 s timeout).
//
// SIGINT or SIGTERM stops it gracefully: the workers finish their batch or
// give their deliveries back to the queue (at most 10 s) and the program
// exits 0. A second signal ends it at once.
//
// Exit status: 0 after a clean shutdown, 1 on a failure while running (a
// worker stopped, the health port is taken), 2 on a configuration error.
package main
