package mapper

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// TestStageFollowsStatus maps every synced status, and archived orders,
// through the default stage map.
func TestStageFollowsStatus(t *testing.T) {
	t.Parallel()
	for id := bigcommerce.StatusPending; id <= bigcommerce.StatusPartiallyRefunded; id++ {
		for _, archived := range []bool{false, true} {
			o := registeredOrder()
			o.StatusID, o.Status, o.IsDeleted = id, "Label "+string(rune('A'+id)), archived
			opp := record(t, mustMap(t, o, Config{}), "opportunity")
			want, wantText := "Closed Won", o.Status
			switch {
			case archived:
				want, wantText = "Closed Lost", "Archived"
			case id == bigcommerce.StatusRefunded || id == bigcommerce.StatusCancelled || id == bigcommerce.StatusDeclined:
				want = "Closed Lost"
			}
			if got := opp.Fields["StageName"]; got != want {
				t.Errorf("status %d archived=%v: StageName %v, want %s", id, archived, got, want)
			}
			if got := opp.Fields["BigCommerce_Status__c"]; got != wantText {
				t.Errorf("status %d archived=%v: BigCommerce_Status__c %v, want %s", id, archived, got, wantText)
			}
		}
	}
}

func TestStatusFields(t *testing.T) {
	t.Parallel()
	refunded := registeredOrder()
	refunded.StatusID, refunded.Status = bigcommerce.StatusPartiallyRefunded, "Partially Refunded"
	refunded.RefundedAmount = dec("12.3456")
	refunded.TotalIncTax = dec("69.8400")
	longStatus := registeredOrder()
	longStatus.Status = strings.Repeat("s", 50)
	noText := registeredOrder()
	noText.Status = ""
	tests := []struct {
		name  string
		order bigcommerce.Order
		cfg   Config
		check func(t *testing.T, res Result)
	}{
		{"refund is exact", refunded, Config{}, func(t *testing.T, res Result) {
			opp := record(t, res, "opportunity")
			if got := opp.Fields["BigCommerce_Refunded_Amount__c"]; got != json.Number("12.3456") {
				t.Errorf("refunded %#v, want 12.3456", got)
			}
			if got := opp.Fields["Amount"]; got != json.Number("69.84") {
				t.Errorf("Amount %#v, want 69.84 (total_inc_tax stays)", got)
			}
			if got := opp.Fields["StageName"]; got != "Closed Won" {
				t.Errorf("a partial refund gave stage %v", got)
			}
		}},
		{"fields renamed", refunded, Config{Fields: Fields{Status: "Shop_Status__c", RefundedAmount: "Refund__c"}}, func(t *testing.T, res Result) {
			opp := record(t, res, "opportunity")
			if opp.Fields["Shop_Status__c"] != "Partially Refunded" || opp.Fields["Refund__c"] != json.Number("12.3456") {
				t.Errorf("fields %v", opp.Fields)
			}
			if _, ok := opp.Fields[DefaultStatusField]; ok {
				t.Error("default status field sent after renaming")
			}
		}},
		{"fields off", refunded, Config{Fields: Fields{Status: NoField, RefundedAmount: NoField}}, func(t *testing.T, res Result) {
			for _, rec := range res.Records {
				for f := range rec.Fields {
					if strings.HasPrefix(f, "BigCommerce_") || f == NoField {
						t.Errorf("%s has %s though it is off", rec.Ref, f)
					}
				}
			}
		}},
		{"long status text", longStatus, Config{}, func(t *testing.T, res Result) {
			if got := record(t, res, "opportunity").Fields["BigCommerce_Status__c"]; got != strings.Repeat("s", 40) {
				t.Errorf("status text %q", got)
			}
			if !hasWarning(res, WarnTruncated, "opportunity", "BigCommerce_Status__c") {
				t.Errorf("no truncation warning: %v", codes(res))
			}
		}},
		{"no status text", noText, Config{}, func(t *testing.T, res Result) {
			if _, ok := record(t, res, "opportunity").Fields["BigCommerce_Status__c"]; ok {
				t.Error("an empty status text was sent")
			}
		}},
		{"custom stages", refunded, Config{Stage: StatusMap{
			Field: "Stage__c", Default: "Won", Archived: "Gone",
			Values: map[bigcommerce.StatusID]string{bigcommerce.StatusPartiallyRefunded: "Partly back"},
		}}, func(t *testing.T, res Result) {
			opp := record(t, res, "opportunity")
			if opp.Fields["Stage__c"] != "Partly back" {
				t.Errorf("Stage__c %v", opp.Fields["Stage__c"])
			}
			if _, ok := opp.Fields["StageName"]; ok {
				t.Error("StageName sent though Stage.Field is Stage__c")
			}
		}},
		{"empty stage map", func() bigcommerce.Order {
			o := registeredOrder()
			o.StatusID = bigcommerce.StatusCancelled
			return o
		}(), Config{Stage: StatusMap{Values: map[bigcommerce.StatusID]string{}}}, func(t *testing.T, res Result) {
			if got := record(t, res, "opportunity").Fields["StageName"]; got != "Closed Won" {
				t.Errorf("a non-nil empty map gave %v, want the default stage", got)
			}
		}},
		{"order target", refunded, orderConfig(), func(t *testing.T, res Result) {
			ord := record(t, res, "order")
			if ord.Fields["BigCommerce_Status__c"] != "Partially Refunded" || ord.Fields["BigCommerce_Refunded_Amount__c"] != json.Number("12.3456") {
				t.Errorf("order fields %v", ord.Fields)
			}
			if ord.Fields["Status"] != "Draft" || !slices.Contains(ord.CreateOnly, "Status") {
				t.Errorf("Status %v create-only %v; want Draft, create-only", ord.Fields["Status"], ord.CreateOnly)
			}
			for _, rec := range res.Records {
				if rec.SObject == "OrderItem" {
					if _, ok := rec.Fields["BigCommerce_Status__c"]; ok {
						t.Errorf("%s carries the status", rec.Ref)
					}
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, mustMap(t, tc.order, tc.cfg))
		})
	}
}

func TestOrderStage(t *testing.T) {
	t.Parallel()
	cancelled := registeredOrder()
	cancelled.StatusID, cancelled.Status = bigcommerce.StatusCancelled, "Cancelled"
	archived := registeredOrder()
	archived.IsDeleted = true
	statusMap := func() Config {
		c := orderConfig()
		c.OrderStage = StatusMap{Field: "Status", Values: map[bigcommerce.StatusID]string{bigcommerce.StatusCancelled: "Cancelled"}}
		return c
	}
	tests := []struct {
		name             string
		order            bigcommerce.Order
		cfg              Config
		field            string
		want             any // nil: not sent
		statusCreateOnly bool
	}{
		{"unmapped status keeps Draft create-only", registeredOrder(), statusMap(), "Status", "Draft", true},
		{"mapped status is sent on every sync", cancelled, statusMap(), "Status", "Cancelled", false},
		{"archived without Archived value takes its status", archived, statusMap(), "Status", "Draft", true},
		{"custom field", cancelled, func() Config {
			c := orderConfig()
			c.OrderStage = StatusMap{Field: "Stage__c", Default: "Open", Archived: "Archived",
				Values: map[bigcommerce.StatusID]string{bigcommerce.StatusCancelled: "Lost"}}
			return c
		}(), "Stage__c", "Lost", true},
		{"custom field default", registeredOrder(), func() Config {
			c := orderConfig()
			c.OrderStage = StatusMap{Field: "Stage__c", Default: "Open"}
			return c
		}(), "Stage__c", "Open", true},
		{"custom field archived", archived, func() Config {
			c := orderConfig()
			c.OrderStage = StatusMap{Field: "Stage__c", Default: "Open", Archived: "Gone"}
			return c
		}(), "Stage__c", "Gone", true},
		{"custom field without value", registeredOrder(), func() Config {
			c := orderConfig()
			c.OrderStage = StatusMap{Field: "Stage__c", Values: map[bigcommerce.StatusID]string{5: "Lost"}}
			return c
		}(), "Stage__c", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ord := record(t, mustMap(t, tc.order, tc.cfg), "order")
			got, ok := ord.Fields[tc.field]
			if tc.want == nil {
				if ok {
					t.Errorf("%s = %v, want it left out", tc.field, got)
				}
			} else if got != tc.want {
				t.Errorf("%s = %v, want %v", tc.field, got, tc.want)
			}
			if c := slices.Contains(ord.CreateOnly, "Status"); c != tc.statusCreateOnly {
				t.Errorf("Status create-only %v, want %v (create-only %v)", c, tc.statusCreateOnly, ord.CreateOnly)
			}
			if !slices.Contains(ord.CreateOnly, "Pricebook2Id") {
				t.Errorf("Pricebook2Id not create-only: %v", ord.CreateOnly)
			}
		})
	}
}
