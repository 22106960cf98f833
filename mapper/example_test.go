package mapper_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/shopspring/decimal"
)

func exampleOrder() *bigcommerce.Order {
	return &bigcommerce.Order{
		ID:          250,
		CustomerID:  0, // a guest
		DateCreated: time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC),
		StatusID:    bigcommerce.StatusAwaitingFulfillment,
		Status:      "Awaiting Fulfillment",
		TotalIncTax: decimal.RequireFromString("1234.5678"),
		BillingAddress: bigcommerce.Address{
			FirstName: "Ada", LastName: "Lovelace", City: "London", Country: "United Kingdom",
			Email: "Ada@Example.com",
		},
		Consignments: &bigcommerce.Consignments{Shipping: []bigcommerce.Consignment{{
			ID: 1,
			LineItems: []bigcommerce.OrderProduct{{
				ID: 555, ProductID: 77, Name: "Analytical Engine", SKU: "AE-1", Quantity: 2,
				PriceIncTax: decimal.RequireFromString("617.2839"),
			}},
		}}},
	}
}

// Map an order to the default target: Account, Contact and Opportunity.
func Example() {
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.Map(exampleOrder())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range res.Records {
		fields, _ := json.Marshal(rec.Fields)
		fmt.Printf("%s %s/%s/%s %s\n", rec.Ref, rec.SObject, rec.ExternalIDField, rec.ExternalID, fields)
	}
	for _, w := range res.Warnings {
		fmt.Printf("warning %s on %s.%s: %s\n", w.Code, w.Ref, w.Field, w.Message)
	}
	// Output:
	// account Account/BigCommerce_Customer_Key__c/ada@example%2Ecom {"BillingCity":"London","BillingCountry":"United Kingdom","Name":"Ada Lovelace"}
	// contact Contact/BigCommerce_Customer_Key__c/ada@example%2Ecom {"AccountId":"@{account.id}","Email":"ada@example.com","FirstName":"Ada","LastName":"Lovelace","MailingCity":"London","MailingCountry":"United Kingdom"}
	// opportunity Opportunity/BigCommerce_Order_Id__c/250 {"AccountId":"@{account.id}","Amount":1234.5678,"BigCommerce_Refunded_Amount__c":0,"BigCommerce_Status__c":"Awaiting Fulfillment","CloseDate":"2026-01-15","Name":"BigCommerce order #250","StageName":"Closed Won"}
	// warning email_normalized on account.Email: e-mail trimmed and lower-cased
	// warning account_name_fallback on account.Name: billing company is empty; Name is the buyer's name
}

// An order's later life reaches the Opportunity: the stage follows the
// status through Config.Stage, and the status text and refunded amount have
// fields of their own. An archived order is written too, as "Closed Lost".
func ExampleConfig_stage() {
	m, err := mapper.New(mapper.Config{
		// Disputed orders get a stage of their own; the default map
		// (Refunded, Cancelled, Declined: "Closed Lost") is replaced.
		Stage: mapper.StatusMap{Values: map[bigcommerce.StatusID]string{
			bigcommerce.StatusRefunded:  "Closed Lost",
			bigcommerce.StatusCancelled: "Closed Lost",
			bigcommerce.StatusDisputed:  "Disputed",
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	show := func(change func(o *bigcommerce.Order)) {
		o := exampleOrder()
		change(o)
		res, err := m.Map(o)
		if err != nil {
			fmt.Println(err)
			return
		}
		if res.Skipped() {
			fmt.Println("skipped:", res.Skip.Code)
			return
		}
		opp := res.Records[len(res.Records)-1].Fields
		fmt.Println(opp["StageName"], "|", opp["BigCommerce_Status__c"], "|", opp["Amount"], "|", opp["BigCommerce_Refunded_Amount__c"])
	}
	show(func(o *bigcommerce.Order) {})
	show(func(o *bigcommerce.Order) {
		o.StatusID, o.Status = bigcommerce.StatusPartiallyRefunded, "Partially Refunded"
		o.RefundedAmount = decimal.RequireFromString("34.5000")
	})
	show(func(o *bigcommerce.Order) {
		o.StatusID, o.Status = bigcommerce.StatusRefunded, "Refunded"
		o.RefundedAmount = o.TotalIncTax
	})
	show(func(o *bigcommerce.Order) {
		o.StatusID, o.Status = bigcommerce.StatusDisputed, "Disputed"
	})
	show(func(o *bigcommerce.Order) { o.IsDeleted = true })
	show(func(o *bigcommerce.Order) { o.StatusID = bigcommerce.StatusIncomplete })
	// Output:
	// Closed Won | Awaiting Fulfillment | 1234.5678 | 0
	// Closed Won | Partially Refunded | 1234.5678 | 34.5
	// Closed Lost | Refunded | 1234.5678 | 1234.5678
	// Disputed | Disputed | 1234.5678 | 0
	// Closed Lost | Archived | 1234.5678 | 0
	// skipped: status_not_synced
}

// Map an order to Order and OrderItems. Each OrderItem names its product
// key: the caller resolves the keys to PricebookEntry ids (the bc2sf
// pipeline does it with one SOQL query over res.ProductKeys()) and sets the
// id in the record's PricebookEntryField. CreateOnly lists the fields to
// leave out when the record already exists in Salesforce.
func ExampleMapper_Map_orderTarget() {
	m, err := mapper.New(mapper.Config{
		Target:       mapper.TargetOrder,
		Pricebook2ID: "01s5g00000AbCdEAAA",
		Link:         mapper.LinkByExternalID,
		OmitContact:  true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.Map(exampleOrder())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("product keys:", res.ProductKeys())
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(res.Records[1:])
	// Output:
	// product keys: [AE-1]
	// [
	//  {
	//   "ref": "order",
	//   "sobject": "Order",
	//   "externalIdField": "BigCommerce_Order_Id__c",
	//   "externalId": "250",
	//   "fields": {
	//    "Account": {
	//     "BigCommerce_Customer_Key__c": "ada@example%2Ecom"
	//    },
	//    "BigCommerce_Refunded_Amount__c": 0,
	//    "BigCommerce_Status__c": "Awaiting Fulfillment",
	//    "EffectiveDate": "2026-01-15",
	//    "Pricebook2Id": "01s5g00000AbCdEAAA",
	//    "Status": "Draft"
	//   },
	//   "createOnly": [
	//    "Status",
	//    "Pricebook2Id"
	//   ]
	//  },
	//  {
	//   "ref": "item1",
	//   "sobject": "OrderItem",
	//   "externalIdField": "BigCommerce_Line_Item_Id__c",
	//   "externalId": "555",
	//   "fields": {
	//    "Description": "Analytical Engine",
	//    "Order": {
	//     "BigCommerce_Order_Id__c": "250"
	//    },
	//    "Quantity": 2,
	//    "UnitPrice": 617.2839
	//   },
	//   "productKey": "AE-1",
	//   "pricebookEntryField": "PricebookEntryId",
	//   "createOnly": [
	//    "Order",
	//    "PricebookEntryId"
	//   ]
	//  }
	// ]
}

// A registered customer edited in BigCommerce: the same Account and Contact
// that the customer's orders use, under the same key.
func ExampleMapper_MapCustomer() {
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.MapCustomer(&bigcommerce.Customer{
		ID: 7, Email: "Ada@Studio.inc", FirstName: "Ada", LastName: "Lovelace", Company: "Engines Ltd",
		Addresses: []bigcommerce.CustomerAddress{{ID: 3, Address1: "12 New St", City: "London", Country: "United Kingdom"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("key", res.Key, "=", mapper.CustomerKey("Ada@Studio.inc", 7, 0))
	for _, rec := range res.Records {
		fields, _ := json.Marshal(rec.Fields)
		fmt.Printf("%s %s %s\n", rec.Ref, rec.SObject, fields)
	}
	// Output:
	// key ada@studio%2Einc = ada@studio%2Einc
	// account Account {"BillingCity":"London","BillingCountry":"United Kingdom","BillingStreet":"12 New St","Name":"Engines Ltd"}
	// contact Contact {"AccountId":"@{account.id}","Email":"ada@studio.inc","FirstName":"Ada","LastName":"Lovelace","MailingCity":"London","MailingCountry":"United Kingdom","MailingStreet":"12 New St"}
}

// A catalog product with variants: one Product2 per product key an order
// line can carry, each with the list price of its PricebookEntry.
func ExampleMapper_MapProduct() {
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	red := decimal.NewNullDecimal(decimal.RequireFromString("27.50"))
	res, err := m.MapProduct(&bigcommerce.Product{
		ID: 174, Name: "Smith Journal", SKU: "SM-13", Price: decimal.RequireFromString("25.00"),
		Variants: []bigcommerce.Variant{
			{ID: 380, SKU: "SM-13"},
			{ID: 381, SKU: "SM-13-RED", Price: red, OptionValues: []bigcommerce.OptionValue{{Label: "Red"}}},
			{ID: 382, OptionValues: []bigcommerce.OptionValue{{Label: "Blue"}}}, // no SKU
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Products {
		fmt.Printf("%s %s=%s %q at %s\n", p.SObject, p.ExternalIDField, p.ExternalID, p.Fields["Name"], p.UnitPrice)
	}
	// Output:
	// Product2 BigCommerce_Product_Key__c=SM-13 "Smith Journal" at 25
	// Product2 BigCommerce_Product_Key__c=SM-13-RED "Smith Journal (Red)" at 27.5
	// Product2 BigCommerce_Product_Key__c=bc-product-174 "Smith Journal" at 25
}
