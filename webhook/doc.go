// Package webhook receives BigCommerce webhook deliveries: a net/http
// middleware that verifies them, a typed event envelope, and a Handler that
// parses, filters by scope and hands events to a Sink. It uses the standard
// library only.
//
// # Verification schemes
//
// NewVerifier builds a Verifier from one or more schemes; it passes a
// delivery only when every scheme verifies it. Its Middleware method wraps
// an http.Handler (usually the Handler below); its Verify method checks a
// body that arrived some other way.
//
//   - SharedSecret: a header whose value is a shared secret. BigCommerce
//     documents this for every hook: the "headers" map given when the hook is
//     created (POST /v3/hooks) is sent back on each delivery. The value is
//     compared in constant time over SHA-256 digests, so neither the secret's
//     length nor a partial match shows in the timing. Several values allow
//     rotation.
//   - StandardWebhooks: the Standard Webhooks signature (headers webhook-id,
//     webhook-timestamp, webhook-signature with space-separated "v1,<base64>"
//     entries; HMAC-SHA256 over id + "." + timestamp + "." + raw body). It is
//     documented for BigCommerce's HTTPS webhooks, keyed by the app's client
//     secret used as raw bytes. The timestamp must lie within 5 minutes of the
//     clock in either direction (WithTolerance changes it). Several secrets
//     allow rotation; ParseStandardSecret also reads the "whsec_<base64>"
//     form.
//   - BodyHMAC: HMAC-SHA256 of the raw body in a named header, hex or base64,
//     with an optional "sha256=" prefix, for relays and proxies that sign
//     that way.
//
// # Which scheme for BigCommerce
//
// BigCommerce's main webhook documentation lists only the custom header as a
// security measure; the Standard Webhooks signature appears on its newer
// HTTPS webhooks page, and whether every hook created through the REST API
// is signed has not been confirmed. So the choice is explicit:
//
//   - header only: []Scheme{SharedSecret(h, v)};
//   - header, plus the signature when one is present (recommended until a
//     signed delivery has been seen from the store):
//     []Scheme{SharedSecret(h, v), OptionalStandardWebhooks(clientSecret)};
//     a delivery carrying any Standard Webhooks header must then verify in
//     full, and one carrying none passes on the header alone;
//   - signature required: []Scheme{SharedSecret(h, v),
//     StandardWebhooks(clientSecret)}, or StandardWebhooks alone.
//
// NewVerifier refuses a configuration where every scheme is optional.
//
// # Status codes
//
// The middleware answers 405 (with "Allow: POST") to any method but POST, 413
// when the body exceeds the limit (default 1 MiB, read through the limit,
// never whole), 400 when the body cannot be read, and 401 for a missing or wrong credential or a timestamp
// outside the window, with one body for every 401 so that it does not tell
// which check failed. The reason is logged through the *slog.Logger given
// with WithLogger (default: discard); no log record, error or response holds
// a secret or a signature. A verified request reaches the next handler with
// r.Body replaced by exactly the verified bytes and a Verification (which
// schemes matched, the webhook-id and timestamp) in its context, read with
// VerificationFromContext.
//
// The Handler answers 400 to a malformed envelope, 200 with an empty body to
// a scope its filter drops (default: IsOrderScope, every "store/order/..."
// and "store/channel/{id}/order/..." scope), 200 with an empty body once the
// Sink accepted the event, and 503 when the Sink fails, so that BigCommerce
// delivers the event again (it retries for about 48 hours). An order,
// customer or product event whose id is missing or not a positive integer
// is answered 200 and dropped, since a redelivery would carry the same id:
// it is logged at Warn with its scope and the raw id (cut to 64 bytes) and
// counted in Handler.Stats, which counts every other outcome too.
//
// # Events
//
// ParseEvent decodes the envelope of any scope: scope, store_id (string or
// number), data (kept raw), hash, created_at (Unix seconds, exposed as
// time.Time) and producer. The accessors read the id of the resource from
// every documented data shape: Event.OrderID for every store/order/* scope
// (created, updated, statusUpdated, archived, message/created,
// refund/created, transaction/*, metafield/*) and the
// store/channel/{id}/order/* forms; Event.CustomerID for store/customer/*
// (data.address.customer_id for the address scopes); Event.ProductID for
// store/product/*. IsOrderScope, IsCustomerScope and IsProductScope say
// which kind a scope is, and compose into a filter for WithScopeFilter.
//
// BigCommerce delivers at least once. Event.DeliveryKey identifies one
// event across its redeliveries (the verified webhook-id, else scope,
// created_at and hash together). The hash alone identifies nothing:
// BigCommerce documents it as the SHA-1 of the payload data, which for an
// order event is little more than the order id, so events about one order
// may share it, and nothing in this package treats an equal hash as a
// duplicate. Event's MarshalJSON and UnmarshalJSON keep the envelope form
// (plus webhook_id), so a queue can store events as JSON.
//
// # Options
//
// Each constructor takes options of its own type: NewVerifier takes
// VerifierOption (WithTolerance), NewHandler takes HandlerOption
// (WithScopeFilter), and both take an Option (WithLogger,
// WithMaxBodyBytes), which is both. Passing an option to a constructor it
// does not apply to does not compile.
//
// The timestamp window is checked against time.Now; there is no clock to
// inject. A test that needs a fixed "now" runs the verification in a
// testing/synctest bubble and sleeps there until that instant, which takes
// no real time.
//
// # Signing
//
// SignStandard, SignHMAC and SetStandardHeaders produce what a sender would,
// for tests and fakes.
package webhook
