package sftest

import "testing"

// TestExternalIDLikeAFile: a path value ending in ".inc" answers 404, as
// Salesforce documents, even with its dot escaped; the same text with the
// dot stored as "%2E" is an ordinary value.
func TestExternalIDLikeAFile(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	for _, path := range []string{
		"sobjects/Account/BigCommerce_Customer_Key__c/ada@studio.inc",
		"sobjects/Account/BigCommerce_Customer_Key__c/ada@studio%2Einc",
		"sobjects/Account/BigCommerce_Customer_Key__c/ADA@STUDIO.INC",
	} {
		r := c.do("PATCH", path, map[string]any{"Name": "Ada"})
		if r.status != 404 || r.errorCode(t) != "NOT_FOUND" {
			t.Errorf("PATCH %s: %d %s", path, r.status, r.raw)
		}
	}
	if n := len(srv.Records("Account")); n != 0 {
		t.Fatalf("%d accounts written by refused upserts", n)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/ada@studio%252Einc", map[string]any{"Name": "Ada"}), 201)
	if _, ok := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "ada@studio%2Einc"); !ok {
		t.Fatalf("value not stored as sent: %v", srv.Records("Account"))
	}
	// The rule is the path's: a body value ending in .inc is fine.
	c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "Studio", "Website": "studio.inc"}), 201)
}
