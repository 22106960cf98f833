package mapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// text draws strings that are often awkward: empty, padded, long, non-ASCII
// or invalid UTF-8.
func genText() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.SampledFrom([]string{"", " ", "Jane", " Doe ", "O'Brien", "株式会社", "🎉🎉", "a@b.co", "MiXeD@Example.COM", "n/a"}),
		rapid.String(),
		rapid.StringN(0, 300, -1),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 60), func(b []byte) string { return string(b) }),
	)
}

func genDecimal() *rapid.Generator[decimal.Decimal] {
	return rapid.Custom(func(t *rapid.T) decimal.Decimal {
		return decimal.New(rapid.Int64().Draw(t, "coef"), int32(rapid.IntRange(-40, 40).Draw(t, "exp")))
	})
}

func genLine() *rapid.Generator[bigcommerce.OrderProduct] {
	return rapid.Custom(func(t *rapid.T) bigcommerce.OrderProduct {
		return bigcommerce.OrderProduct{
			ID:                   rapid.Int64Range(-2, 40).Draw(t, "id"),
			ProductID:            rapid.Int64Range(-1, 5).Draw(t, "product"),
			VariantID:            rapid.Int64Range(-1, 5).Draw(t, "variant"),
			ParentOrderProductID: rapid.Int64Range(0, 3).Draw(t, "parent"),
			Name:                 genText().Draw(t, "name"),
			SKU:                  genText().Draw(t, "sku"),
			PriceIncTax:          genDecimal().Draw(t, "price_inc"),
			PriceExTax:           genDecimal().Draw(t, "price_ex"),
			Quantity:             rapid.IntRange(-2, 1000).Draw(t, "qty"),
		}
	})
}

func genOrder() *rapid.Generator[bigcommerce.Order] {
	return rapid.Custom(func(t *rapid.T) bigcommerce.Order {
		date := time.Unix(rapid.Int64Range(-1e11, 1e11).Draw(t, "created"), 0)
		if rapid.Bool().Draw(t, "zero date") {
			date = time.Time{}
		}
		o := bigcommerce.Order{
			ID:                  rapid.Int64Range(-1, 1<<40).Draw(t, "id"),
			CustomerID:          rapid.Int64Range(-1, 100).Draw(t, "customer"),
			DateCreated:         date,
			StatusID:            bigcommerce.StatusID(rapid.IntRange(-1, 16).Draw(t, "status")),
			Status:              genText().Draw(t, "status label"),
			TotalIncTax:         genDecimal().Draw(t, "total"),
			SubtotalExTax:       genDecimal().Draw(t, "subtotal"),
			CurrencyCode:        genText().Draw(t, "currency"),
			DefaultCurrencyCode: genText().Draw(t, "default currency"),
			PaymentMethod:       genText().Draw(t, "payment"),
			IsDeleted:           rapid.Bool().Draw(t, "deleted"),
			BillingAddress: bigcommerce.Address{
				FirstName: genText().Draw(t, "first"), LastName: genText().Draw(t, "last"),
				Company: genText().Draw(t, "company"), Street1: genText().Draw(t, "street1"),
				Street2: genText().Draw(t, "street2"), City: genText().Draw(t, "city"),
				Zip: genText().Draw(t, "zip"), Phone: genText().Draw(t, "phone"), Email: genText().Draw(t, "email"),
			},
		}
		if rapid.Bool().Draw(t, "has lines") {
			o = withLines(o, rapid.SliceOfN(genLine(), 0, 12).Draw(t, "lines")...)
		}
		return o
	})
}

func genConfig() *rapid.Generator[Config] {
	return rapid.Custom(func(t *rapid.T) Config {
		c := Config{
			MultiCurrency: rapid.Bool().Draw(t, "multi"),
			OmitContact:   rapid.Bool().Draw(t, "omit contact"),
			Link:          LinkMode(rapid.IntRange(0, 1).Draw(t, "link")),
			Extra: []ExtraField{
				{Object: "Account", Field: "Total__c", From: rapid.SampledFrom(OrderFieldNames()).Draw(t, "from")},
				{Object: "Account", Field: "Note__c", Value: "x", MaxLength: 1},
			},
		}
		if rapid.Bool().Draw(t, "order target") {
			c.Target, c.Pricebook2ID = TargetOrder, "01s000000000001"
			if rapid.Bool().Draw(t, "catch-all") {
				c.CatchAllProductKey = "custom"
			}
		}
		return c
	})
}

// TestMapProperties checks, for random orders and configs, that Map never
// panics, returns only its documented errors, is deterministic, writes valid
// UTF-8 and never puts the external-ID field in a body.
func TestMapProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		m, err := New(genConfig().Draw(t, "config"))
		if err != nil {
			t.Fatalf("generated config rejected: %v", err)
		}
		o := genOrder().Draw(t, "order")
		res, err := m.Map(&o)
		if err != nil {
			if !errors.Is(err, ErrInvalidOrder) && !errors.Is(err, ErrNoProductKey) {
				t.Fatalf("undocumented error: %v", err)
			}
			return
		}
		again, _ := m.Map(&o)
		a, errA := json.Marshal(res)
		b, errB := json.Marshal(again)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Fatalf("not deterministic (%v, %v):\n%s\n%s", errA, errB, a, b)
		}
		if res.Skipped() {
			return
		}
		checkResult(t, res)
	})
}

// checkResult asserts the invariants of a Result that is not skipped.
func checkResult(t interface{ Fatalf(string, ...any) }, res Result) {
	if len(res.Records) == 0 {
		t.Fatalf("no records")
	}
	for _, rec := range res.Records {
		if _, ok := rec.Fields[rec.ExternalIDField]; ok {
			t.Fatalf("%s body holds %s", rec.Ref, rec.ExternalIDField)
		}
		if rec.ExternalID == "" || !utf8.ValidString(rec.ExternalID) {
			t.Fatalf("%s external ID %q", rec.Ref, rec.ExternalID)
		}
		for k, v := range rec.Fields {
			if s, ok := v.(string); ok && !utf8.ValidString(s) {
				t.Fatalf("%s.%s invalid UTF-8", rec.Ref, k)
			}
		}
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("marshal result: %v", err)
	}
}
