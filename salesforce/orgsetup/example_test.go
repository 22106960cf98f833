package orgsetup_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/orgsetup"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// Inspect shows what setup would do (a dry run prints the plan), and Apply
// does it. Here against the fake org.
func Example() {
	org, _ := sftest.NewServer()
	defer org.Close()
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	fields, err := orgsetup.Fields(mapper.Config{})
	if err != nil {
		log.Fatal(err)
	}
	plan, err := orgsetup.Inspect(ctx, sf, fields, orgsetup.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := plan.Write(os.Stdout); err != nil {
		log.Fatal(err)
	}
	report, err := orgsetup.Apply(ctx, sf, plan)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("created %d fields, granted access to %d\n", len(report.Created), report.Granted)
	// Output:
	// FIELD                                       NEEDS                           FOUND  ACTION
	// Account.BigCommerce_Customer_Key__c         Text(255), External ID, Unique  -      create, grant access
	// Contact.BigCommerce_Customer_Key__c         Text(255), External ID, Unique  -      create, grant access
	// Opportunity.BigCommerce_Order_Id__c         Text(255), External ID, Unique  -      create, grant access
	// Opportunity.BigCommerce_Status__c           Text(40)                        -      create, grant access
	// Opportunity.BigCommerce_Refunded_Amount__c  Currency(14, 4)                 -      create, grant access
	// Product2.BigCommerce_Product_Key__c         Text(255), External ID, Unique  -      create, grant access
	// permission set bc2sf_Integration: create
	// assignment: none requested; assign bc2sf_Integration to the integration user
	// 13 change(s), 0 conflict(s)
	// created 6 fields, granted access to 6
}
