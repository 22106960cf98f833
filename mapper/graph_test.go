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
		name  string
		order bigcommerce.Order
		cfg   Config
	}{
		{"opportunity_registered", registeredOrder(), Config{}},
		{"opportunity_guest_no_email", guestNoEmailOrder(), Config{}},
		{"opportunity_apostrophe_email", apostropheEmailOrder(), Config{}},
		{"opportunity_unicode", unicodeOrder(), Config{}},
		{"opportunity_long_names", longNameOrder(), Config{}},
		{"opportunity_multicurrency_extid", multiCurrencyOrder(), Config{MultiCurrency: true, Link: LinkByExternalID}},
		{"opportunity_precise_money", preciseMoneyOrder(), Config{Extra: []ExtraField{
			{Object: "Opportunity", Field: "Payment_Method__c", From: "payment_method"},
			{Object: "Opportunity", Field: "Subtotal__c", From: "subtotal_ex_tax"},
		}}},
		{"order_lines", registeredOrder(), orderConfig()},
		{"order_empty_sku", emptySKUOrder(), orderConfig()},
		{"order_bundle", bundleOrder(), orderConfig()},
		{"order_precise_money_extid", preciseMoneyOrder(), func() Config { c := orderConfig(); c.Link = LinkByExternalID; return c }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustMap(t, tc.order, tc.cfg)
			g, err := res.Graph("o"+res.Records[len(res.Records)-1].ExternalID, "v64.0", PricebookEntryMap(entriesFor(res.ProductKeys())))
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
