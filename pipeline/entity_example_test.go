package pipeline_test

import (
	"fmt"

	"github.com/bc2sf/bc2sf/pipeline"
)

// The scopes a receiver subscribes to, and which events its handler passes
// to the Sink: order, customer and product events, but not the deletions,
// which change nothing in Salesforce.
func ExampleIsSyncedScope() {
	fmt.Println(pipeline.SyncedScopes())
	for _, scope := range []string{
		"store/order/statusUpdated", "store/customer/updated", "store/customer/address/created",
		"store/customer/deleted", "store/product/updated", "store/product/inventory/updated",
	} {
		fmt.Println(scope, pipeline.IsSyncedScope(scope))
	}
	// Output:
	// [store/order/* store/customer/* store/product/created store/product/updated]
	// store/order/statusUpdated true
	// store/customer/updated true
	// store/customer/address/created true
	// store/customer/deleted false
	// store/product/updated true
	// store/product/inventory/updated false
}
