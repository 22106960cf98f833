package bctest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Customer and product scopes the fake delivers, as BigCommerce names them.
const (
	ScopeCustomerCreated        = "store/customer/created"
	ScopeCustomerUpdated        = "store/customer/updated"
	ScopeCustomerDeleted        = "store/customer/deleted"
	ScopeCustomerAddressCreated = "store/customer/address/created"
	ScopeCustomerAddressUpdated = "store/customer/address/updated"
	ScopeCustomerAddressDeleted = "store/customer/address/deleted"
	ScopeProductCreated         = "store/product/created"
	ScopeProductUpdated         = "store/product/updated"
	ScopeProductDeleted         = "store/product/deleted"
)

// CustomerAddress is one address of a v3 customer, with the JSON shape of
// address_Full. A zero ID is assigned; CustomerID is set by the store.
type CustomerAddress struct {
	ID              int64  `json:"id"`
	CustomerID      int64  `json:"customer_id"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Company         string `json:"company"`
	Address1        string `json:"address1"`
	Address2        string `json:"address2"`
	City            string `json:"city"`
	StateOrProvince string `json:"state_or_province"`
	PostalCode      string `json:"postal_code"`
	Country         string `json:"country"`
	CountryCode     string `json:"country_code"`
	Phone           string `json:"phone"`
	AddressType     string `json:"address_type"`
}

// UpdateCustomer applies change to a copy of the stored customer, checks it
// as AddCustomer does, stores it and returns it. The id cannot change.
// DateModified becomes the clock's now unless change moved it itself. It
// fails with ErrNotFound for an unknown id and ErrInvalid for an empty
// e-mail, leaving the customer as it was.
func (s *Server) UpdateCustomer(id int64, change func(*Customer)) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.customers[id]
	if !ok {
		return Customer{}, fmt.Errorf("%w: customer %d", ErrNotFound, id)
	}
	c := cur.clone()
	if change != nil {
		change(&c)
	}
	c.ID = id
	if c.Email == "" {
		return Customer{}, fmt.Errorf("%w: a customer needs an e-mail", ErrInvalid)
	}
	if c.DateModified.Equal(cur.DateModified) {
		c.DateModified = s.now()
	}
	c.DateModified = c.DateModified.UTC().Truncate(time.Second)
	s.assignAddressIDs(&c)
	stored := c.clone()
	s.customers[id] = &stored
	return c, nil
}

// AddCustomerAddress adds an address to a customer and returns it with its
// id. It leaves the customer's DateModified as it is: BigCommerce does not
// document that an address change moves it. It fails with ErrNotFound for
// an unknown customer.
func (s *Server) AddCustomerAddress(customerID int64, a CustomerAddress) (CustomerAddress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.customers[customerID]
	if !ok {
		return CustomerAddress{}, fmt.Errorf("%w: customer %d", ErrNotFound, customerID)
	}
	a.ID = 0
	cur.Addresses = append(cur.Addresses, a)
	s.assignAddressIDs(cur)
	return cur.Addresses[len(cur.Addresses)-1], nil
}

// UpdateCustomerAddress applies change to a copy of one of a customer's
// addresses and stores it; the address's id and customer cannot change. As
// AddCustomerAddress does, it leaves the customer's DateModified as it is,
// the pessimistic reading of BigCommerce's documentation, which does not
// say that an address change moves it: a sync that skips a customer whose
// date_modified did not move misses the edit. It fails with ErrNotFound for
// an unknown customer or an address the customer does not have.
func (s *Server) UpdateCustomerAddress(customerID, addressID int64, change func(*CustomerAddress)) (CustomerAddress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.customers[customerID]
	if !ok {
		return CustomerAddress{}, fmt.Errorf("%w: customer %d", ErrNotFound, customerID)
	}
	for i := range cur.Addresses {
		if cur.Addresses[i].ID != addressID {
			continue
		}
		a := cur.Addresses[i]
		if change != nil {
			change(&a)
		}
		a.ID, a.CustomerID = addressID, customerID
		defaultString(&a.AddressType, "residential")
		addrs := slices.Clone(cur.Addresses)
		addrs[i] = a
		cur.Addresses = addrs
		return a, nil
	}
	return CustomerAddress{}, fmt.Errorf("%w: customer %d has no address %d", ErrNotFound, customerID, addressID)
}

// assignAddressIDs numbers new addresses; mu must be held.
func (s *Server) assignAddressIDs(c *Customer) {
	for i := range c.Addresses {
		a := &c.Addresses[i]
		if a.ID == 0 {
			a.ID = s.nextID.customerAddress
		}
		s.nextID.customerAddress = max(s.nextID.customerAddress, a.ID+1)
		a.CustomerID = c.ID
		defaultString(&a.AddressType, "residential")
	}
}

// CustomerEvent returns the event of a customer scope (ScopeCustomerCreated,
// ScopeCustomerUpdated, ScopeCustomerDeleted) about one customer, with the
// documented data {"type":"customer","id":<customer id>}.
func CustomerEvent(scope string, customerID int64) EventSpec {
	return EventSpec{Scope: scope, Data: mustData(map[string]any{"type": "customer", "id": customerID})}
}

// CustomerAddressEvent returns the event of an address scope
// (ScopeCustomerAddressCreated, ...Updated, ...Deleted), with the
// documented data {"type":"customer","id":<address id>,
// "address":{"customer_id":<customer id>}}: its id is the address's.
func CustomerAddressEvent(scope string, addressID, customerID int64) EventSpec {
	return EventSpec{Scope: scope, Data: mustData(map[string]any{
		"type": "customer", "id": addressID, "address": map[string]any{"customer_id": customerID},
	})}
}

// ProductEvent returns the event of a product scope (ScopeProductCreated,
// ScopeProductUpdated, ScopeProductDeleted) about one product, with the
// documented data {"type":"product","id":<product id>}.
func ProductEvent(scope string, productID int64) EventSpec {
	return EventSpec{Scope: scope, Data: mustData(map[string]any{"type": "product", "id": productID})}
}

func mustData(v map[string]any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("bctest: event data: " + err.Error()) // maps of ids and strings always encode
	}
	return b
}

// CreateCustomer adds a customer as AddCustomer does, then delivers
// store/customer/created to every active hook whose scope matches, as the
// real store does when a shopper registers. It returns the customer and the
// deliveries made; a delivery error is returned with the customer, which is
// stored either way.
func (s *Server) CreateCustomer(ctx context.Context, c Customer) (Customer, []*DeliveryResult, error) {
	c, err := s.AddCustomer(c)
	if err != nil {
		return Customer{}, nil, err
	}
	res, err := s.DeliverToHooks(ctx, CustomerEvent(ScopeCustomerCreated, c.ID))
	return c, res, err
}

// EditCustomer changes a customer as UpdateCustomer does, then delivers
// store/customer/updated to every matching hook.
func (s *Server) EditCustomer(ctx context.Context, id int64, change func(*Customer)) (Customer, []*DeliveryResult, error) {
	c, err := s.UpdateCustomer(id, change)
	if err != nil {
		return Customer{}, nil, err
	}
	res, err := s.DeliverToHooks(ctx, CustomerEvent(ScopeCustomerUpdated, c.ID))
	return c, res, err
}

// AddAddress adds an address as AddCustomerAddress does, then delivers
// store/customer/address/created to every matching hook. BigCommerce fires
// no store/customer/updated for an address change.
func (s *Server) AddAddress(ctx context.Context, customerID int64, a CustomerAddress) (CustomerAddress, []*DeliveryResult, error) {
	a, err := s.AddCustomerAddress(customerID, a)
	if err != nil {
		return CustomerAddress{}, nil, err
	}
	res, err := s.DeliverToHooks(ctx, CustomerAddressEvent(ScopeCustomerAddressCreated, a.ID, customerID))
	return a, res, err
}

// EditAddress changes an address as UpdateCustomerAddress does (the
// customer's date_modified stays as it is), then delivers
// store/customer/address/updated to every matching hook.
func (s *Server) EditAddress(ctx context.Context, customerID, addressID int64, change func(*CustomerAddress)) (CustomerAddress, []*DeliveryResult, error) {
	a, err := s.UpdateCustomerAddress(customerID, addressID, change)
	if err != nil {
		return CustomerAddress{}, nil, err
	}
	res, err := s.DeliverToHooks(ctx, CustomerAddressEvent(ScopeCustomerAddressUpdated, a.ID, customerID))
	return a, res, err
}

// CreateProduct adds a product as AddProduct does, then delivers
// store/product/created to every matching hook.
func (s *Server) CreateProduct(ctx context.Context, p Product) (Product, []*DeliveryResult, error) {
	p, err := s.AddProduct(p)
	if err != nil {
		return Product{}, nil, err
	}
	res, err := s.DeliverToHooks(ctx, ProductEvent(ScopeProductCreated, p.ID))
	return p, res, err
}

// EditProduct changes a product as UpdateProduct does, then delivers
// store/product/updated to every matching hook.
func (s *Server) EditProduct(ctx context.Context, id int64, change func(*Product)) (Product, []*DeliveryResult, error) {
	p, err := s.UpdateProduct(id, change)
	if err != nil {
		return Product{}, nil, err
	}
	res, err := s.DeliverToHooks(ctx, ProductEvent(ScopeProductUpdated, p.ID))
	return p, res, err
}
