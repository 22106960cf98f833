package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// The program against a fake org holding keys in the old form: a dry run
// prints the plan, -apply rewrites the keys, and a second run finds nothing
// left to do.
func Example() {
	org, _ := sftest.NewServer(sftest.WithIDSeed(1)) // stable ids
	defer org.Close()
	for _, key := range []string{"ada@studio.inc", "bc-customer-7"} {
		if _, err := org.Seed("Account", sftest.Record{"Name": "Customer", "BigCommerce_Customer_Key__c": key}); err != nil {
			fmt.Println(err)
			return
		}
	}
	env := map[string]string{
		"SALESFORCE_CLIENT_ID":     sftest.DefaultClientID,
		"SALESFORCE_CLIENT_SECRET": sftest.DefaultClientSecret,
		"SALESFORCE_INSTANCE_URL":  org.URL(),
	}
	getenv := func(k string) string { return env[k] }
	for _, args := range [][]string{{"-objects", "Account", "-v"}, {"-objects", "Account", "-apply"}, {"-objects", "Account"}} {
		run(context.Background(), args, getenv, os.Stdout, io.Discard)
	}
	// Output:
	// Account: 2 keys read, would update 1, 0 conflicts
	//   Account 0018d0000000002AAA "ada@studio.inc" -> "ada@studio%2Einc"
	// Account: 2 keys read, updating 1, 0 conflicts
	// Account: updated 1 keys, 0 failed
	// Account: 2 keys read, would update 0, 0 conflicts
}
