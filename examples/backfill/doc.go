// Backfill brings the BigCommerce orders of a date range into bc2sf: it lists
// the orders created between -from and -to, page by page, and either enqueues
// them on the Redis queue for the running workers (-mode enqueue, the default)
// or syncs them to Salesforce itself (-mode sync).
//
// Usage:
//
//	backfill -from 2026-01-01 -to 2026-03-31 [-mode enqueue|sync] [-checkpoint FILE]
//
// In enqueue mode the tasks go onto the queue at low priority, so live
// webhook events keep going first; REDIS_URL is required. In sync mode a
// pipeline.Worker works through an in-memory queue in the same process and
// writes to Salesforce in Composite Graph calls of up to 75 orders; the
// Salesforce variables are then required as well.
//
// Progress goes to stderr at most once a second, for example
// "1,234/5,000 orders (24.7%), 180/s, ~21s left".
//
// The checkpoint file (default .bc2sf-backfill.json) records the creation
// date of the last order handled: enqueued in enqueue mode, written to
// Salesforce or skipped in sync mode (an order that failed holds it back, so
// the next run tries that order again). It is replaced atomically
// after every page, so after Ctrl-C, a crash or a failed call the same
// command continues where it stopped. Orders around the resume point may be
// listed twice; the queue's deduplication and upsert by external ID keep each
// order single in Salesforce.
//
// Exit status: 0 when the range is done, 1 on a failure (including orders
// that could not be synced), 2 for a bad command line or a missing variable,
// 130 when interrupted.
package main
