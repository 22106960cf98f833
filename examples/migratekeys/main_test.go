package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

const keyField = "BigCommerce_Customer_Key__c"

func newOrg(t *testing.T) (*sftest.Server, func(string) string) {
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
	return org, func(k string) string { return env[k] }
}

func seed(t *testing.T, org *sftest.Server, object string, fields sftest.Record) string {
	t.Helper()
	id, err := org.Seed(object, fields)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func runWith(t *testing.T, env func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env, &out, &errOut)
	return code, out.String(), errOut.String()
}

func keyOf(t *testing.T, org *sftest.Server, id string) string {
	t.Helper()
	rec, ok := org.Record(id)
	if !ok {
		t.Fatalf("record %s is gone", id)
	}
	k, _ := rec[keyField].(string)
	return k
}

func TestMigrateKeys(t *testing.T) {
	t.Parallel()
	org, env := newOrg(t)
	inc := seed(t, org, "Account", sftest.Record{"Name": "Studio", keyField: "ada@studio.inc"})
	com := seed(t, org, "Account", sftest.Record{"Name": "Grace", keyField: "grace@example.org"})
	byID := seed(t, org, "Account", sftest.Record{"Name": "Guest", keyField: "bc-order-250"})
	done := seed(t, org, "Account", sftest.Record{"Name": "New", keyField: "alan@example%2Ecom"})
	// The new version ran once already: both forms exist for this customer.
	dupOld := seed(t, org, "Account", sftest.Record{"Name": "Old", keyField: "kurt@example.at"})
	seed(t, org, "Account", sftest.Record{"Name": "New twin", keyField: "kurt@example%2Eat"})
	contact := seed(t, org, "Contact", sftest.Record{"LastName": "Lovelace", keyField: "ada@studio.inc", "Email": "ada@studio.inc"})

	code, out, errOut := runWith(t, env, "-v")
	if code != exitFailed { // the conflict
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"Account: 6 keys read, would update 2, 1 conflicts",
		`"ada@studio.inc" -> "ada@studio%2Einc"`,
		`conflict: Account ` + dupOld + ` "kurt@example.at": another Account holds "kurt@example%2Eat" already`,
		"Contact: 1 keys read, would update 1, 0 conflicts",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if k := keyOf(t, org, inc); k != "ada@studio.inc" {
		t.Fatalf("dry run changed a key to %q", k)
	}

	code, out, errOut = runWith(t, env, "-apply")
	if code != exitFailed || !strings.Contains(out, "Account: updated 2 keys, 0 failed") || !strings.Contains(out, "Contact: updated 1 keys, 0 failed") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	for id, want := range map[string]string{
		inc: "ada@studio%2Einc", com: "grace@example%2Eorg", byID: "bc-order-250", done: "alan@example%2Ecom",
		dupOld: "kurt@example.at", contact: "ada@studio%2Einc",
	} {
		if k := keyOf(t, org, id); k != want {
			t.Errorf("record %s: key %q, want %q", id, k, want)
		}
	}
	if rec, _ := org.Record(contact); rec["Email"] != "ada@studio.inc" {
		t.Errorf("Email changed: %v", rec["Email"])
	}

	// Again: nothing left but the conflict.
	_, out, _ = runWith(t, env, "-apply", "-objects", "Account")
	if !strings.Contains(out, "Account: 6 keys read, updating 0, 1 conflicts") || strings.Contains(out, "Contact") {
		t.Errorf("second run:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	_, env := newOrg(t)
	for _, c := range []struct {
		args []string
		env  func(string) string
		want string
	}{
		{[]string{"-field", "Bad Field"}, env, `"Bad Field" is not a Salesforce API name`},
		{[]string{"-objects", "Account;DROP"}, env, "is not a Salesforce API name"},
		{[]string{"extra"}, env, `unexpected argument "extra"`},
		{nil, func(string) string { return "" }, "missing environment variable(s): SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL"},
	} {
		code, _, errOut := runWith(t, c.env, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, errOut, c.want)
		}
	}
}
