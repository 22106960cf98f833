package pipeline

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
)

func TestExistingKeys(t *testing.T) {
	t.Parallel()
	const line, order = "BigCommerce_Line_Item_Id__c", "Order.BigCommerce_Order_Id__c"
	tests := []struct {
		name, raw, line, order string
		wantErr                bool
	}{
		{"nested", `{"attributes":{},"BigCommerce_Line_Item_Id__c":"101","Order":{"BigCommerce_Order_Id__c":"218"}}`, "101", "218", false},
		{"other case", `{"bigcommerce_line_item_id__c":"101","ORDER":{"BigCommerce_Order_ID__c":"218"}}`, "101", "218", false},
		{"numbers", `{"BigCommerce_Line_Item_Id__c":101,"Order":{"BigCommerce_Order_Id__c":218}}`, "101", "218", false},
		{"null order", `{"BigCommerce_Line_Item_Id__c":"101","Order":null}`, "101", "", false},
		{"no line id", `{"Order":{"BigCommerce_Order_Id__c":"218"}}`, "", "", true},
		{"not an object", `[1]`, "", "", true},
		{"line id an object", `{"BigCommerce_Line_Item_Id__c":{}}`, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, o, _, err := existingKeys(json.RawMessage(tt.raw), line, order, "")
			if (err != nil) != tt.wantErr || l != tt.line || o != tt.order {
				t.Errorf("existingKeys = %q, %q, %v; want %q, %q, error %v", l, o, err, tt.line, tt.order, tt.wantErr)
			}
		})
	}
}

// FuzzExistingKeys feeds query records, which come from the network, to
// existingKeys: it must never panic, and a record it accepts has a line id.
func FuzzExistingKeys(f *testing.F) {
	f.Add([]byte(`{"BigCommerce_Line_Item_Id__c":"101","Order":{"BigCommerce_Order_Id__c":"218"}}`), "BigCommerce_Line_Item_Id__c", "Order.BigCommerce_Order_Id__c")
	f.Add([]byte(`{"a":1}`), "a", "b.c.d")
	f.Add([]byte(`null`), "a..b", ".")
	f.Fuzz(func(t *testing.T, raw []byte, line, order string) {
		l, _, _, err := existingKeys(raw, line, order, "Order.StatusCode")
		if err == nil && l == "" {
			t.Fatalf("accepted a record without line id: %q", raw)
		}
	})
}

func TestInQueries(t *testing.T) {
	t.Parallel()
	const prefix = "SELECT X__c FROM OrderItem WHERE X__c IN ("
	many := make([]string, 3000)
	for i := range many {
		many[i] = fmt.Sprint(1_000_000_000_000 + i)
	}
	// Values whose every character takes three bytes or more once
	// URL-encoded: quotes (escaped, so six), commas, parentheses, and
	// non-ASCII letters (two or three UTF-8 bytes, six or nine encoded).
	heavy := make([]string, 600)
	for i := range heavy {
		heavy[i] = fmt.Sprintf("%d'(,)€é'%s", i, strings.Repeat("ü", 20))
	}
	tests := []struct {
		name    string
		values  []string
		max     int
		queries int
	}{
		{"none", nil, maxEncodedQueryLen, 0},
		{"one", []string{"101"}, maxEncodedQueryLen, 1},
		{"quoted", []string{"it's", `a\b`}, maxEncodedQueryLen, 1},
		{"a batch of 500 lines", many[:500], maxEncodedQueryLen, 1},
		{"3000 lines", many, maxEncodedQueryLen, 5},
		{"600 values of 3-byte characters", heavy, maxEncodedQueryLen, 8},
		{"value longer than max", []string{strings.Repeat("x", 100), "1"}, encodedLen(prefix) + 10, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			qs := inQueries(prefix, tt.values, tt.max)
			if len(qs) != tt.queries {
				t.Fatalf("%d queries, want %d", len(qs), tt.queries)
			}
			var got []string
			for _, q := range qs {
				enc := len(url.QueryEscape(q))
				if enc != encodedLen(q) {
					t.Errorf("encodedLen = %d, url.QueryEscape gives %d bytes", encodedLen(q), enc)
				}
				if enc > tt.max && strings.Count(q, "', '") > 0 {
					t.Errorf("query of %d encoded bytes with several values passes %d", enc, tt.max)
				}
				if tt.max == maxEncodedQueryLen && len("/services/data/v64.0/query?q=")+enc > 16384 {
					t.Errorf("request URI of %d bytes passes Salesforce's 16,384", enc)
				}
				if !strings.HasPrefix(q, prefix) || !strings.HasSuffix(q, ")") {
					t.Errorf("query %.80q...", q)
				}
				got = append(got, splitValues(strings.TrimSuffix(strings.TrimPrefix(q, prefix), ")"))...)
			}
			if len(tt.values) == 0 {
				return
			}
			if len(got) != len(tt.values) {
				t.Fatalf("%d values in the queries, want %d", len(got), len(tt.values))
			}
			for i, v := range tt.values {
				if got[i] != salesforce.QuoteString(v) {
					t.Errorf("value %d is %s, want %s", i, got[i], salesforce.QuoteString(v))
				}
			}
		})
	}
}

// splitValues splits "'a', 'b,c'" at the separators between quoted
// literals, honouring backslash escapes.
func splitValues(s string) []string {
	var out []string
	start, in := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case in && s[i] == '\\':
			i++
		case s[i] == '\'':
			in = !in
			if !in {
				out = append(out, s[start:i+1])
				i += len(", ")
				start = i + 1
			}
		}
	}
	return out
}

// FuzzEncodedLen checks encodedLen against url.QueryEscape.
func FuzzEncodedLen(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "'it''s'", "€", "\x00\xff", "-_.~!*()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := encodedLen(s), len(url.QueryEscape(s)); got != want {
			t.Fatalf("encodedLen(%q) = %d, want %d", s, got, want)
		}
	})
}
