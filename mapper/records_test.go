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
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestRecordsGolden compares the Result of each fixture, as JSON, with
// testdata/<name>.golden. Run `go test ./mapper -run Golden -update` after
// an intended change, and review the diff.
func TestRecordsGolden(t *testing.T) {
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
			got, err := json.MarshalIndent(res, "", "  ")
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
				t.Errorf("result differs from %s (run with -update if intended)\ngot:\n%s", path, got)
			}
		})
	}
}

func TestRecordShape(t *testing.T) {
	t.Parallel()
	res := mustMap(t, preciseMoneyOrder(), orderConfig())
	for _, rec := range res.Records {
		if _, ok := rec.Fields[rec.ExternalIDField]; ok {
			t.Errorf("%s body holds the external-ID field", rec.Ref)
		}
		if _, ok := rec.Fields[DefaultPricebookEntryField]; ok {
			t.Errorf("%s body holds a PricebookEntry id, which Map cannot know", rec.Ref)
		}
		if (rec.SObject == "OrderItem") != (rec.ProductKey != "") {
			t.Errorf("%s (%s) product key %q", rec.Ref, rec.SObject, rec.ProductKey)
		}
	}
	raw, _ := json.Marshal(res.Records)
	for _, want := range []string{`"UnitPrice":0.1}`, `"UnitPrice":411.4226}`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("records JSON lacks %s: %s", want, raw)
		}
	}
	opp := mustMap(t, preciseMoneyOrder(), Config{})
	if raw, _ := json.Marshal(opp.Records); !bytes.Contains(raw, []byte(`"Amount":1234.5678,`)) {
		t.Errorf("Amount not byte-exact: %s", raw)
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

// Result.Currency is the CurrencyIsoCode the records carry: the
// transactional currency under MultiCurrency, which the OrderItems'
// PricebookEntries must match, and empty otherwise.
func TestResultCurrency(t *testing.T) {
	t.Parallel()
	multi := orderConfig()
	multi.MultiCurrency = true
	noCode := multiCurrencyOrder()
	noCode.CurrencyCode, noCode.DefaultCurrencyCode = "", ""
	tests := []struct {
		name  string
		order bigcommerce.Order
		cfg   Config
		want  string
	}{
		{"multi-currency order target", multiCurrencyOrder(), multi, "EUR"},
		{"multi-currency opportunity", multiCurrencyOrder(), Config{MultiCurrency: true}, "EUR"},
		{"single currency", multiCurrencyOrder(), orderConfig(), ""},
		{"no currency code", noCode, multi, ""},
	}
	for _, tt := range tests {
		res := mustMap(t, tt.order, tt.cfg)
		if res.Currency != tt.want {
			t.Errorf("%s: Currency %q, want %q", tt.name, res.Currency, tt.want)
		}
		for _, rec := range res.Records {
			if v, ok := rec.Fields["CurrencyIsoCode"]; ok && v != res.Currency {
				t.Errorf("%s: %s CurrencyIsoCode %v, Result.Currency %q", tt.name, rec.Ref, v, res.Currency)
			}
		}
	}
}
