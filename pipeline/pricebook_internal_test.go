package pipeline

import (
	"encoding/json"
	"testing"
)

func TestEntryKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, field, id, key, currency string
		wantErr                             bool
	}{
		{"nested", `{"attributes":{},"Id":"01u1","Product2":{"BigCommerce_Product_Key__c":"SKU-1"}}`, "Product2.BigCommerce_Product_Key__c", "01u1", "SKU-1", "", false},
		{"flat", `{"Id":"01u2","ProductCode":"P"}`, "ProductCode", "01u2", "P", "", false},
		{"currency", `{"Id":"01u5","ProductCode":"P","CurrencyIsoCode":"EUR"}`, "ProductCode", "01u5", "P", "EUR", false},
		{"null parent", `{"Id":"01u3","Product2":null,"CurrencyIsoCode":"USD"}`, "Product2.ProductCode", "01u3", "", "USD", false},
		{"no id", `{"ProductCode":"P"}`, "ProductCode", "", "", "", true},
		{"not an object", `[1]`, "ProductCode", "", "", "", true},
		{"key not a string", `{"Id":"01u4","ProductCode":5,"CurrencyIsoCode":7}`, "ProductCode", "01u4", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, key, currency, err := entryKey(json.RawMessage(tt.raw), tt.field)
			if (err != nil) != tt.wantErr || id != tt.id || key != tt.key || currency != tt.currency {
				t.Errorf("entryKey = %q, %q, %q, %v; want %q, %q, %q, error %v", id, key, currency, err, tt.id, tt.key, tt.currency, tt.wantErr)
			}
		})
	}
}

// FuzzEntryKey feeds query records, which come from the network, to
// entryKey: it must never panic, and a record it accepts has an Id.
func FuzzEntryKey(f *testing.F) {
	f.Add([]byte(`{"Id":"01u1","Product2":{"BigCommerce_Product_Key__c":"SKU-1"}}`), "Product2.BigCommerce_Product_Key__c")
	f.Add([]byte(`{"Id":"01u2","ProductCode":"P"}`), "ProductCode")
	f.Add([]byte(`null`), "a..b")
	f.Fuzz(func(t *testing.T, raw []byte, field string) {
		id, _, _, err := entryKey(raw, field)
		if err == nil && id == "" {
			t.Fatalf("accepted a record without Id: %q", raw)
		}
	})
}
