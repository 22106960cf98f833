package mapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/salesforce"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGraphGolden compares the Composite Graph request for each fixture
// with testdata/<name>.golden. Run `go test ./mapper -run Golden -update`
// after an intended change, and review the diff.
func TestGraphGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		order    bigcommerce.Order
		cfg      Config
		existing bool // the Order and every OrderItem already exist
	}{
		{"opportunity_registered", registeredOrder(), Config{}, false},
		{"opportunity_guest_no_email", guestNoEmailOrder(), Config{}, false},
		{"opportunity_apostrophe_email", apostropheEmailOrder(), Config{}, false},
		{"opportunity_unicode", unicodeOrder(), Config{}, false},
		{"opportunity_long_names", longNameOrder(), Config{}, false},
		{"opportunity_multicurrency_extid", multiCurrencyOrder(), Config{MultiCurrency: true, Link: LinkByExternalID}, false},
		{"opportunity_precise_money", preciseMoneyOrder(), Config{Extra: []ExtraField{
			{Object: "Opportunity", Field: "Payment_Method__c", From: "payment_method"},
			{Object: "Opportunity", Field: "Subtotal__c", From: "subtotal_ex_tax"},
		}}, false},
		{"order_lines", registeredOrder(), orderConfig(), false},
		{"order_empty_sku", emptySKUOrder(), orderConfig(), false},
		{"order_bundle", bundleOrder(), orderConfig(), false},
		{"order_precise_money_extid", preciseMoneyOrder(), func() Config { c := orderConfig(); c.Link = LinkByExternalID; return c }(), false},
		{"order_lines_existing", registeredOrder(), orderConfig(), true},
		{"order_precise_money_extid_existing", preciseMoneyOrder(), func() Config { c := orderConfig(); c.Link = LinkByExternalID; return c }(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustMap(t, tc.order, tc.cfg)
			id := "o" + res.Records[len(res.Records)-1].ExternalID
			g, err := res.Graph(id, "v64.0", PricebookEntryMap(entriesFor(res.ProductKeys())))
			if tc.existing {
				all := func(string) bool { return true }
				g, err = res.GraphWith(id, "v64.0", GraphOptions{ExistingLineItems: all, ExistingOrders: all})
			}
			if err != nil {
				t.Fatalf("Graph: %v", err)
			}
			got, err := json.MarshalIndent(salesforce.GraphRequest{Graphs: []salesforce.Graph{g}}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("graph differs from %s (run with -update if intended)\ngot:\n%s", path, got)
			}
		})
	}
}

func TestGraphShape(t *testing.T) {
	t.Parallel()
	res := mustMap(t, preciseMoneyOrder(), orderConfig())
	entries := entriesFor(res.ProductKeys())
	g, err := res.Graph("g229", "v64.0", PricebookEntryMap(entries))
	if err != nil {
		t.Fatal(err)
	}
	if g.GraphID != "g229" || len(g.CompositeRequest) != len(res.Records) {
		t.Fatalf("graph %s with %d nodes", g.GraphID, len(g.CompositeRequest))
	}
	for i, sub := range g.CompositeRequest {
		rec := res.Records[i]
		wantURL := salesforce.UpsertPath("v64.0", rec.SObject, rec.ExternalIDField, rec.ExternalID)
		if sub.Method != "PATCH" || sub.URL != wantURL || sub.ReferenceID != rec.Ref {
			t.Errorf("node %d: %s %s %s", i, sub.Method, sub.URL, sub.ReferenceID)
		}
		body := sub.Body.(map[string]any)
		if _, ok := body[rec.ExternalIDField]; ok {
			t.Errorf("node %d body holds the external-ID field", i)
		}
		if rec.ProductKey != "" && body["PricebookEntryId"] != entries[rec.ProductKey] {
			t.Errorf("node %d PricebookEntryId %v", i, body["PricebookEntryId"])
		}
		if _, ok := rec.Fields["PricebookEntryId"]; ok {
			t.Error("Graph wrote into the Result's records")
		}
	}
	raw, _ := json.Marshal(g)
	for _, want := range []string{`"UnitPrice":0.1}`, `"UnitPrice":411.4226`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("graph JSON lacks %s: %s", want, raw)
		}
	}
	opp := mustMap(t, preciseMoneyOrder(), Config{})
	og, err := opp.Graph("g1", "v64.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(og); !bytes.Contains(raw, []byte(`"Amount":1234.5678,`)) {
		t.Errorf("Amount not byte-exact: %s", raw)
	}
}

func TestGraphErrors(t *testing.T) {
	t.Parallel()
	res := mustMap(t, registeredOrder(), orderConfig())
	all := PricebookEntryMap(entriesFor(res.ProductKeys()))
	_, err := res.Graph("g1", "v64.0", PricebookEntryMap(map[string]string{"WID-1": "01u000000000001"}))
	var missing *MissingPricebookEntryError
	if !errors.As(err, &missing) || !errors.Is(err, ErrMissingPricebookEntry) || missing.ProductKey != "WID-2" || missing.LineItemID != "102" {
		t.Fatalf("missing entry: %v", err)
	}
	if !strings.Contains(err.Error(), `"WID-2"`) {
		t.Errorf("error %q does not name the key", err)
	}
	if _, err := res.Graph("g1", "v64.0", nil); !errors.Is(err, ErrMissingPricebookEntry) {
		t.Errorf("nil resolver: %v", err)
	}
	for _, tc := range []struct{ id, version string }{
		{"", "v64.0"}, {"_g", "v64.0"}, {"g.1", "v64.0"}, {strings.Repeat("g", 41), "v64.0"},
		{"g1", "64.0"}, {"g1", "v64"}, {"g1", "v64."}, {"g1", "v.0"}, {"g1", "v6x.0"}, {"g1", ""},
	} {
		if _, err := res.Graph(tc.id, tc.version, all); !errors.Is(err, ErrInvalidGraph) {
			t.Errorf("Graph(%q, %q): %v", tc.id, tc.version, err)
		}
	}
	bad := PricebookEntryMap(map[string]string{"WID-1": "not an id", "WID-2": "01u000000000001"})
	if _, err := res.Graph("g1", "v64.0", bad); !errors.Is(err, ErrInvalidGraph) {
		t.Errorf("malformed entry id: %v", err)
	}
	big := bundleOrder()
	var lines []bigcommerce.OrderProduct
	for i := int64(1); i <= MaxGraphNodes; i++ {
		lines = append(lines, line(i, "S", 1, "1"))
	}
	big = withLines(big, lines...)
	bigRes := mustMap(t, big, orderConfig())
	if _, err := bigRes.Graph("g1", "v64.0", func(string) (string, bool) { return "01u000000000001", true }); !errors.Is(err, ErrInvalidGraph) {
		t.Errorf("%d records: %v", len(bigRes.Records), err)
	}
}

func TestProductKeysDistinctSorted(t *testing.T) {
	t.Parallel()
	o := withLines(registeredOrder(), line(1, "B", 1, "1"), line(2, "A", 1, "1"), line(3, "B", 2, "1"))
	res := mustMap(t, o, orderConfig())
	if got := strings.Join(res.ProductKeys(), ","); got != "A,B" {
		t.Errorf("ProductKeys %s", got)
	}
	if keys := mustMap(t, o, Config{}).ProductKeys(); keys != nil {
		t.Errorf("opportunity ProductKeys %v", keys)
	}
}

func TestGraphWithExistingRecords(t *testing.T) {
	t.Parallel()
	custom := orderConfig()
	custom.Fields.PricebookEntryLookup = "Entry__c"
	custom.Fields.OrderLookup = "Parent_Order__c"
	extID := orderConfig()
	extID.Link = LinkByExternalID
	tests := []struct {
		name          string
		cfg           Config
		existingItems map[string]bool // by line id
		existingOrder bool
		// want lists, per record ref, the body fields that must be there
		// (true) or absent (false).
		want map[string]map[string]bool
	}{
		{
			name: "all new", cfg: orderConfig(),
			want: map[string]map[string]bool{
				"order": {"Status": true, "Pricebook2Id": true, "AccountId": true},
				"item1": {"OrderId": true, "PricebookEntryId": true, "Quantity": true, "UnitPrice": true},
				"item2": {"OrderId": true, "PricebookEntryId": true},
			},
		},
		{
			name: "one item exists", cfg: orderConfig(), existingItems: map[string]bool{"101": true}, existingOrder: true,
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
			res := mustMap(t, registeredOrder(), tc.cfg)
			g, err := res.GraphWith("g1", "v64.0", GraphOptions{
				PricebookEntries:  PricebookEntryMap(entriesFor(res.ProductKeys())),
				ExistingLineItems: func(id string) bool { return tc.existingItems[id] },
				ExistingOrders:    func(id string) bool { return tc.existingOrder && id == "218" },
			})
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
						t.Error("GraphWith wrote into the Result's records")
					}
				} else if _, ok := rec.Fields["Status"]; rec.Ref == "order" && !ok {
					t.Error("GraphWith removed Status from the Result's Order record")
				}
			}
		})
	}
}

func TestGraphWithExistingItemNeedsNoPricebookEntry(t *testing.T) {
	t.Parallel()
	res := mustMap(t, registeredOrder(), orderConfig())
	exists := func(id string) bool { return id == "101" }
	// Only WID-2 (line 102) is new, so only its key must resolve.
	only2 := PricebookEntryMap(map[string]string{"WID-2": "01u000000000002"})
	if _, err := res.GraphWith("g1", "v64.0", GraphOptions{PricebookEntries: only2, ExistingLineItems: exists}); err != nil {
		t.Fatalf("existing line needed an entry: %v", err)
	}
	only1 := PricebookEntryMap(map[string]string{"WID-1": "01u000000000001"})
	_, err := res.GraphWith("g1", "v64.0", GraphOptions{PricebookEntries: only1, ExistingLineItems: exists})
	var missing *MissingPricebookEntryError
	if !errors.As(err, &missing) || missing.LineItemID != "102" {
		t.Fatalf("new line without entry: %v", err)
	}
	all := func(string) bool { return true }
	if _, err := res.GraphWith("g1", "v64.0", GraphOptions{ExistingLineItems: all}); err != nil {
		t.Errorf("every line exists, nil resolver: %v", err)
	}
}

func TestGraphEqualsGraphWithNothingExisting(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{}, orderConfig()} {
		res := mustMap(t, registeredOrder(), cfg)
		entries := PricebookEntryMap(entriesFor(res.ProductKeys()))
		g1, err1 := res.Graph("g1", "v64.0", entries)
		none := func(string) bool { return false }
		g2, err2 := res.GraphWith("g1", "v64.0", GraphOptions{PricebookEntries: entries, ExistingLineItems: none, ExistingOrders: none})
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		a, _ := json.Marshal(g1)
		b, _ := json.Marshal(g2)
		if !bytes.Equal(a, b) {
			t.Errorf("%s target: Graph and GraphWith differ:\n%s\n%s", cfg.Target, a, b)
		}
	}
}

func TestCreateOnlyFieldsFromConfig(t *testing.T) {
	t.Parallel()
	cfg := orderConfig()
	cfg.Fields.PricebookEntryLookup = "Entry__c"
	cfg.Fields.OrderLookup = "Parent_Order__c"
	res := mustMap(t, registeredOrder(), cfg)
	for _, rec := range res.Records {
		got := strings.Join(rec.CreateOnly, ",")
		want := ""
		switch {
		case rec.Ref == "order":
			want = "Status,Pricebook2Id"
		case rec.SObject == "OrderItem":
			want = "Parent_Order__c,Entry__c"
			if rec.PricebookEntryField != "Entry__c" {
				t.Errorf("%s PricebookEntryField %q", rec.Ref, rec.PricebookEntryField)
			}
		}
		if got != want {
			t.Errorf("%s CreateOnly %q, want %q", rec.Ref, got, want)
		}
	}
	if _, err := New(Config{Fields: Fields{PricebookEntryLookup: "bad name"}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("invalid PricebookEntryLookup: %v", err)
	}
	bad := orderConfig()
	bad.Extra = []ExtraField{{Object: "OrderItem", Field: "Entry__c", Value: "x"}}
	bad.Fields.PricebookEntryLookup = "Entry__c"
	if _, err := New(bad); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("extra field replacing the PricebookEntry lookup: %v", err)
	}
}
