package orgsetup

import "testing"

func TestConflictReadsSetupDataTypes(t *testing.T) {
	t.Parallel()
	key := Field{Object: "Account", Name: "K__c", Label: "K", Type: TypeText, Length: 255, ExternalID: true}
	status := Field{Object: "Opportunity", Name: "S__c", Label: "S", Type: TypeText, Length: 40}
	money := Field{Object: "Opportunity", Name: "M__c", Label: "M", Type: TypeCurrency, Precision: 18, Scale: 4}
	for _, tc := range []struct {
		f        Field
		dataType string
		ok       bool
	}{
		{key, "Text(255) (External ID) (Unique Case Insensitive)", true},
		{key, "Text(255) (External ID) (Unique Case Sensitive)", true},
		{key, "Text(255)  (External ID) (Unique Case Insensitive)", true},
		{key, "Text(255) (External ID)", false},
		{key, "Text(255) (Unique Case Insensitive)", false},
		{key, "Text(80) (External ID) (Unique Case Insensitive)", false},
		{key, "Number(18, 0) (External ID) (Unique)", false},
		{key, "Long Text Area(32768)", false},
		{key, "", false},
		{status, "Text(40)", true},
		{status, "Text(255)", true},
		{status, "Text(20)", false},
		{status, "Picklist", false},
		{money, "Currency(14, 4)", true},
		{money, "Currency(16, 4)", true},
		{money, "Currency(16, 2)", false},
		{money, "Currency(10, 4)", false},
		{money, "Number(14, 4)", false},
		{money, "Currency", false},
	} {
		got := conflict(tc.f, tc.dataType)
		if (got == "") != tc.ok {
			t.Errorf("conflict(%s, %q) = %q, want ok=%v", tc.f.Spec(), tc.dataType, got, tc.ok)
		}
	}
}
