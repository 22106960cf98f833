package main

import (
	"context"
	"io"
	"os"

	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// The program run against a fake org: the first run creates the fields and
// the permission set, the second finds nothing to do.
func Example() {
	org, _ := sftest.NewServer()
	defer org.Close()
	env := map[string]string{
		"SALESFORCE_CLIENT_ID":     sftest.DefaultClientID,
		"SALESFORCE_CLIENT_SECRET": sftest.DefaultClientSecret,
		"SALESFORCE_INSTANCE_URL":  org.URL(),
	}
	getenv := func(k string) string { return env[k] }
	run(context.Background(), nil, getenv, io.Discard, os.Stderr)
	run(context.Background(), nil, getenv, os.Stdout, os.Stderr)
	// Output:
	// FIELD                                       NEEDS                           FOUND                                              ACTION
	// Account.BigCommerce_Customer_Key__c         Text(255), External ID, Unique  Text(255) (External ID) (Unique Case Insensitive)  none
	// Contact.BigCommerce_Customer_Key__c         Text(255), External ID, Unique  Text(255) (External ID) (Unique Case Insensitive)  none
	// Opportunity.BigCommerce_Order_Id__c         Text(255), External ID, Unique  Text(255) (External ID) (Unique Case Insensitive)  none
	// Opportunity.BigCommerce_Status__c           Text(40)                        Text(40)                                           none
	// Opportunity.BigCommerce_Refunded_Amount__c  Currency(14, 4)                 Currency(14, 4)                                    none
	// Product2.BigCommerce_Product_Key__c         Text(255), External ID, Unique  Text(255) (External ID) (Unique Case Insensitive)  none
	// permission set bc2sf_Integration: exists
	// assignment: none requested; assign bc2sf_Integration to the integration user
	// 0 change(s), 0 conflict(s)
	// created: none
	// already there: Account.BigCommerce_Customer_Key__c, Contact.BigCommerce_Customer_Key__c, Opportunity.BigCommerce_Order_Id__c, Opportunity.BigCommerce_Status__c, Opportunity.BigCommerce_Refunded_Amount__c, Product2.BigCommerce_Product_Key__c
	// permission set created: false; fields granted: 0; assigned: false
}
