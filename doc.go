// Package bc2sf is a toolkit for moving BigCommerce orders into Salesforce in
// real time, without losing or duplicating any.
//
// It is a set of packages that a Go service imports, not a program to deploy.
// The programs under examples/ show how they fit together and are meant to be
// copied as starters.
//
// # The flow of one order
//
// BigCommerce POSTs a small notification (store/order/created, with the order
// id) to the service. The webhook package's middleware checks that the
// delivery is genuine (a shared-secret header, a Standard Webhooks signature,
// or a plain HMAC-SHA256 of the body), and its Handler parses the envelope,
// filters it by scope and hands it to a sink. The sink enqueues the event on
// an idempotency.Queue; only when that enqueue is durable does the handler
// answer 200. When the queue is down it answers 503 and BigCommerce delivers
// again later (it retries for about 48 hours). An event is never
// acknowledged and then lost.
//
// A worker dequeues the event with a lease and claims its key in an
// idempotency.Store, so an event already done is skipped. It reads the order
// with one bigcommerce call (line items inlined), turns it into Salesforce
// records with Mapper.Map (a pure function: no I/O, the same input always
// gives the same output), and upserts them by external ID through the
// salesforce client, batching up to 75 orders into one Composite Graph call
// in which each order succeeds or fails on its own. Then it completes the key
// in the Store and acknowledges the message. A failure puts the message back
// with a delay, or dead-letters it when the data can never be written.
//
// Delivery is at least once at every step. The effect in Salesforce is once,
// thanks to two independent gates: the Store skips events already done, and
// upsert by external ID turns a repeated write into an update of the same
// record. Webhooks that never arrive are caught by a reconciler that lists
// orders (and customers) modified since a checkpoint and feeds them into the
// same queue.
//
// Customer events (store/customer/created, updated, address/*) take the
// same path and update the customer's Account and Contact, under the key her
// orders use; product events (store/product/created, updated) keep a
// Product2 per product key and its PricebookEntry in the standard price
// book (and in the Order target's price book when it is another), so that
// the Order target needs no products set up by hand. Nothing
// in Salesforce is ever deleted.
//
// # Packages
//
//   - webhook: verification middleware, the event envelope and the receiving
//     handler (standard library only).
//   - bigcommerce: a typed, rate-limit-aware client for orders, customers,
//     catalog products and webhooks; bigcommerce/bctest is an in-process fake
//     store.
//   - salesforce: a typed client with OAuth 2.0, upsert by external ID, SOQL,
//     sObject Collections, Composite and Composite Graph, Bulk API 2.0 jobs,
//     the Tooling API, limits and a throttle; salesforce/orgsetup creates the
//     custom fields bc2sf writes and grants access to them; salesforce/sftest
//     is an in-process fake org.
//   - mapper: the pure mapping from an order to the records to upsert.
//   - idempotency: the Store, Queue, Inspector and Checkpoint interfaces and
//     their in-memory implementations; idempotency/idemredis puts them on
//     Redis; idempotency/idemtest is the conformance suite every
//     implementation runs.
//   - pipeline: where the packages meet: the webhook Sink that enqueues,
//     the Worker that fetches, maps and upserts orders, customers and
//     products in batches with a per-order failure policy, the Reconciler
//     for missed webhooks, and backfill.
//   - deadletter: the dead-letter console, an http.Handler (an HTML page and
//     a JSON API, behind a token) to list, replay and delete dead letters.
//   - telemetry: OpenTelemetry traces (one per order, from the webhook to
//     the Salesforce call) and metrics, instrumenting the others from the
//     outside.
//
// webhook and idempotency import the standard library only, and the fakes
// nothing third-party. mapper and pipeline read the order model of the
// bigcommerce package, so importing them brings in that client's
// dependencies; the mapper's package documentation says why. deadletter
// decodes tasks with pipeline, and so brings in the same. Only telemetry
// imports OpenTelemetry: a program that leaves it out links none of it.
package bc2sf
