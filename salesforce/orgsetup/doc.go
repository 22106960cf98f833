// Package orgsetup prepares a Salesforce org for bc2sf: it creates the
// custom fields bc2sf writes, through the Tooling API, and gives the
// integration user read and edit access to them, through a permission set.
// It is idempotent: on an org that is set up it only reads.
//
//	fields, err := orgsetup.Fields(mapperConfig) // what the mapper writes
//	plan, err := orgsetup.Inspect(ctx, sf, fields, orgsetup.Options{AssignTo: "bc2sf@acme.example"})
//	fmt.Print(plan) // a dry run stops here
//	report, err := orgsetup.Apply(ctx, sf, plan)
//
// # What it creates
//
// Fields lists the fields from a mapper.Config, with the mapper's defaults
// filled in, so the list follows the configuration: the customer key on
// Account and Contact; the order id, the status text (Text(40)) and the
// refunded amount (Currency(14, 4)) on the Opportunity (or the Order, with
// the line item id on OrderItem, for the Order target); and the product key
// on Product2. The keys are Text(255), External ID and Unique
// (case-insensitive, the Salesforce default): Unique keeps two records from
// sharing a key, and lets an upsert run without the "View All Data"
// permission.
//
// A field is created with POST /services/data/vNN.N/tooling/sobjects/CustomField
// and a body of {"FullName": "Account.BigCommerce_Customer_Key__c",
// "Metadata": {"label", "type", "length", "externalId", "unique", ...}}
// (salesforce.CustomField). Existing fields are read with one Tooling query
// on FieldDefinition, filtered on EntityDefinition.QualifiedApiName (a
// FieldDefinition query must name its objects), whose DataType column shows
// the type as Setup does, e.g. "Text(255) (External ID) (Unique Case
// Insensitive)".
//
// # Field-level access: a permission set, not a profile
//
// A field created through the API is visible to nobody: Salesforce grants
// field-level security only to the profiles an administrator ticks in the
// Setup wizard. Setup grants it through a permission set (default
// DefaultPermissionSet, "bc2sf_Integration"): one FieldPermissions record
// per field with PermissionsRead and PermissionsEdit, created in one sObject
// Collections call. A permission set rather than a profile, because it
// grants exactly bc2sf's fields to exactly the user that needs them, leaves
// the org's profiles alone, can be removed in one step, and is where
// Salesforce is moving user permissions (it recommends permission sets over
// profiles). With Options.AssignTo the permission set is assigned to the
// integration user (the user the client credentials flow runs as); without
// it, assign it in Setup.
//
// # Conflicts
//
// A field that exists with another type (Number where Text is needed),
// shorter (Text(40) for a 255-character key), a smaller money scale, or
// without External ID or Unique on a key field is a conflict: Apply
// changes nothing about it, grants no access to it, does everything else,
// and returns an error wrapping ErrConflict naming each one. Changing a
// field's type can lose data, so that is left to an administrator.
//
// # Calls
//
// On an org that is set up, Inspect makes three calls (the Tooling query,
// the permission set, its field permissions; two more with AssignTo) and
// Apply none. On a new org, Apply makes one call per field, one for the
// permission set, one for the field access and one for the assignment.
//
// # What was not verified against a live org
//
// The CustomField body, the FieldDefinition columns and the FieldPermissions
// fields follow Salesforce's Tooling API and object references. The exact
// DataType text for every flag combination, and the error codes an org
// returns for a duplicate field or permission set, were taken from public
// examples rather than checked on an org; the sftest fake reproduces them
// as documented there.
package orgsetup
