// Package deadletter is the dead-letter console: an http.Handler that
// operators use to see which orders, customers and products failed and
// why, and to replay or delete them. Mount it in your own admin server,
// under a prefix:
//
//	console, err := deadletter.NewConsole(inspector, // the queue's idempotency.Inspector
//		deadletter.WithToken("ops", os.Getenv("ADMIN_TOKEN")),
//		deadletter.WithLogger(log))
//	mux.Handle("/deadletters/", http.StripPrefix("/deadletters", console))
//
// It imports the standard library and bc2sf's idempotency and pipeline
// packages only (the latter to read each payload's pipeline.Task). The page
// is plain HTML with a little JavaScript and no build step, embedded in the
// binary.
//
// # The page
//
// The page lists the dead letters, oldest first (the oldest ListScan, 1,000,
// are read), with the queue's depth, ready, delayed, in-flight and dead
// counts, the oldest live message's age (how far behind the workers are),
// the net change per minute of the dead letters and of the depth (from the
// console's own samples of the queue's Stats over the last five minutes),
// and the Salesforce API usage when WithUsage gives a hook; a figure not
// known shows as "unknown".
//
// A reason filter narrows the list: a dead letter matches when its reason
// contains the filter text, ignoring case, and each "#" in the filter stands
// for any run of digits. The page groups reasons into kinds (the reason with
// each run of digits written "#"), and a kind used as a filter matches every
// dead letter of that kind, whatever its order, customer or product id.
//
// Each row names what its task syncs, as its kind and id ("order 250",
// "customer 7", "product 174"), or its queue key when the payload is not a
// bc2sf task. One dead letter's page shows that name, its reason, attempts,
// first and last failure (the first failure survives a replay, so it tells
// how long it has been failing), the decoded task and the payload.
//
// Replay puts a dead letter back on the queue with its attempts counted
// from 1 again. The page replays one, a selection (check boxes), or every
// dead letter the filter matches: the last walks the whole dead-letter list,
// not only the rows shown, and replays each match once even when it fails
// again during the walk. Delete discards one dead letter for good.
//
// Everything works with JavaScript off: the list is rendered on the server
// and every action is a form POST answered by a redirect back to the list
// (303). The script only enhances: actions without a reload, "select all",
// and the stats refreshed every 10 seconds.
//
// # Access
//
// Every request but the login form and the two static files needs a token
// given with WithToken, compared in constant time:
//
//   - an API client sends it as "Authorization: Bearer <token>";
//   - a browser posts it once in the login form, with the operator's name
//     for the audit log, and gets a session cookie (HttpOnly,
//     SameSite=Strict, Secure over TLS or with WithSecureCookie, scoped to
//     the mount path). The cookie holds the operator's name, the token's
//     label, an expiry (WithSessionTTL, 8 hours by default) and a random
//     nonce, signed with HMAC-SHA256 under a key derived from the token; it
//     never holds the token. Sessions survive a restart and work across
//     replicas that share the token; removing a token ends its sessions;
//     logging out ends one (in the process that served the logout).
//
// Requests that change anything are POSTs; GET never does. A POST must pass
// net/http's cross-origin protection (Sec-Fetch-Site, else Origin against
// Host), and one that rides on the session cookie must also carry the
// session's CSRF token, in the form field "csrf" (the page's forms have it)
// or the X-CSRF-Token header (the page's script sends it). A bearer request
// needs no CSRF token: a browser never adds that header on its own.
//
// Every login, refused login, replay, deletion and logout is logged through
// WithLogger (slog.Default() unless set) with the operator's name, the
// token's label and the remote address. No token, cookie value or CSRF token
// is ever logged, and no token appears on a page or in an error.
//
// Every answer carries a Content-Security-Policy that allows no inline
// script or style and no framing (frame-ancestors 'none', and X-Frame-Options
// DENY), and Cache-Control: no-store.
//
// # Paths
//
// Relative to the mount point:
//
//	GET  /                      the page (query: reason, limit 1-1000, default 100)
//	GET  /letter?id=            one dead letter
//	GET  /login, POST /login    the login form (fields operator, token)
//	POST /logout
//	POST /replay                form: id (repeated), csrf
//	POST /replay-reason         form: reason (empty: every dead letter), csrf
//	POST /delete                form: id, csrf
//	GET  /api/deadletters       ?reason=&limit= → {"dead_letters": [...], "matched", "scanned", "total", "kinds", "partial"}
//	                            each dead letter: "id", "key", "entity" ("order", "customer" or "product") and
//	                            "entity_id" (for a bc2sf task), "order_id" (for an order's), "reason", "kind" (the
//	                            reason's), "attempts", "priority", "enqueued_at", "first_failed_at", "failed_at"
//	GET  /api/deadletter?id=    one dead letter with "task" and "body"
//	GET  /api/stats             counts, rates, "salesforce_api", and "text" (each figure as the page shows it)
//	POST /api/replay            {"ids": [...]} or {"all": true, "reason": "..."} → {"replayed": n, "missing": [...]}
//	POST /api/delete            {"id": "..."} → {"deleted": 1}
//
// API errors are {"error": "..."} with a 4xx status for a bad request (never
// a panic), 401 without valid credentials, 403 for a failed CSRF or
// cross-origin check, 404 for an unknown dead letter, and 502 when the queue
// fails (the queue's error is logged, not shown). Request bodies are limited
// to 64 KiB, and one replay to MaxIDs (1,000) IDs.
package deadletter
