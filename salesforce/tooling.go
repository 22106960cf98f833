package salesforce

import (
	"context"
	"encoding/json"
	"iter"
)

// ToolingQuery runs a SOQL query on the Tooling API
// (GET /services/data/vNN.N/tooling/query), which serves an org's metadata
// as queryable objects: FieldDefinition, EntityDefinition, CustomField and
// more. It yields every record as raw JSON and pages exactly like Query:
// nextRecordsUrl is followed against the instance URL, each page is one API
// call, and an error is yielded once, as the last element.
func (c *Client) ToolingQuery(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error] {
	return c.queryAt(ctx, c.dataPath("tooling", "query"), soql)
}

// ToolingCreate creates one Tooling API record
// (POST /services/data/vNN.N/tooling/sobjects/{sobject}/), such as a
// CustomField, and returns its id. record is anything that encodes as the
// object's JSON body, e.g. a CustomField value.
func (c *Client) ToolingCreate(ctx context.Context, sobject string, record any) (string, error) {
	if err := checkName("Tooling sObject", sobject); err != nil {
		return "", err
	}
	return c.create(ctx, c.dataPath("tooling", "sobjects", sobject)+"/", sobject, record)
}

// CustomField is the body that creates a custom field through the Tooling
// API: ToolingCreate(ctx, "CustomField", f). Salesforce creates the field
// without field-level access for anyone; grant it with FieldPermissions
// records (see the salesforce/orgsetup package).
type CustomField struct {
	// FullName is "Object.Field__c", e.g.
	// "Account.BigCommerce_Customer_Key__c".
	FullName string `json:"FullName"`
	// Metadata describes the field.
	Metadata CustomFieldMetadata `json:"Metadata"`
}

// CustomFieldMetadata is the Metadata of a CustomField: the Metadata API's
// CustomField type, of which only the members bc2sf uses are modelled.
// Zero values are left out of the JSON, so Salesforce applies its defaults
// (not required, not unique, not an external ID, unique values compared
// case-insensitively).
type CustomFieldMetadata struct {
	// Label is the field label shown in the UI, e.g. "BigCommerce Order Id".
	Label string `json:"label"`
	// Type is the Metadata API field type, e.g. "Text", "Currency",
	// "Number", "Checkbox", "Date".
	Type string `json:"type"`
	// Length is the maximum length of a Text field, 1 to 255.
	Length int `json:"length,omitempty"`
	// Precision is the total number of digits of a Currency or Number field
	// (at most 18) and Scale the digits right of the decimal point.
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
	// ExternalID marks the field as an external ID, usable for upsert.
	ExternalID bool `json:"externalId,omitempty"`
	// Unique refuses a second record with the same value. With Unique an
	// upsert needs no "View All Data" permission.
	Unique bool `json:"unique,omitempty"`
	// CaseSensitive makes Unique compare values case-sensitively.
	CaseSensitive bool `json:"caseSensitive,omitempty"`
	// Required makes the field required on every record.
	Required bool `json:"required,omitempty"`
	// Description is the field's description in Setup.
	Description string `json:"description,omitempty"`
}
