package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// The program run against a fake store: ensure creates the hook, a second
// ensure finds nothing to do, and list shows the header name but never its
// value.
func Example() {
	store, err := bctest.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	env := map[string]string{
		"BIGCOMMERCE_STORE_HASH":     store.StoreHash(),
		"BIGCOMMERCE_CLIENT_TOKEN":   store.Token(),
		"BIGCOMMERCE_API_URL":        store.URL(),
		"BIGCOMMERCE_WEBHOOK_SECRET": "a-long-random-secret",
	}
	ctx := context.Background()
	dest := "https://sync.example.com/webhooks/bigcommerce"
	for _, args := range [][]string{
		{"-destination", dest},
		{"ensure", "-destination", dest},
		{"list"},
	} {
		run(ctx, args, func(k string) string { return env[k] }, os.Stdout, io.Discard)
	}
	// Output:
	// created hook 1000: store/order/created -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// unchanged hook 1000: store/order/created -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// ID    SCOPE                DESTINATION                                    ACTIVE  HEADERS
	// 1000  store/order/created  https://sync.example.com/webhooks/bigcommerce  true    X-Webhook-Secret
}
