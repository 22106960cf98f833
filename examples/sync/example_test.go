package main

import (
	"context"
	"fmt"
	"os"
)

// Started without its configuration, the program names every missing
// variable at once and exits with code 2.
func Example() {
	code := run(context.Background(), func(string) string { return "" }, os.Stdout)
	fmt.Println("exit code", code)
	// Output:
	// sync: configuration: missing BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_CLIENT_TOKEN, SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL, BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET
	// exit code 2
}
