package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// Secret values of the test environment that fakes returns; no output of
// the program may contain them.
const (
	webhookSecret = "shared-webhook-secret-value"  // BIGCOMMERCE_WEBHOOK_SECRET
	clientSecret  = "bc-client-secret-value"       // BIGCOMMERCE_CLIENT_SECRET
	sfSecret      = "sf-client-secret-value"       // SALESFORCE_CLIENT_SECRET
	adminToken    = "admin-token-value-0123456789" // ADMIN_TOKEN
)

// secretVars name the variables whose values must never be printed.
var secretVars = []string{"BIGCOMMERCE_CLIENT_TOKEN", "BIGCOMMERCE_CLIENT_SECRET", "BIGCOMMERCE_WEBHOOK_SECRET", "SALESFORCE_CLIENT_SECRET", "ADMIN_TOKEN"}

// fakes starts a fake store (under the base path /bc) that signs
// deliveries with clientSecret and a fake org accepting the client
// credentials "sf-client-id" and sfSecret, both stopped when the test ends,
// and returns the environment that points the program at them: JSON logs, a
// listener on a free loopback port and 2 workers.
func fakes(tb testing.TB) (*bctest.Server, *sftest.Server, map[string]string) {
	tb.Helper()
	bc, err := bctest.NewServer(bctest.WithBasePath("/bc"), bctest.WithClientSecret(clientSecret))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(bc.Close)
	sf, err := sftest.NewServer(sftest.WithClientCredentials("sf-client-id", sfSecret))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sf.Close)
	return bc, sf, map[string]string{
		"BIGCOMMERCE_STORE_HASH":     bc.StoreHash(),
		"BIGCOMMERCE_CLIENT_TOKEN":   bc.Token(),
		"BIGCOMMERCE_API_URL":        bc.URL(),
		"BIGCOMMERCE_CLIENT_SECRET":  clientSecret,
		"BIGCOMMERCE_WEBHOOK_SECRET": webhookSecret,
		"SALESFORCE_CLIENT_ID":       "sf-client-id",
		"SALESFORCE_CLIENT_SECRET":   sfSecret,
		"SALESFORCE_INSTANCE_URL":    sf.URL(),
		"LISTEN_ADDR":                "127.0.0.1:0",
		"LOG_FORMAT":                 "json",
		"WORKERS":                    "2",
	}
}

// mapEnv returns a getenv that reads env; a missing name gives "".
func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// assertNoSecrets fails the test when out holds the value of any of
// secretVars in env, naming the variable. Empty values are not looked for.
func assertNoSecrets(tb testing.TB, out string, env map[string]string) {
	tb.Helper()
	for _, name := range secretVars {
		if v := env[name]; v != "" && strings.Contains(out, v) {
			tb.Errorf("output contains the value of %s:\n%s", name, out)
		}
	}
}

// itoa formats an order ID as BigCommerce_Order_Id__c holds it.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// addOrder seeds bc with a syncable order (status 11, one line of two mugs
// with SKU MUG-1, 69.84 with tax) and returns its ID.
func addOrder(tb testing.TB, bc *bctest.Server) int64 {
	tb.Helper()
	o, err := bc.AddOrder(bctest.Order{
		StatusID:       11,
		TotalIncTax:    "69.84",
		BillingAddress: bctest.Address{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		LineItems:      []bctest.LineItem{{Name: "Mug", SKU: "MUG-1", Quantity: 2, PriceIncTax: "34.92"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return o.ID
}

// deliver registers, unless bc has hooks already, a hook that sends
// webhookSecret in X-Webhook-Secret to receiverURL, delivers
// store/order/created for order id and fails the test unless the receiver
// answers 2xx.
func deliver(tb testing.TB, bc *bctest.Server, receiverURL string, id int64) {
	tb.Helper()
	if len(bc.Hooks()) == 0 {
		_, err := bc.AddHook(bctest.Hook{
			Scope: "store/order/*", Destination: receiverURL, IsActive: true,
			Headers: map[string]string{"X-Webhook-Secret": webhookSecret},
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	res, err := bc.Deliver(tb.Context(), receiverURL, bctest.EventSpec{OrderID: id})
	if err != nil {
		tb.Fatal(err)
	}
	if !res.Delivered() {
		tb.Fatalf("delivery answered %d: %s", res.StatusCode, res.Body)
	}
}

// deliverStatus delivers the event spec describes to receiverURL and
// returns the status code, whatever it is.
func deliverStatus(tb testing.TB, bc *bctest.Server, receiverURL string, spec bctest.EventSpec) int {
	tb.Helper()
	res, err := bc.Deliver(tb.Context(), receiverURL, spec)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode
}

// waitForRecord waits until sf holds the record of object whose
// BigCommerce_Order_Id__c is order id's, and returns it.
func waitForRecord(tb testing.TB, sf *sftest.Server, object string, id int64, logs *logBuffer) sftest.Record {
	tb.Helper()
	key := itoa(id)
	var rec sftest.Record
	waitFor(tb, "the "+object+" of order "+key, logs, func() bool {
		var ok bool
		rec, ok = sf.RecordByExternalID(object, "BigCommerce_Order_Id__c", key)
		return ok
	})
	return rec
}

// waitForOpportunity waits until sf holds the Opportunity of order id.
func waitForOpportunity(tb testing.TB, sf *sftest.Server, id int64, logs *logBuffer) {
	tb.Helper()
	waitForRecord(tb, sf, "Opportunity", id, logs)
}

// checkpointSaved waits until the reconciler's checkpoint in the Redis at
// url (under idemredis.DefaultCheckpointKey) holds a time, and fails unless
// it lies within the last day.
func checkpointSaved(tb testing.TB, url string, logs *logBuffer) {
	tb.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	cp := idemredis.NewCheckpoint(c, idemredis.DefaultCheckpointKey)
	var got time.Time
	waitFor(tb, "the checkpoint", logs, func() bool {
		got, err = cp.Load(tb.Context())
		if err != nil {
			tb.Fatal(err)
		}
		return !got.IsZero()
	})
	if age := time.Since(got); age < 0 || age > 24*time.Hour {
		tb.Errorf("checkpoint %v, want a time within the last day", got)
	}
}

// status returns the status code of a request without a body, failing the
// test when the request cannot be made or sent.
func status(tb testing.TB, method, url string) int {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
