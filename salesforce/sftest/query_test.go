package sftest

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// escapeSOQL is how a client should quote a string literal: backslash first,
// then the quote, then control characters.
func escapeSOQL(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "\b", `\b`, "\f", `\f`, `"`, `\"`)
	return r.Replace(s)
}

func (c *client) query(q string) result {
	c.t.Helper()
	return c.do("GET", "query?q="+url.QueryEscape(q), nil)
}

func names(t *testing.T, r result) []string {
	t.Helper()
	var out []string
	for _, rec := range r.object(t)["records"].([]any) {
		out = append(out, rec.(map[string]any)["Name"].(string))
	}
	return out
}

func TestQueryHostileLiterals(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	hostile := []string{
		`Bob's BBQ`,
		`back\slash`,
		`' OR Name != '`,
		`\' OR Name != \'`,
		"line\nbreak\ttab\rcr\bbs\fff",
		`quote " double`,
		`%_ like chars`,
		`trailing backslash \`,
		`ünïcødé ✓`,
	}
	for _, name := range hostile {
		if _, err := srv.Seed("Account", Record{"Name": name}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Seed("Account", Record{"Name": "bystander"})
	for _, name := range hostile {
		r := c.mustStatus(c.query("SELECT Id, Name FROM Account WHERE Name = '"+escapeSOQL(name)+"'"), 200)
		got := names(t, r)
		if len(got) != 1 || got[0] != name {
			t.Errorf("literal %q matched %q", name, got)
		}
	}
	// \u escapes are accepted too.
	if got := names(t, c.mustStatus(c.query(`SELECT Name FROM Account WHERE Name = '\u00fcn\u00efc\u00f8d\u00e9 \u2713'`), 200)); len(got) != 1 {
		t.Errorf("\\u escape matched %q", got)
	}
	bad := []string{
		`SELECT Name FROM Account WHERE Name = 'Bob's BBQ'`,
		`SELECT Name FROM Account WHERE Name = 'a\qb'`,
		`SELECT Name FROM Account WHERE Name = 'a\_b'`,
		`SELECT Name FROM Account WHERE Name = 'unterminated`,
		`SELECT Name FROM Account WHERE Name = 'x' OR Name != 'y'`,
		`SELECT Name FROM Account WHERE Name = '\u12'`,
	}
	for _, q := range bad {
		if r := c.query(q); r.status != 400 || r.errorCode(t) != "MALFORMED_QUERY" {
			t.Errorf("%s: %d %s", q, r.status, r.raw)
		}
	}
}

func TestQueryFilters(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	acct, _ := srv.Seed("Account", Record{"Name": "Parent"})
	for _, rec := range []Record{
		{"Name": "a", "BigCommerce_Order_Id__c": "1", "Amount": "10.50", "IsWon": true, "AccountId": acct},
		{"Name": "b", "BigCommerce_Order_Id__c": "2", "Amount": "3", "IsWon": false},
		{"Name": "c", "BigCommerce_Order_Id__c": "3"},
	} {
		rec["StageName"], rec["CloseDate"] = "s", "2026-01-01"
		if _, err := srv.Seed("Opportunity", rec); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    string
		want string
	}{
		{"SELECT Name FROM Opportunity", "a,b,c"},
		{"select name from opportunity where bigcommerce_order_id__c in ('1','3')", "a,c"},
		{"SELECT Name FROM Opportunity WHERE BigCommerce_Order_Id__c NOT IN ('1','3')", "b"},
		{"SELECT Name FROM Opportunity WHERE Name = 'A'", "a"},
		{"SELECT Name FROM Opportunity WHERE Amount = 10.5", "a"},
		{"SELECT Name FROM Opportunity WHERE IsWon = false", "b"},
		{"SELECT Name FROM Opportunity WHERE Amount = null", "c"},
		{"SELECT Name FROM Opportunity WHERE Amount != null AND IsWon = true", "a"},
		{"SELECT Name FROM Opportunity WHERE Name <> 'a' ORDER BY Name DESC", "c,b"},
		{"SELECT Name FROM Opportunity LIMIT 2", "a,b"},
		{"SELECT Name FROM Opportunity WHERE AccountId = '" + acct[:15] + "'", "a"},
		{"SELECT Name FROM Opportunity WHERE Account.Name = 'parent'", "a"},
		{"SELECT Name FROM Opportunity WHERE Account.Name = null ORDER BY Account.Name", "b,c"},
	}
	for _, tc := range tests {
		r := c.query(tc.q)
		if r.status != 200 {
			t.Errorf("%s: %d %s", tc.q, r.status, r.raw)
			continue
		}
		if got := strings.Join(names(t, r), ","); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.q, got, tc.want)
		}
	}
	r := c.mustStatus(c.query("SELECT Name, Account.Name FROM Opportunity WHERE Name = 'a'"), 200)
	rec := r.object(t)["records"].([]any)[0].(map[string]any)
	if parent, _ := rec["Account"].(map[string]any); parent["Name"] != "Parent" {
		t.Errorf("relationship field: %s", r.raw)
	}
	if r := c.query("SELECT Name FROM Nope"); r.status != 400 || r.errorCode(t) != "INVALID_TYPE" {
		t.Errorf("unknown object: %d %s", r.status, r.raw)
	}
	if r := c.do("GET", "query", nil); r.status != 400 || r.errorCode(t) != "MALFORMED_QUERY" {
		t.Errorf("no q: %d %s", r.status, r.raw)
	}
}

func TestQueryPaging(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, WithQueryPageSize(3))
	for i := 0; i < 7; i++ {
		srv.Seed("Account", Record{"Name": string(rune('a' + i))})
	}
	var got []string
	r := c.mustStatus(c.query("SELECT Name FROM Account"), 200)
	pages := 0
	for {
		pages++
		body := r.object(t)
		if n, _ := body["totalSize"].(interface{ String() string }); n.String() != "7" {
			t.Fatalf("totalSize %v", body["totalSize"])
		}
		got = append(got, names(t, r)...)
		if body["done"] == true {
			if _, ok := body["nextRecordsUrl"]; ok {
				t.Fatal("done page has nextRecordsUrl")
			}
			break
		}
		next := body["nextRecordsUrl"].(string)
		if !strings.HasPrefix(next, "/services/data/v64.0/query/01g") {
			t.Fatalf("nextRecordsUrl %q", next)
		}
		r = c.mustStatus(c.do("GET", next, nil), 200)
	}
	if pages != 3 || strings.Join(got, "") != "abcdefg" {
		t.Errorf("pages %d, rows %v", pages, got)
	}
	if r := c.do("GET", "query/01gBOGUS-3", nil); r.status != 400 || r.errorCode(t) != "INVALID_QUERY_LOCATOR" {
		t.Errorf("bad locator: %d %s", r.status, r.raw)
	}
}

func TestParseSOQL(t *testing.T) {
	t.Parallel()
	ok := []string{
		"SELECT Id FROM Account",
		"select Id, Name from Account where Name = 'x' and Id in ('a') limit 5",
		"SELECT Id FROM Account WHERE Amount = -1.5 ORDER BY Name ASC",
		"SELECT Account.Name FROM Contact WHERE Name != null",
	}
	for _, q := range ok {
		if _, err := parseSOQL(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	bad := []string{
		"", "SELECT", "SELECT FROM Account", "SELECT Id FROM", "SELECT Id, FROM Account",
		"SELECT Id FROM Account WHERE", "SELECT Id FROM Account WHERE Name", "SELECT Id FROM Account WHERE Name = ",
		"SELECT Id FROM Account WHERE Name IN ()", "SELECT Id FROM Account WHERE Name IN ('a'",
		"SELECT Id FROM Account LIMIT -1", "SELECT Id FROM Account LIMIT x", "SELECT Id FROM Account extra",
		"SELECT Id FROM Account.Sub", "SELECT .Id FROM Account", "SELECT Id FROM Account WHERE Name < 'a'",
		"SELECT Id FROM Account WHERE Name LIKE 'a%'", "SELECT COUNT() FROM Account", "\xff",
		"SELECT Id FROM Account WHERE Name = 'a' OR Name = 'b'", strings.Repeat("x", maxQueryLen+1),
	}
	for _, q := range bad {
		if _, err := parseSOQL(q); !errors.Is(err, errMalformedQuery) {
			t.Errorf("%q: err %v, want errMalformedQuery", q, err)
		}
	}
}

func TestQueryBatchSizeHeader(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]int{"batchSize=200": 200, "batchSize = 250, other=1": 250,
		"batchSize=100": 0, "batchSize=2001": 0, "batchSize=x": 0, "": 0} {
		if got := parseBatchSize(header); got != want {
			t.Errorf("parseBatchSize(%q) = %d, want %d", header, got, want)
		}
	}
	srv, c := newOrg(t, WithQueryPageSize(300))
	for i := 0; i < 450; i++ {
		srv.Seed("Account", Record{"Name": "n"})
	}
	req := func(header string) int {
		r := c.doHeader("GET", "query?q=SELECT+Id+FROM+Account", header)
		return len(r.object(t)["records"].([]any))
	}
	if n := req("batchSize=200"); n != 200 {
		t.Errorf("batchSize=200 gave %d rows", n)
	}
	if n := req(""); n != 300 {
		t.Errorf("default page gave %d rows", n)
	}
}
