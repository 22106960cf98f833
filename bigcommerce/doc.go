// Package bigcommerce is a typed client for the parts of the BigCommerce REST
// API that an order sync needs: orders (v2), customers (v3), catalog
// products with their variants (v3) and webhook subscriptions (v3 /hooks).
// It is built on go-resty/resty v2.
//
// # Usage
//
// NewClient takes the store hash and an API access token and makes no
// network call. Every call takes a context first:
//
//	c, err := bigcommerce.NewClient("abc123", token, bigcommerce.WithLogger(logger))
//	order, err := c.Orders.Get(ctx, 218)       // one call, line items inlined
//	for _, item := range order.LineItems() { ... }
//
// Orders.Get inlines the line items in the same request
// (include=consignments.line_items&consignment_structure=object), so syncing
// an order costs one BigCommerce call. The API inlines at most 50 line items
// per consignment and says so in a __warning__ (bigcommerce/docs#960); for
// such an order, or one whose inlined quantities fall short of its
// items_total, Orders.Get (and Orders.List with WithLineItems) reads every
// line from /v2/orders/{id}/products, 250 a page, so LineItems is always
// complete and only those orders cost more. At most 2,000 lines are read of
// one order (WithMaxLineItems); past that the call fails with
// ErrTooManyLineItems. A caller that needs no lines (an Opportunity carries
// only totals) makes its client WithoutLineItems. Lists (Orders.List,
// Customers.List, Products.List, Webhooks.List) are iterators that fetch
// page after page as the loop advances. Customers.List and Products.List
// take a list of ids and send up to 250 of them in one request (id:in), so
// reading many customers or products costs one call per 250.
//
// # Models
//
// Money is decimal.Decimal, never float64; it decodes from a string or a
// number, and "" or null decode to zero. v2 dates are RFC 1123 with a numeric
// zone (an empty date_shipped is the zero time); v3 dates are RFC 3339; hook
// dates are Unix seconds. An order decodes whatever JSON type each field
// arrives as, because the v2 API is loosely typed in practice. Its
// essential fields (the order's id, customer id, status id, creation and
// modification dates and money; a line item's ids, quantity and money) take
// a number, a string of one, "" or null, and fail the decode with a
// *FieldError naming the field for anything else. Every other field decodes
// a string, a number or a boolean as its text or value and leaves anything
// unusable zero, and unknown fields are ignored. One Address type, with one
// lenient decoder, serves the billing address and every ShippingAddress: a
// numeric zip or phone, null, or any other type decodes in both alike. A
// guest order has CustomerID 0 and its e-mail in BillingAddress.Email. A bundle's components have a
// ParentOrderProductID and a zero price (OrderProduct.IsBundleChild).
//
// # Errors
//
// A non-2xx answer is an *APIError carrying the status, the platform's
// messages and field errors (from either the v2 or the v3 error shape), the
// request id and, for a 429, how long to wait. The sentinels ErrNotFound,
// ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrUnprocessable and
// ErrUnavailable match with errors.Is. To read the details, use errors.As:
// declare var apiErr *bigcommerce.APIError, and when
// errors.As(err, &apiErr) holds, apiErr.Status, apiErr.Messages,
// apiErr.Fields and apiErr.RequestID describe the failure. A worker can ask
// Retryable(err) whether to requeue, and RetryAfter(err) for how long to
// wait first.
//
// The access token never appears in an error, a log line or the output of
// Client.String; header values of hooks (shared secrets) are redacted from
// errors and from the String output of Webhook, WebhookCreate and
// WebhookUpdate.
//
// # Rate limits and retries
//
// BigCommerce allows each store a quota of requests per window (usually
// 150 or 450 per 30 s) and reports it in the X-Rate-Limit-* headers of every
// response; Client.RateLimit returns the latest report. When a response says
// no request is left, the client waits for the window to reset before the
// next call rather than collecting a 429; this state is shared by all
// goroutines using the client.
//
// A 429 is waited out, for any method, for the longer of
// X-Rate-Limit-Time-Reset-Ms and X-Retry-After, or, when the answer carries
// neither, for 1 s (twice the initial backoff), doubling on each further
// bare 429 up to 30 s. A 5xx or a
// network failure is retried only for idempotent methods (GET, PUT, DELETE),
// never for POST, with exponential backoff: 500 ms, doubling, ±50% jitter,
// at most 30 s per wait. Other 4xx are never retried. By default a call
// makes at most 5 attempts within 2 minutes (RetryPolicy, WithRetry); a wait
// that would end past that budget or the context's deadline is not started,
// and the call returns the last error at once, with its RetryAfter. The
// context cancels any wait. RetryPolicy.CheckRetry replaces the decision
// to retry; the policy has the same fields, with the same meaning, as
// salesforce.RetryPolicy.
package bigcommerce
