package main

import (
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// seeded is one order in the fake store and what it is meant to show.
type seeded struct {
	label string
	order bctest.Order
}

// seedOrders fills the fake store with orders of every kind a real store
// produces. The fake numbers them from 100.
func seedOrders(store *bctest.Server) ([]seeded, error) {
	ada, err := store.AddCustomer(bctest.Customer{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		return nil, fmt.Errorf("seed customer: %w", err)
	}
	alan, err := store.AddCustomer(bctest.Customer{Email: "alan.turing@example.com", FirstName: "Alan", LastName: "Turing"})
	if err != nil {
		return nil, fmt.Errorf("seed customer: %w", err)
	}
	var out []seeded
	for _, s := range demoOrders(ada.ID, alan.ID) {
		o, err := store.AddOrder(s.order)
		if err != nil {
			return nil, fmt.Errorf("seed order (%s): %w", s.label, err)
		}
		out = append(out, seeded{label: s.label, order: o})
	}
	return out, nil
}

// demoOrders returns the orders to seed, in id order.
func demoOrders(ada, alan int64) []seeded {
	mug := bctest.LineItem{Name: "Enamel mug", SKU: "MUG-ENM-1", ProductID: 11, Quantity: 2,
		BasePrice: "14.5000", PriceExTax: "14.5000", PriceIncTax: "15.9500", TotalIncTax: "31.9000"}
	// A fixed date keeps the report the same on every run; it becomes the
	// Opportunity's CloseDate.
	placedAt := time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)
	at := func(h int) time.Time { return placedAt.Add(time.Duration(h) * time.Hour) }
	return []seeded{
		{"registered customer", bctest.Order{CustomerID: ada, StatusID: 11, DateCreated: at(0),
			SubtotalIncTax: "31.9000", ShippingCostIncTax: "5.0000", TotalIncTax: "36.9000", TotalExTax: "33.5000",
			BillingAddress: address("Ada", "Lovelace", "ada@example.com", "Analytical Engines Ltd"),
			LineItems:      []bctest.LineItem{mug}}},
		{"repeat customer, same e-mail", bctest.Order{CustomerID: ada, StatusID: 2, DateCreated: at(1),
			TotalIncTax: "120.5000", TotalExTax: "109.5500",
			BillingAddress: address("Ada", "Lovelace", "ada@example.com", "Analytical Engines Ltd"),
			LineItems:      []bctest.LineItem{{Name: "Brass gears (set)", SKU: "GEAR-SET", ProductID: 12, Quantity: 1, PriceIncTax: "120.5000", TotalIncTax: "120.5000"}}}},
		{"guest checkout", bctest.Order{StatusID: 11, DateCreated: at(2), TotalIncTax: "7.2500",
			BillingAddress: address("Grace", "Hopper", "grace@example.org", ""),
			LineItems:      []bctest.LineItem{{Name: "Sticker", SKU: "STK-1", ProductID: 13, Quantity: 1, PriceIncTax: "7.2500", TotalIncTax: "7.2500"}}}},
		{"mixed-case e-mail", bctest.Order{CustomerID: alan, StatusID: 10, DateCreated: at(3), TotalIncTax: "64.0000",
			BillingAddress: address("Alan", "Turing", "  Alan.Turing@Example.COM ", ""),
			LineItems:      []bctest.LineItem{mug, {Name: "Notebook", SKU: "NB-A5", ProductID: 14, Quantity: 1, PriceIncTax: "32.1000", TotalIncTax: "32.1000"}}}},
		{"line without SKU", bctest.Order{StatusID: 11, DateCreated: at(4), TotalIncTax: "19.9900",
			BillingAddress: address("Edsger", "Dijkstra", "edsger@example.nl", ""),
			LineItems:      []bctest.LineItem{{Name: "Custom engraving", ProductID: 99, Quantity: 1, PriceIncTax: "19.9900", TotalIncTax: "19.9900"}}}},
		{"bundle", bctest.Order{StatusID: 11, DateCreated: at(5), TotalIncTax: "89.0000",
			BillingAddress: address("Barbara", "Liskov", "barbara@example.com", "CLU Systems"),
			LineItems: []bctest.LineItem{
				{ID: 501, Name: "Starter kit", SKU: "KIT-START", ProductID: 20, Quantity: 1, PriceIncTax: "89.0000", TotalIncTax: "89.0000"},
				{ID: 502, ParentOrderProductID: 501, Name: "Kit: mug", SKU: "MUG-ENM-1", ProductID: 11, Quantity: 1, IsBundledProduct: true},
				{ID: 503, ParentOrderProductID: 501, Name: "Kit: notebook", SKU: "NB-A5", ProductID: 14, Quantity: 1, IsBundledProduct: true},
			}}},
		{"paid in euros", bctest.Order{StatusID: 11, DateCreated: at(6), TotalIncTax: "54.7300",
			CurrencyCode: "EUR", DefaultCurrencyCode: "EUR", CurrencyExchangeRate: "0.9231000000",
			BillingAddress: address("Kurt", "Gödel", "kurt@example.at", ""),
			LineItems:      []bctest.LineItem{{Name: "Logic primer", SKU: "BOOK-LP", ProductID: 15, Quantity: 1, PriceIncTax: "54.7300", TotalIncTax: "54.7300"}}}},
		{"abandoned checkout (Incomplete)", bctest.Order{StatusID: 0, DateCreated: at(7), TotalIncTax: "15.9500",
			BillingAddress: address("Charles", "Babbage", "charles@example.com", ""),
			LineItems:      []bctest.LineItem{mug}}},
		{"unicode name", bctest.Order{StatusID: 11, DateCreated: at(8), TotalIncTax: "42.4200",
			BillingAddress: address("Zoë", "Ångström-Ñúñez", "zoe@example.se", "Café Ümlaut AB"),
			LineItems:      []bctest.LineItem{{Name: "Thé vert", SKU: "TEA-GRN", ProductID: 16, Quantity: 3, PriceIncTax: "14.1400", TotalIncTax: "42.4200"}}}},
		{"phone order, no e-mail", bctest.Order{StatusID: 9, DateCreated: at(9), TotalIncTax: "12.0000",
			BillingAddress: address("", "", "", ""),
			LineItems:      []bctest.LineItem{{Name: "Gift wrap", SKU: "WRAP", ProductID: 17, Quantity: 1, PriceIncTax: "12.0000", TotalIncTax: "12.0000"}}}},
	}
}

// address is a billing address in Austin with the given buyer.
func address(first, last, email, company string) bctest.Address {
	return bctest.Address{FirstName: first, LastName: last, Email: email, Company: company,
		Street1: "12 Congress Ave", City: "Austin", State: "Texas", Zip: "78701",
		Country: "United States", CountryISO2: "US", Phone: "+1 512 555 0100"}
}
