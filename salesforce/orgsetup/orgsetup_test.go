package orgsetup_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/orgsetup"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

func newOrg(t *testing.T) (*sftest.Server, *salesforce.Client) {
	t.Helper()
	org, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(org.Close)
	c, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return org, c
}

func setup(t *testing.T, c *salesforce.Client, fields []orgsetup.Field, opts orgsetup.Options) (*orgsetup.Plan, orgsetup.Report, error) {
	t.Helper()
	plan, err := orgsetup.Inspect(context.Background(), c, fields, opts)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	rep, err := orgsetup.Apply(context.Background(), c, plan)
	return plan, rep, err
}

// writes counts the calls that change the org: every call but GETs.
func writes(org *sftest.Server) map[string]int {
	out := map[string]int{}
	for _, route := range sftest.Routes() {
		if n := org.Calls(route); n > 0 && !strings.HasPrefix(route, "GET ") {
			out[route] = n
		}
	}
	return out
}

// Setup run twice: the first run creates every field, the permission set,
// the access and the assignment; the second only reads (3 queries and 2 for
// the assignment) and changes nothing.
func TestSetupTwiceChangesNothingTheSecondTime(t *testing.T) {
	t.Parallel()
	org, c := newOrg(t)
	if _, err := org.Seed("User", sftest.Record{"Username": "bc2sf@acme.example", "LastName": "Integration"}); err != nil {
		t.Fatal(err)
	}
	fields, err := orgsetup.Fields(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: org.StandardPricebookID()})
	if err != nil {
		t.Fatal(err)
	}
	opts := orgsetup.Options{AssignTo: "bc2sf@acme.example"}

	plan, rep, err := setup(t, c, fields, opts)
	if err != nil {
		t.Fatalf("first Apply: %v", err)
	}
	if len(rep.Created) != len(fields) || len(rep.Existing) != 0 || !rep.PermissionSetCreated || rep.Granted != len(fields) || !rep.Assigned {
		t.Fatalf("first run report %+v", rep)
	}
	if plan.Changes() != 0 {
		t.Errorf("plan still has %d changes after Apply", plan.Changes())
	}
	if n := len(org.Records("FieldPermissions")); n != len(fields) {
		t.Errorf("%d FieldPermissions records, want %d", n, len(fields))
	}
	for _, fp := range org.Records("FieldPermissions") {
		if fp["PermissionsRead"] != true || fp["PermissionsEdit"] != true {
			t.Errorf("field permission %v does not grant read and edit", fp)
		}
	}
	if n := len(org.Records("PermissionSetAssignment")); n != 1 {
		t.Errorf("%d assignments, want 1", n)
	}

	org.ResetCalls()
	plan, rep, err = setup(t, c, fields, opts)
	if err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if plan.Changes() != 0 || len(rep.Created) != 0 || len(rep.Existing) != len(fields) || rep.PermissionSetCreated || rep.Granted != 0 || rep.Assigned {
		t.Errorf("second run plan %d changes, report %+v", plan.Changes(), rep)
	}
	if w := writes(org); len(w) != 0 {
		t.Errorf("second run wrote: %v", w)
	}
	if n := org.TotalCalls(); n != 5 {
		t.Errorf("second run made %d calls, want 5 reads", n)
	}
	if n := org.Calls(sftest.RouteToolingQuery); n != 1 {
		t.Errorf("second run made %d Tooling queries, want 1", n)
	}
	if !strings.Contains(plan.String(), "0 change(s), 0 conflict(s)") {
		t.Errorf("plan:\n%s", plan)
	}
}

// The fields setup creates are usable at once: a field that was not an
// external ID before becomes one the org upserts on.
func TestCreatedExternalIDWorksForUpsert(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	fields := []orgsetup.Field{{Object: "Account", Name: "Legacy_Key__c", Label: "Legacy Key",
		Type: orgsetup.TypeText, Length: 80, ExternalID: true}}
	ctx := context.Background()
	if _, err := c.Upsert(ctx, "Account", "Legacy_Key__c", "k1", map[string]any{"Name": "Before"}); !errors.Is(err, salesforce.ErrNotFound) {
		t.Fatalf("upsert before setup: %v, want ErrNotFound", err)
	}
	if _, _, err := setup(t, c, fields, orgsetup.Options{}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Upsert(ctx, "Account", "Legacy_Key__c", "k1", map[string]any{"Name": "After"}); err != nil {
			t.Fatalf("upsert after setup: %v", err)
		}
	}
}

// A field that exists with a type bc2sf cannot use is reported, left alone
// and given no access; everything else is still set up.
func TestConflictingFieldIsLeftAlone(t *testing.T) {
	t.Parallel()
	org, c := newOrg(t)
	ctx := context.Background()
	if _, err := c.ToolingCreate(ctx, "CustomField", salesforce.CustomField{FullName: "Opportunity.BigCommerce_Order_Id__c",
		Metadata: salesforce.CustomFieldMetadata{Label: "BigCommerce Order Id", Type: "Number", Precision: 18}}); err != nil {
		t.Fatal(err)
	}
	fields, err := orgsetup.Fields(mapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := orgsetup.Inspect(ctx, c, fields, orgsetup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conflicts := plan.Conflicts()
	if len(conflicts) != 1 || conflicts[0].Field.FullName() != "Opportunity.BigCommerce_Order_Id__c" ||
		conflicts[0].DataType != "Number(18, 0)" {
		t.Fatalf("conflicts %+v", conflicts)
	}
	if out := plan.String(); !strings.Contains(out, "CONFLICT: is Number(18, 0), bc2sf needs Text(255), External ID, Unique") {
		t.Errorf("dry run does not show the conflict:\n%s", out)
	}
	rep, err := orgsetup.Apply(ctx, c, plan)
	if !errors.Is(err, orgsetup.ErrConflict) || !strings.Contains(err.Error(), "Opportunity.BigCommerce_Order_Id__c") {
		t.Fatalf("Apply error %v, want ErrConflict naming the field", err)
	}
	if len(rep.Created) != len(fields)-1 || rep.Granted != len(fields)-1 {
		t.Errorf("report %+v", rep)
	}
	for _, fp := range org.Records("FieldPermissions") {
		if fp["Field"] == "Opportunity.BigCommerce_Order_Id__c" {
			t.Error("access granted to the conflicting field")
		}
	}
}

// A permission set that grants read but not edit gets its record updated,
// not a second one.
func TestPartialAccessIsCompleted(t *testing.T) {
	t.Parallel()
	org, c := newOrg(t)
	fields := []orgsetup.Field{{Object: "Account", Name: "BigCommerce_Customer_Key__c", Label: "BigCommerce Customer Key",
		Type: orgsetup.TypeText, Length: 255, ExternalID: true}}
	if _, _, err := setup(t, c, fields, orgsetup.Options{}); err != nil {
		t.Fatal(err)
	}
	perms := org.Records("FieldPermissions")
	if len(perms) != 1 {
		t.Fatalf("%d field permissions", len(perms))
	}
	if err := c.Update(context.Background(), "FieldPermissions", perms[0]["Id"].(string), map[string]any{"PermissionsEdit": false}); err != nil {
		t.Fatal(err)
	}
	plan, rep, err := setup(t, c, fields, orgsetup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Granted != 1 || plan.Changes() != 0 {
		t.Errorf("report %+v", rep)
	}
	perms = org.Records("FieldPermissions")
	if len(perms) != 1 || perms[0]["PermissionsEdit"] != true {
		t.Errorf("field permissions after repair: %v", perms)
	}
}

func TestInspectRefusesBadInput(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	good := orgsetup.Field{Object: "Account", Name: "K__c", Label: "K", Type: orgsetup.TypeText, Length: 10}
	for name, tc := range map[string]struct {
		fields []orgsetup.Field
		opts   orgsetup.Options
	}{
		"no fields":        {nil, orgsetup.Options{}},
		"no __c":           {[]orgsetup.Field{{Object: "Account", Name: "Name", Label: "N", Type: orgsetup.TypeText, Length: 10}}, orgsetup.Options{}},
		"injection":        {[]orgsetup.Field{{Object: "Account') OR (", Name: "K__c", Label: "K", Type: orgsetup.TypeText, Length: 10}}, orgsetup.Options{}},
		"twice":            {[]orgsetup.Field{good, good}, orgsetup.Options{}},
		"long text":        {[]orgsetup.Field{{Object: "Account", Name: "K__c", Label: "K", Type: orgsetup.TypeText, Length: 256}}, orgsetup.Options{}},
		"bad scale":        {[]orgsetup.Field{{Object: "Account", Name: "K__c", Label: "K", Type: orgsetup.TypeCurrency, Precision: 4, Scale: 5}}, orgsetup.Options{}},
		"money key":        {[]orgsetup.Field{{Object: "Account", Name: "K__c", Label: "K", Type: orgsetup.TypeCurrency, Precision: 18, Scale: 2, ExternalID: true}}, orgsetup.Options{}},
		"bad set":          {[]orgsetup.Field{good}, orgsetup.Options{PermissionSet: "has space"}},
		"long username":    {[]orgsetup.Field{good}, orgsetup.Options{AssignTo: strings.Repeat("u", 81)}},
		"unknown username": {[]orgsetup.Field{good}, orgsetup.Options{AssignTo: "nobody@acme.example"}},
	} {
		if _, err := orgsetup.Inspect(context.Background(), c, tc.fields, tc.opts); err == nil {
			t.Errorf("%s: Inspect accepted it", name)
		}
	}
}

// Every custom field the mapper writes, under either target, is one that
// Fields lists for that target: the list cannot drift from the mapper.
func TestFieldsCoverEveryCustomFieldTheMapperWrites(t *testing.T) {
	t.Parallel()
	orders := loadOrders(t)
	for _, cfg := range []mapper.Config{
		{},
		{Target: mapper.TargetOrder, Pricebook2ID: "01s000000000001AAA", CatchAllProductKey: "custom"},
		{Link: mapper.LinkByExternalID},
	} {
		fields, err := orgsetup.Fields(cfg)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, f := range fields {
			have[f.FullName()] = true
		}
		m, err := mapper.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		written := map[string]bool{}
		for _, o := range orders {
			res, err := m.Map(o)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range res.Records {
				written[rec.SObject+"."+rec.ExternalIDField] = true
				for k, v := range rec.Fields {
					if strings.HasSuffix(k, "__c") {
						written[rec.SObject+"."+k] = true
					}
					if rel, ok := v.(map[string]string); ok {
						for ext := range rel {
							written[k+"."+ext] = true
						}
					}
				}
			}
		}
		// Product and customer sync write through the same Config.
		prod, err := m.MapProduct(&bigcommerce.Product{ID: 7, Name: "Widget", SKU: "W-1"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range prod.Products {
			written[p.SObject+"."+p.ExternalIDField] = true
		}
		cust, err := m.MapCustomer(&bigcommerce.Customer{ID: 9, Email: "ada@example.com", LastName: "Lovelace"})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range cust.Records {
			written[rec.SObject+"."+rec.ExternalIDField] = true
			for k := range rec.Fields {
				if strings.HasSuffix(k, "__c") {
					written[rec.SObject+"."+k] = true
				}
			}
		}
		if len(written) == 0 {
			t.Fatal("the mapper wrote nothing")
		}
		var missing []string
		for f := range written {
			if !have[f] {
				missing = append(missing, f)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("target %v: the mapper writes %v, which Fields does not list", cfg.Target, missing)
		}
	}
	if want := "Product2." + orgsetup.DefaultProductKeyField; pipeline.DefaultPricebookKeyField != want {
		t.Errorf("pipeline looks price book entries up by %s, setup creates %s", pipeline.DefaultPricebookKeyField, want)
	}
}

func loadOrders(t *testing.T) []*bigcommerce.Order {
	t.Helper()
	paths, err := filepath.Glob("../../bigcommerce/testdata/order_*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no order fixtures: %v", err)
	}
	var out []*bigcommerce.Order
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var o bigcommerce.Order
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, &o)
	}
	return out
}

func TestFieldSpecAndLabels(t *testing.T) {
	t.Parallel()
	fields, err := orgsetup.Fields(mapper.Config{OmitContact: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fields {
		got = append(got, f.FullName()+" "+f.Spec()+" "+f.Label)
	}
	want := []string{
		"Account.BigCommerce_Customer_Key__c Text(255), External ID, Unique BigCommerce Customer Key",
		"Opportunity.BigCommerce_Order_Id__c Text(255), External ID, Unique BigCommerce Order Id",
		"Opportunity.BigCommerce_Status__c Text(40) BigCommerce Status",
		"Opportunity.BigCommerce_Refunded_Amount__c Currency(14, 4) BigCommerce Refunded Amount",
		"Product2.BigCommerce_Product_Key__c Text(255), External ID, Unique BigCommerce Product Key",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fields:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fields, err := orgsetup.Fields(mapper.Config{Target: mapper.TargetOrder}); err != nil || len(fields) != 7 {
		t.Errorf("order target without a price book: %d fields, %v", len(fields), err)
	}
	noStatus := mapper.Config{Fields: mapper.Fields{Status: mapper.NoField, RefundedAmount: mapper.NoField, OrderID: "Shop_Order__c"}}
	if fields, err := orgsetup.Fields(noStatus); err != nil || len(fields) != 4 || fields[2].FullName() != "Opportunity.Shop_Order__c" {
		t.Errorf("no status fields, renamed order id: %v, %v", fields, err)
	}
	if fields, err := orgsetup.Fields(mapper.Config{Target: mapper.TargetOrder}); err != nil || len(fields) != 7 {
		t.Errorf("order target without a price book: %d fields, %v", len(fields), err)
	}
	if _, err := orgsetup.Fields(mapper.Config{Target: mapper.Target(7)}); err == nil {
		t.Error("Fields accepted an invalid mapper config")
	}
}
