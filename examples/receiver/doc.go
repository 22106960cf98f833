// Receiver is the HTTP half of a scaled-out bc2sf. It verifies BigCommerce
// webhook deliveries on POST /webhooks/bigcommerce and enqueues the order
// events in Redis, where any number of worker processes (examples/worker)
// pick them up. Run as many receivers as you like behind a load balancer.
//
// A delivery is answered 200 only once its event is in Redis. While Redis
// cannot be reached the receiver answers 503, so that BigCommerce delivers
// the event again later (it retries for about 48 hours), and GET /readyz
// answers 503 too (checked with a 2 s timeout), so that a load balancer can
// send deliveries to a receiver that works. GET /healthz answers 200 while
// the process runs.
//
// The receiver needs only REDIS_URL and the webhook credentials: the shared
// secret header (BIGCOMMERCE_WEBHOOK_SECRET), the Standard Webhooks key
// (BIGCOMMERCE_CLIENT_SECRET), or both, in which case a delivery must carry
// both. It never calls the BigCommerce or Salesforce APIs, so it reads none
// of their credentials. A missing variable stops it at start with a message
// naming everything that is missing.
//
// SIGINT or SIGTERM stops it gracefully: the server stops accepting,
// finishes the requests in flight (at most 15 s) and the program exits 0.
// A second signal ends it at once.
//
// Exit status: 0 after a clean shutdown, 1 on a failure while running (the
// port is taken), 2 on a configuration error.
package main
