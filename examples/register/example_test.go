package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// The program run against a fake store: a dry run says what it would
// create, ensure creates a hook for every scope bc2sf syncs, a second ensure
// finds each there already, and list shows the header name but never its
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
		{"-destination", dest, "-dry-run"},
		{"-destination", dest},
		{"ensure", "-destination", dest},
		{"list"},
	} {
		run(ctx, args, func(k string) string { return env[k] }, os.Stdout, io.Discard)
	}
	// Output:
	// would create hook store/order/* -> https://sync.example.com/webhooks/bigcommerce (headers: X-Webhook-Secret)
	// would create hook store/customer/* -> https://sync.example.com/webhooks/bigcommerce (headers: X-Webhook-Secret)
	// would create hook store/product/created -> https://sync.example.com/webhooks/bigcommerce (headers: X-Webhook-Secret)
	// would create hook store/product/updated -> https://sync.example.com/webhooks/bigcommerce (headers: X-Webhook-Secret)
	// created hook 1000: store/order/* -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// created hook 1001: store/customer/* -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// created hook 1002: store/product/created -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// created hook 1003: store/product/updated -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// exists hook 1000: store/order/* -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// exists hook 1001: store/customer/* -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// exists hook 1002: store/product/created -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// exists hook 1003: store/product/updated -> https://sync.example.com/webhooks/bigcommerce (active, headers: X-Webhook-Secret)
	// ID    SCOPE                  DESTINATION                                    ACTIVE  HEADERS
	// 1000  store/order/*          https://sync.example.com/webhooks/bigcommerce  true    X-Webhook-Secret
	// 1001  store/customer/*       https://sync.example.com/webhooks/bigcommerce  true    X-Webhook-Secret
	// 1002  store/product/created  https://sync.example.com/webhooks/bigcommerce  true    X-Webhook-Secret
	// 1003  store/product/updated  https://sync.example.com/webhooks/bigcommerce  true    X-Webhook-Secret
}
