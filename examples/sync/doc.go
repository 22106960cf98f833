// Sync runs the bc2sf order sync: the starter program to copy. It has three
// parts, and ROLE says which of them one process runs:
//
//   - the receiver verifies BigCommerce webhook deliveries on
//     POST /webhooks/bigcommerce and enqueues the order, customer and
//     product events (pipeline.IsSyncedScope), answering 200 only once the
//     event is queued;
//   - the workers fetch each order (one BigCommerce call), map it and
//     upsert it into Salesforce in Composite Graph calls of up to 75
//     orders, as an Opportunity (SYNC_TARGET=opportunity, the default) or
//     as an Order with its OrderItems (SYNC_TARGET=order); customer events
//     update the customer's Account and Contact, and product events its
//     Product2 records and their entries in the standard price book (and
//     in SALESFORCE_PRICEBOOK_ID's, after them), in batches of their own;
//   - with RECONCILE_INTERVAL set, the reconciler enqueues the orders and
//     the customers modified since their checkpoints, so that a change
//     whose webhook never arrived is synced all the same.
//
// ROLE=all (the default) runs all three in one process; the queue, the
// idempotency store and the checkpoint then live in memory, or in Redis when
// REDIS_URL is set. In memory a graceful stop first stops accepting webhooks
// and lets the workers empty the queue for up to 15 seconds; what is still
// queued after that, or at a crash, is lost, although BigCommerce had its
// 200 for it (the reconciler finds them after a restart, as its first run
// looks back 24 hours), so use Redis for anything that matters.
//
// To scale out, run the same program several times on one Redis: as many
// ROLE=receiver processes as the webhook traffic needs behind a load
// balancer, and as many ROLE=worker processes as the Salesforce API
// allowance permits. Both roles need REDIS_URL. A receiver reads only the
// webhook credentials and a worker only the API credentials, so one
// environment can serve both.
//
// Settings come from the environment (README.md has the table). A missing
// required variable, or no webhook credential for a role that receives,
// stops the program at start with a message naming everything that is
// missing or invalid. A delivery must carry every configured credential:
// the shared-secret header when BIGCOMMERCE_WEBHOOK_SECRET is set, a
// Standard Webhooks signature when BIGCOMMERCE_CLIENT_SECRET is set, both
// when both are. A working role looks up the org's standard price book once
// at start, for the product syncs and, with SYNC_TARGET=order and no
// SALESFORCE_PRICEBOOK_ID, the Order target.
//
// Every role listens on LISTEN_ADDR: GET /healthz answers 200 while the
// process runs; GET /readyz answers 503 while the queue cannot be reached
// (checked with a 2 s timeout). A worker serves no webhook route. With
// ADMIN_ADDR set, a second listener serves the Prometheus metrics at
// /metrics, without a token, and the dead-letter console (package
// deadletter) at /deadletters/, behind ADMIN_TOKEN. Every part is
// instrumented with package telemetry; with OTEL_EXPORTER_OTLP_ENDPOINT set,
// traces and metrics are exported over OTLP/HTTP as well. SIGINT or
// SIGTERM stops the program gracefully: the servers stop accepting and
// finish the requests in flight (at most 15 s), the workers finish their
// batch or give their deliveries back to the queue (at most 10 s), and the
// program exits 0. A second signal ends it at once.
//
// Exit status: 0 after a clean shutdown, 1 on a failure while running (the
// port is taken, a worker stopped, the standard price book could not be
// looked up), 2 on a configuration error.
package main
