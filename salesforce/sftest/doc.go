// Package sftest is an in-process fake Salesforce org for tests: an
// http.Handler that speaks the Salesforce REST API wire format closely
// enough that a real client works against it unchanged. Package bctest is
// its sibling for BigCommerce: the two are built, faulted and inspected the
// same way.
//
// # Building and reaching the org
//
// NewServer(options...) builds an org and reports an invalid option as an
// error wrapping ErrInvalid; it needs no testing.TB, so programs such as an
// offline demo use it too. It opens no socket: URL, TokenURL and Client open
// a loopback port on first use, while Transport (an http.RoundTripper) and
// ServeHTTP serve the org in memory. Close releases the port.
//
// The org reads the time from the time package. A test that needs to
// control time (session timeouts, the daily window, record timestamps) runs
// in a testing/synctest bubble and reaches the org through Transport:
// loopback network I/O is not durably blocking, so a socket opened in a
// bubble would keep the bubble's clock from advancing.
//
// # Resources
//
//   - POST /services/oauth2/token: the client credentials grant (client id
//     and secret in the form or in HTTP Basic auth) and the JWT bearer grant.
//     The answer has access_token, instance_url (the scheme and host the
//     request came to), id,
//     token_type "Bearer", issued_at (epoch milliseconds as a string),
//     signature and scope, and, as in a real org, no expires_in and no
//     refresh_token. Failures use the OAuth shape
//     {"error":"invalid_client","error_description":"..."}.
//   - /services/data/vNN.N/sobjects/{Type}[/{Id}] and
//     /sobjects/{Type}/{ExternalIdField}/{value}: create (201), read
//     (?fields=), update (204), delete (204) and upsert (201 with
//     "created":true; 200 with "created":false from API 46.0, 204 before;
//     300 with the matching record URLs when several records hold the value).
//   - /query?q= and /query/{locator}-{offset}: a SOQL subset (below) with
//     nextRecordsUrl paging.
//   - /composite/sobjects: sObject Collections create (POST), update
//     (PATCH), delete (DELETE ?ids=) and upsert (PATCH
//     /composite/sobjects/{Type}/{ExternalIdField}), up to 200 records, with
//     allOrNone and per-record results in input order whose errors use
//     statusCode.
//   - /composite (up to 25 subrequests) and /composite/graph (up to 75
//     graphs, 500 nodes and 15 different kinds of node, by API version,
//     method and sObject; each graph commits or rolls back on its own, and
//     once more than 14 graphs of a request have failed, the graphs after
//     them are not processed: every node answers PROCESSING_HALTED), with
//     @{referenceId.field} references.
//   - /limits (DailyApiRequests) and a Sforce-Limit-Info: api-usage=N/M header
//     on every REST response.
//   - Bulk API 2.0: ingest jobs (POST /jobs/ingest for insert, update,
//     upsert and delete; PUT .../batches with the CSV; PATCH to
//     UploadComplete or Aborted; GET the job, its successfulResults,
//     failedResults and unprocessedrecords; DELETE a finished job) and query
//     jobs (POST /jobs/query, GET the job and its results with locator and
//     maxRecords, Sforce-Locator and Sforce-NumberOfRecords headers). Rows
//     follow the same rules as REST writes, one at a time: an empty value
//     leaves a field as it is, "#N/A" sets it to null, a column
//     Parent.ExtField__c links by external ID, and a refused row lands in
//     failedResults with sf__Error "CODE:message:fields --". SetBulkPolls
//     makes jobs read InProgress a number of times, FailNextBulkJob makes one
//     stop Failed with an errorMessage after some rows, and BulkJobs counts
//     jobs. Each Bulk request is one API call.
//   - the Tooling calls of org setup: POST /tooling/sobjects/CustomField
//     (Text, Currency, Number, Percent, Checkbox, Date, DateTime, Email,
//     Phone and Url fields; a second field of the same name is 400
//     DUPLICATE_VALUE) and GET /tooling/query on FieldDefinition (whose
//     DataType reads as Setup shows it, e.g. "Text(255) (External ID)
//     (Unique Case Insensitive)"; the query must filter on
//     EntityDefinition.QualifiedApiName, EntityDefinitionId or DurableId)
//     and CustomField. A field created as an external ID is usable for
//     upsert at once.
//
// Errors have the real shapes: a JSON array of {message, errorCode, fields}
// for REST calls, and for example 401 INVALID_SESSION_ID "Session expired or
// invalid", 403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded.",
// 400 REQUIRED_FIELD_MISSING, STRING_TOO_LONG, DUPLICATE_VALUE,
// MALFORMED_QUERY, and, inside an allOrNone composite or a failed graph,
// PROCESSING_HALTED for the subrequests that were rolled back.
//
// # Records and rules
//
// The org knows Account (key prefix 001), Contact (003), Opportunity (006),
// OpportunityLineItem (00k), Order (801), OrderItem (802), Product2 (01t),
// Pricebook2 (01s), PricebookEntry (01u) and CurrencyType (02P), and for
// field access PermissionSet (0PS), FieldPermissions (01k),
// PermissionSetAssignment (0Pa) and User (005); AddObject adds more. Ids are
// returned in their 18-character form; 15-character ids are accepted
// anywhere. The org starts with the standard price book
// (StandardPricebookID) and one currency; AddCurrency makes it
// multi-currency.
//
// Fields are schemaless: any field name is stored as sent, except that the
// fields below are stored under their canonical spelling. The fake enforces:
//
//   - required fields: Account.Name; Contact.LastName; Opportunity.Name,
//     StageName, CloseDate; Order.AccountId, EffectiveDate, Status;
//     OrderItem.OrderId, PricebookEntryId, Quantity, UnitPrice;
//     PricebookEntry.Pricebook2Id, Product2Id, UnitPrice; Product2.Name and
//     Pricebook2.Name;
//   - lengths: Account.Name 255, Contact.LastName 80, Contact.FirstName 40,
//     Contact.Email 80, Opportunity.Name 120, Order.Name 80, external IDs 255;
//   - dates (CloseDate, EffectiveDate, EndDate, ServiceDate) as YYYY-MM-DD;
//   - create-only fields: OrderItem.OrderId and PricebookEntryId (and the same
//     on OpportunityLineItem), and PricebookEntry.Pricebook2Id, Product2Id
//     and CurrencyIsoCode. They are refused on update even when unchanged,
//     which is how a real org treats fields that are not updateable;
//   - one PricebookEntry per product, price book and currency: a second
//     answers DUPLICATE_VALUE "This price definition already exists in this
//     price book";
//   - a PricebookEntry in a custom price book (a Pricebook2 whose IsStandard
//     is not true) needs an active entry of the same product (and currency)
//     in the standard price book: without one its creation answers 400
//     STANDARD_PRICE_NOT_DEFINED "No standard price defined for this
//     product", from a POST, an upsert or a graph node (rolling its graph
//     back); a graph may create the standard entry in an earlier node;
//   - in a multi-currency org (one holding a CurrencyType, see AddCurrency),
//     a CurrencyIsoCode that is not an active currency answers
//     INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST;
//   - lookups: a field named after a known object plus "Id" (AccountId,
//     Pricebook2Id, ...) must hold an id of that object that exists;
//     "Account": {"ExtField__c": "v"} in a body is resolved to AccountId by
//     external ID (400 INVALID_FIELD "Foreign key external ID: v not found
//     ..." when nothing matches);
//   - an OrderItem's PricebookEntry must belong to its Order's Pricebook2
//     (FIELD_INTEGRITY_EXCEPTION); the OrderItem gets Product2Id and ListPrice
//     from the entry;
//   - activated Orders: an Order's StatusCode (readable, as in SOQL) is
//     "Activated" when its Status is "Activated" and "Draft" otherwise, and
//     an OrderItem of an Order whose StatusCode is "Activated" can be neither
//     created nor updated (400 FIELD_INTEGRITY_EXCEPTION, rolling back its
//     graph);
//   - field access: a FieldPermissions record must name a field of its
//     SobjectType that exists (a custom field created through the Tooling
//     API; else 400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST), once per
//     ParentId (DUPLICATE_VALUE); a PermissionSet Name is taken once
//     (DUPLICATE_DEVELOPER_NAME); a user gets a permission set once
//     (DUPLICATE_VALUE);
//   - an external ID value in a URL path (/sobjects/{Type}/{Field}/{value},
//     alone or as a composite or graph node) that ends in ".inc", the
//     file-extension-like ending Salesforce's upsert documentation cites,
//     answers 404 NOT_FOUND even with its dot escaped, as a real org does;
//   - unique external IDs: BigCommerce_Customer_Key__c,
//     BigCommerce_Order_Id__c, BigCommerce_Line_Item_Id__c and
//     BigCommerce_Product_Key__c on every object, plus the fields given to
//     AddExternalIDField. Values compare case-sensitively, the Salesforce
//     default unless a field is marked "case insensitive"; a second record
//     with the same value is refused with DUPLICATE_VALUE. Requests are
//     applied one at a time, so concurrent upserts of one value create one
//     record;
//   - duplicate rules added with AddDuplicateRule: a create or update whose
//     compared fields equal another record's is refused with 400
//     DUPLICATES_DETECTED and the duplicate result Salesforce sends (under
//     its key "duplicateResut"), unless the rule's action is Alert and the
//     request sends Sforce-Duplicate-Rule-Header: allowSave=true.
//
// # SOQL subset
//
// SELECT f1, f2, Parent.f3 FROM Object [WHERE cond [AND cond ...]]
// [ORDER BY f [ASC|DESC]] [LIMIT n], where cond is field = value, != or <>
// value, IN (values) or NOT IN (values), and a value is a quoted string, a
// number, true, false or null. Any field, in SELECT, WHERE or ORDER BY, may
// be a Parent.Field path that follows the lookup ParentId. String literals take the escapes \n \r \t \b
// \f \" \' \\ and \uXXXX; any other backslash is MALFORMED_QUERY. String
// comparisons ignore case, as SOQL does. Without ORDER BY, rows come in
// creation order. Anything else (OR, LIKE, date literals, functions,
// subqueries, GROUP BY, COUNT()) is answered with MALFORMED_QUERY.
//
// # Fault injection and inspection
//
// FailNext(n, fault) answers the next n REST calls (of one route, or of all)
// with a Fault: a status with Salesforce's error body (503
// SERVER_UNAVAILABLE, 400 UNABLE_TO_LOCK_ROW, 403 REQUEST_LIMIT_EXCEEDED,
// 429 with Retry-After, 500 UNKNOWN_EXCEPTION), a delay, or both;
// FailRandomly(fraction, fault) fails a reproducible fraction of calls,
// drawn from the source WithSeed seeds. FailGraphNodesRandomly(fraction,
// code) fails a reproducible fraction of Composite Graph nodes instead
// (UNABLE_TO_LOCK_ROW by default), each rolling back its own graph only, as
// contention for locked rows does. ExpireTokens and ExpireTokensAfter
// invalidate sessions; WithDailyLimit and SetDailyUsage exhaust the
// allowance. A refused or faulted call is decided before the request is
// applied, so it changes nothing. Records, Record and RecordByExternalID
// show the data; Calls(route), TotalCalls, TokenRequests and
// FaultsInjected count requests until ResetCalls. Calls counts as
// Salesforce counts API calls, one per request (a Composite, Composite
// Graph or sObject Collections request is one call), but includes the
// faulted and refused ones; DailyUsage counts only the calls the org served.
//
// # Where the fake differs from a real org
//
//   - It speaks plain HTTP on loopback (or in memory), and instance_url is
//     whatever host the token request came to.
//   - A real org lets a user with "Edit Activated Orders" change some
//     fields of an activated Order's products, and knows the Status values
//     an admin adds to either category; the fake refuses every change to
//     such products and knows only "Activated" as activated.
//   - Duplicate rules match exactly (all compared fields equal, ignoring
//     case and surrounding space), not with fuzzy matching rules. Whether a
//     Composite or Composite Graph subrequest inherits the top-level
//     Sforce-Duplicate-Rule-Header is undocumented; the fake applies to a
//     subrequest only the header in its own httpHeaders, the documented way.
//   - Only the rules listed above exist: no triggers, flows, validation rules,
//     sharing, field-level security, record types, person
//     accounts, picklist checks or field type checks beyond dates and lookups.
//     Unknown fields are stored rather than refused with INVALID_FIELD.
//   - Deleted records are gone: there is no recycle bin, no queryAll of
//     deleted rows, no cascade delete of children.
//   - The JWT bearer grant checks only that the assertion is a well-formed
//     JWT (three base64url parts, JSON header and claims); it does not verify
//     the signature, issuer, audience or expiry.
//   - Session lifetime is a fixed timeout from issue (WithSessionTimeout),
//     not an inactivity timeout.
//   - The daily allowance is a fixed 24-hour window, not a rolling one.
//     Injected faults and refused calls do not use the allowance.
//   - An injected fault answers the whole HTTP request; a real lock error
//     inside a composite would appear in that subrequest's result instead.
//   - Composite subrequests always run in order (collateSubrequests is
//     ignored), may not be composite or graph requests themselves, and graph
//     nodes must be sObject requests. The error codes for malformed composite
//     envelopes (INVALID_INPUT, LIMIT_EXCEEDED) are the fake's own.
//   - The Tooling API knows only custom fields created through it: the
//     fields of standard objects and the four BigCommerce_*__c external IDs
//     the org accepts from the start do not appear in FieldDefinition until
//     created, and Tooling queries answer in one page. Field-level security
//     is recorded but not enforced.
//   - A Bulk ingest job runs when it is closed, in the request that closes
//     it, and takes one upload; its results keep the input order. CSV must
//     use commas and LF, the defaults. Query job locators are offsets.
//   - Query locators do not expire. Pages hold WithQueryPageSize records
//     (2000 by default), or the Sforce-Query-Options batchSize (200 to 2000)
//     when that is smaller; a real org may return fewer.
package sftest
