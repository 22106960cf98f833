package webhook

import "errors"

// Sentinel errors. Returned errors wrap them with %w, so test with errors.Is.
// No error text ever contains a secret, a signature or a header value.
var (
	// ErrNoScheme is returned by NewVerifier when no scheme
	// is configured.
	ErrNoScheme = errors.New("webhook: no verification scheme configured")

	// ErrInvalidConfig is returned by the constructors for a bad option or
	// scheme (an empty header name, no secret, an empty secret, a nil sink,
	// an option that does not apply).
	ErrInvalidConfig = errors.New("webhook: invalid configuration")

	// ErrMissingCredential means a header that a scheme needs is absent or
	// empty. The middleware answers it with 401.
	ErrMissingCredential = errors.New("webhook: missing credential")

	// ErrInvalidCredential means a credential is present but does not match
	// any configured secret, or cannot be parsed. The middleware answers it
	// with 401.
	ErrInvalidCredential = errors.New("webhook: invalid credential")

	// ErrTimestampOutOfWindow means a Standard Webhooks timestamp lies outside
	// the tolerance (default 5 minutes) in the past or the future. The
	// middleware answers it with 401.
	ErrTimestampOutOfWindow = errors.New("webhook: timestamp outside the tolerance window")

	// ErrBodyTooLarge means the body exceeds the configured limit (default
	// 1 MiB). The middleware and the handler answer it with 413.
	ErrBodyTooLarge = errors.New("webhook: body too large")

	// ErrInvalidEvent is wrapped by every ParseEvent error: bad JSON, a body
	// that is not an object, a missing scope, a wrongly typed field.
	ErrInvalidEvent = errors.New("webhook: invalid event")

	// ErrNoOrderID is returned by Event.OrderID when the event's scope does
	// not carry an order id (a product event, a delivery exception) or its
	// data lacks the field.
	ErrNoOrderID = errors.New("webhook: event carries no order id")

	// ErrNoCustomerID is returned by Event.CustomerID when the event's scope
	// does not carry a customer id (an order event) or its data lacks the
	// field.
	ErrNoCustomerID = errors.New("webhook: event carries no customer id")

	// ErrNoProductID is returned by Event.ProductID when the event's scope
	// does not carry a product id (an order event, a variant metafield) or
	// its data lacks the field.
	ErrNoProductID = errors.New("webhook: event carries no product id")
)
