package mapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

func record(t *testing.T, res Result, ref string) Record {
	t.Helper()
	for _, r := range res.Records {
		if r.Ref == ref {
			return r
		}
	}
	t.Fatalf("no record %q in %v", ref, refs(res))
	return Record{}
}

func refs(res Result) []string {
	var s []string
	for _, r := range res.Records {
		s = append(s, r.Ref)
	}
	return s
}

func codes(res Result) []WarningCode {
	var c []WarningCode
	for _, w := range res.Warnings {
		c = append(c, w.Code)
	}
	return c
}

func hasWarning(res Result, code WarningCode, ref, field string) bool {
	return slices.ContainsFunc(res.Warnings, func(w Warning) bool {
		return w.Code == code && (ref == "" || w.Ref == ref) && (field == "" || w.Field == field)
	})
}

func mustMap(t *testing.T, o bigcommerce.Order, cfg Config) Result {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res, err := m.Map(&o)
	if err != nil {
		t.Fatalf("Map: %v", err)
	}
	return res
}

func field(t *testing.T, rec Record, name string) any {
	t.Helper()
	v, ok := rec.Fields[name]
	if !ok {
		t.Fatalf("%s has no field %s; fields %v", rec.Ref, name, rec.Fields)
	}
	return v
}

func TestMapOpportunityTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		order bigcommerce.Order
		cfg   Config
		check func(t *testing.T, res Result)
	}{
		{"registered customer", registeredOrder(), Config{}, func(t *testing.T, res Result) {
			if got, want := refs(res), []string{"account", "contact", "opportunity"}; !slices.Equal(got, want) {
				t.Fatalf("records %v, want %v", got, want)
			}
			acct := record(t, res, "account")
			if acct.ExternalIDField != "BigCommerce_Customer_Key__c" || acct.ExternalID != "janedoe@example%2Ecom" {
				t.Errorf("account key %s=%s", acct.ExternalIDField, acct.ExternalID)
			}
			for f, want := range map[string]string{
				"Name": "Doe Widgets LLC", "BillingStreet": "555 East Street\nSuite 100", "BillingCity": "Austin",
				"BillingState": "Texas", "BillingPostalCode": "78108", "BillingCountry": "United States", "Phone": "1234567890",
			} {
				if got := field(t, acct, f); got != want {
					t.Errorf("Account.%s = %q, want %q", f, got, want)
				}
			}
			c := record(t, res, "contact")
			for f, want := range map[string]string{
				"FirstName": "Jane", "LastName": "Doe", "Email": "janedoe@example.com", "AccountId": "@{account.id}",
				"MailingStreet": "555 East Street\nSuite 100", "MailingPostalCode": "78108",
			} {
				if got := field(t, c, f); got != want {
					t.Errorf("Contact.%s = %q, want %q", f, got, want)
				}
			}
			opp := record(t, res, "opportunity")
			if opp.ExternalIDField != "BigCommerce_Order_Id__c" || opp.ExternalID != "218" {
				t.Errorf("opportunity key %s=%s", opp.ExternalIDField, opp.ExternalID)
			}
			for f, want := range map[string]any{
				"Name": "BigCommerce order #218", "Amount": json.Number("69.84"), "CloseDate": "2019-03-06",
				"StageName": "Closed Won", "AccountId": "@{account.id}",
			} {
				if got := field(t, opp, f); got != want {
					t.Errorf("Opportunity.%s = %#v, want %#v", f, got, want)
				}
			}
			if _, ok := opp.Fields["CurrencyIsoCode"]; ok {
				t.Error("CurrencyIsoCode sent to a single-currency org")
			}
			if len(res.Warnings) != 0 {
				t.Errorf("warnings %v, want none", res.Warnings)
			}
		}},
		{"guest with e-mail", guestOrder(), Config{}, func(t *testing.T, res Result) {
			acct := record(t, res, "account")
			if acct.ExternalID != "guest.buyer@example%2Eorg" {
				t.Errorf("key %q", acct.ExternalID)
			}
			if acct.Fields["Name"] != "Jane Doe" || !hasWarning(res, WarnAccountNameFallback, "account", "Name") {
				t.Errorf("Name %q, warnings %v", acct.Fields["Name"], codes(res))
			}
		}},
		{"guest without e-mail", guestNoEmailOrder(), Config{}, func(t *testing.T, res Result) {
			acct := record(t, res, "account")
			if acct.ExternalID != "bc-order-220" || !hasWarning(res, WarnEmailMissing, "", "") {
				t.Errorf("key %q, warnings %v", acct.ExternalID, codes(res))
			}
			if _, ok := record(t, res, "contact").Fields["Email"]; ok {
				t.Error("Email sent without an e-mail")
			}
		}},
		{"registered without e-mail", func() bigcommerce.Order {
			o := registeredOrder()
			o.BillingAddress.Email = "n/a"
			return o
		}(), Config{}, func(t *testing.T, res Result) {
			if k := record(t, res, "account").ExternalID; k != "bc-customer-11" {
				t.Errorf("key %q", k)
			}
			if !hasWarning(res, WarnEmailInvalid, "", "Email") || !hasWarning(res, WarnEmailMissing, "", "") {
				t.Errorf("warnings %v", codes(res))
			}
		}},
		{"mixed-case e-mail", mixedCaseEmailOrder(), Config{}, func(t *testing.T, res Result) {
			if k := record(t, res, "account").ExternalID; k != "jane.doe@example%2Ecom" {
				t.Errorf("key %q", k)
			}
			if e := record(t, res, "contact").Fields["Email"]; e != "jane.doe@example.com" {
				t.Errorf("Email %q", e)
			}
			if !hasWarning(res, WarnEmailNormalized, "", "Email") {
				t.Errorf("warnings %v", codes(res))
			}
		}},
		{"e-mail with apostrophe", apostropheEmailOrder(), Config{}, func(t *testing.T, res Result) {
			if k := record(t, res, "contact").ExternalID; k != "sean.o'brien@example%2Eie" {
				t.Errorf("key %q", k)
			}
			if n := record(t, res, "contact").Fields["LastName"]; n != "O'Brien" {
				t.Errorf("LastName %q", n)
			}
		}},
		{"unicode names", unicodeOrder(), Config{}, func(t *testing.T, res Result) {
			c := record(t, res, "contact")
			if c.Fields["FirstName"] != "Zoë 🎉" || c.Fields["LastName"] != "Ødegård-Łukasiewicz" {
				t.Errorf("names %q %q", c.Fields["FirstName"], c.Fields["LastName"])
			}
			if n := record(t, res, "account").Fields["Name"]; n != "株式会社テスト" {
				t.Errorf("Name %q", n)
			}
			if _, ok := record(t, res, "account").Fields["Phone"]; ok {
				t.Error("empty Phone sent")
			}
		}},
		{"200-character last name", longNameOrder(), Config{}, func(t *testing.T, res Result) {
			c := record(t, res, "contact")
			last := c.Fields["LastName"].(string)
			if n := utf8.RuneCountInString(last); n != 80 || !utf8.ValidString(last) {
				t.Errorf("LastName has %d characters, valid UTF-8 %v", n, utf8.ValidString(last))
			}
			first := c.Fields["FirstName"].(string)
			if n := len(utf16.Encode([]rune(first))); n > 40 || n < 39 || !utf8.ValidString(first) {
				t.Errorf("FirstName has %d UTF-16 units, valid %v", n, utf8.ValidString(first))
			}
			if city := c.Fields["MailingCity"]; city != strings.Repeat("x", 39)+"ü" {
				t.Errorf("a 40-character city was cut: %q", city)
			}
			if !hasWarning(res, WarnTruncated, "contact", "LastName") || !hasWarning(res, WarnTruncated, "contact", "FirstName") {
				t.Errorf("warnings %v", codes(res))
			}
		}},
		{"no company and no name", emptyCompanyNoNameOrder(), Config{}, func(t *testing.T, res Result) {
			if n := record(t, res, "account").Fields["Name"]; n != "janedoe@example.com" {
				t.Errorf("Name %q", n)
			}
			if n := record(t, res, "contact").Fields["LastName"]; n != "Unknown" || !hasWarning(res, WarnLastNameMissing, "contact", "LastName") {
				t.Errorf("LastName %q, warnings %v", n, codes(res))
			}
		}},
		{"multi-currency", multiCurrencyOrder(), Config{MultiCurrency: true}, func(t *testing.T, res Result) {
			if c := record(t, res, "opportunity").Fields["CurrencyIsoCode"]; c != "EUR" {
				t.Errorf("CurrencyIsoCode %q, want the transactional EUR", c)
			}
		}},
		{"multi-currency without default code", func() bigcommerce.Order {
			o := multiCurrencyOrder()
			o.DefaultCurrencyCode = ""
			return o
		}(), Config{MultiCurrency: true}, func(t *testing.T, res Result) {
			if c := record(t, res, "opportunity").Fields["CurrencyIsoCode"]; c != "USD" || !hasWarning(res, WarnCurrencyFallback, "", "") {
				t.Errorf("CurrencyIsoCode %q, warnings %v", c, codes(res))
			}
		}},
		{"exact money", preciseMoneyOrder(), Config{}, func(t *testing.T, res Result) {
			if a := record(t, res, "opportunity").Fields["Amount"]; a != json.Number("1234.5678") {
				t.Errorf("Amount %#v", a)
			}
		}},
		{"link by external ID", registeredOrder(), Config{Link: LinkByExternalID}, func(t *testing.T, res Result) {
			want := map[string]string{"BigCommerce_Customer_Key__c": "janedoe@example%2Ecom"}
			for _, ref := range []string{"contact", "opportunity"} {
				rec := record(t, res, ref)
				got, _ := rec.Fields["Account"].(map[string]string)
				if len(got) != 1 || got["BigCommerce_Customer_Key__c"] != want["BigCommerce_Customer_Key__c"] {
					t.Errorf("%s.Account = %#v", ref, rec.Fields["Account"])
				}
				if _, ok := rec.Fields["AccountId"]; ok {
					t.Errorf("%s has both AccountId and Account", ref)
				}
			}
		}},
		{"renamed fields and no contact", registeredOrder(), Config{
			OmitContact: true, Stage: StatusMap{Default: "Negotiation"},
			Objects: Objects{Opportunity: "Deal__c"},
			Fields:  Fields{CustomerKey: "Ext_Key__c", OrderID: "Order_Ref__c"},
		}, func(t *testing.T, res Result) {
			if got := refs(res); !slices.Equal(got, []string{"account", "opportunity"}) {
				t.Fatalf("records %v", got)
			}
			opp := record(t, res, "opportunity")
			if opp.SObject != "Deal__c" || opp.ExternalIDField != "Order_Ref__c" || opp.Fields["StageName"] != "Negotiation" {
				t.Errorf("opportunity %+v", opp)
			}
			if record(t, res, "account").ExternalIDField != "Ext_Key__c" {
				t.Error("customer key field not renamed")
			}
		}},
		{"extra fields", registeredOrder(), Config{Extra: []ExtraField{
			{Object: "Opportunity", Field: "Payment_Method__c", From: "payment_method"},
			{Object: "Opportunity", Field: "Channel__c", From: "channel_id"},
			{Object: "Opportunity", Field: "Shipping__c", From: "shipping_cost_inc_tax"},
			{Object: "Opportunity", Field: "Staff_Notes__c", From: "staff_notes"},
			{Object: "Opportunity", Field: "LeadSource", Value: "BigCommerce"},
			{Object: "Account", Field: "Message__c", From: "customer_message", MaxLength: 5},
		}}, func(t *testing.T, res Result) {
			opp := record(t, res, "opportunity")
			for f, want := range map[string]any{
				"Payment_Method__c": "Credit Card", "Channel__c": json.Number("1"),
				"Shipping__c": json.Number("0"), "LeadSource": "BigCommerce",
			} {
				if got := field(t, opp, f); got != want {
					t.Errorf("%s = %#v, want %#v", f, got, want)
				}
			}
			if _, ok := opp.Fields["Staff_Notes__c"]; ok {
				t.Error("empty staff_notes sent")
			}
			if m := record(t, res, "account").Fields["Message__c"]; m != "Leave" {
				t.Errorf("Message__c %q", m)
			}
		}},
		{"created date missing", func() bigcommerce.Order {
			o := registeredOrder()
			o.DateCreated = o.DateShipped // zero
			return o
		}(), Config{}, func(t *testing.T, res Result) {
			if d := record(t, res, "opportunity").Fields["CloseDate"]; d != "2019-03-06" || !hasWarning(res, WarnCloseDateFallback, "opportunity", "CloseDate") {
				t.Errorf("CloseDate %q, warnings %v", d, codes(res))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustMap(t, tc.order, tc.cfg)
			if res.Skipped() {
				t.Fatalf("skipped: %+v", res.Skip)
			}
			tc.check(t, res)
			assertWellFormed(t, res)
		})
	}
}

// assertWellFormed checks what must hold for every Result: valid UTF-8,
// no external-ID field in a body, and deterministic JSON.
func assertWellFormed(t *testing.T, res Result) {
	t.Helper()
	for _, rec := range res.Records {
		if _, ok := rec.Fields[rec.ExternalIDField]; ok {
			t.Errorf("%s body holds its external-ID field %s", rec.Ref, rec.ExternalIDField)
		}
		if !utf8.ValidString(rec.ExternalID) {
			t.Errorf("%s external ID is not valid UTF-8", rec.Ref)
		}
		for k, v := range rec.Fields {
			if s, ok := v.(string); ok && !utf8.ValidString(s) {
				t.Errorf("%s.%s is not valid UTF-8", rec.Ref, k)
			}
		}
	}
	a, err := json.Marshal(res)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	b, _ := json.Marshal(res)
	if !bytes.Equal(a, b) {
		t.Error("JSON differs between two encodings")
	}
}

func TestMapSkips(t *testing.T) {
	t.Parallel()
	incomplete := registeredOrder()
	incomplete.StatusID = bigcommerce.StatusIncomplete
	cancelled := registeredOrder()
	cancelled.StatusID = bigcommerce.StatusCancelled
	deleted := registeredOrder()
	deleted.IsDeleted = true
	deletedIncomplete := incomplete
	deletedIncomplete.IsDeleted = true
	tests := []struct {
		name  string
		order bigcommerce.Order
		cfg   Config
		want  SkipCode // "" means not skipped
	}{
		{"incomplete by default", incomplete, Config{}, SkipStatus},
		{"cancelled syncs by default", cancelled, Config{}, ""},
		{"cancelled left out", cancelled, Config{Statuses: []bigcommerce.StatusID{bigcommerce.StatusCompleted, bigcommerce.StatusShipped}}, SkipStatus},
		{"deleted syncs by default", deleted, Config{}, ""},
		{"deleted left out", deleted, Config{SkipDeleted: true}, SkipDeleted},
		{"deleted incomplete", deletedIncomplete, Config{}, SkipStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustMap(t, tc.order, tc.cfg)
			if tc.want == "" {
				if res.Skipped() || len(res.Records) == 0 {
					t.Fatalf("skipped %+v, %d records", res.Skip, len(res.Records))
				}
				return
			}
			if !res.Skipped() || res.Skip.Code != tc.want || res.Skip.Message == "" || len(res.Records) != 0 {
				t.Fatalf("skip %+v with %d records, want %s", res.Skip, len(res.Records), tc.want)
			}
		})
	}
}

func TestMapOrderTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		order bigcommerce.Order
		cfg   Config
		check func(t *testing.T, res Result)
	}{
		{"two lines", registeredOrder(), orderConfig(), func(t *testing.T, res Result) {
			if got := refs(res); !slices.Equal(got, []string{"account", "contact", "order", "item1", "item2"}) {
				t.Fatalf("records %v", got)
			}
			ord := record(t, res, "order")
			for f, want := range map[string]any{
				"Status": "Draft", "EffectiveDate": "2019-03-06", "AccountId": "@{account.id}", "Pricebook2Id": "01s000000000001AAA",
			} {
				if got := field(t, ord, f); got != want {
					t.Errorf("Order.%s = %#v, want %#v", f, got, want)
				}
			}
			it := record(t, res, "item1")
			if it.SObject != "OrderItem" || it.ExternalIDField != "BigCommerce_Line_Item_Id__c" || it.ExternalID != "101" || it.ProductKey != "WID-1" {
				t.Errorf("item1 %+v", it)
			}
			for f, want := range map[string]any{"Quantity": json.Number("2"), "UnitPrice": json.Number("20"), "OrderId": "@{order.id}"} {
				if got := field(t, it, f); got != want {
					t.Errorf("OrderItem.%s = %#v, want %#v", f, got, want)
				}
			}
			if got := res.ProductKeys(); !slices.Equal(got, []string{"WID-1", "WID-2"}) {
				t.Errorf("ProductKeys %v", got)
			}
		}},
		{"empty SKU", emptySKUOrder(), orderConfig(), func(t *testing.T, res Result) {
			want := []string{"bc-product-180", "bc-custom-product", "bc-variant-605"}
			for i, w := range want {
				if k := res.Records[3+i].ProductKey; k != w {
					t.Errorf("line %d key %q, want %q", i, k, w)
				}
			}
			if !hasWarning(res, WarnProductKeyFallback, "item1", "") || !hasWarning(res, WarnCatchAllProduct, "item2", "") {
				t.Errorf("warnings %v", codes(res))
			}
		}},
		{"bundle", bundleOrder(), orderConfig(), func(t *testing.T, res Result) {
			if got := refs(res); !slices.Equal(got, []string{"account", "contact", "order", "item1"}) {
				t.Fatalf("records %v", got)
			}
			if n := len(slices.DeleteFunc(codes(res), func(c WarningCode) bool { return c != WarnBundleChildFolded })); n != 2 {
				t.Errorf("%d folded warnings, want 2", n)
			}
		}},
		{"exact unit prices", preciseMoneyOrder(), orderConfig(), func(t *testing.T, res Result) {
			for ref, want := range map[string]json.Number{"item1": "0.1", "item2": "0.2", "item3": "411.4226"} {
				if got := record(t, res, ref).Fields["UnitPrice"]; got != want {
					t.Errorf("%s UnitPrice %#v, want %s", ref, got, want)
				}
			}
		}},
		{"no line items", noLinesOrder(), orderConfig(), func(t *testing.T, res Result) {
			if got := refs(res); !slices.Equal(got, []string{"account", "contact", "order"}) || !hasWarning(res, WarnNoLineItems, "", "") {
				t.Errorf("records %v, warnings %v", got, codes(res))
			}
		}},
		{"link by external ID", registeredOrder(), func() Config { c := orderConfig(); c.Link = LinkByExternalID; return c }(), func(t *testing.T, res Result) {
			got, _ := record(t, res, "item2").Fields["Order"].(map[string]string)
			if len(got) != 1 || got["BigCommerce_Order_Id__c"] != "218" {
				t.Errorf("Order link %#v", record(t, res, "item2").Fields["Order"])
			}
		}},
		{"ex-tax unit price and currency", multiCurrencyOrder(), func() Config {
			c := orderConfig()
			c.UnitPriceExTax, c.MultiCurrency = true, true
			return c
		}(), func(t *testing.T, res Result) {
			if c := record(t, res, "order").Fields["CurrencyIsoCode"]; c != "EUR" {
				t.Errorf("CurrencyIsoCode %q", c)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := mustMap(t, tc.order, tc.cfg)
			tc.check(t, res)
			assertWellFormed(t, res)
		})
	}
}

func TestMapErrors(t *testing.T) {
	t.Parallel()
	m, err := New(Config{Target: TargetOrder, Pricebook2ID: "01s000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	custom := registeredOrder()
	custom.Consignments.Shipping[0].LineItems[0].SKU = ""
	custom.Consignments.Shipping[0].LineItems[0].ProductID = 0
	custom.Consignments.Shipping[0].LineItems[0].VariantID = 0
	dup := registeredOrder()
	dup.Consignments.Shipping[0].LineItems[1].ID = 101
	noDate := registeredOrder()
	noDate.DateCreated, noDate.DateModified = noDate.DateShipped, noDate.DateShipped
	hugeMoney := registeredOrder()
	hugeMoney.Consignments.Shipping[0].LineItems[0].PriceIncTax = dec("1e100")
	badID := registeredOrder()
	badID.ID = 0
	tests := []struct {
		name  string
		order *bigcommerce.Order
		want  error
	}{
		{"nil", nil, ErrNilOrder},
		{"id 0", &badID, ErrInvalidOrder},
		{"custom product without catch-all", &custom, ErrNoProductKey},
		{"duplicate line id", &dup, ErrInvalidOrder},
		{"no date", &noDate, ErrInvalidOrder},
		{"amount out of range", &hugeMoney, ErrInvalidOrder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := m.Map(tc.order)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestMapDoesNotModifyOrder(t *testing.T) {
	t.Parallel()
	o := mixedCaseEmailOrder()
	before, _ := json.Marshal(o)
	mustMap(t, o, orderConfig())
	if after, _ := json.Marshal(o); !bytes.Equal(before, after) {
		t.Error("Map changed its input")
	}
}

func TestInvalidUTF8IsReplaced(t *testing.T) {
	t.Parallel()
	o := registeredOrder()
	o.BillingAddress.LastName = "Do\xffe"
	o.BillingAddress.City = "\xc3"
	res := mustMap(t, o, Config{})
	c := record(t, res, "contact")
	if c.Fields["LastName"] != "Do\uFFFDe" || c.Fields["MailingCity"] != "\uFFFD" {
		t.Errorf("LastName %q, City %q", c.Fields["LastName"], c.Fields["MailingCity"])
	}
	if !hasWarning(res, WarnInvalidUTF8, "contact", "LastName") {
		t.Errorf("warnings %v", codes(res))
	}
	assertWellFormed(t, res)
}

func TestMapperConcurrentUse(t *testing.T) {
	t.Parallel()
	m, err := New(orderConfig())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(mustMap(t, bundleOrder(), orderConfig()))
	done := make(chan []byte)
	for range 8 {
		go func() {
			o := bundleOrder()
			res, _ := m.Map(&o)
			got, _ := json.Marshal(res)
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; !bytes.Equal(got, want) {
			t.Errorf("concurrent Map differs:\n%s\n%s", got, want)
		}
	}
}
