// Package pipeline composes the bc2sf building blocks into the order sync:
// a webhook.Sink that turns verified events into queued Tasks, a Worker that
// syncs them to Salesforce in batched Composite Graph calls, a Reconciler
// that catches orders (and customers) whose webhooks were missed, Backfill
// for a date range, BulkBackfill for a large one through Bulk API 2.0 jobs,
// and ReadinessHandler for a /readyz probe that follows the queue. Besides
// orders, the Worker syncs registered customers (Account and Contact) and
// catalog products (Product2 and their PricebookEntries) when their events
// arrive.
// It uses the standard library and the bc2sf packages only; the
// queue, store and checkpoint are interfaces, so the same code runs on the
// memory implementations and on Redis.
//
// # Wiring
//
//	queue, store := idempotency.NewMemoryQueue(), idempotency.NewMemoryStore()
//	handler, _ := webhook.NewHandler(pipeline.NewSink(queue, store, pipeline.WithLogger(log)),
//		webhook.WithScopeFilter(pipeline.IsSyncedScope)) // orders, customers, products
//	worker, _ := pipeline.NewWorker(pipeline.WorkerConfig{
//		Queue: queue, Store: store, Mapper: m, Logger: log,
//		Orders: bc.Orders, // bc is a *bigcommerce.Client
//		Graphs: sf,        // sf is a *salesforce.Client
//		Customers: bc.Customers, Products: bc.Products, // optional
//		Pricebook: sf, StandardPricebookID: std,         // for products
//	})
//	rec, _ := pipeline.NewReconciler(pipeline.ReconcilerConfig{
//		Orders: bc.Orders, Queue: queue,
//		Checkpoint:         &idempotency.MemoryCheckpoint{},
//		Customers:          bc.Customers, // optional, with its own checkpoint
//		CustomerCheckpoint: &idempotency.MemoryCheckpoint{},
//	})
//	go rec.Run(ctx)
//	err := worker.Run(ctx) // returns nil once ctx ends and the drain is done
//
// # Tasks and keys
//
// A Task is the JSON body of one queue message: its kind (an order, a
// customer or a product; no kind means an order, as every task was before
// kinds) and the id of that kind, the scope, the source (webhook, reconcile,
// backfill), the event's delivery key, the entity's sync generation (or, as
// NewSink writes it, a flag saying the generation ends the message key) and
// the time it was made. DecodeTask treats a body as untrusted and refuses
// anything EncodeTask would not write.
//
// Message keys decide what counts as one piece of work, for the queue's
// deduplication (24 hours by default) and for the Store (7 days):
//
//	sync:<order id>:<generation>            webhook events about the order received at one sync generation
//	order:<id>:<date_modified>              the Reconciler and Backfill: one key per version of an order
//	repair:<order id>:<token>               a forced sync after a claim on the order was lost during its write
//	sync:customer:<id>:<generation>         the same for a customer's events (created, updated, address/*)
//	sync:product:<id>:<generation>          and a product's (created, updated)
//	customer:<id>:<date_modified>           the Reconciler: one key per version of a customer
//	repair:<kind>:<id>:<token>              a forced sync of a customer or product
//
// # Never stale, never lost
//
// Every order event (created, updated, statusUpdated, archived,
// refund/created, transaction/*, message/created, metafield/*, and the
// store/channel/{id}/order/* forms) means one thing: sync the order's
// current state. BigCommerce delivers them at least once, in any order, and
// their hash is the SHA-1 of the payload data, which events about one order
// share, so neither the hash nor the delivery order can tell events apart.
// The Store's sync record of each order (idempotency.Store.StartSync) does
// instead:
//
//   - The Sink tags each event with the order's generation and keys its
//     message by it, so every event that arrives while a sync of the order
//     is queued and not started joins that one message. It reads the
//     generation as it enqueues (idempotency.EnqueueTagged): on Redis, in
//     the enqueue's own round trip, so a delivery costs one round trip
//     before its 200.
//   - The Worker claims the order (StartSync) before it reads it and holds
//     the claim until the write is settled, so two syncs of one order never
//     run at once, in one process or many: a task that finds the order
//     claimed is retried after InFlightDelay. Claiming moves the generation
//     on, so an event that arrives during a sync gets a message of its own,
//     and that one reads the order again once the running sync is done: a
//     change made after a read always leads to another read.
//   - A message whose events a finished sync covers (that sync was claimed
//     after they arrived) is acknowledged unread: SkipCoalesced.
//   - The Store records, with each finished sync, the order's date_modified
//     and a digest of the records written. A read older than that is not
//     written (SkipStale): an older snapshot never overwrites a newer one.
//     A read identical to it is not written either (SkipUnchanged), so a
//     redelivered event or a reconcile of an unchanged order costs one
//     BigCommerce call and no Salesforce call.
//   - A claim is a lease (Lease, 5 minutes). When a Worker stalls past it
//     mid-write, another may take the order over and write a newer state,
//     which the stalled write could then overwrite; the stalled Worker finds
//     its claim lost when it finishes and enqueues a forced sync of the order
//     (Task.Force), which writes the state BigCommerce holds then.
//
// After writing (or skipping) an order, the Worker also marks the order's
// version key (order:<id>:<date_modified>) done in the Store. When the
// Reconciler later lists an order that a webhook already brought in, its
// message is acknowledged as already done, at the cost of two Store calls and
// no API call on either side.
//
// # The Worker
//
// The Worker takes each delivery through Store.Begin, the order's sync
// claim (Store.StartSync), a read of the order from BigCommerce (line items
// inlined), Mapper.Map and the freshness check, then hands the mapped order
// to a batcher. An order pending alone is read with one OrderSource call (a
// client's Orders.Get); orders pending together, as in a burst or a
// backfill, are read in pages of up to 250 with OrderLister.List (min_id,
// max_id), one call per page, and an order a page did not return is read
// alone. The batcher sends up to 75 orders
// (BatchSize) and 500 nodes in one Composite Graph call, with up to 4
// (MaxInFlight) calls at once, and waits on no timer: an order goes at once
// when no call is in flight and no other order is being fetched, orders that
// arrive while calls are in flight go together when one returns, and a full
// call goes whenever fewer than MaxInFlight are in flight (the Worker's
// documentation gives the whole rule). Each order is its own graph, built
// from its records by salesforce.NewUpsertGraph, so one bad order fails
// alone. The graphs carry node URLs relative to the API
// version, which the *salesforce.Client completes with its own. Per order, a success is
// Store.FinishSync, Store.Complete and Queue.Ack; a failure is settled by the policy on
// Worker. A failure of a whole call is not a failure of each order in it: a
// Composite Graph call that fails as a whole (a 503, a timeout, an expired
// session, a rate limit) has its orders written again from memory without
// counting an attempt, while one breaker, shared by all the Worker's calls,
// slows them down until a call goes through again; a graph that fails on a
// locked row is written again soon, alone among its call's graphs. Rate
// limits and transient errors about an order are retried with a delay, up
// to MaxAttempts (8); data errors are dead-lettered at once with a reason
// naming the order and Salesforce's error codes. Stats and OnResult report
// every outcome. Give the Worker's salesforce.Client SalesforceRetryPolicy,
// so that a failing call comes back to the Worker at once.
//
// For mapper.TargetOrder the Worker makes, per batch and before the graph
// call, up to two SOQL queries through Pricebook (a *salesforce.Client):
//
//  1. which of the batch's OrderItems Salesforce already holds, and through
//     them which Orders and whether each is activated: SELECT <line id>,
//     Order.<order id>, Order.StatusCode FROM OrderItem WHERE <line id> IN
//     (...), on the mapper's Fields.LineItemID, OrderRelationship and
//     OrderID (StatusCode only when the object is the standard Order). The
//     graphs are then built knowing which records
//     exist: salesforce.NewUpsertGraph leaves the records' create-only
//     fields out of an existing one, that is OrderId and PricebookEntryId
//     out of an existing item (Salesforce sets them only on creation and refuses
//     them on update with INVALID_FIELD_FOR_INSERT_UPDATE, rolling the whole
//     order back) and Status and Pricebook2Id out of an existing Order (so a
//     re-sync does not send an activated Order back to Draft). An order
//     changed in BigCommerce, reconciled or replayed thus syncs again.
//  2. the active PricebookEntry ids of the product keys of the new lines in
//     the mapper's Pricebook2ID, matching PricebookKeyField, by default
//     Product2.BigCommerce_Product_Key__c: SELECT Id, <key field> FROM
//     PricebookEntry WHERE Pricebook2Id = ... AND IsActive = true AND <key
//     field> IN (...). It is left out when every line exists. Inactive
//     entries are never used, as Salesforce refuses an item on one. When
//     the Mapper is multi-currency (mapper.Config.MultiCurrency) the query
//     also selects CurrencyIsoCode and keeps the batch's currencies, and
//     each item gets the entry in its order's currency (mapper
//     Result.Currency, the order's transactional currency): an EUR order
//     gets the EUR entry. A product with no active entry, or none in the
//     order's currency, dead-letters its order with a reason naming the
//     product key and the currency; so does an order without a currency
//     code in a multi-currency org, as no entry can be chosen for it.
//
// A query travels URL-encoded in a GET, where a quote, a comma or a
// non-ASCII byte takes three bytes, and Salesforce refuses a request URI
// longer than 16,384 bytes (414). Each query is therefore split into as few
// as keep its encoded SOQL within 14,000 bytes: one each for a batch of 75
// typical orders.
//
// A batch of new orders thus costs three Salesforce calls (two queries and
// one Composite Graph call), a batch of re-syncs two. Known limitations: an
// OrderItem whose line was removed from the BigCommerce order stays in
// Salesforce; an Order none of whose current lines Salesforce holds (every
// line replaced, or first written without lines) is taken for new and sent
// Status "Draft" again.
//
// Salesforce refuses to add or change the products of an activated Order
// (one whose StatusCode is "Activated", whatever its Status is called). When
// the existence query finds an order's Order activated, its graph writes the
// Account, Contact and Order (status text, refunded amount, the fields of
// mapper.Config.OrderStage) and leaves every OrderItem out, new or existing;
// its Result carries a WarnItemsLocked warning and the order counts as
// synced, not dead-lettered, since a status change alone must never fail. A
// change to the lines of such an order reaches Salesforce only after someone
// sets the Order back to Draft and the order syncs again. An Order activated
// between the existence query and the graph call (a window of one batch)
// fails its graph with FIELD_INTEGRITY_EXCEPTION and is dead-lettered; a
// replay then writes the Order alone.
//
// # Customers and products
//
// store/customer/created, updated and address/* events sync the customer's
// Account and Contact, and store/product/created and updated the product's
// Product2 records and prices; the Sink makes them tasks of their kind
// (KindCustomer, KindProduct), and the handler passes them on when built
// with webhook.WithScopeFilter(IsSyncedScope). A deleted customer or
// product changes nothing in Salesforce: bc2sf deletes nothing, and the
// Sink drops those events. A task's entity is claimed in the Store like an
// order (one sync of a customer at a time; SkipCoalesced, SkipStale and
// SkipUnchanged as for orders, on the entity's date_modified and records).
// SkipUnchanged needs both the same date_modified and the same records
// (a digest of what would be written): BigCommerce does not document that
// an address change moves the customer's date_modified, so an
// address/updated event whose customer reads with the date_modified
// already written, but maps to another billing address, is written. The
// Reconciler walks customers by date_modified and so cannot find an
// address edit whose event was lost.
//
// The Worker batches each kind on its own, with no timer: when no call of
// that kind is in flight, what waits goes at once; while one is, tasks
// wait, and when it returns, up to BatchSize of them go together. A batch
// of customers costs one BigCommerce read (GET /v3/customers?id:in=...,
// 250 ids to a request, with their addresses) and one Composite Graph call
// that upserts each customer's Account and Contact (mapper.MapCustomer) as
// a graph of its own, under the key its orders use: a customer with no
// order yet gets them too. A quiet store thus pays one Salesforce call per
// customer event, a burst about one per 75. A customer that no longer
// exists is skipped (SkipNotFound).
//
// A batch of products costs one BigCommerce read (GET
// /v3/catalog/products?id:in=...&include=variants) and one Composite Graph
// call: per product key (mapper.MapProduct: a variant's SKU, else
// bc-product-<id>) a Product2 upsert and, for each currency, its entry in
// StandardPricebookID, a PATCH of the entry's id (price, IsActive true)
// when it exists and a POST that creates it for the Product2 otherwise,
// since an entry's price book, product and currency can be set only on
// creation. With the Order target priced from a custom price book
// (mapper.Config.Pricebook2ID other than StandardPricebookID), each key's
// entry there follows its standard one in the same graph: Salesforce
// refuses a custom entry for a product without an active standard price
// (STANDARD_PRICE_NOT_DEFINED). An entry missing from the custom price
// book is created at the catalog's price; one that exists is left as it is,
// since the prices of a custom price book are the org's to set. In a multi-currency Mapper the currencies
// are the org's active ones (SELECT IsoCode, ConversionRate, ... FROM
// CurrencyType WHERE IsActive = true, read once per Worker), each entry
// priced from StoreCurrency (default: the corporate currency) with the
// org's conversion rate and rounded to the currency's decimal places. A
// product of many variants takes several graphs, 500 nodes each.
//
// Which entries exist, and their ids, the Worker learns once: after it
// wrote a product it records the entry ids with the product's version in
// the Store (FinishSync), and the product's next sync reads them back with
// its claim. Only a product whose entries are not all recorded (its first
// sync by this Store, a new variant's key, a new currency or price book, a
// forced sync, or more than 500 entries) needs the query first: SELECT Id,
// [Pricebook2Id, ]Product2.<key field>[, CurrencyIsoCode] FROM
// PricebookEntry WHERE Pricebook2Id = ... (or IN (...) for two books) AND
// Product2.<key field> IN (...), one for the batch. A recorded entry that
// was deleted in Salesforce since fails its graph for its data (NOT_FOUND);
// the Worker then queries that product's entries and writes it again,
// within the same sync. A quiet store thus pays one Salesforce call per
// product event, two for a product's first sync (three after an entry was
// deleted), and a burst about one per 75 (two per 75 for first syncs).
//
// The Order target then needs no one to set products up by hand. When
// Products is set, the lines of a batch whose product key has no entry in
// the Order's price book (in the order's currency) make the Worker read
// those lines' products (one BigCommerce call for the batch) and write them
// as a product's first sync does (one query, one Composite Graph call:
// the standard entries and, for a custom price book, its entries after
// them) before the orders, which then find their entries. A product that
// cannot be written leaves its orders to dead-letter for want of an entry,
// as before; a transient failure retries the batch.
//
// # Shutdown
//
// When Run's context ends, the Worker stops dequeuing, lets fetches in
// progress finish, sends the batch it holds, and waits for that call for at
// most DrainTimeout (10 s); the customer and product batches it holds are
// sent the same way. Deliveries it could not finish are given back:
// the Store claim is released and the message retried with no delay, so
// another worker takes it at once. Nothing in flight is lost; a message whose
// give-back failed returns when its lease ends.
//
// # Observing the Worker
//
// Stats counts what a Worker did; OnResult reports each settled delivery,
// with a Cause from a fixed list (rate_limited, unavailable,
// salesforce_rejected, ...) beside the free-text Reason of a retry or a dead
// letter. Hooks follow each delivery through its stages, for tracing: Task
// gives every task a context of its own and learns its Result, and Call
// wraps each BigCommerce read and each batch's Salesforce calls with the
// contexts of the tasks they serve, one or many. The Sink's
// WithTraceContext stores the trace context of the delivering request in
// the Task (TraceParent, TraceState), so that the sync can continue the
// webhook's trace. The pipeline imports no tracing library: the telemetry
// package fills these hooks for OpenTelemetry, and a program that does not
// import it links none.
//
// # Reconciliation and backfill
//
// The Reconciler lists orders by date_modified from a Checkpoint, enqueues
// them at PriorityLow and saves the checkpoint (minus a 1-minute overlap)
// only after a page was enqueued. Backfill lists orders by date_created
// between two dates and saves the last creation date after every page, so an
// interrupted backfill resumes. Both walk the listing by keyset (each request
// starts at the last date seen), not by page number, so orders modified
// during the walk cannot shift a page and be skipped. With
// ReconcilerConfig.Customers the Reconciler walks the customers modified
// since their own checkpoint (date_modified:min, sorted by date_modified)
// the same way, and enqueues each as a customer task keyed by its version.
// BigCommerce does not document that an address change moves a customer's
// date_modified, so a missed address event may not be caught.
//
// # Large histories: BulkBackfill
//
// Composite Graph spends one Salesforce call per 75 orders and the Worker
// one BigCommerce call per order; three years of history can be a day's
// allowance. BulkBackfill writes a range with Bulk API 2.0 ingest jobs
// instead: it lists the orders 250 per call (line items inlined), maps them
// with the Worker's mapper Config (linking children to parents by external
// ID, the relationship columns Account.<customer key> and Order.<order id>),
// spools the records to temporary files, and runs a few jobs per chunk of
// 50,000 orders: Accounts (one row per customer), Contacts, then the
// Opportunities, or, for the Order target, a PricebookEntry query job, the
// Orders and their OrderItems, inserted first and updated without their
// create-only fields when they exist. 100,000 orders cost about two dozen
// Salesforce calls and 400 BigCommerce calls; memory holds only a hash per
// customer of the chunk. Rows Salesforce refuses become dead letters of
// Tasks (idempotency.DeadLetterWriter), which the Worker syncs when they are
// replayed; a job that fails as a whole stops the run before the checkpoint
// moves. A range under MinOrders (2,000) goes to the Worker as Tasks.
package pipeline
