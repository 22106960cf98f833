package mapper

import (
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// created is 23:30 on 5 March 2019 in New York, which is already 6 March in
// UTC: the CloseDate must follow UTC.
var created = time.Date(2019, 3, 5, 23, 30, 11, 0, time.FixedZone("EST", -5*3600))

func line(id int64, sku string, qty int, price string) bigcommerce.OrderProduct {
	return bigcommerce.OrderProduct{
		ID: id, OrderID: 218, ProductID: 77 + id, VariantID: 500 + id,
		Name: "Product " + sku, SKU: sku, Type: "physical", Quantity: qty,
		BasePrice: dec(price), PriceExTax: dec(price), PriceIncTax: dec(price),
		TotalExTax:  dec(price).Mul(decimal.NewFromInt(int64(qty))),
		TotalIncTax: dec(price).Mul(decimal.NewFromInt(int64(qty))),
	}
}

func withLines(o bigcommerce.Order, lines ...bigcommerce.OrderProduct) bigcommerce.Order {
	o.Consignments = &bigcommerce.Consignments{Shipping: []bigcommerce.Consignment{{ID: 1, LineItems: lines}}}
	return o
}

// registeredOrder is a registered customer's order, as the v2 API example
// shows it, with two lines.
func registeredOrder() bigcommerce.Order {
	o := bigcommerce.Order{
		ID: 218, CustomerID: 11, DateCreated: created, DateModified: created.Add(time.Hour),
		StatusID: bigcommerce.StatusAwaitingPayment, Status: "Awaiting Payment",
		SubtotalExTax: dec("62.6793"), SubtotalIncTax: dec("67.8400"), TotalExTax: dec("64.5300"),
		TotalIncTax: dec("69.8400"), TotalTax: dec("5.3100"), ItemsTotal: 3,
		PaymentMethod: "Credit Card", PaymentStatus: "authorized", PaymentProviderID: "ch_1",
		CurrencyCode: "USD", DefaultCurrencyCode: "USD", CurrencyExchangeRate: dec("1.0000"),
		OrderSource: "www", ChannelID: 1, CustomerMessage: "Leave at the door",
		BillingAddress: bigcommerce.Address{
			FirstName: "Jane", LastName: "Doe", Company: "Doe Widgets LLC",
			Street1: "555 East Street", Street2: "Suite 100", City: "Austin", State: "Texas",
			Zip: "78108", Country: "United States", CountryISO2: "US", Phone: "1234567890",
			Email: "janedoe@example.com",
		},
	}
	return withLines(o, line(101, "WID-1", 2, "20.0000"), line(102, "WID-2", 1, "29.8400"))
}

func guestOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID, o.CustomerID = 219, 0
	o.BillingAddress.Company = ""
	o.BillingAddress.Email = "guest.buyer@example.org"
	return o
}

func guestNoEmailOrder() bigcommerce.Order {
	o := guestOrder()
	o.ID = 220
	o.BillingAddress.Email = ""
	return o
}

func mixedCaseEmailOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 221
	o.BillingAddress.Email = "  Jane.DOE@Example.COM "
	return o
}

func apostropheEmailOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 222
	o.BillingAddress.FirstName, o.BillingAddress.LastName = "Seán", "O'Brien"
	o.BillingAddress.Email = "sean.o'brien@example.ie"
	return o
}

func unicodeOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 223
	o.BillingAddress = bigcommerce.Address{
		FirstName: "Zoë 🎉", LastName: "Ødegård-Łukasiewicz", Company: "株式会社テスト",
		Street1: "Straße 1", City: "München", Country: "Deutschland", Email: "zoe@example.de",
	}
	return o
}

// longNameOrder has a 200-character last name made of two-byte characters,
// so a byte-based cut would split one.
func longNameOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 224
	o.BillingAddress.LastName = strings.Repeat("é", 200)
	o.BillingAddress.FirstName = strings.Repeat("🎉", 30)
	o.BillingAddress.City = strings.Repeat("x", 39) + "ü"
	return o
}

func emptyCompanyNoNameOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 225
	o.BillingAddress.Company, o.BillingAddress.FirstName, o.BillingAddress.LastName = "", "", ""
	return o
}

func emptySKUOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 226
	noSKU := line(103, "", 1, "5.00")
	custom := line(104, "", 1, "7.50")
	custom.ProductID, custom.VariantID = 0, 0
	variantOnly := line(105, "", 3, "1.25")
	variantOnly.ProductID = 0
	return withLines(o, noSKU, custom, variantOnly)
}

func bundleOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 227
	parent := line(201, "BUNDLE-1", 1, "99.0000")
	parent.IsBundledProduct = true
	child1 := line(202, "PART-A", 1, "0.0000")
	child1.ParentOrderProductID = 201
	child2 := line(203, "PART-B", 2, "0.0000")
	child2.ParentOrderProductID = 201
	return withLines(o, parent, child1, child2)
}

func multiCurrencyOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 228
	o.CurrencyCode, o.DefaultCurrencyCode = "USD", "EUR"
	o.CurrencyExchangeRate = dec("0.9150")
	return o
}

// preciseMoneyOrder has four-decimal amounts whose float64 sum is wrong
// (0.1 + 0.2 = 0.30000000000000004) and a total that must arrive byte-exact.
func preciseMoneyOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 229
	o.TotalIncTax = dec("1234.5678")
	a, b := line(301, "TENTH", 1, "0.1000"), line(302, "FIFTH", 1, "0.2000")
	c := line(303, "BIG", 3, "411.4226")
	return withLines(o, a, b, c)
}

func noLinesOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 230
	o.Consignments = nil
	return o
}

// tenLineOrder is the benchmark's order.
func tenLineOrder() bigcommerce.Order {
	o := registeredOrder()
	o.ID = 231
	var lines []bigcommerce.OrderProduct
	for i := int64(1); i <= 10; i++ {
		lines = append(lines, line(400+i, "SKU-"+strings.Repeat("9", int(i)), int(i), "12.3456"))
	}
	return withLines(o, lines...)
}

// orderConfig is a valid TargetOrder configuration.
func orderConfig() Config {
	return Config{Target: TargetOrder, Pricebook2ID: "01s000000000001AAA", CatchAllProductKey: "bc-custom-product"}
}
