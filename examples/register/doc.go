// Register manages the BigCommerce webhooks that feed bc2sf: it makes sure
// a hook for every scope bc2sf syncs (store/order/*, store/customer/*,
// store/product/created and store/product/updated: pipeline.SyncedScopes),
// or the scopes asked for, points at the receiver with the shared-secret
// header, lists the hooks of the API account and deletes them.
//
// Usage:
//
//	register [ensure] -destination https://sync.example.com/webhooks/bigcommerce [-scope store/order/*,...] [-dry-run]
//	register list [-destination URL] [-scope SCOPE]
//	register delete -id 1000[,1001]
//	register delete -destination URL [-scope SCOPE]
//
// ensure is the default command and may be run any number of times: for each
// scope it creates the hook when none exists for that scope and destination,
// and otherwise re-enables it and sets its headers to exactly the
// shared-secret header, so the store ends up with one active hook per scope
// whose secret is the configured one. A hook that is already active with
// that header is left alone. Each scope's line says what was done: created,
// exists, or updated with what changed; -dry-run reads only and says what
// would be created or changed. A hook of the destination that a wildcard
// scope already covers is noted, with the command that deletes it.
//
// list prints the id, scope, destination, state and header names of each
// hook; header values are credentials and are never printed.
//
// Settings come from the environment: BIGCOMMERCE_STORE_HASH and
// BIGCOMMERCE_CLIENT_TOKEN (required), BIGCOMMERCE_API_URL (default
// https://api.bigcommerce.com), and for ensure BIGCOMMERCE_WEBHOOK_SECRET
// (required) and BIGCOMMERCE_WEBHOOK_HEADER (default X-Webhook-Secret).
//
// Exit status: 0 on success, 1 when the API call failed, 2 when the command
// line or the environment is incomplete or invalid.
package main
