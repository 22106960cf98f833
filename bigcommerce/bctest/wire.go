package bctest

import (
	"fmt"
	"net/http"
	"time"
)

// link is the {url, resource} object v2 uses to point at a sub-resource.
type link struct {
	URL      string `json:"url"`
	Resource string `json:"resource"`
}

// linker makes the links of one answer: its value is the root of the store's
// routes as the request addressed it, such as
// "http://127.0.0.1:41234/stores/abc123".
type linker string

func (l linker) link(resource string) *link {
	return &link{URL: string(l) + "/v2" + resource, Resource: resource}
}

// linker returns the linker for the answers to r: links name the scheme and
// host the request came to, as the real API's name its own host.
func (s *Server) linker(r *http.Request) linker {
	scheme := "http"
	if r.TLS != nil || r.URL.Scheme == "https" {
		scheme = "https"
	}
	return linker(scheme + "://" + r.Host + s.cfg.basePath + "/stores/" + s.cfg.storeHash)
}

// v2Date formats a v2 date: RFC 1123 with a numeric zone, in UTC; "" for the
// zero time.
func v2Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC1123Z)
}

// nullable turns "" into JSON null, as the real API sends empty nullable
// fields.
func nullable(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

type orderAlias Order

type orderWire struct {
	*orderAlias
	DateCreated          string       `json:"date_created"`
	DateModified         string       `json:"date_modified"`
	DateShipped          string       `json:"date_shipped"`
	ExternalSource       *string      `json:"external_source"`
	ExternalID           *string      `json:"external_id"`
	ShippingAddressCount int          `json:"shipping_address_count"`
	BillingAddress       addressWire  `json:"billing_address"`
	Products             *link        `json:"products"`
	ShippingAddresses    *link        `json:"shipping_addresses"`
	Coupons              *link        `json:"coupons"`
	Consignments         *consignWire `json:"consignments,omitempty"`
}

type addressWire struct {
	Address
	FormFields []FormField `json:"form_fields"`
}

func wireAddress(a Address) addressWire {
	ff := a.FormFields
	if ff == nil {
		ff = []FormField{}
	}
	return addressWire{Address: a, FormFields: ff}
}

// include says how much of the consignments an order carries.
type include int

const (
	includeNone      include = iota
	includeLinks             // include=consignments: line items as links
	includeLineItems         // include=consignments.line_items: line items inlined
)

func wireOrder(l linker, o *Order, inc include) orderWire {
	res := fmt.Sprintf("/orders/%d", o.ID)
	w := orderWire{
		orderAlias:           (*orderAlias)(o),
		DateCreated:          v2Date(o.DateCreated),
		DateModified:         v2Date(o.DateModified),
		DateShipped:          v2Date(o.DateShipped),
		ExternalSource:       nullable(o.ExternalSource),
		ExternalID:           nullable(o.ExternalID),
		ShippingAddressCount: len(o.ShippingAddresses),
		BillingAddress:       wireAddress(o.BillingAddress),
		Products:             l.link(res + "/products"),
		ShippingAddresses:    l.link(res + "/shipping_addresses"),
		Coupons:              l.link(res + "/coupons"),
	}
	if inc != includeNone {
		w.Consignments = wireConsignments(l, o, inc)
	}
	return w
}

type lineItemWire struct {
	LineItem
	OrderID              int64    `json:"order_id"`
	ParentOrderProductID *int64   `json:"parent_order_product_id"`
	AppliedDiscounts     []string `json:"applied_discounts"`
	ProductOptions       []string `json:"product_options"`
}

func wireLineItem(orderID int64, li LineItem) lineItemWire {
	w := lineItemWire{LineItem: li, OrderID: orderID, AppliedDiscounts: []string{}, ProductOptions: []string{}}
	if li.ParentOrderProductID != 0 {
		parent := li.ParentOrderProductID
		w.ParentOrderProductID = &parent
	}
	return w
}

type shippingAddressWire struct {
	ShippingAddress
	FormFields             []FormField  `json:"form_fields"`
	OrderID                int64        `json:"order_id,omitempty"`
	CostTaxClassID         int          `json:"cost_tax_class_id"`
	HandlingCostTaxClassID int          `json:"handling_cost_tax_class_id"`
	ShippingQuotes         *link        `json:"shipping_quotes"`
	LineItems              any          `json:"line_items,omitempty"`
	Warning                *warningWire `json:"__warning__,omitempty"`
}

// maxInlinedLineItems is how many line items the API inlines in one
// consignment; past it the consignment carries inlinedWarning
// (bigcommerce/docs#960).
const maxInlinedLineItems = 50

// inlinedWarning is the message of the __warning__ the API adds to a
// consignment whose line items it cut short.
const inlinedWarning = "Not all line items of this consignment are returned with this response, only 50 are included. " +
	"Please use the `/v2/orders/{order_id}/products` endpoint to fetch all line items."

type warningWire struct {
	Message string `json:"message"`
}

func wireShippingAddress(l linker, orderID int64, sa ShippingAddress, consignment bool) shippingAddressWire {
	w := shippingAddressWire{ShippingAddress: sa, FormFields: wireAddress(sa.Address).FormFields}
	if consignment {
		w.ShippingQuotes = l.link(fmt.Sprintf("/orders/%d/consignments/shipping/%d/shipping_quotes", orderID, sa.ID))
	} else {
		w.OrderID = orderID
		w.ShippingQuotes = l.link(fmt.Sprintf("/orders/%d/shipping_addresses/%d/shipping_quotes", orderID, sa.ID))
	}
	return w
}

type recipientWire struct {
	RecipientEmail string       `json:"recipient_email"`
	LineItems      any          `json:"line_items"`
	Warning        *warningWire `json:"__warning__,omitempty"`
}

type consignWire struct {
	Pickups   []any                 `json:"pickups"`
	Shipping  []shippingAddressWire `json:"shipping"`
	Downloads []recipientWire       `json:"downloads"`
	Email     struct {
		GiftCertificates []recipientWire `json:"gift_certificates"`
	} `json:"email"`
}

// wireConsignments groups the line items as consignment_structure=object
// does: physical items under the shipping address they go to, digital items
// in one download consignment, gift certificates in one e-mail consignment.
// Inlined, a consignment holds at most 50 items and then carries the API's
// __warning__; an order with InlinedItemsMissing holds none.
func wireConsignments(l linker, o *Order, inc include) *consignWire {
	items := func(keep func(LineItem) bool) (any, *warningWire) {
		var inlined []lineItemWire
		var links []*link
		var warn *warningWire
		for _, li := range o.LineItems {
			if !keep(li) {
				continue
			}
			switch {
			case inc != includeLineItems:
				links = append(links, l.link(fmt.Sprintf("/orders/%d/products/%d", o.ID, li.ID)))
			case o.InlinedItemsMissing:
			case len(inlined) == maxInlinedLineItems:
				warn = &warningWire{Message: inlinedWarning}
			default:
				inlined = append(inlined, wireLineItem(o.ID, li))
			}
		}
		if inc == includeLineItems {
			return orEmpty(inlined), warn
		}
		return orEmpty(links), nil
	}
	c := &consignWire{Pickups: []any{}, Shipping: []shippingAddressWire{}, Downloads: []recipientWire{}}
	c.Email.GiftCertificates = []recipientWire{}
	for _, sa := range o.ShippingAddresses {
		w := wireShippingAddress(l, o.ID, sa, true)
		w.LineItems, w.Warning = items(func(li LineItem) bool { return li.Type == TypePhysical && li.OrderAddressID == sa.ID })
		c.Shipping = append(c.Shipping, w)
	}
	email := o.BillingAddress.Email
	if hasType(o.LineItems, TypeDigital) {
		r := recipientWire{RecipientEmail: email}
		r.LineItems, r.Warning = items(func(li LineItem) bool { return li.Type == TypeDigital })
		c.Downloads = append(c.Downloads, r)
	}
	if hasType(o.LineItems, TypeGiftCertificate) {
		r := recipientWire{RecipientEmail: email}
		r.LineItems, r.Warning = items(func(li LineItem) bool { return li.Type == TypeGiftCertificate })
		c.Email.GiftCertificates = append(c.Email.GiftCertificates, r)
	}
	return c
}

func hasType(items []LineItem, typ string) bool {
	for _, li := range items {
		if li.Type == typ {
			return true
		}
	}
	return false
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

type customerWire struct {
	*Customer
	DateCreated     string  `json:"date_created"`
	DateModified    string  `json:"date_modified"`
	ChannelIDs      []int64 `json:"channel_ids"`
	AddressCount    int     `json:"address_count"`
	AttributeCount  int     `json:"attribute_count"`
	OriginChannelID int64   `json:"origin_channel_id"`
	Authentication  struct {
		ForcePasswordReset bool `json:"force_password_reset"`
	} `json:"authentication"`
	AcceptsEmails bool               `json:"accepts_product_review_abandoned_cart_emails"`
	Addresses     *[]CustomerAddress `json:"addresses,omitempty"` // with include=addresses
}

func wireCustomer(c *Customer) customerWire {
	return customerWire{
		Customer:        c,
		DateCreated:     c.DateCreated.UTC().Format(time.RFC3339),
		DateModified:    c.DateModified.UTC().Format(time.RFC3339),
		ChannelIDs:      c.ChannelIDs,
		OriginChannelID: 1,
		AddressCount:    len(c.Addresses),
	}
}
