package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// Secret values of the test environment; no output may contain them.
const (
	testWebhookSecret = "shared-webhook-secret-value"
	testClientSecret  = "bc-client-secret-value"
	testSFSecret      = "sf-client-secret-value"
)

// waitLimit bounds every wait for something asynchronous; it is a deadline
// for a hung test, not a measure of speed.
const waitLimit = 30 * time.Second

// logBuffer collects what the program writes while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakes starts a fake store that signs deliveries with testClientSecret and
// a fake org accepting testSFSecret, and returns the environment that points
// the program at them.
func fakes(t *testing.T) (*bctest.Server, *sftest.Server, map[string]string) {
	t.Helper()
	bc := bctest.New(t, bctest.WithBasePath("/bc"), bctest.WithClientSecret(testClientSecret))
	sf := sftest.NewServer(sftest.WithClientCredentials("sf-client-id", testSFSecret))
	t.Cleanup(sf.Close)
	return bc, sf, map[string]string{
		"BIGCOMMERCE_STORE_HASH":     bc.StoreHash(),
		"BIGCOMMERCE_CLIENT_TOKEN":   bc.Token(),
		"BIGCOMMERCE_API_URL":        bc.URL(),
		"BIGCOMMERCE_CLIENT_SECRET":  testClientSecret,
		"BIGCOMMERCE_WEBHOOK_SECRET": testWebhookSecret,
		"SALESFORCE_CLIENT_ID":       "sf-client-id",
		"SALESFORCE_CLIENT_SECRET":   testSFSecret,
		"SALESFORCE_INSTANCE_URL":    sf.URL(),
		"LISTEN_ADDR":                "127.0.0.1:0",
		"LOG_FORMAT":                 "json",
		"WORKERS":                    "2",
	}
}

// program is one run of the program inside the test.
type program struct {
	URL  string // http://host:port of its listener
	logs *logBuffer
	stop context.CancelFunc
	code chan int
}

// start runs the program with env until the test ends (or Stop) and waits
// until it listens.
func start(t *testing.T, env map[string]string) *program {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &program{logs: &logBuffer{}, stop: cancel, code: make(chan int, 1)}
	go func() { p.code <- run(ctx, mapEnv(env), p.logs) }()
	t.Cleanup(func() {
		cancel()
		<-p.code
	})
	p.URL = "http://" + p.waitListening(t)
	return p
}

// Stop cancels the program's context and returns its exit code.
func (p *program) Stop(t *testing.T) int {
	t.Helper()
	p.stop()
	select {
	case code := <-p.code:
		p.code <- code // for the cleanup
		return code
	case <-time.After(waitLimit):
		t.Fatalf("program did not stop; logs:\n%s", p.logs)
		return -1
	}
}

// waitListening reads the JSON log until the "listening" line names the
// address.
func (p *program) waitListening(t *testing.T) string {
	t.Helper()
	var addr string
	waitFor(t, "the listening log line", p.logs, func() bool {
		for line := range strings.Lines(p.logs.String()) {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr = rec.Addr
				return true
			}
		}
		select {
		case code := <-p.code:
			p.code <- code
			t.Fatalf("program exited with %d before listening; logs:\n%s", code, p.logs)
		default:
		}
		return false
	})
	return addr
}

// assertNoSecrets fails when out holds any secret of the test environment.
func assertNoSecrets(t *testing.T, out string, env map[string]string) {
	t.Helper()
	for _, name := range []string{"BIGCOMMERCE_CLIENT_TOKEN", "BIGCOMMERCE_CLIENT_SECRET", "BIGCOMMERCE_WEBHOOK_SECRET", "SALESFORCE_CLIENT_SECRET"} {
		if v := env[name]; v != "" && strings.Contains(out, v) {
			t.Errorf("output contains the value of %s:\n%s", name, out)
		}
	}
}

func mapEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// waitFor polls cond until it holds, failing the test after waitLimit.
func waitFor(t *testing.T, what string, logs *logBuffer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s; logs:\n%s", what, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// status returns the status code of a request without a body.
func status(t *testing.T, method, url string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// addOrder seeds a syncable order.
func addOrder(t *testing.T, bc *bctest.Server) int64 {
	t.Helper()
	o, err := bc.AddOrder(bctest.Order{
		StatusID:       11,
		TotalIncTax:    "69.84",
		BillingAddress: bctest.Address{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		LineItems:      []bctest.LineItem{{Name: "Mug", SKU: "MUG-1", Quantity: 2, PriceIncTax: "34.92"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// deliver registers a hook that sends the shared-secret header to
// receiverURL, delivers store/order/created for order id and fails the test
// unless the receiver answers 2xx.
func deliver(t *testing.T, bc *bctest.Server, receiverURL string, id int64) {
	t.Helper()
	if len(bc.Hooks()) == 0 {
		_, err := bc.AddHook(bctest.Hook{
			Scope: "store/order/*", Destination: receiverURL, IsActive: true,
			Headers: map[string]string{"X-Webhook-Secret": testWebhookSecret},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := bc.Deliver(t.Context(), receiverURL, bctest.EventSpec{OrderID: id})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Delivered() {
		t.Fatalf("delivery answered %d: %s", res.StatusCode, res.Body)
	}
}

// waitForOpportunity waits until the fake org holds the Opportunity of
// order id.
func waitForOpportunity(t *testing.T, sf *sftest.Server, id int64, logs *logBuffer) {
	t.Helper()
	key := itoa(id)
	waitFor(t, "the Opportunity of order "+key, logs, func() bool {
		_, ok := sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", key)
		return ok
	})
}
