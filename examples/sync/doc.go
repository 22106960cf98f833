// Sync runs the whole bc2sf order sync in one process. It receives
// BigCommerce order webhooks on POST /webhooks/bigcommerce, verifies them
// and enqueues the events; a pool of workers fetches each order (one
// BigCommerce call), maps it and upserts it into Salesforce in Composite Graph
// calls of up to 75 orders. With RECONCILE_INTERVAL set, a reconciler also
// enqueues the orders modified since its checkpoint, so that an order whose
// webhook never arrived is synced all the same.
//
// The queue, the idempotency store and the reconciler's checkpoint live in
// memory, or in Redis when REDIS_URL is set. In memory a graceful stop
// first stops accepting webhooks and lets the workers empty the queue for up
// to 15 seconds; what is still queued after that, or at a crash, is lost,
// although BigCommerce had its 200 for it (the reconciler finds them after a restart, as its
// first run looks back 24 hours), so use Redis for anything that matters.
// To scale out, run examples/receiver and examples/worker instead.
//
// Settings come from the environment (README.md has the table). A missing
// required variable, or no webhook credential at all, stops the program at
// start with a message naming everything that is missing. A delivery must
// carry every configured credential: the shared-secret header when
// BIGCOMMERCE_WEBHOOK_SECRET is set, a Standard Webhooks signature when
// BIGCOMMERCE_CLIENT_SECRET is set, both when both are.
//
// GET /healthz answers 200 while the process runs; GET /readyz answers 503
// while the queue cannot be reached (checked with a 2 s timeout). SIGINT or
// SIGTERM stops the program gracefully: the server stops accepting and
// finishes the requests in flight (at most 15 s), the workers finish their
// batch or give their deliveries back to the queue (at most 10 s), and the
// program exits 0. A second signal ends it at once.
//
// Exit status: 0 after a clean shutdown, 1 on a failure while running (the
// port is taken, a worker stopped), 2 on a configuration error.
package main
