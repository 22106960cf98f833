package bctest

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// AddOrder stores an order and returns it as the API will serve it. A zero
// ID gets the next free id (the first is 100); zero ids of shipping
// addresses and line items are assigned too. A zero DateCreated becomes the
// clock's now and a zero DateModified becomes DateCreated. Empty money
// fields become "0.0000"; other defaults are listed on Order, LineItem and
// ShippingAddress. It fails with ErrConflict when the id is taken and with
// ErrInvalid when a money field is not a decimal string, a status id is not
// 0 to 14, a line item type is unknown or an id is negative.
func (s *Server) AddOrder(o Order) (Order, error) {
	o = o.clone()
	if err := s.normalizeOrder(&o); err != nil {
		return Order{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ID == 0 {
		o.ID = s.nextID.order
	}
	if _, taken := s.orders[o.ID]; taken {
		return Order{}, fmt.Errorf("%w: order %d exists", ErrConflict, o.ID)
	}
	if err := s.assignOrderIDs(&o); err != nil {
		return Order{}, err
	}
	s.nextID.order = max(s.nextID.order, o.ID+1)
	stored := o.clone()
	s.orders[o.ID] = &stored
	return o, nil
}

// normalizeOrder validates o and fills the defaults that need no lock.
func (s *Server) normalizeOrder(o *Order) error {
	if o.ID < 0 || o.CustomerID < 0 {
		return fmt.Errorf("%w: negative order or customer id", ErrInvalid)
	}
	if StatusLabel(o.StatusID) == "" {
		return fmt.Errorf("%w: status id %d (want 0 to 14)", ErrInvalid, o.StatusID)
	}
	if err := checkMoney("", o.moneyFields()); err != nil {
		return err
	}
	for i := range o.ShippingAddresses {
		if err := checkMoney("shipping_addresses.", o.ShippingAddresses[i].moneyFields()); err != nil {
			return err
		}
	}
	for i := range o.LineItems {
		if err := normalizeLineItem(&o.LineItems[i]); err != nil {
			return err
		}
	}
	if o.DateCreated.IsZero() {
		o.DateCreated = time.Now()
	}
	if o.DateModified.IsZero() {
		o.DateModified = o.DateCreated
	}
	o.DateCreated = o.DateCreated.UTC().Truncate(time.Second)
	o.DateModified = o.DateModified.UTC().Truncate(time.Second)
	if !o.DateShipped.IsZero() {
		o.DateShipped = o.DateShipped.UTC().Truncate(time.Second)
	}
	defaultString(&o.Status, StatusLabel(o.StatusID))
	defaultString(&o.CustomStatus, o.Status)
	defaultString(&o.CurrencyCode, "USD")
	defaultString(&o.DefaultCurrencyCode, "USD")
	defaultString(&o.CurrencyExchangeRate, "1.0000000000")
	defaultString(&o.OrderSource, "external")
	defaultString(&o.CustomerLocale, "en")
	if o.CurrencyID == 0 {
		o.CurrencyID = 1
	}
	if o.DefaultCurrencyID == 0 {
		o.DefaultCurrencyID = 1
	}
	if o.ChannelID == 0 {
		o.ChannelID = 1
	}
	if err := money("currency_exchange_rate", &o.CurrencyExchangeRate); err != nil {
		return err
	}
	if o.ItemsTotal == 0 {
		for _, li := range o.LineItems {
			o.ItemsTotal += li.Quantity
		}
	}
	return nil
}

func normalizeLineItem(li *LineItem) error {
	if li.ID < 0 || li.ProductID < 0 || li.VariantID < 0 || li.ParentOrderProductID < 0 || li.Quantity < 0 {
		return fmt.Errorf("%w: negative id or quantity in line item %q", ErrInvalid, li.Name)
	}
	defaultString(&li.Type, TypePhysical)
	switch li.Type {
	case TypePhysical, TypeDigital, TypeGiftCertificate:
	default:
		return fmt.Errorf("%w: line item type %q", ErrInvalid, li.Type)
	}
	defaultString(&li.NameCustomer, li.Name)
	defaultString(&li.NameMerchant, li.Name)
	return checkMoney("products.", li.moneyFields())
}

// assignOrderIDs gives ids to new addresses and items and ships physical
// items to the first address. It fails when a physical item names an
// address the order does not have. mu must be held.
func (s *Server) assignOrderIDs(o *Order) error {
	physical := slices.ContainsFunc(o.LineItems, func(li LineItem) bool { return li.Type == TypePhysical })
	if physical && len(o.ShippingAddresses) == 0 {
		sa := ShippingAddress{Address: o.BillingAddress}
		_ = checkMoney("", sa.moneyFields()) // only fills "0.0000" defaults
		o.ShippingAddresses = []ShippingAddress{sa}
	}
	for i := range o.ShippingAddresses {
		sa := &o.ShippingAddresses[i]
		if sa.ID == 0 {
			sa.ID = s.nextID.address
		}
		s.nextID.address = max(s.nextID.address, sa.ID+1)
	}
	for i := range o.LineItems {
		li := &o.LineItems[i]
		if li.ID == 0 {
			li.ID = s.nextID.item
		}
		s.nextID.item = max(s.nextID.item, li.ID+1)
		if li.Type != TypePhysical {
			continue
		}
		if li.OrderAddressID == 0 {
			li.OrderAddressID = o.ShippingAddresses[0].ID
		}
		if !slices.ContainsFunc(o.ShippingAddresses, func(sa ShippingAddress) bool { return sa.ID == li.OrderAddressID }) {
			return fmt.Errorf("%w: line item %q ships to address %d, which the order does not have", ErrInvalid, li.Name, li.OrderAddressID)
		}
	}
	for i := range o.ShippingAddresses {
		sa := &o.ShippingAddresses[i]
		if sa.ItemsTotal == 0 {
			for _, li := range o.LineItems {
				if li.OrderAddressID == sa.ID {
					sa.ItemsTotal += li.Quantity
				}
			}
		}
	}
	return nil
}

func defaultString(v *string, def string) {
	if *v == "" {
		*v = def
	}
}

// Order returns a copy of the stored order with the given id.
func (s *Server) Order(id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return o.clone(), true
}

// Orders returns copies of every stored order, by ascending id.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, o.clone())
	}
	slices.SortFunc(out, func(a, b Order) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// UpdateOrder applies change to a copy of the stored order, checks the
// result as AddOrder does, stores it and returns it. The id cannot change.
// DateModified becomes the clock's now, unless change moved it itself. It
// fails with ErrNotFound for an unknown id and ErrInvalid for a bad result,
// leaving the stored order as it was.
func (s *Server) UpdateOrder(id int64, change func(*Order)) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.orders[id]
	if !ok {
		return Order{}, fmt.Errorf("%w: order %d", ErrNotFound, id)
	}
	o := cur.clone()
	if change != nil {
		change(&o)
	}
	o.ID = id
	rederive(cur, &o)
	if o.DateModified.Equal(cur.DateModified) {
		o.DateModified = time.Now()
	}
	if err := s.normalizeOrder(&o); err != nil {
		return Order{}, err
	}
	if err := s.assignOrderIDs(&o); err != nil {
		return Order{}, err
	}
	stored := o.clone()
	s.orders[id] = &stored
	return o, nil
}

// rederive clears the derived fields a change left alone while changing
// what they derive from, so normalizeOrder derives them again: the status
// labels after a new status id, the item count after new line items.
func rederive(before *Order, o *Order) {
	if o.StatusID != before.StatusID {
		if o.Status == before.Status {
			o.Status = ""
		}
		if o.CustomStatus == before.CustomStatus {
			o.CustomStatus = ""
		}
	}
	derived := 0
	for _, li := range before.LineItems {
		derived += li.Quantity
	}
	if o.ItemsTotal == before.ItemsTotal && before.ItemsTotal == derived {
		o.ItemsTotal = 0
	}
}

// SetStatus moves an order to a status id (0 to 14), relabels Status and
// CustomStatus with the default label, and sets DateModified to the clock's
// now, as a status change in the control panel does.
func (s *Server) SetStatus(id int64, statusID int) (Order, error) {
	if StatusLabel(statusID) == "" {
		return Order{}, fmt.Errorf("%w: status id %d (want 0 to 14)", ErrInvalid, statusID)
	}
	return s.UpdateOrder(id, func(o *Order) { o.StatusID = statusID })
}

// AddCustomer stores a customer and returns it as the API will serve it. A
// zero ID gets the next free id (the first is 1); zero dates become the
// clock's now. It fails with ErrInvalid when Email is empty and with
// ErrConflict when the id is taken.
func (s *Server) AddCustomer(c Customer) (Customer, error) {
	c = c.clone()
	if c.Email == "" || c.ID < 0 {
		return Customer{}, fmt.Errorf("%w: a customer needs an e-mail and a non-negative id", ErrInvalid)
	}
	if c.DateCreated.IsZero() {
		c.DateCreated = time.Now()
	}
	if c.DateModified.IsZero() {
		c.DateModified = c.DateCreated
	}
	c.DateCreated = c.DateCreated.UTC().Truncate(time.Second)
	c.DateModified = c.DateModified.UTC().Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.nextID.customer
	}
	if _, taken := s.customers[c.ID]; taken {
		return Customer{}, fmt.Errorf("%w: customer %d exists", ErrConflict, c.ID)
	}
	s.nextID.customer = max(s.nextID.customer, c.ID+1)
	s.assignAddressIDs(&c)
	stored := c.clone()
	s.customers[c.ID] = &stored
	return c, nil
}

// Customer returns a copy of the stored customer with the given id.
func (s *Server) Customer(id int64) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	if !ok {
		return Customer{}, false
	}
	return c.clone(), true
}
