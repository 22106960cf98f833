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
		TotalIncTax: decimal.RequireFromString("1234.5678"),
		BillingAddress: bigcommerce.BillingAddress{
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
	// account Account/BigCommerce_Customer_Key__c/ada@example.com {"BillingCity":"London","BillingCountry":"United Kingdom","Name":"Ada Lovelace"}
	// contact Contact/BigCommerce_Customer_Key__c/ada@example.com {"AccountId":"@{account.id}","Email":"ada@example.com","FirstName":"Ada","LastName":"Lovelace","MailingCity":"London","MailingCountry":"United Kingdom"}
	// opportunity Opportunity/BigCommerce_Order_Id__c/250 {"AccountId":"@{account.id}","Amount":1234.5678,"CloseDate":"2026-01-15","Name":"BigCommerce order #250","StageName":"Closed Won"}
	// warning email_normalized on account.Email: e-mail trimmed and lower-cased
	// warning account_name_fallback on account.Name: billing company is empty; Name is the buyer's name
}

// Map an order to Order and OrderItems, resolve the product keys to
// PricebookEntry ids (in a real worker, with one SOQL query over
// res.ProductKeys()), and build the Composite Graph.
func ExampleResult_Graph() {
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
	entries := mapper.PricebookEntryMap(map[string]string{"AE-1": "01u5g00000XyZaBAAV"})
	g, err := res.Graph("order250", "v64.0", entries)
	if err != nil {
		fmt.Println(err)
		return
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(g)
	// Output:
	// product keys: [AE-1]
	// {
	//  "graphId": "order250",
	//  "compositeRequest": [
	//   {
	//    "method": "PATCH",
	//    "url": "/services/data/v64.0/sobjects/Account/BigCommerce_Customer_Key__c/ada@example.com",
	//    "referenceId": "account",
	//    "body": {
	//     "BillingCity": "London",
	//     "BillingCountry": "United Kingdom",
	//     "Name": "Ada Lovelace"
	//    }
	//   },
	//   {
	//    "method": "PATCH",
	//    "url": "/services/data/v64.0/sobjects/Order/BigCommerce_Order_Id__c/250",
	//    "referenceId": "order",
	//    "body": {
	//     "Account": {
	//      "BigCommerce_Customer_Key__c": "ada@example.com"
	//     },
	//     "EffectiveDate": "2026-01-15",
	//     "Pricebook2Id": "01s5g00000AbCdEAAA",
	//     "Status": "Draft"
	//    }
	//   },
	//   {
	//    "method": "PATCH",
	//    "url": "/services/data/v64.0/sobjects/OrderItem/BigCommerce_Line_Item_Id__c/555",
	//    "referenceId": "item1",
	//    "body": {
	//     "Description": "Analytical Engine",
	//     "Order": {
	//      "BigCommerce_Order_Id__c": "250"
	//     },
	//     "PricebookEntryId": "01u5g00000XyZaBAAV",
	//     "Quantity": 2,
	//     "UnitPrice": 617.2839
	//    }
	//   }
	//  ]
	// }
}

// Re-sync an order that Salesforce already holds: the worker has found,
// with one SOQL query on the OrderItem external IDs, that line 555 and its
// Order exist, so their bodies leave out the fields Salesforce sets only on
// creation, and no PricebookEntry id is needed.
func ExampleResult_GraphWith() {
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: "01s5g00000AbCdEAAA", OmitContact: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.Map(exampleOrder())
	if err != nil {
		fmt.Println(err)
		return
	}
	existing := map[string]bool{"555": true}
	g, err := res.GraphWith("order250", "v64.0", mapper.GraphOptions{
		ExistingLineItems: func(lineItemID string) bool { return existing[lineItemID] },
		ExistingOrders:    func(orderID string) bool { return orderID == "250" },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, sub := range g.CompositeRequest {
		body, _ := json.Marshal(sub.Body)
		fmt.Println(sub.ReferenceID, string(body))
	}
	for _, rec := range res.Records {
		if len(rec.CreateOnly) > 0 {
			fmt.Println(rec.Ref, "create-only:", rec.CreateOnly)
		}
	}
	// Output:
	// account {"BillingCity":"London","BillingCountry":"United Kingdom","Name":"Ada Lovelace"}
	// order {"AccountId":"@{account.id}","EffectiveDate":"2026-01-15"}
	// item1 {"Description":"Analytical Engine","Quantity":2,"UnitPrice":617.2839}
	// order create-only: [Status Pricebook2Id]
	// item1 create-only: [OrderId PricebookEntryId]
}
