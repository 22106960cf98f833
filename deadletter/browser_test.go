package deadletter_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// chromium finds a Chromium to drive, or skips the test; with
// BC2SF_REQUIRE_BROWSER=1 (as CI sets it) a missing browser fails instead.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not on PATH: install it (apt-get install chromium) to run the browser test"
	if os.Getenv("BC2SF_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + "; BC2SF_REQUIRE_BROWSER=1 requires it")
	}
	t.Skip(msg)
	return ""
}

// syncSetup is a real worker on the fakes: a BigCommerce store, a
// Salesforce org, a memory queue and store, and the console on an HTTP
// server at /deadletters/.
type syncSetup struct {
	bc      *bctest.Server
	sf      *sftest.Server
	sfc     *salesforce.Client
	q       *idempotency.MemoryQueue
	console string // the console's URL
}

func newSyncSetup(t *testing.T) *syncSetup {
	t.Helper()
	bc, err := bctest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bc.Close)
	bcc, err := bigcommerce.NewClient(bc.StoreHash(), bc.Token(), bigcommerce.WithBaseURL(bc.URL()),
		bigcommerce.WithRetry(bigcommerce.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sf.Close)
	sfc, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(sf.URL()), salesforce.WithRetry(salesforce.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	q := idempotency.NewMemoryQueue()
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue: q, Store: idempotency.NewMemoryStore(), Orders: bcc.Orders, Graphs: sfc,
		Mapper: m, Backoff: func(int) time.Duration { return 10 * time.Millisecond },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
		q.Close()
	})

	console, err := deadletter.NewConsole(q, deadletter.WithToken("ops", testToken),
		deadletter.WithLogger(discardLogger()),
		deadletter.WithUsage(func(context.Context) (int64, int64, bool) {
			used, limit := sf.DailyUsage()
			return int64(used), int64(limit), true
		}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/deadletters/", http.StripPrefix("/deadletters", console))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &syncSetup{bc: bc, sf: sf, sfc: sfc, q: q, console: srv.URL + "/deadletters/"}
}

// failingOrder adds an order that Salesforce refuses for good: two
// Opportunities already hold its external ID, so the upsert answers 300
// (multiple matches), a data error the worker dead-letters at once. It
// returns the order and the id of one of the two duplicates.
func (s *syncSetup) failingOrder(t *testing.T, i int) (bctest.Order, string) {
	t.Helper()
	o, err := s.bc.AddOrder(bctest.Order{StatusID: 11, TotalIncTax: fmt.Sprintf("%d.25", 40+i),
		BillingAddress: bctest.Address{FirstName: "Ada", LastName: "Lovelace", Email: fmt.Sprintf("ada%d@example.com", i)}})
	if err != nil {
		t.Fatal(err)
	}
	var dup string
	for range 2 {
		if dup, err = s.sf.Seed("Opportunity", sftest.Record{"Name": "duplicate", "StageName": "Prospecting",
			"CloseDate": "2026-01-01", "BigCommerce_Order_Id__c": fmt.Sprint(o.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	body, err := pipeline.EncodeTask(pipeline.Task{OrderID: o.ID, Source: pipeline.SourceWebhook, Scope: "store/order/created"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.q.Enqueue(context.Background(), idempotency.Message{Key: fmt.Sprint("evt:", o.ID), Body: body}); err != nil {
		t.Fatal(err)
	}
	return o, dup
}

// failingCustomer enqueues the sync of customer id, which the worker (built
// without WorkerConfig.Customers) dead-letters at once.
func (s *syncSetup) failingCustomer(t *testing.T, id int64) {
	t.Helper()
	body, err := pipeline.EncodeTask(pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: id, Source: pipeline.SourceWebhook,
		Scope: "store/customer/updated"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.q.Enqueue(context.Background(), idempotency.Message{Key: fmt.Sprint("evt:customer:", id), Body: body}); err != nil {
		t.Fatal(err)
	}
}

// entityRow selects the list's row of the dead letter of one entity.
func entityRow(kind pipeline.Kind, id int64) string {
	return fmt.Sprintf(`tr[data-entity="%s"][data-entity-id="%d"]`, kind, id)
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// synced reports whether order o's Opportunity in the org carries its amount.
func (s *syncSetup) synced(o bctest.Order) bool {
	opp, ok := s.sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(o.ID))
	return ok && fmt.Sprint(opp["Amount"]) == strings.TrimRight(strings.TrimRight(o.TotalIncTax, "0"), ".") &&
		opp["Name"] == fmt.Sprintf("BigCommerce order #%d", o.ID)
}

// TestBrowserReplay drives the console in a real headless Chromium: two
// orders and a customer dead-letter, the operator logs in, sees all three,
// each row named by its kind and id, removes the cause of one order and
// replays it; the row leaves the list and the order reaches Salesforce. A
// second pass does the same for the other order with JavaScript disabled,
// through the plain forms, and deletes the customer's dead letter.
func TestBrowserReplay(t *testing.T) {
	exe := chromium(t)
	s := newSyncSetup(t)
	o1, dup1 := s.failingOrder(t, 1)
	o2, dup2 := s.failingOrder(t, 2)
	const customer = 77
	s.failingCustomer(t, customer)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	waitFor(ctx, t, "three dead letters", func() bool {
		st, err := s.q.Stats(ctx)
		return err == nil && st.Dead == 3
	})
	if s.synced(o1) || s.synced(o2) {
		t.Fatal("an order synced despite the duplicates")
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	t.Run("JavaScript on", func(t *testing.T) {
		// The operator removes the duplicate that blocks order 1.
		if err := s.sfc.Delete(ctx, "Opportunity", dup1); err != nil {
			t.Fatal(err)
		}
		tab, closeTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
		defer closeTab()
		row1 := chromedp.CSS(entityRow(pipeline.KindOrder, o1.ID))
		row2 := chromedp.CSS(entityRow(pipeline.KindOrder, o2.ID))
		rowC := chromedp.CSS(entityRow(pipeline.KindCustomer, customer))
		err := chromedp.Do(tab,
			chromedp.Navigate(s.console),
			login(),
			chromedp.WaitVisible(row1),
			chromedp.WaitVisible(row2),
			chromedp.WaitVisible(rowC),
			chromedp.WaitVisible(chromedp.ID("select-all")), // shown by the script only
		)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		for sel, want := range map[string]string{
			entityRow(pipeline.KindOrder, o1.ID) + " td:nth-child(2)":       fmt.Sprintf("order %d", o1.ID),
			entityRow(pipeline.KindCustomer, customer) + " td:nth-child(2)": fmt.Sprintf("customer %d", customer),
		} {
			if got := text(t, tab, sel); got != want {
				t.Errorf("row names %q, want %q", got, want)
			}
		}
		usage := text(t, tab, `[data-stat="usage"]`)
		if !strings.Contains(usage, " of ") || !strings.HasSuffix(usage, "%)") {
			t.Fatalf("usage shows %q", usage)
		}
		err = chromedp.Do(tab,
			chromedp.Click(row1+` button.replay`),
			chromedp.WaitNotPresent(row1),
			chromedp.WaitVisible(chromedp.ID("flash")),
			chromedp.WaitVisible(row2),
		)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		if flash := text(t, tab, "#flash"); flash != "Replayed 1 dead letter." {
			t.Fatalf("flash %q", flash)
		}
		if location, err := chromedp.Run(tab, chromedp.Location()); err != nil || location != s.console {
			t.Fatalf("after the script's replay the tab is at %s (%v)", location, err)
		}
		waitFor(ctx, t, fmt.Sprintf("order %d in Salesforce", o1.ID), func() bool { return s.synced(o1) })
	})

	t.Run("JavaScript off", func(t *testing.T) {
		if err := s.sfc.Delete(ctx, "Opportunity", dup2); err != nil {
			t.Fatal(err)
		}
		tab, closeTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
		defer closeTab()
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		row2 := chromedp.CSS(entityRow(pipeline.KindOrder, o2.ID))
		rowC := chromedp.CSS(entityRow(pipeline.KindCustomer, customer))
		err := chromedp.Do(tab,
			chromedp.Navigate(s.console),
			login(),
			chromedp.WaitVisible(row2),
		)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		// The script un-hides "select all"; still hidden means it did not run.
		if hidden, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("select-all").hidden`)); err != nil || !hidden {
			t.Fatalf("JavaScript was not disabled (select-all hidden %v, %v)", hidden, err)
		}
		err = chromedp.Do(tab,
			chromedp.Click(row2+` button.replay`),
			chromedp.WaitNotPresent(row2),
			chromedp.WaitVisible(rowC),
		)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		if flash := text(t, tab, "#flash"); flash != "Replayed 1 dead letter." {
			t.Fatalf("flash %q", flash)
		}
		if location, err := chromedp.Run(tab, chromedp.Location()); err != nil || location != s.console+"?done=replayed&n=1" {
			t.Fatalf("after the form the tab is at %s (%v)", location, err)
		}
		waitFor(ctx, t, fmt.Sprintf("order %d in Salesforce", o2.ID), func() bool { return s.synced(o2) })

		// The customer's letter page names it; the operator deletes it.
		err = chromedp.Do(tab,
			chromedp.Click(rowC+` td:nth-child(2) a`),
			chromedp.WaitVisible(chromedp.CSS(`dl.letter`)),
		)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		if h := text(t, tab, "h2"); h != fmt.Sprintf("Customer %d", customer) {
			t.Errorf("letter page heading %q", h)
		}
		err = chromedp.Do(tab,
			chromedp.Click(chromedp.CSS(`form[action="delete"] button.delete`)),
			chromedp.WaitVisible(chromedp.ID("empty")),
		)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
	})
}

// login fills and posts the login form the console redirects to.
func login() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("operator"), "Grace Hopper"),
		chromedp.SendKeys(chromedp.ID("token"), testToken),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.ID("letters")),
	)
}

// text returns the text of the element sel selects.
func text(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}
