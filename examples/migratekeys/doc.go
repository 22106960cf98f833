// Migratekeys rewrites the customer keys that bc2sf wrote before the key
// was encoded, once, before the upgrade.
//
// Earlier versions keyed Account and Contact by the lower-cased e-mail
// itself ("ada@example.com"). The key is now encoded so that Salesforce
// cannot misread it in a URL path (mapper.CustomerKey: "ada@example%2Ecom").
// An upgraded worker that meets a customer under the old key would create a
// second Account and Contact, so the keys are rewritten first: stop the
// workers, run this program, then start the new version.
//
// Usage:
//
//	migratekeys [-apply] [-objects Account,Contact] [-field BigCommerce_Customer_Key__c] [-v]
//
// Without -apply it only reads: it queries every record of each object whose
// key field is set, computes mapper.MigrateCustomerKey for each key, and
// prints what it would change. With -apply it updates the records by id
// through sObject Collections, 200 records a call, and prints what it
// changed. Keys that are not e-mails (bc-customer-<id>, bc-order-<id>) and
// keys already encoded are left alone, so running it again changes nothing.
// A record whose new key another record of the same object already holds
// (the new version ran before the migration and created it) is reported as
// a conflict and not changed: merge the two in Salesforce and run again.
//
// Settings come from the environment: SALESFORCE_CLIENT_ID,
// SALESFORCE_CLIENT_SECRET and SALESFORCE_INSTANCE_URL (required),
// SALESFORCE_TOKEN_URL and SALESFORCE_API_VERSION (optional).
//
// Exit status: 0 on success (without -apply: the plan was printed), 1 when a
// call failed, a record could not be changed or a conflict was found, 2
// when the command line or the environment is incomplete or invalid.
package main
