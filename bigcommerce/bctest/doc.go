// Package bctest is an in-process fake BigCommerce store for tests: an
// http.Handler with the routes, JSON shapes, headers and error bodies of the
// real REST API, plus fault injection, call counting and a sender of webhooks
// signed the way BigCommerce signs them. It depends only on the standard
// library and this module's webhook package, so a test can use it without
// pulling in the API client. Package sftest is its sibling for Salesforce:
// the two are built, faulted and inspected the same way.
//
// # Building and reaching the store
//
// NewServer(options...) builds a store and reports an invalid option as an
// error wrapping ErrInvalid; it needs no testing.TB, so programs such as an
// offline demo use it too. It opens no socket: URL, StoreURL and Client open
// a loopback port on first use, while Transport (an http.RoundTripper) and
// ServeHTTP serve the store in memory. Close releases the port.
//
// The store reads the time from the time package. A test that needs to
// control time (the rate-limit window, order dates, webhook timestamps) runs
// in a testing/synctest bubble and reaches the store through Transport:
// loopback network I/O is not durably blocking, so a socket opened in a
// bubble would keep the bubble's clock from advancing.
//
// # Routes
//
// Under URL()+"/stores/{store_hash}/", every request carrying the server's
// token in X-Auth-Token:
//
//	GET    v2/orders/{id}                     bare order object; 404 [{"status":404,"message":...}]
//	GET    v2/orders/{id}/products            array of line items; page, limit
//	GET    v2/orders/{id}/shipping_addresses  array of addresses; page, limit
//	GET    v2/orders                          filters below; 204 No Content when the page is empty
//	GET    v3/customers                       id:in, email:in, date_modified:min|max, include=addresses, sort, page, limit; {data, meta.pagination}
//	GET    v3/catalog/products                id:in, include=variants, page, limit; {data, meta.pagination}
//	GET    v3/catalog/products/{id}           include=variants; {data, meta: {}}; 404 {"status","title","type"}
//	POST   v3/hooks, GET v3/hooks             {data: hook, meta: {}} / {data: [...], meta.pagination}
//	GET    v3/hooks/{id}, PUT, DELETE         {data: hook, meta: {}}; 404 {"status","title","type"}
//
// GET v2/orders/{id} and GET v2/orders inline the line items with
// include=consignments.line_items&consignment_structure=object (under
// consignments.shipping[i].line_items, downloads[0].line_items and
// email.gift_certificates[0].line_items), or link them with
// include=consignments. Without the include, products and
// shipping_addresses are {url, resource} links. As the real API does
// (bigcommerce/docs#960), a consignment inlines at most 50 line items and
// then carries "__warning__": {"message": "Not all line items of this
// consignment are returned with this response, only 50 are included. Please
// use the `/v2/orders/{order_id}/products` endpoint to fetch all line
// items."}; /v2/orders/{id}/products lists them all. An order seeded with
// Order.InlinedItemsMissing inlines none, as some real orders come back
// (bigcommerce/dev-docs#2052).
//
// GET v2/orders filters on min_id, max_id, status_id, customer_id, email
// (case-insensitive, on the billing address), channel_id, cart_id,
// payment_method, external_order_id, min_total and max_total (on
// total_inc_tax), and min/max_date_created and min/max_date_modified
// (inclusive; RFC 2822 such as "Thu, 20 Apr 2017 11:32:00 -0400", or
// ISO 8601 such as "2017-04-20T11:32:00.000-04:00"; remember to escape the
// "+" of "+0000" in a query string). sort takes id, customer_id,
// date_created, date_modified, status_id, channel_id or external_id, with
// :asc (the default) or :desc. limit defaults to 50.
//
// # The gateway
//
// Every response carries X-Rate-Limit-Time-Window-Ms,
// X-Rate-Limit-Time-Reset-Ms, X-Rate-Limit-Requests-Quota and
// X-Rate-Limit-Requests-Left from one fixed window per store (default 150
// requests per 30 s, see WithRateLimit). When the window is
// spent the answer is 429 with X-Retry-After (seconds). A wrong or missing
// X-Auth-Token answers 401 and does not spend the quota.
//
// # Faults and inspection
//
// FailNext(n, fault) answers the next n calls (of one route, or of all) with
// a Fault: a 429, a 5xx, or a delay; FailRandomly(fraction, fault) fails a
// reproducible fraction of calls, drawn from the source WithSeed seeds.
// Calls(route), TotalCalls and FaultsInjected count requests, faulted and
// refused ones included, until ResetCalls. AddOrder, UpdateOrder,
// SetStatus, AddCustomer, UpdateCustomer, AddCustomerAddress,
// UpdateCustomerAddress, AddProduct, UpdateProduct and AddHook seed data; Order, Orders, Customer, Product,
// Products, Hook and Hooks inspect it.
//
// Catalog products are served with the v3 shapes: prices as JSON numbers, a
// variant without a price of its own with "price": null, dates in RFC 3339.
// As in the real catalog, product names are unique, SKUs are unique across
// products and variants ignoring case, and every product has at least its
// base variant.
//
// # Webhooks
//
// Deliver, DeliverToHooks and Redeliver POST the documented envelope
// {scope, store_id, data, hash, created_at, producer} with the hook's
// headers and, when WithClientSecret is set, the Standard Webhooks headers
// webhook-id (the same for every delivery of one event),
// webhook-timestamp and webhook-signature (HMAC-SHA256 keyed by the raw
// client secret). EventSpec.Forge makes both credentials wrong, for
// negative tests. Deliveries lists every attempt made.
//
// CustomerEvent, CustomerAddressEvent and ProductEvent build the documented
// events of the customer and product scopes (an address event's data.id is
// the address, its data.address.customer_id the customer). CreateCustomer,
// EditCustomer, AddAddress, EditAddress, CreateProduct and EditProduct change the store
// and then deliver the event the real store fires for that change to every
// matching hook, in one call.
//
// Hooks follow the documented limits: one per scope and destination, at
// most 10 per scope; a breach answers 422.
//
// # Where the fake differs from the real store
//
//   - It speaks plain HTTP on loopback (or in memory), and hook destinations
//     may be any http or https URL on any port; the real API demands HTTPS on
//     port 443 with a valid certificate. Links in its answers name the host
//     the request came to.
//   - It serves only the routes above; any other path answers 404 (405 for
//     a known path with another method). A request for another store hash
//     answers 404, where the real API may answer 401 or 403.
//   - There are no OAuth scopes: the one token may do everything, and all
//     hooks belong to the one client id.
//   - GET v3/customers refuses, with 422, the documented filters it does not
//     model (name:like, company:in, date_created filters, cursor paging and
//     others) instead of ignoring them; include= serves addresses only.
//     date_modified:min and :max are inclusive. Adding or changing an
//     address leaves the customer's date_modified alone, since BigCommerce
//     does not document that it moves: the pessimistic case, in which a
//     sync that trusts date_modified alone would skip the edit.
//   - GET v3/catalog/products models only id:in, include, page and limit
//     and refuses other filters with 422; include= serves variants only.
//   - Consignments are served only in the object structure; with include
//     but without consignment_structure=object they are left out, not
//     served in the legacy array structure. include=fees adds nothing;
//     coupons, fees, shipments and order messages are not modelled.
//   - Error bodies of the gateway (401, 429, injected 5xx) are the v3 object
//     {status, title, type} on v2 routes too; a bad v2 query parameter
//     answers 400 with a v2 array and a v3 one (or a v3 limit above 250)
//     422 with a v3 object. A v2 limit above 250 answers 413, as the
//     status-code documentation says. The exact wording of messages is the
//     fake's own.
//   - GET v2/orders treats customer_id=0 as "guest orders only" and ignores
//     is_deleted; archived orders are listed like the others.
//   - The rate limit is one fixed window per server, not a sliding one
//     shared with other apps, and the legacy X-BC-ApiLimit-Remaining header
//     is not sent.
//   - The store does not deliver webhooks on its own when data changes, does
//     not retry a failed delivery, does not blocklist or deactivate hooks,
//     and does not wait the minute a new hook takes to activate: tests call
//     Deliver, DeliverToHooks or Redeliver.
//   - By default the hash of an event is a SHA-1 of the rest of its
//     envelope, so distinct events never share it. BigCommerce documents it
//     as the SHA-1 of the JSON-encoded data, which events about one order
//     can share; WithDataHash gives that, to test that a receiver does not
//     take such events for redeliveries. The webhook-id of a signed delivery
//     is one per event in both modes.
//   - webhook-timestamp comes from the time package: inside a
//     testing/synctest bubble it is the bubble's time, so a receiver checking
//     its tolerance must run in the same bubble.
package bctest
