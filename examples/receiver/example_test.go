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
	// receiver: configuration: missing REDIS_URL, BIGCOMMERCE_WEBHOOK_SECRET or BIGCOMMERCE_CLIENT_SECRET
	// exit code 2
}
