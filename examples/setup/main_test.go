package main

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

type result struct {
	code           int
	stdout, stderr string
}

func runWith(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	r := result{code, out.String(), errOut.String()}
	if strings.Contains(r.stdout+r.stderr, sftest.DefaultClientSecret) {
		t.Fatalf("the client secret was printed:\n%s%s", r.stdout, r.stderr)
	}
	return r
}

func newOrg(t *testing.T, extra map[string]string) (*sftest.Server, map[string]string) {
	t.Helper()
	org, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(org.Close)
	env := map[string]string{
		"SALESFORCE_CLIENT_ID":     sftest.DefaultClientID,
		"SALESFORCE_CLIENT_SECRET": sftest.DefaultClientSecret,
		"SALESFORCE_INSTANCE_URL":  org.URL(),
	}
	maps.Copy(env, extra)
	return org, env
}

func writes(org *sftest.Server) int {
	n := 0
	for _, route := range sftest.Routes() {
		if !strings.HasPrefix(route, "GET ") {
			n += org.Calls(route)
		}
	}
	return n
}

// A dry run changes nothing; the real run sets the org up; a second run
// finds everything in place and writes nothing.
func TestDryRunThenSetupThenNothingToDo(t *testing.T) {
	t.Parallel()
	org, env := newOrg(t, nil)
	if _, err := org.Seed("User", sftest.Record{"Username": "int@acme.example"}); err != nil {
		t.Fatal(err)
	}

	r := runWith(t, env, "-dry-run", "-assign", "int@acme.example")
	if r.code != exitOK || !strings.Contains(r.stdout, "dry run: nothing will be changed") ||
		!strings.Contains(r.stdout, "Opportunity.BigCommerce_Order_Id__c         Text(255), External ID, Unique  -      create, grant access") ||
		!strings.Contains(r.stdout, "Opportunity.BigCommerce_Refunded_Amount__c  Currency(14, 4)                 -      create, grant access") ||
		!strings.Contains(r.stdout, "14 change(s), 0 conflict(s)") {
		t.Fatalf("dry run: %+v", r)
	}
	if n := writes(org); n != 0 {
		t.Fatalf("the dry run made %d writes", n)
	}

	r = runWith(t, env, "-assign", "int@acme.example")
	if r.code != exitOK || !strings.Contains(r.stdout, "created: Account.BigCommerce_Customer_Key__c, Contact.BigCommerce_Customer_Key__c, "+
		"Opportunity.BigCommerce_Order_Id__c, Opportunity.BigCommerce_Status__c, Opportunity.BigCommerce_Refunded_Amount__c, Product2.BigCommerce_Product_Key__c") ||
		!strings.Contains(r.stdout, "permission set created: true; fields granted: 6; assigned: true") {
		t.Fatalf("setup: %+v", r)
	}
	if n := len(org.Records("FieldPermissions")); n != 6 {
		t.Errorf("%d field permissions, want 6", n)
	}

	org.ResetCalls()
	r = runWith(t, env, "-assign", "int@acme.example")
	if r.code != exitOK || !strings.Contains(r.stdout, "created: none") || !strings.Contains(r.stdout, "0 change(s), 0 conflict(s)") {
		t.Fatalf("second run: %+v", r)
	}
	if n := writes(org); n != 0 {
		t.Errorf("the second run made %d writes", n)
	}
}

func TestOrderTargetCreatesOrderFields(t *testing.T) {
	t.Parallel()
	org, env := newOrg(t, map[string]string{"SYNC_TARGET": "order"})
	r := runWith(t, env)
	if r.code != exitOK || !strings.Contains(r.stdout, "OrderItem.BigCommerce_Line_Item_Id__c") || strings.Contains(r.stdout, "Opportunity.") {
		t.Fatalf("order target: %+v", r)
	}
	if n := len(org.Records("FieldPermissions")); n != 7 {
		t.Errorf("%d field permissions, want 7", n)
	}
}

// A field of the wrong type is reported and the program fails, in a dry run
// and in a real one.
func TestConflictFails(t *testing.T) {
	t.Parallel()
	_, env := newOrg(t, nil)
	r := runWith(t, env)
	if r.code != exitOK {
		t.Fatal(r)
	}
	org2, env2 := newOrg(t, nil)
	sf, err := salesforce.NewClient(salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org2.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sf.ToolingCreate(context.Background(), "CustomField", salesforce.CustomField{FullName: "Account.BigCommerce_Customer_Key__c",
		Metadata: salesforce.CustomFieldMetadata{Label: "Key", Type: "Text", Length: 40, ExternalID: true, Unique: true}}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-dry-run"}, nil} {
		r := runWith(t, env2, args...)
		if r.code != exitFailed || !strings.Contains(r.stdout, "CONFLICT: holds 40 characters, bc2sf needs 255") {
			t.Errorf("%v: %+v", args, r)
		}
	}
}

func TestBadConfiguration(t *testing.T) {
	t.Parallel()
	_, env := newOrg(t, nil)
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"no credentials": {map[string]string{}, nil, "missing SALESFORCE_CLIENT_ID; missing SALESFORCE_CLIENT_SECRET; missing SALESFORCE_INSTANCE_URL"},
		"bad target":     {with(env, "SYNC_TARGET", "lead"), nil, "SYNC_TARGET: want opportunity or order"},
		"bad set":        {env, []string{"-permission-set", "a b"}, "-permission-set"},
		"bad username":   {env, []string{"-assign", "a b"}, "-assign"},
		"argument":       {env, []string{"now"}, "unexpected argument"},
		"bad version":    {with(env, "SALESFORCE_API_VERSION", "64"), nil, "API version"},
	} {
		r := runWith(t, tc.env, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := runWith(t, env, "-h"); r.code != exitOK {
		t.Errorf("-h: %+v", r)
	}
	if r := runWith(t, env, "-assign", "nobody@acme.example"); r.code != exitFailed || !strings.Contains(r.stderr, "no user") {
		t.Errorf("unknown user: %+v", r)
	}
	if r := runWith(t, with(env, "SALESFORCE_CLIENT_SECRET", "wrong-secret-value")); r.code != exitFailed || strings.Contains(r.stderr, "wrong-secret-value") {
		t.Errorf("wrong secret: %+v", r)
	}
}

func with(env map[string]string, k, v string) map[string]string {
	out := maps.Clone(env)
	out[k] = v
	return out
}
