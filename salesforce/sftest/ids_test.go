package sftest

import "testing"

func TestIDs(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"001D000000IqhSL", "001D000000IqhSLIAZ"},    // the REST guide's create example
		{"0018a00001rBqb8", "0018a00001rBqb8AAC"},    // the upsert example
		{"001D000000IqhSLIAZ", "001D000000IqhSLIAZ"}, // already 18
		{"001D000000IqhSLiaz", "001D000000IqhSLIAZ"}, // suffix is case-insensitive
		{"001D000000IqhSLAAA", ""},                   // wrong checksum
		{"001d000000IqhSLIAZ", ""},                   // first 15 are case-sensitive
		{"001D000000Iqh", ""},
		{"001D000000IqhS!", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := normalizeID(tc.in); got != tc.want {
			t.Errorf("normalizeID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if a, b := makeID("001", 0), makeID("001", 1); a == b || len(a) != 18 || normalizeID(a) != a {
		t.Errorf("makeID: %q %q", a, b)
	}
}

func TestSetupMethods(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	if _, err := srv.Seed("Nope", Record{}); err == nil {
		t.Error("Seed of unknown object")
	}
	if err := srv.AddExternalIDField("Account", "Name"); err == nil {
		t.Error("standard field accepted as external ID")
	}
	if err := srv.AddExternalIDField("Nope", "X__c"); err == nil {
		t.Error("unknown object accepted")
	}
	if err := srv.AddObject("Shipment__c", "001"); err == nil {
		t.Error("duplicate key prefix accepted")
	}
	if err := srv.AddObject("Shipment__c", "a01"); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddExternalIDField("Shipment__c", "Tracking__c"); err != nil {
		t.Fatal(err)
	}
	r := c.mustStatus(c.do("PATCH", "sobjects/Shipment__c/Tracking__c/T1", map[string]any{"Carrier__c": "UPS"}), 201)
	id := r.object(t)["id"].(string)
	if id[:3] != "a01" {
		t.Errorf("custom object id %s", id)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Shipment__c/tracking__c/T1", map[string]any{"Carrier__c": "DHL"}), 200)
	rec, ok := srv.RecordByExternalID("Shipment__c", "Tracking__c", "T1")
	if !ok || rec["Carrier__c"] != "DHL" {
		t.Errorf("record %v", rec)
	}
	rec["Carrier__c"] = "changed"
	if again, _ := srv.Record(id); again["Carrier__c"] != "DHL" {
		t.Error("Records returned a live map")
	}
	c.mustStatus(c.do("DELETE", "sobjects/Shipment__c/Tracking__c/T1", nil), 204)
	if srv.Records("Shipment__c") != nil || srv.Records("Nope") != nil {
		t.Error("records after delete")
	}
}

func TestReleaseLabel(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{"v63.0": "Spring '25", "v64.0": "Summer '25", "v65.0": "Winter '26",
		"v66.0": "Spring '26", "v67.0": "Summer '26", "v62.0": "Winter '25", "v61.0": "Summer '24", "v60.0": "Spring '24", "v64.5": ""} {
		if got := releaseLabel(v); got != want {
			t.Errorf("releaseLabel(%s) = %q, want %q", v, got, want)
		}
	}
}

// A field registered as external ID after records hold values in it finds
// those records: upsert updates the existing one instead of adding another,
// and a record later deleted, or rolled back, is no longer found.
func TestExternalIDFieldAddedLater(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	id, err := srv.Seed("Account", Record{"Name": "Acme", "Legacy_Key__c": "L-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddExternalIDField("Account", "Legacy_Key__c"); err != nil {
		t.Fatal(err)
	}
	rec, ok := srv.RecordByExternalID("Account", "Legacy_Key__c", "L-1")
	if !ok || rec["Id"] != id {
		t.Fatalf("RecordByExternalID = %v, %v; want the seeded record %s", rec, ok, id)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Account/Legacy_Key__c/L-1", map[string]any{"Name": "Acme Ltd"}), 200)
	if n := len(srv.Records("Account")); n != 1 {
		t.Errorf("%d Accounts after upserting the existing key, want 1", n)
	}
	c.mustStatus(c.do("DELETE", "sobjects/Account/Legacy_Key__c/L-1", nil), 204)
	if _, ok := srv.RecordByExternalID("Account", "Legacy_Key__c", "L-1"); ok {
		t.Error("a deleted record is still found by its external ID")
	}
}
