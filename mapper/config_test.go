package mapper

import (
	"errors"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

func TestNewRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string // a fragment of the error
	}{
		{"unknown target", Config{Target: 7}, "unknown target"},
		{"unknown link mode", Config{Link: 9}, "unknown link mode"},
		{"order target without price book", Config{Target: TargetOrder}, "Pricebook2ID is required"},
		{"malformed price book", Config{Target: TargetOrder, Pricebook2ID: "01s-bad"}, "not a 15- or 18-character"},
		{"status out of range", Config{Statuses: []bigcommerce.StatusID{2, 15}}, "status id 15"},
		{"bad object name", Config{Objects: Objects{Account: "Acc ount"}}, `Objects.Account "Acc ount" is not a Salesforce API name`},
		{"bad field name", Config{Fields: Fields{OrderID: "Order_Id__c;drop"}}, `Fields.OrderID "Order_Id__c;drop" is not`},
		{"SOQL in the line id field", Config{Fields: Fields{LineItemID: "Id) OR (Id"}}, `Fields.LineItemID "Id) OR (Id" is not`},
		{"dotted relationship", Config{Fields: Fields{OrderRelationship: "Order.Account"}}, "Fields.OrderRelationship"},
		{"stage with spaces around", Config{Stage: StatusMap{Default: " Won"}}, "Stage.Default"},
		{"incomplete configured", Config{Statuses: []bigcommerce.StatusID{bigcommerce.StatusIncomplete}}, "Incomplete, 0, never syncs"},
		{"stage of incomplete", Config{Stage: StatusMap{Values: map[bigcommerce.StatusID]string{0: "Lost"}}}, "status id 0"},
		{"stage value with space", Config{Stage: StatusMap{Values: map[bigcommerce.StatusID]string{5: "Lost "}}}, "Stage.Values[5]"},
		{"stage field replaces external ID", Config{Stage: StatusMap{Field: "BigCommerce_Order_Id__c"}}, "cannot be replaced"},
		{"order stage on opportunity target", Config{OrderStage: StatusMap{Field: "Status", Default: "Draft"}}, "OrderStage is set"},
		{"order stage without field", Config{Target: TargetOrder, Pricebook2ID: "01s000000000001", OrderStage: StatusMap{Default: "Draft"}}, "no Field"},
		{"order stage field is price book", Config{Target: TargetOrder, Pricebook2ID: "01s000000000001", OrderStage: StatusMap{Field: "pricebook2id", Default: "x"}}, "cannot be replaced"},
		{"bad status field", Config{Fields: Fields{Status: "Status field"}}, "or NoField"},
		{"NoField as a key", Config{Fields: Fields{OrderID: NoField}}, "not a Salesforce API name"},
		{"extra on unwritten object", Config{Extra: []ExtraField{{Object: "Order", Field: "X__c", Value: "1"}}}, "not written"},
		{"extra with unknown order field", Config{Extra: []ExtraField{{Object: "Opportunity", Field: "X__c", From: "ip_address"}}}, `unknown order field "ip_address"`},
		{"extra replacing external ID", Config{Extra: []ExtraField{{Object: "Opportunity", Field: "BigCommerce_Order_Id__c", Value: "1"}}}, "cannot be replaced"},
		{"extra replacing lookup", Config{Extra: []ExtraField{{Object: "Contact", Field: "accountid", Value: "1"}}}, "cannot be replaced"},
		{"extra with both sources", Config{Extra: []ExtraField{{Object: "Account", Field: "X__c", Value: "1", From: "status"}}}, "not both"},
		{"extra with no source", Config{Extra: []ExtraField{{Object: "Account", Field: "X__c"}}}, "set Value or From"},
		{"extra with invalid UTF-8", Config{Extra: []ExtraField{{Object: "Account", Field: "X__c", Value: "\xff"}}}, "UTF-8"},
		{"extra negative length", Config{Extra: []ExtraField{{Object: "Account", Field: "X__c", Value: "a", MaxLength: -1}}}, "negative"},
		{"extra on contact when omitted", Config{OmitContact: true, Extra: []ExtraField{{Object: "Contact", Field: "X__c", Value: "a"}}}, "not written"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := New(tc.cfg)
			if m != nil || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("New = %v, %v; want ErrInvalidConfig", m, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func registeredOrderPtr() *bigcommerce.Order { o := registeredOrder(); return &o }

func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Target: TargetOrder, Stage: StatusMap{Archived: " x"}, Objects: Objects{Contact: "1x"}})
	for _, want := range []string{"Pricebook2ID", "Stage.Archived", `"1x"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config()
	checks := map[string][2]string{
		"Stage.Field":    {c.Stage.Field, "StageName"},
		"Stage.Default":  {c.Stage.Default, "Closed Won"},
		"Stage.Archived": {c.Stage.Archived, "Closed Lost"},
		"Stage[5]":       {c.Stage.Values[bigcommerce.StatusCancelled], "Closed Lost"},
		"Status":         {c.Fields.Status, "BigCommerce_Status__c"},
		"RefundedAmount": {c.Fields.RefundedAmount, "BigCommerce_Refunded_Amount__c"},
		"OrderStatus":    {c.OrderStatus, "Draft"},
		"Prefix":         {c.OpportunityNamePrefix, "BigCommerce order #"},
		"Account":        {c.Objects.Account, "Account"},
		"OrderItem":      {c.Objects.OrderItem, "OrderItem"},
		"CustomerKey":    {c.Fields.CustomerKey, "BigCommerce_Customer_Key__c"},
		"OrderID":        {c.Fields.OrderID, "BigCommerce_Order_Id__c"},
		"LineItemID":     {c.Fields.LineItemID, "BigCommerce_Line_Item_Id__c"},
	}
	for name, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", name, v[0], v[1])
		}
	}
	if len(c.Statuses) != 14 || c.Statuses[0] != bigcommerce.StatusPending {
		t.Errorf("default statuses %v", c.Statuses)
	}
	// The Mapper keeps its own copy.
	c.Statuses[0] = bigcommerce.StatusIncomplete
	c.Stage.Values[bigcommerce.StatusCancelled] = "changed"
	if m.Config().Statuses[0] != bigcommerce.StatusPending || m.Config().Stage.Values[bigcommerce.StatusCancelled] != "Closed Lost" {
		t.Error("changing the returned Config changed the Mapper")
	}
}

func TestMapperIgnoresLaterConfigChanges(t *testing.T) {
	t.Parallel()
	cfg := Config{Statuses: []bigcommerce.StatusID{bigcommerce.StatusAwaitingPayment}}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Statuses[0] = bigcommerce.StatusIncomplete
	res, err := m.Map(registeredOrderPtr())
	if err != nil || res.Skipped() {
		t.Fatalf("Map = %+v, %v", res.Skip, err)
	}
}

func TestOrderFieldNamesAreKnown(t *testing.T) {
	t.Parallel()
	names := OrderFieldNames()
	for _, n := range names {
		if _, ok := orderField(registeredOrderPtr(), n); !ok {
			t.Errorf("listed field %q is not readable", n)
		}
	}
	for _, n := range []string{"customer_message", "payment_method", "order_source", "channel_id", "staff_notes", "external_order_id", "payment_status", "status", "currency_code"} {
		if _, ok := orderField(registeredOrderPtr(), n); !ok {
			t.Errorf("required field %q missing", n)
		}
	}
	names[0] = "changed"
	if OrderFieldNames()[0] == "changed" {
		t.Error("OrderFieldNames shares its slice")
	}
}

func TestTargetString(t *testing.T) {
	t.Parallel()
	for tgt, want := range map[Target]string{TargetOpportunity: "opportunity", TargetOrder: "order", 5: "Target(5)"} {
		if got := tgt.String(); got != want {
			t.Errorf("%d: %q, want %q", int(tgt), got, want)
		}
	}
}
