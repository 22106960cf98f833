package bctest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/webhook"
)

// A customer edit in the fake store fires store/customer/updated at every
// hook subscribed to customer events, as the real store does.
func ExampleServer_EditCustomer() {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e, err := webhook.ParseEvent(body)
		if err != nil {
			fmt.Println(err)
			return
		}
		id, err := e.CustomerID()
		fmt.Println("received", e.Scope, "about customer", id, err)
	}))
	defer receiver.Close()
	store, err := bctest.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	if _, err := store.AddHook(bctest.Hook{Scope: "store/customer/*", Destination: receiver.URL, IsActive: true}); err != nil {
		fmt.Println(err)
		return
	}
	c, err := store.AddCustomer(bctest.Customer{Email: "ada@example.com", LastName: "Byron"})
	if err != nil {
		fmt.Println(err)
		return
	}
	edited, _, err := store.EditCustomer(context.Background(), c.ID, func(c *bctest.Customer) { c.LastName = "Lovelace" })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("stored", edited.LastName)
	// Output:
	// received store/customer/updated about customer 1 <nil>
	// stored Lovelace
}
