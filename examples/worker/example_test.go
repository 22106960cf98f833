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
	// worker: configuration: missing BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_CLIENT_TOKEN, SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, SALESFORCE_INSTANCE_URL, REDIS_URL
	// exit code 2
}
