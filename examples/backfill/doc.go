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
// Salesforce variables are then required as well. A sync of a range of at
// least -bulk-threshold orders (default 2,000; 0 turns this off) is written
// with Bulk API 2.0 jobs instead (pipeline.BulkBackfill), -bulk-chunk orders
// (default 50,000) per set of jobs: about a dozen API calls per chunk
// instead of one per 75 orders. Orders Salesforce refuses in a job become
// dead letters: in the Redis queue when REDIS_URL is set (where the sync
// program's dead-letter console shows them and a replay sends them through
// a worker), in the in-memory queue otherwise, listed at the end.
//
// Progress goes to stderr. On a terminal it is a bar redrawn in place, with
// the orders done, the rate and the time left:
//
//	[#######.......................] 1,234/5,000 orders (24.7%), 180/s, ~21s left
//
// anything else (a file, a pipe) gets the same as plain lines, at most once
// a second and only when the counts move.
//
// The checkpoint file (default .bc2sf-backfill.json) records the creation
// date of the last order handled: enqueued in enqueue mode, written to
// Salesforce or skipped in sync mode (an order that failed holds it back, so
// the next run tries that order again). It is replaced atomically
// after every page (after every chunk of jobs on the Bulk API path), so
// after Ctrl-C, a kill, a crash or a failed call the same command continues
// where it stopped. Orders around the resume point may be
// listed twice; the queue's deduplication and upsert by external ID keep each
// order single in Salesforce.
//
// Exit status: 0 when the range is done, 1 on a failure (including orders
// that could not be synced), 2 for a bad command line or a missing variable,
// 130 when interrupted.
package main
