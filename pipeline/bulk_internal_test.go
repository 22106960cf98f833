package pipeline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/mapper"
)

// FuzzResultCSV feeds arbitrary bytes to the reader of Bulk API result
// sets, which come from the network: it must return rows or an error,
// never panic, and every row it returns has a value for every column it
// names.
func FuzzResultCSV(f *testing.F) {
	f.Add([]byte("\"sf__Id\",\"sf__Error\",BigCommerce_Order_Id__c\n\"\",\"DUPLICATE_VALUE:dup:BigCommerce_Order_Id__c --\",\"250\"\n"))
	f.Add([]byte("Id,Product2.BigCommerce_Product_Key__c\n01u000000000001AAA,SKU-1\n"))
	f.Add([]byte("a,b\n1\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = eachCSVRow(bytes.NewReader(data), func(r csvRow) {
			for col := range r.head {
				_ = r.get(col)
			}
			r.set("Order.BigCommerce_Order_Id__c", "1")
			if r.get("Order.BigCommerce_Order_Id__c") != "1" {
				t.Fatal("set did not set")
			}
		})
	})
}

func TestCellOfRendersEveryValueKind(t *testing.T) {
	t.Parallel()
	rec := &mapper.Record{ExternalIDField: "K__c", ExternalID: "k1", Fields: map[string]any{
		"Name": "Ada, \"the\" first", "Amount": json.Number("12.3400"), "Flag": true,
		"Account": map[string]any{"K__c": "p1"}, "Order": map[string]string{"O__c": "250"}, "Nil": nil,
	}}
	for col, want := range map[string]string{
		"K__c": "k1", "Name": "Ada, \"the\" first", "Amount": "12.3400", "Flag": "true",
		"Account.K__c": "p1", "Order.O__c": "250", "Nil": "", "Missing": "", "Missing.X__c": "",
	} {
		if got := cellOf(rec, col); got != want {
			t.Errorf("cellOf(%s) = %q, want %q", col, got, want)
		}
	}
	s := &spool{extField: "K__c", columns: map[string]bool{"K__c": true, "Status": true, "Order.O__c": true, "Name": true},
		createOnly: map[string]bool{"Status": true, "Order": true}}
	if got := strings.Join(s.header(true), ","); got != "K__c,Name" {
		t.Errorf("update header %s", got)
	}
	if got := strings.Join(s.header(false), ","); got != "K__c,Name,Order.O__c,Status" {
		t.Errorf("insert header %s", got)
	}
}
