// Package mapper turns a BigCommerce order into the Salesforce records that
// represent it: a pure function with configurable targets and documented
// fallbacks. MapCustomer and MapProduct do the same for a registered
// customer and a catalog product.
//
// New validates a Config once; Mapper.Map then does no I/O, reads no clock
// and keeps no state: the same order and Config always give the same
// Result, down to the bytes of its JSON. A Result lists the records to
// upsert, parents first, each with its object, external-ID field and value,
// body fields, create-only fields and, for an OrderItem, its product key;
// the warnings for every fallback used; and, for an order that is not to be
// written, a Skip with its reason. Records are plain data: the mapper builds
// no request and imports no HTTP or Salesforce code. The bc2sf pipeline
// turns an order's records into one Composite Graph with
// salesforce.NewUpsertGraph, which succeeds or fails as a whole.
//
// # Targets
//
// TargetOpportunity (the default) writes:
//
//   - Account, upserted on BigCommerce_Customer_Key__c: Name (billing
//     company, else the buyer's name, else the e-mail, else the customer
//     key), BillingStreet (street_1, a line break, street_2), BillingCity,
//     BillingState, BillingPostalCode, BillingCountry, Phone.
//   - Contact, upserted on the same key: FirstName, LastName, Email, Phone,
//     MailingStreet, MailingCity, MailingState, MailingPostalCode,
//     MailingCountry, linked to the Account. Config.OmitContact leaves it out.
//   - Opportunity, upserted on BigCommerce_Order_Id__c (the order id):
//     Name "BigCommerce order #<id>", Amount = total_inc_tax, CloseDate = the
//     order's creation date in UTC (YYYY-MM-DD), StageName from the status
//     (see "An order's later life" below), BigCommerce_Status__c (the
//     status text, "Archived" for an archived order),
//     BigCommerce_Refunded_Amount__c (refunded_amount), linked to the
//     Account, and CurrencyIsoCode when Config.MultiCurrency.
//
// TargetOrder writes the Account and Contact, then an Order upserted on
// BigCommerce_Order_Id__c (Status "Draft" when it is created, EffectiveDate,
// Pricebook2Id from Config.Pricebook2ID, BigCommerce_Status__c and
// BigCommerce_Refunded_Amount__c as on the Opportunity, linked to the
// Account, CurrencyIsoCode when multi-currency) and one OrderItem per
// revenue line upserted on
// BigCommerce_Line_Item_Id__c (Quantity, UnitPrice = price_inc_tax or, with
// Config.UnitPriceExTax, price_ex_tax, Description = the product name,
// linked to the Order). Each OrderItem carries a product key: the SKU, else
// bc-product-<product id>, else bc-variant-<variant id>, else
// Config.CatchAllProductKey. Result.ProductKeys lists them so a caller can
// fetch the PricebookEntry ids in one query and set each new item's
// Record.PricebookEntryField (PricebookEntryId by default); under
// MultiCurrency the entry must be in Result.Currency, the Order's
// currency. The bc2sf pipeline dead-letters an order whose key has no
// active entry (in its currency). Shipping, handling and order-level
// discounts are not lines, so the Order's total is the sum of its lines,
// not total_inc_tax.
//
// Every object and field name above is configurable (Config.Objects,
// Config.Fields, Config.Stage, ...); Config.Extra adds fields, from a
// constant or a named order field (OrderFieldNames).
//
// # Fields an org must create
//
//	object                 field                            type                              default name in
//	Account, Contact       BigCommerce_Customer_Key__c      Text(255), External ID, Unique    Fields.CustomerKey
//	Opportunity, Order     BigCommerce_Order_Id__c          Text(255), External ID, Unique    Fields.OrderID
//	Opportunity, Order     BigCommerce_Status__c            Text(40)                          Fields.Status
//	Opportunity, Order     BigCommerce_Refunded_Amount__c   Currency(14, 4)                   Fields.RefundedAmount
//	OrderItem              BigCommerce_Line_Item_Id__c      Text(255), External ID, Unique    Fields.LineItemID
//	Product2               BigCommerce_Product_Key__c       Text(255), External ID, Unique    Fields.ProductKey
//
// Fields.Status and Fields.RefundedAmount may be set to NoField to leave
// those fields out, for an org that does not want them. The
// salesforce/orgsetup package (and examples/setup) lists them from a Config
// and creates them, with field access, through the Tooling API.
//
// # Customers and products
//
// MapCustomer maps a registered customer (a v3 customer, for the
// store/customer/* events) to the same Account and Contact that Map writes
// for the customer's orders, under the same key, CustomerKey of the
// customer's e-mail and id: a customer with no order yet gets them, and an
// edit reaches them. The address is the customer's most recently added one
// (highest id), when the customer was read with its addresses; otherwise
// no address field is sent. Only constant Config.Extra fields apply. A
// customer deleted in BigCommerce is not mapped: its records stay.
//
// MapProduct maps a catalog product with its variants (for the
// store/product/* events, and for an order line whose product Salesforce
// does not hold yet) to one Product2 per product key an order line of it
// can carry (ProductKey: a variant's SKU, else bc-product-<product id>, and
// for a variant without SKU the product's own SKU too), upserted on
// Fields.ProductKey with Name, ProductCode (the key) and IsActive, and
// gives each the list price for its PricebookEntry (the variant's price,
// else the product's). MapProduct writes no PricebookEntry itself: an
// entry's Product2Id, Pricebook2Id and currency can be set only when it is
// created, so the bc2sf pipeline, which knows which entries exist, writes
// them (one active entry per key in the standard price book, and in the
// Order target's price book when it is another, one per active currency in
// a multi-currency org).
//
// # An order's later life
//
// Every change to an order in BigCommerce (a status change, an edit, a
// refund, archiving) is mapped again from the order as it is now, and the
// same records are upserted, so Salesforce follows the order:
//
//	order                                 StageName (Config.Stage)   BigCommerce_Status__c
//	Refunded (4), Cancelled (5),          "Closed Lost"              its status text
//	Declined (6)
//	every other synced status             "Closed Won"               its status text
//	archived (is_deleted), any status     "Closed Lost"              "Archived"
//	Incomplete (0)                        not written (Skip)
//
// Amount is always the current total_inc_tax and
// BigCommerce_Refunded_Amount__c the current refunded_amount, both exact
// decimals; a partial refund keeps the stage of its status (Partially
// Refunded, 14: "Closed Won"). An Incomplete order is an abandoned or
// unpaid checkout and is never written; once it leaves status 0 it is
// written like any other. An archived order is written too: bc2sf never
// deletes anything in Salesforce (Config.SkipDeleted leaves archived orders
// out instead). Config.Stage replaces any part of the stage map, the
// field included.
//
// For TargetOrder the Order carries the same status text and refunded
// amount. Its standard Status is Salesforce's own workflow state: the mapper
// sends Config.OrderStatus ("Draft") only when the Order is created, and
// never moves it later, so an Order activated in Salesforce stays activated.
// Config.OrderStage maps the status onto an Order field the way Stage does
// for the Opportunity, a custom field or Status itself. Salesforce refuses
// new or changed OrderItems on an activated Order; the bc2sf pipeline then
// writes the Order without its items (see its documentation).
//
// # Re-syncing an order
//
// An order is written again whenever it changes in BigCommerce, and again on
// a reconcile or a replay. Upsert by external ID makes each write an update,
// but Salesforce sets some fields only when it creates the record:
// OrderItem.OrderId and PricebookEntryId "must be specified when creating
// OrderItem records" and "can't be changed in an update"; an upsert that
// names them on an existing item fails with INVALID_FIELD_FOR_INSERT_UPDATE
// and rolls back the order's whole graph. Record.CreateOnly lists such
// fields per record, by their configured names: on an OrderItem its Order
// link (Fields.OrderLookup, or Fields.OrderRelationship under
// LinkByExternalID) and Fields.PricebookEntryLookup; on the Order, Status
// and Pricebook2Id, so that a re-sync neither sends an activated Order back
// to Draft nor touches the price book of an Order that has items. A writer
// that knows which records exist leaves their CreateOnly fields out (the
// bc2sf pipeline learns it with one SOQL query per batch and passes it to
// salesforce.NewUpsertGraph); an existing OrderItem needs no PricebookEntry
// id either.
//
// # Identity
//
// The customer key, the external ID of Account and Contact, is what
// CustomerKey returns: the trimmed, lower-cased billing e-mail when there
// is a plausible one (one "@", a dotted domain, no spaces), with every "%"
// and "/" and its last "." percent-encoded ("Ada@Studio.inc" has the key
// "ada@studio%2Einc"); else bc-customer-<customer id> for a registered
// customer; else bc-order-<order id> for a guest without e-mail. The
// encoding keeps the key readable and one-to-one with the e-mail, and keeps
// Salesforce from misreading it in the URL path of an upsert: it answers
// 404 to a value ending in a top-level domain it takes for a file extension
// (its documentation cites ".inc") and may answer 404 to a "/". Guest and
// registered orders of one e-mail share the key, so they meet in one
// Account and Contact, and the Contact's Email holds the e-mail itself.
// The key field should be Text(255), External ID and Unique; an e-mail
// whose key would be longer falls back to the id-based key. Keys written
// before the encoding (the e-mail itself) are migrated with
// MigrateCustomerKey; see the README.
//
// # Linking children to parents
//
// With LinkByReference (the default) a child's lookup is the parent
// subrequest's result, "AccountId": "@{account.id}": an explicit dependency,
// so the parent is written first: Composite runs unrelated subrequests out
// of order when it collates them, and Composite Graph gives no ordering
// guarantee for nodes that do not reference each other.
// With LinkByExternalID the child names its parent by external ID,
// "Account": {"BigCommerce_Customer_Key__c": "ada@example.com"}, which
// Salesforce accepts in upsert bodies but which leaves the order of the two
// subrequests to Salesforce.
//
// # Skips
//
//	code                meaning
//	status_not_synced   status_id is not in Config.Statuses (default: every status but Incomplete, 0)
//	order_deleted       is_deleted is true and Config.SkipDeleted is on
//
// # Fallbacks and warnings
//
// Text is cleaned the same way everywhere: invalid UTF-8 bytes become
// U+FFFD, surrounding white space is trimmed, and the value is cut to the
// field's Salesforce length without splitting a character, counting UTF-16
// code units as Salesforce does (an emoji counts twice): LastName 80,
// FirstName 40, Account Name 255, Opportunity Name 120, Email 80, Phone 40,
// street 255, city 40, state 80, postal code 20, country 80, OrderItem
// Description 255. An empty value is not sent, so an upsert never blanks a
// field Salesforce already holds. Money is written as a JSON number from the
// decimal's exact text (never through float64).
//
//	code                    when                                                     what the mapper does
//	invalid_utf8            a text value holds invalid UTF-8                          replaces the bytes with U+FFFD
//	truncated               a text value is longer than its field                     cuts it at a character boundary
//	email_normalized        the e-mail had spaces or upper case                       trims and lower-cases it
//	email_invalid           the e-mail is implausible or longer than Email allows     leaves Email out; the key falls back
//	email_missing           no usable e-mail                                          key bc-customer-<id> or bc-order-<id>
//	last_name_missing       billing last name is empty                                LastName "Unknown"
//	account_name_fallback   billing company is empty                                  Name from the buyer's name, e-mail or key
//	close_date_fallback     date_created is empty                                     uses date_modified
//	currency_fallback       multi-currency and default_currency_code is empty         uses currency_code
//	currency_missing        multi-currency and no currency code at all                leaves CurrencyIsoCode out
//	no_line_items           Order target, order has no line items                     writes the Order without items
//	bundle_child_folded     a bundle component with no price                          leaves the line out (the parent carries it)
//	bundle_child_priced     a bundle component with a price of its own                writes it as a line
//	product_key_fallback    a line has no SKU                                         key bc-product-<id> or bc-variant-<id>
//	catch_all_product       a line has no SKU, product id or variant id               key Config.CatchAllProductKey
//	line_quantity_invalid   a line's quantity is 0 or less                            leaves the line out
//	value_out_of_range      an extra money field is out of range                      leaves the field out
//
// # Errors
//
// New returns errors wrapping ErrInvalidConfig, listing every problem. Map
// returns ErrNilOrder, or ErrInvalidOrder (order id not positive, no date, a
// date outside 1700–4000, an amount beyond 40 digits or an exponent beyond
// ±30, a repeated or non-positive line id), or ErrNoProductKey.
// MapCustomer returns ErrInvalidCustomer and MapProduct ErrInvalidProduct
// (nil, an id that is not positive, a price out of range).
//
// # Caveats
//
// Person Accounts are not supported: the Account is a business account
// named as above. OrderItems that disappeared from a BigCommerce order are
// not deleted from Salesforce: the mapper only upserts the lines the order
// has. An Order that Salesforce holds but none of whose current lines it
// holds (every line replaced, or an Order first written without lines) looks
// new to a caller that learns existence from the OrderItems, as the bc2sf
// pipeline does, and is then sent Status "Draft" again. The items of an
// Order activated in Salesforce cannot be changed; the bc2sf pipeline
// writes such an Order without its items.
//
// # Why the order model is bigcommerce.Order
//
// The mapper reads the order type of the bigcommerce package rather than a
// model package of its own. The lenient decoders that make a loosely typed
// v2 payload usable (numbers sent as strings, nulls, dates in RFC 1123)
// belong with the wire format they decode, and a second import path for
// the same types would be a second vocabulary for every caller to convert
// between. The cost is a compile-time dependency on the client's
// libraries (resty among them); the mapper itself does no I/O and never
// calls the client.
package mapper
