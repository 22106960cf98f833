// Setup prepares a Salesforce org for bc2sf: it creates the custom fields
// bc2sf writes (the external IDs it upserts on), through the Tooling API,
// and grants read and edit access to them through a permission set, which it
// can assign to the integration user. It is the first step of connecting a
// real org.
//
// Usage:
//
//	setup [-dry-run] [-assign USERNAME] [-permission-set NAME] [-v]
//
// The fields follow the mapper's defaults for SYNC_TARGET: the customer key
// on Account and Contact; the order id, status text and refunded amount on
// Opportunity (opportunity, the default) or on Order with the line item id
// on OrderItem (order); and the product key on Product2; see the
// salesforce/orgsetup package.
//
// Setup may be run any number of times: it reads what the org has (one
// Tooling query, and a query or two for the permission set) and creates only
// what is missing, so a second run changes nothing. -dry-run prints the plan
// and changes nothing. A field that exists with a type bc2sf cannot use is
// reported as a conflict and left alone.
//
// Settings come from the environment: SALESFORCE_CLIENT_ID,
// SALESFORCE_CLIENT_SECRET and SALESFORCE_INSTANCE_URL (required),
// SALESFORCE_TOKEN_URL, SALESFORCE_API_VERSION (default v64.0) and
// SYNC_TARGET (opportunity or order). The connected app's user needs the
// "Customize Application" and "Manage Profiles and Permission Sets"
// permissions to create fields and permission sets.
//
// Exit status: 0 when the org is set up (or, with -dry-run, when nothing
// conflicts), 1 when a call failed or a field conflicts, 2 when the command
// line or the environment is incomplete or invalid.
package main
