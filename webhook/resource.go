package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
)

// customerData holds every field that carries a customer id in some scope.
type customerData struct {
	ID      json.RawMessage `json:"id"`
	Address struct {
		CustomerID json.RawMessage `json:"customer_id"`
	} `json:"address"`
}

// CustomerID returns the customer the event is about:
//   - store/customer/{created,updated,deleted} and
//     store/customer/payment/instrument/default/updated: data.id;
//   - store/customer/address/{created,updated,deleted}:
//     data.address.customer_id (data.id is the address there, so it is
//     never used in its place).
//
// Numbers and strings holding an integer are both accepted. It returns an
// error wrapping ErrNoCustomerID for scopes that are not about a customer
// (IsCustomerScope is false) or when the field is not there, and one
// wrapping ErrInvalidEvent when it is not a positive integer.
func (e Event) CustomerID() (int64, error) {
	src, err := e.customerIDSource()
	if err != nil {
		return 0, err
	}
	return src.parse(e.Scope, ErrNoCustomerID)
}

func (e Event) customerIDSource() (idSource, error) {
	if !IsCustomerScope(e.Scope) {
		return idSource{}, fmt.Errorf("%w: scope %q", ErrNoCustomerID, e.Scope)
	}
	var d customerData
	if err := unmarshalData(e.Data, &d); err != nil {
		return idSource{}, err
	}
	if strings.HasPrefix(e.Scope, ScopeCustomerPrefix+"address/") {
		return idSource{"data.address.customer_id", d.Address.CustomerID}, nil
	}
	return idSource{"data.id", d.ID}, nil
}

// productData holds every field that carries a product id in some scope.
type productData struct {
	ID         json.RawMessage `json:"id"`
	ResourceID json.RawMessage `json:"resource_id"`
}

// ProductID returns the product the event is about:
//   - store/product/{created,updated,deleted}, store/product/inventory/updated
//     and store/product/inventory/order/updated: data.id;
//   - store/product/metafield/{created,updated,deleted}: data.resource_id,
//     a string, falling back to data.id.
//
// Numbers and strings holding an integer are both accepted. It returns an
// error wrapping ErrNoProductID for scopes that are not about a product
// (IsProductScope is false), for store/product/variant/metafield/...
// (whose resource is a variant, not its product), or when the field is not
// there, and one wrapping ErrInvalidEvent when it is not a positive integer.
func (e Event) ProductID() (int64, error) {
	src, err := e.productIDSource()
	if err != nil {
		return 0, err
	}
	return src.parse(e.Scope, ErrNoProductID)
}

func (e Event) productIDSource() (idSource, error) {
	if !IsProductScope(e.Scope) || strings.HasPrefix(e.Scope, ScopeProductPrefix+"variant/") {
		return idSource{}, fmt.Errorf("%w: scope %q", ErrNoProductID, e.Scope)
	}
	var d productData
	if err := unmarshalData(e.Data, &d); err != nil {
		return idSource{}, err
	}
	if strings.HasPrefix(e.Scope, ScopeProductPrefix+"metafield/") {
		return firstPresent(idSource{"data.resource_id", d.ResourceID}, idSource{"data.id", d.ID}), nil
	}
	return idSource{"data.id", d.ID}, nil
}

// resourceID reads the id of the resource an order, customer or product
// event is about, with where it was found. kind is "order", "customer" or
// "product"; it is "" for every other scope (a delivery exception, a
// variant metafield, a cart), which carries no such id and gives no error.
func (e Event) resourceID() (kind string, id int64, src idSource, err error) {
	var absent error
	switch {
	case IsOrderScope(e.Scope):
		kind, absent = "order", ErrNoOrderID
		src, err = e.orderIDSource()
	case IsCustomerScope(e.Scope):
		kind, absent = "customer", ErrNoCustomerID
		src, err = e.customerIDSource()
	case IsProductScope(e.Scope) && !strings.HasPrefix(e.Scope, ScopeProductPrefix+"variant/"):
		kind, absent = "product", ErrNoProductID
		src, err = e.productIDSource()
	default:
		return "", 0, idSource{}, nil
	}
	if err == nil {
		id, err = src.parse(e.Scope, absent)
	}
	return kind, id, src, err
}
