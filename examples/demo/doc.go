// Demo runs the whole bc2sf flow offline, on loopback, in about a second,
// and prints what happened.
//
// Usage:
//
//	go run ./examples/demo
//
// It starts a fake BigCommerce store (bigcommerce/bctest) and a fake
// Salesforce org (salesforce/sftest), then wires the real pieces between
// them exactly as a service would:
//
//   - a webhook receiver on a loopback HTTP server: webhook.Verifier.Middleware
//     checking the hook's shared-secret header and the Standard Webhooks
//     signature, webhook.Handler, and a pipeline sink enqueuing on an
//     in-memory queue;
//   - a hook registered in the store with the real bigcommerce client,
//     pointing at the receiver;
//   - a pipeline.Worker using the real bigcommerce and salesforce clients,
//     the default mapper (Account, Contact and Opportunity) with
//     multi-currency on, and the in-memory idempotency store.
//
// It seeds ten orders (a registered customer, the same customer again, a
// guest, a mixed-case e-mail, a line without SKU, a bundle, an order paid in
// euros, an abandoned Incomplete checkout, a unicode name and a phone order
// without e-mail), delivers a signed webhook for each, redelivers one, sends
// one forged and one malformed delivery, and waits until the queue is
// drained. Then it cancels one order and refunds part of another in the
// store, delivers the webhooks each change fires, and syncs again; last,
// the registered customer changes her phone number, the store fires
// store/customer/updated to a second hook, and a worker that reads
// customers syncs her Contact. It prints a report: the status of each
// delivery, the outcome of each order, the records that landed in
// Salesforce (read back with SOQL through the client), what was skipped or
// rejected and why, the mapper's fallbacks, the API calls spent on each
// side, the two changes as Salesforce holds them, and the customer edit,
// each with the calls it cost.
//
// It needs no configuration and reads no environment variable: the webhook
// credentials are made up for each run and never printed. The report goes to
// standard output; rejected deliveries are logged to standard error.
//
// Exit status: 0 on success, 1 when any step fails.
package main
