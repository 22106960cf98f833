package webhook

import (
	"encoding/json"
	"errors"
	"testing"
)

// The data shapes are those of BigCommerce's webhook events reference. An
// order event names its order in data.id, data.order_id or
// data.resource_id, by scope; a customer or product event names its
// resource in data.id, except an address event, whose data.id is the
// address and whose customer is data.address.customer_id.
func TestResourceIDs(t *testing.T) {
	t.Parallel()
	type accessor func(Event) (int64, error)
	order := func(e Event) (int64, error) { return e.OrderID() }
	customer := func(e Event) (int64, error) { return e.CustomerID() }
	product := func(e Event) (int64, error) { return e.ProductID() }
	tests := []struct {
		name    string
		get     accessor
		scope   string
		data    string
		want    int64
		wantErr error
	}{
		{"created", order, "store/order/created", `{"type":"order","id":250}`, 250, nil},
		{"updated", order, "store/order/updated", `{"type":"order","id":251}`, 251, nil},
		{"archived", order, "store/order/archived", `{"type":"order","id":252}`, 252, nil},
		{"statusUpdated", order, "store/order/statusUpdated", `{"type":"order","id":253,"status":{"previous_status_id":1,"new_status_id":11}}`, 253, nil},
		{"message created", order, "store/order/message/created", `{"type":"order","id":254,"message":{"order_message_id":3}}`, 254, nil},
		{"refund created", order, "store/order/refund/created", `{"type":"order","id":255,"refund":{"refund_id":4}}`, 255, nil},
		{"transaction: order_id string", order, "store/order/transaction/created", `{"type":"transaction","order_id":"256","transaction_id":"tx"}`, 256, nil},
		{"transaction updated", order, "store/order/transaction/updated", `{"order_id":"257"}`, 257, nil},
		{"metafield: resource_id string", order, "store/order/metafield/created", `{"metafield_id":21,"resource_id":"258"}`, 258, nil},
		{"metafield deleted", order, "store/order/metafield/deleted", `{"metafield_id":21,"resource_id":"259"}`, 259, nil},
		{"channel order_id number", order, "store/channel/1/order/updated", `{"order_id":127}`, 127, nil},
		{"channel statusUpdated", order, "store/channel/42/order/statusUpdated", `{"order_id":128}`, 128, nil},
		{"channel order_id string", order, "store/channel/1/order/created", `{"order_id":"129"}`, 129, nil},
		{"id as string", order, "store/order/created", `{"type":"order","id":"260"}`, 260, nil},
		{"fallback to order_id", order, "store/order/created", `{"order_id":261}`, 261, nil},
		{"product scope", order, "store/product/updated", `{"type":"product","id":5}`, 0, ErrNoOrderID},
		{"channel cart scope", order, "store/channel/1/cart/created", `{"cart_id":"x"}`, 0, ErrNoOrderID},
		{"delivery exception", order, ScopeDeliveryException, `{"type":"webhook","id":9,"error_code":90001}`, 0, ErrNoOrderID},
		{"no data", order, "store/order/created", ``, 0, ErrNoOrderID},
		{"empty data", order, "store/order/created", `{}`, 0, ErrNoOrderID},
		{"null id", order, "store/order/created", `{"id":null}`, 0, ErrNoOrderID},
		{"zero id", order, "store/order/created", `{"id":0}`, 0, ErrInvalidEvent},
		{"negative id", order, "store/order/created", `{"id":-3}`, 0, ErrInvalidEvent},
		{"text id", order, "store/order/created", `{"id":"abc"}`, 0, ErrInvalidEvent},
		{"float id", order, "store/order/created", `{"id":2.5}`, 0, ErrInvalidEvent},
		{"id overflows int64", order, "store/order/created", `{"id":99999999999999999999}`, 0, ErrInvalidEvent},
		{"data wrong type", order, "store/order/created", `{"id":{}}`, 0, ErrInvalidEvent},

		{"customer created", customer, "store/customer/created", `{"type":"customer","id":32}`, 32, nil},
		{"customer updated", customer, "store/customer/updated", `{"type":"customer","id":33}`, 33, nil},
		{"customer deleted", customer, "store/customer/deleted", `{"type":"customer","id":34}`, 34, nil},
		{"default instrument", customer, "store/customer/payment/instrument/default/updated", `{"type":"customer","id":35}`, 35, nil},
		{"address created", customer, "store/customer/address/created", `{"type":"customer","id":60,"address":{"customer_id":36}}`, 36, nil},
		{"address updated, string id", customer, "store/customer/address/updated", `{"type":"customer","id":61,"address":{"customer_id":"37"}}`, 37, nil},
		{"address without customer never reads the address id", customer, "store/customer/address/deleted", `{"type":"customer","id":62}`, 0, ErrNoCustomerID},
		{"address not an object", customer, "store/customer/address/deleted", `{"id":62,"address":5}`, 0, ErrInvalidEvent},
		{"customer id 1.5", customer, "store/customer/updated", `{"id":1.5}`, 0, ErrInvalidEvent},
		{"customer id abc", customer, "store/customer/updated", `{"id":"abc"}`, 0, ErrInvalidEvent},
		{"customer id negative", customer, "store/customer/updated", `{"id":-1}`, 0, ErrInvalidEvent},
		{"customer id missing", customer, "store/customer/updated", `{"type":"customer"}`, 0, ErrNoCustomerID},
		{"customer: no data", customer, "store/customer/updated", ``, 0, ErrNoCustomerID},
		{"customer: order scope", customer, "store/order/created", `{"type":"order","id":1}`, 0, ErrNoCustomerID},

		{"product created", product, "store/product/created", `{"type":"product","id":205}`, 205, nil},
		{"product updated", product, "store/product/updated", `{"type":"product","id":206}`, 206, nil},
		{"product deleted", product, "store/product/deleted", `{"type":"product","id":207}`, 207, nil},
		{"inventory updated", product, "store/product/inventory/updated", `{"type":"product","id":189,"inventory":{"product_id":189,"method":"absolute","value":5}}`, 189, nil},
		{"inventory from an order", product, "store/product/inventory/order/updated", `{"type":"product","id":190,"inventory":{"product_id":190,"method":"relative","value":-1}}`, 190, nil},
		{"product metafield", product, "store/product/metafield/updated", `{"metafield_id":3,"resource_id":"208"}`, 208, nil},
		{"product metafield falls back to id", product, "store/product/metafield/created", `{"id":209}`, 209, nil},
		{"variant metafield names no product", product, "store/product/variant/metafield/created", `{"metafield_id":3,"resource_id":"77"}`, 0, ErrNoProductID},
		{"product id 1.5", product, "store/product/updated", `{"id":1.5}`, 0, ErrInvalidEvent},
		{"product id zero", product, "store/product/updated", `{"id":0}`, 0, ErrInvalidEvent},
		{"product id overflows", product, "store/product/updated", `{"id":"99999999999999999999"}`, 0, ErrInvalidEvent},
		{"product id missing", product, "store/product/updated", `{"type":"product"}`, 0, ErrNoProductID},
		{"product: customer scope", product, "store/customer/created", `{"id":1}`, 0, ErrNoProductID},
		{"product: sku scope", product, "store/sku/updated", `{"type":"sku","id":1}`, 0, ErrNoProductID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := Event{Scope: tt.scope}
			if tt.data != "" {
				e.Data = json.RawMessage(tt.data)
			}
			got, err := tt.get(e)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("id = %d, want %d", got, tt.want)
			}
		})
	}
}

// Every scope is about at most one kind of resource, and the scope
// predicates say which.
func TestScopeKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scope                    string
		order, customer, product bool
	}{
		{"store/order/created", true, false, false},
		{"store/order/updated", true, false, false},
		{"store/order/statusUpdated", true, false, false},
		{"store/order/archived", true, false, false},
		{"store/order/refund/created", true, false, false},
		{"store/order/message/created", true, false, false},
		{"store/order/transaction/created", true, false, false},
		{"store/order/transaction/updated", true, false, false},
		{"store/order/metafield/deleted", true, false, false},
		{"store/channel/3/order/refund/created", true, false, false},
		{"store/customer/created", false, true, false},
		{"store/customer/address/updated", false, true, false},
		{"store/customer/payment/instrument/default/updated", false, true, false},
		{"store/product/updated", false, false, true},
		{"store/product/inventory/order/updated", false, false, true},
		{"store/product/variant/metafield/created", false, false, true},
		{"store/customers/created", false, false, false},
		{"store/sku/created", false, false, false},
		{"store/cart/converted", false, false, false},
		{ScopeDeliveryException, false, false, false},
	}
	for _, tt := range tests {
		if IsOrderScope(tt.scope) != tt.order || IsCustomerScope(tt.scope) != tt.customer || IsProductScope(tt.scope) != tt.product {
			t.Errorf("%q: order %v, customer %v, product %v; want %v, %v, %v", tt.scope,
				IsOrderScope(tt.scope), IsCustomerScope(tt.scope), IsProductScope(tt.scope), tt.order, tt.customer, tt.product)
		}
	}
}
