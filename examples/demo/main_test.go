package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

// testSecrets are known to the test, so it can check they never show.
var testSecrets = secrets{webhook: "demo-test-hook-value-7d3e", client: "demo-test-client-secret-51aa"}

func runDemo(t *testing.T) (stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	if err := runWith(context.Background(), &out, &errs, testSecrets); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errs.String())
	}
	return out.String(), errs.String()
}

func TestReport(t *testing.T) {
	t.Parallel()
	out, _ := runDemo(t)
	tests := []struct {
		name    string
		pattern string
		want    int // how many lines match
	}{
		{"counts", `Orders: 10 seeded, 10 taken from the queue, 9 synced, 1 skipped, 0 dead-lettered`, 1},
		{"every syncable order one Opportunity", `^  Opportunity\s+BigCommerce_Order_Id__c=1\d\d\s`, 9},
		{"registered customer", `Opportunity\s+BigCommerce_Order_Id__c=100\s+Amount 36\.9 USD\s+\(total_inc_tax 36\.9000\)\s+Closed Won 2026-03-05\s+Account "Analytical Engines Ltd"`, 1},
		{"repeat customer", `Opportunity\s+BigCommerce_Order_Id__c=101\s+Amount 120\.5 USD\s+\(total_inc_tax 120\.5000\)`, 1},
		{"repeat customer: one Account", `Account\s+BigCommerce_Customer_Key__c=ada@example%2Ecom\s`, 1},
		{"repeat customer: one Contact", `Contact\s+BigCommerce_Customer_Key__c=ada@example%2Ecom\s+Ada Lovelace <ada@example\.com>`, 1},
		{"guest", `Opportunity\s+BigCommerce_Order_Id__c=102\s+Amount 7\.25 USD\s.*Account "Grace Hopper"`, 1},
		{"mixed-case e-mail lower-cased", `Account\s+BigCommerce_Customer_Key__c=alan\.turing@example%2Ecom\s`, 1},
		{"no upper-case key", `BigCommerce_Customer_Key__c=\S*[A-DG-Z]`, 0},
		{"empty SKU", `Opportunity\s+BigCommerce_Order_Id__c=104\s+Amount 19\.99 USD`, 1},
		{"bundle", `Opportunity\s+BigCommerce_Order_Id__c=105\s+Amount 89 USD`, 1},
		{"euros", `Opportunity\s+BigCommerce_Order_Id__c=106\s+Amount 54\.73 EUR`, 1},
		{"Incomplete not in Salesforce", `BigCommerce_Order_Id__c=107`, 0},
		{"Incomplete skipped", `order 107 skipped: status_not_synced: `, 1},
		{"unicode", `Contact\s+BigCommerce_Customer_Key__c=zoe@example%2Ese\s+Zoë Ångström-Ñúñez <zoe@example\.se>`, 1},
		{"no e-mail", `Opportunity\s+BigCommerce_Order_Id__c=109\s+Amount 12 USD\s.*Account "bc-order-109"`, 1},
		{"redelivery deduplicated", `200 OK\s+order 100 created, again\s+joins its order's queued sync: not queued twice`, 1},
		{"forged", `^  401 Unauthorized\s+forged credentials`, 1},
		{"malformed", `^  400 Bad Request\s+malformed envelope`, 1},
		{"fallbacks", `order 109\s+email_missing\s`, 1},
		{"e-mail normalized", `order 103\s+email_normalized\s`, 1},
		{"the store's calls", `BigCommerce\s+\d+ calls\s+.*1 × POST /v3/hooks$`, 1},
		{"at most one read per order", `^\s+10 orders read with the line items inlined, in ([1-9]|10) calls? `, 1},
		{"Salesforce calls are graph calls", `Salesforce\s+\d+ API calls?\s+\d+ × POST /composite/graph$`, 1},
		{"one token", `1 token request \(OAuth`, 1},
		{"changes", `After the sync: 2 changes in the store, 4 webhooks`, 1},
		{"status change", `order 103\s+cancelled \(store/order/statusUpdated, store/order/updated\)\s+Opportunity Closed Lost\s+BigCommerce_Status__c "Cancelled"\s+BigCommerce_Refunded_Amount__c 0$`, 1},
		{"refund", `order 102\s+refunded in part \(store/order/refund/created, store/order/statusUpdated\)\s+Opportunity Closed Won\s+BigCommerce_Status__c "Partially Refunded"\s+BigCommerce_Refunded_Amount__c 2\.25$`, 1},
		{"refunded order keeps its amount", `Opportunity\s+BigCommerce_Order_Id__c=102\s+Amount 7\.25 USD`, 1},
		{"cancelled order read back", `Opportunity\s+BigCommerce_Order_Id__c=103\s.*Closed Lost`, 1},
		{"changes cost one fetch per order", `they cost\s+BigCommerce 2 calls\s+2 × GET /v2/orders/\{id\}: one per changed order`, 1},
		{"changes cost graph calls only", `Salesforce (\d+) API calls?\s+\d+ Composite Graph calls?$`, 1},
		{"customer edit", `customer 1\s+store/customer/updated\s+synced\s+Contact BigCommerce_Customer_Key__c=ada@example%2Ecom\s+Phone "\+44 20 7946 0018"$`, 1},
		{"customer edit costs one read", `it cost\s+BigCommerce 1 call\s+1 × GET /v3/customers: `, 1},
		{"customer edit costs one write", `Salesforce 1 API call\s+1 Composite Graph call: her Account and Contact$`, 1},
	}
	lines := strings.Split(out, "\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(tt.pattern)
			got := 0
			for _, l := range lines {
				if re.MatchString(l) {
					got++
				}
			}
			if got != tt.want {
				t.Errorf("%d lines match %q, want %d; report:\n%s", got, tt.pattern, tt.want, out)
			}
		})
	}
}

// TestReportRepeats runs the demo twice: the reports are the same but for
// the lines that depend on how the orders were batched.
func TestReportRepeats(t *testing.T) {
	t.Parallel()
	first, _ := runDemo(t)
	second, _ := runDemo(t)
	if a, b := stable(first), stable(second); a != b {
		t.Errorf("reports differ:\n%s\n---\n%s", a, b)
	}
}

// stable drops the lines that count calls, and the padding that their
// width gives the lines of their column.
func stable(report string) string {
	var keep []string
	for _, l := range strings.Split(report, "\n") {
		if !strings.Contains(l, "Composite Graph call") && !strings.Contains(l, "API call") &&
			!strings.Contains(l, "BigCommerce ") && !strings.Contains(l, "orders read") {
			keep = append(keep, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(keep, "\n")
}

func TestSecretsStayHidden(t *testing.T) {
	t.Parallel()
	out, errs := runDemo(t)
	if !strings.Contains(errs, "status=401") {
		t.Errorf("stderr does not log the rejected delivery:\n%s", errs)
	}
	for _, secret := range []string{testSecrets.webhook, testSecrets.client} {
		if strings.Contains(out, secret) || strings.Contains(errs, secret) {
			t.Errorf("a secret appears in the output")
		}
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "secrets", testSecrets)
	for _, s := range []string{fmt.Sprint(testSecrets), fmt.Sprintf("%+v", testSecrets), fmt.Sprintf("%#v", testSecrets), logged.String()} {
		if strings.Contains(s, "demo-test") {
			t.Errorf("a secrets value shows when printed: %s", s)
		}
	}
}

func TestRunStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errs bytes.Buffer
	if err := run(ctx, &out, &errs); err == nil {
		t.Errorf("run with a cancelled context returned nil; report:\n%s", out.String())
	}
}
