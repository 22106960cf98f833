package pipeline

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/shopspring/decimal"
)

// twoLineOrder is order 218 with lines 101 (WID-1) and 102 (WID-2).
func twoLineOrder() *bigcommerce.Order {
	line := func(id int64, sku string) bigcommerce.OrderProduct {
		return bigcommerce.OrderProduct{ID: id, ProductID: id, Name: "Widget " + sku, SKU: sku, Quantity: 1,
			PriceIncTax: decimal.RequireFromString("10.50")}
	}
	return &bigcommerce.Order{
		ID: 218, StatusID: bigcommerce.StatusAwaitingFulfillment,
		DateCreated: time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC), TotalIncTax: decimal.RequireFromString("21"),
		BillingAddress: bigcommerce.Address{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		Consignments: &bigcommerce.Consignments{Shipping: []bigcommerce.Consignment{{
			ID: 1, LineItems: []bigcommerce.OrderProduct{line(101, "WID-1"), line(102, "WID-2")},
		}}},
	}
}

func orderTargetConfig() mapper.Config {
	return mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: "01s000000000001AAA"}
}

func mapOrder(t *testing.T, cfg mapper.Config) (mapper.Result, mapper.Objects) {
	t.Helper()
	m, err := mapper.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Map(twoLineOrder())
	if err != nil {
		t.Fatal(err)
	}
	return res, m.Config().Objects
}

var bothEntries = map[priceKey]string{{"WID-1", ""}: "01u000000000001AAA", {"WID-2", ""}: "01u000000000002AAA"}

func TestOrderGraphExistingRecords(t *testing.T) {
	t.Parallel()
	custom := orderTargetConfig()
	custom.Fields.PricebookEntryLookup = "Entry__c"
	custom.Fields.OrderLookup = "Parent_Order__c"
	extID := orderTargetConfig()
	extID.Link = mapper.LinkByExternalID
	tests := []struct {
		name          string
		cfg           mapper.Config
		existingItems map[string]bool // by line id
		existingOrder bool
		// want lists, per record ref, the body fields that must be there
		// (true) or absent (false).
		want map[string]map[string]bool
	}{
		{
			name: "all new", cfg: orderTargetConfig(),
			want: map[string]map[string]bool{
				"order": {"Status": true, "Pricebook2Id": true, "AccountId": true},
				"item1": {"OrderId": true, "PricebookEntryId": true, "Quantity": true, "UnitPrice": true},
				"item2": {"OrderId": true, "PricebookEntryId": true},
			},
		},
		{
			name: "one item exists", cfg: orderTargetConfig(), existingItems: map[string]bool{"101": true}, existingOrder: true,
			want: map[string]map[string]bool{
				"order":   {"Status": false, "Pricebook2Id": false, "AccountId": true, "EffectiveDate": true},
				"item1":   {"OrderId": false, "PricebookEntryId": false, "Quantity": true, "UnitPrice": true, "Description": true},
				"item2":   {"OrderId": true, "PricebookEntryId": true},
				"account": {"Name": true},
			},
		},
		{
			name: "configured names", cfg: custom, existingItems: map[string]bool{"102": true},
			want: map[string]map[string]bool{
				"order": {"Status": true, "Pricebook2Id": true},
				"item1": {"Parent_Order__c": true, "Entry__c": true, "PricebookEntryId": false},
				"item2": {"Parent_Order__c": false, "Entry__c": false, "Quantity": true},
			},
		},
		{
			name: "link by external id", cfg: extID, existingItems: map[string]bool{"101": true, "102": true},
			want: map[string]map[string]bool{
				"order": {"Status": true},
				"item1": {"Order": false, "PricebookEntryId": false, "UnitPrice": true},
				"item2": {"Order": false, "PricebookEntryId": false},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, objects := mapOrder(t, tc.cfg)
			found := &existing{items: map[string]bool{}, orders: map[string]bool{}}
			for id := range tc.existingItems {
				found.items[id] = true
			}
			found.orders["218"] = tc.existingOrder
			g, err := orderGraph("order_218", &res, &lookup{objects: objects, found: found, entries: bothEntries})
			if err != nil {
				t.Fatal(err)
			}
			bodies := map[string]map[string]any{}
			for _, sub := range g.CompositeRequest {
				bodies[sub.ReferenceID] = sub.Body.(map[string]any)
			}
			for ref, fields := range tc.want {
				for f, present := range fields {
					if _, ok := bodies[ref][f]; ok != present {
						t.Errorf("%s.%s present=%v, want %v (body %v)", ref, f, ok, present, bodies[ref])
					}
				}
			}
			for _, rec := range res.Records {
				if rec.SObject == "OrderItem" {
					if _, ok := rec.Fields[rec.PricebookEntryField]; ok {
						t.Error("orderGraph wrote into the Result's records")
					}
				} else if _, ok := rec.Fields["Status"]; rec.Ref == "order" && !ok {
					t.Error("orderGraph removed Status from the Result's Order record")
				}
			}
		})
	}
}

func TestOrderGraphPricebookEntries(t *testing.T) {
	t.Parallel()
	res, objects := mapOrder(t, orderTargetConfig())
	item101 := &existing{items: map[string]bool{"101": true}, orders: map[string]bool{}}
	// Only WID-2 (line 102) is new, so only its key must resolve.
	only2 := map[priceKey]string{{"WID-2", ""}: "01u000000000002AAA"}
	g, err := orderGraph("g1", &res, &lookup{objects: objects, found: item101, entries: only2})
	if err != nil {
		t.Fatalf("existing line needed an entry: %v", err)
	}
	if got := g.CompositeRequest[len(g.CompositeRequest)-1].Body.(map[string]any)["PricebookEntryId"]; got != "01u000000000002AAA" {
		t.Errorf("new line's PricebookEntryId = %v", got)
	}
	only1 := map[priceKey]string{{"WID-1", ""}: "01u000000000001AAA"}
	_, err = orderGraph("g1", &res, &lookup{objects: objects, found: item101, entries: only1})
	var missing *missingEntryError
	if !errors.As(err, &missing) || missing.lineItemID != "102" || !strings.Contains(err.Error(), `"WID-2"`) {
		t.Fatalf("new line without entry: %v", err)
	}
	if kind, _ := classify(err); kind != kindData {
		t.Errorf("missing entry classified %v, want a data error", kind)
	}
	all := &existing{items: map[string]bool{"101": true, "102": true}, orders: map[string]bool{"218": true}}
	if _, err := orderGraph("g1", &res, &lookup{objects: objects, found: all}); err != nil {
		t.Errorf("every line exists, no entries: %v", err)
	}
}

func TestOrderGraphOpportunityTarget(t *testing.T) {
	t.Parallel()
	res, _ := mapOrder(t, mapper.Config{})
	g, err := orderGraph("order_218", &res, &lookup{})
	if err != nil {
		t.Fatal(err)
	}
	if err := (salesforce.GraphRequest{Graphs: []salesforce.Graph{g}}).Validate(); err != nil {
		t.Fatal(err)
	}
	for i, sub := range g.CompositeRequest {
		rec := res.Records[i]
		want, err := salesforce.UpsertPath("v64.0", rec.SObject, rec.ExternalIDField, rec.ExternalID)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Method != "PATCH" || "/services/data/v64.0/"+sub.URL != want || sub.ReferenceID != rec.Ref {
			t.Errorf("node %d: %s %s %s", i, sub.Method, sub.URL, sub.ReferenceID)
		}
	}
	if _, err := orderGraph(strings.Repeat("g", salesforce.MaxGraphIDLen+1), &res, &lookup{}); !errors.Is(err, salesforce.ErrInvalidGraph) {
		t.Errorf("graph id too long: %v", err)
	} else if kind, _ := classify(err); kind != kindData {
		t.Errorf("invalid graph classified %v, want a data error", kind)
	}
}

// In a multi-currency org an item gets the entry of its order's currency,
// and an order without an entry in its currency, or without a currency,
// fails naming the product and the currency.
func TestOrderGraphCurrency(t *testing.T) {
	t.Parallel()
	cfg := orderTargetConfig()
	cfg.MultiCurrency = true
	m, err := mapper.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	eur := twoLineOrder()
	eur.DefaultCurrencyCode = "EUR"
	res, err := m.Map(eur)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[priceKey]string{
		{"WID-1", "USD"}: "01u000000000011AAA", {"WID-1", "EUR"}: "01u000000000012AAA",
		{"WID-2", "EUR"}: "01u000000000022AAA", {"WID-2", ""}: "01u000000000020AAA",
	}
	l := &lookup{objects: m.Config().Objects, entries: entries, multiCurrency: true}
	g, err := orderGraph("g1", &res, l)
	if err != nil {
		t.Fatal(err)
	}
	n := len(g.CompositeRequest)
	for i, want := range []string{"01u000000000012AAA", "01u000000000022AAA"} {
		if got := g.CompositeRequest[n-2+i].Body.(map[string]any)["PricebookEntryId"]; got != want {
			t.Errorf("item%d PricebookEntryId %v, want the EUR entry %s", i+1, got, want)
		}
	}
	delete(entries, priceKey{"WID-2", "EUR"})
	_, err = orderGraph("g1", &res, l)
	if err == nil || !strings.Contains(err.Error(), `"WID-2" in currency EUR`) {
		t.Errorf("no EUR entry for WID-2: %v", err)
	}
	noCurrency := twoLineOrder()
	noCurrency.DefaultCurrencyCode, noCurrency.CurrencyCode = "", ""
	if res, err = m.Map(noCurrency); err != nil {
		t.Fatal(err)
	}
	_, err = orderGraph("g1", &res, l)
	if !errors.Is(err, errMissingPricebookEntry) || !strings.Contains(err.Error(), "no currency code") {
		t.Errorf("order without currency: %v", err)
	}
}
