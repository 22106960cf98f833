// Package e2e holds bc2sf's end-to-end tests. It has no API: everything in it
// is a test that runs the real pieces together over real HTTP on loopback.
//
// Each test starts a fake BigCommerce store (bigcommerce/bctest) and a fake
// Salesforce org (salesforce/sftest), mounts the webhook middleware and
// handler on a real HTTP server with a pipeline sink in front of a queue,
// registers a hook pointing at it, and runs pipeline workers that use the
// real bigcommerce and salesforce clients against the fakes. What the tests
// prove:
//
//   - Happy path, on the in-memory queue and store and on Redis (idemredis
//     with a private redis-server): every syncable order becomes exactly one
//     Opportunity whose Amount is the order's total_inc_tax, character for
//     character but for trailing zeros (BigCommerce's "34.9300" arrives as
//     34.93); an Incomplete order is skipped; a redelivered webhook does not
//     write twice; a repeat customer is one Account and one Contact.
//   - Chaos: thousands of orders with every webhook delivered twice, 10% of
//     Salesforce calls answered 503, every session expired after a few calls
//     (again and again), 5% of BigCommerce calls answered 429, the worker pool
//     stopped and restarted three times mid-run, and one order whose data
//     Salesforce refuses (its customer key matches two Accounts, so the
//     upsert answers 300). Still exactly one Opportunity per syncable order,
//     amounts exact, and the refused order alone in the dead letters, with
//     Salesforce's reason. It runs on memory with 2,000 orders and on Redis
//     with 500 (both 300 with -short).
//   - Order lifecycle: 80 orders (30 with -short) are cancelled, edited,
//     refunded in part or in full, archived, changed twice within a second
//     with their events delivered in reverse order, completed after being
//     Incomplete (or left Incomplete), or only get transaction events; a
//     second round of changes comes once all that was synced, among them one
//     whose event repeats an earlier one byte for byte. Every event arrives
//     twice, the stream shuffled, each with the hash BigCommerce documents
//     (the SHA-1 of the data, so one hash per order), under 5% faults on
//     both platforms. Salesforce then holds one Opportunity per order that
//     left status 0, equal to the store's final state: StageName, Amount,
//     status text and refunded amount. On memory the hooks send their header
//     alone, so no webhook-id tells events apart; on Redis they are signed.
//   - Refused data: an order whose customer key matches two Accounts (300)
//     and one whose Opportunity name is too long (STRING_TOO_LONG) are
//     dead-lettered at their first attempt with Salesforce's reason, leave
//     no record behind, and do not stop the orders batched with them.
//   - Missed webhooks: with 10% of deliveries never sent, one run of the
//     reconciler brings every order in.
//   - Customers and products, on memory and on Redis, with the Order target
//     in an org where no one set up products: a product created in the
//     store, a customer who registers with an e-mail at a .inc domain
//     (which Salesforce misreads in a URL path), her order of that product
//     and of one no event announced, and an edit of her details, all
//     delivered as signed webhooks, land once: one Account and one Contact
//     under her key, the Order with both lines, a Product2 and an active
//     standard entry per product, no dead letter.
//   - Rejection: forged, stale (a Standard Webhooks timestamp 10 minutes old),
//     malformed, oversized (over 1 MiB) and wrong-method deliveries get 401,
//     401, 400, 413 and 405, and nothing reaches the queue or Salesforce.
//   - Cost: Salesforce API calls per order one at a time and in a burst,
//     BigCommerce calls per order, and webhook-to-record latency (p50, p99),
//     written to the test log (go test -v).
//
// The chaos and burst tests use 2,000 orders, or 300 with -short. Redis tests
// skip when redis-server is not on PATH, unless BC2SF_REQUIRE_REDIS=1.
//
// The tests tune what would only make them slow: retry waits of the
// clients and the pool are milliseconds instead of seconds, the BigCommerce
// client of the chaos test runs on a clock 100 times faster (so a 429's
// one-second wait takes 10 ms), and sessions expire after 5 calls rather
// than 200, because batching leaves a 2,000-order run only a few dozen
// Salesforce calls. Counts are asserted; times are only logged.
package e2e
