package orgsetup

import (
	"fmt"
	"strings"

	"github.com/bc2sf/bc2sf/mapper"
)

// FieldType is the Metadata API type of a field bc2sf needs.
type FieldType string

// The field types bc2sf uses.
const (
	// TypeText is a text field of Field.Length characters.
	TypeText FieldType = "Text"
	// TypeCurrency is a money field of Field.Precision digits, Field.Scale
	// of them after the decimal point.
	TypeCurrency FieldType = "Currency"
)

// Default sizes of the fields bc2sf creates.
const (
	// KeyLength is the length of the external-ID text fields: 255, the most
	// a text field holds (the mapper falls back to an id-based customer key
	// when an e-mail is longer).
	KeyLength = 255
	// StatusLength is the length of the status text field: 40, the mapper
	// cuts the status text to it.
	StatusLength = 40
	// MoneyPrecision and MoneyScale size the money fields: 18 digits, 4 of
	// them decimals, "Currency(14, 4)" in Setup. BigCommerce sends amounts
	// with 4 decimals; a smaller scale would round them.
	MoneyPrecision = 18
	MoneyScale     = 4
)

// DefaultProductKeyField is the Product2 external ID that product sync
// upserts on and the Order target's PricebookEntry lookup reads:
// "BigCommerce_Product_Key__c", the pipeline's default
// (pipeline.DefaultPricebookKeyField names it from the PricebookEntry).
const DefaultProductKeyField = mapper.DefaultProductKeyField

// placeholderPricebook stands in for the price book when the caller has
// none: the mapper requires one for the Order target, the fields do not.
const placeholderPricebook = "01s000000000000AAA"

// Field is one custom field bc2sf needs in the org.
type Field struct {
	// Object and Name are the API names, e.g. "Account" and
	// "BigCommerce_Customer_Key__c".
	Object, Name string
	// Label is the field label; Fields derives it from Name
	// ("BigCommerce Customer Key").
	Label string
	// Type is TypeText or TypeCurrency.
	Type FieldType
	// Length is the length of a text field (1 to 255).
	Length int
	// Precision and Scale size a currency field.
	Precision, Scale int
	// ExternalID makes the field an external ID that is also Unique
	// (compared case-insensitively, the Salesforce default): bc2sf upserts
	// on it, and a Unique external ID needs no "View All Data" permission
	// and can never match two records.
	ExternalID bool
	// Description is the field's description in Setup.
	Description string
}

// FullName returns "Object.Name", the name Tooling API and FieldPermissions
// use.
func (f Field) FullName() string { return f.Object + "." + f.Name }

// Spec describes the field as Setup shows a type, e.g. "Text(255), External
// ID, Unique" or "Currency(14, 4)".
func (f Field) Spec() string {
	var s string
	switch f.Type {
	case TypeText:
		s = fmt.Sprintf("Text(%d)", f.Length)
	case TypeCurrency:
		s = fmt.Sprintf("Currency(%d, %d)", f.Precision-f.Scale, f.Scale)
	default:
		s = string(f.Type)
	}
	if f.ExternalID {
		s += ", External ID, Unique"
	}
	return s
}

// Fields returns the custom fields a bc2sf pipeline writing with cfg needs,
// in the order they are best created: the customer key on Account (and
// Contact unless cfg.OmitContact); on the Opportunity (TargetOpportunity) or
// the Order (TargetOrder) the order id, the status text (Text(40)) and the
// refunded amount (Currency(14, 4)), the last two unless set to
// mapper.NoField; for TargetOrder the line item id on OrderItem; and the
// product key on Product2 (cfg.Fields.ProductKey, by default
// DefaultProductKeyField), which product sync (MapProduct) upserts on and
// the Order target's price book lookup reads. The keys are Text(255),
// External ID, Unique. Names come from cfg with the mapper's defaults
// filled in, so a renamed field is created under its new name. Fields the
// caller names for its own purposes (cfg.Extra, a custom Stage.Field or
// OrderStage.Field) are not included: their types are the caller's choice.
// cfg.Pricebook2ID plays no part in the fields, so the Order target needs
// none here. An invalid cfg is the mapper's error.
func Fields(cfg mapper.Config) ([]Field, error) {
	if cfg.Target == mapper.TargetOrder && cfg.Pricebook2ID == "" {
		cfg.Pricebook2ID = placeholderPricebook
	}
	m, err := mapper.New(cfg)
	if err != nil {
		return nil, err
	}
	c := m.Config()
	key := func(object, name, what string) Field {
		return Field{Object: object, Name: name, Label: labelOf(name), Type: TypeText, Length: KeyLength, ExternalID: true,
			Description: "bc2sf: " + what + ". External ID that bc2sf upserts on; do not edit."}
	}
	out := []Field{key(c.Objects.Account, c.Fields.CustomerKey, "the BigCommerce customer key")}
	if !c.OmitContact {
		out = append(out, key(c.Objects.Contact, c.Fields.CustomerKey, "the BigCommerce customer key"))
	}
	sale := c.Objects.Opportunity
	if c.Target == mapper.TargetOrder {
		sale = c.Objects.Order
	}
	out = append(out, key(sale, c.Fields.OrderID, "the BigCommerce order id"))
	if f := c.Fields.Status; f != mapper.NoField {
		out = append(out, Field{Object: sale, Name: f, Label: labelOf(f), Type: TypeText, Length: StatusLength,
			Description: "bc2sf: the BigCommerce order status (Archived for an archived order)."})
	}
	if f := c.Fields.RefundedAmount; f != mapper.NoField {
		out = append(out, Field{Object: sale, Name: f, Label: labelOf(f), Type: TypeCurrency, Precision: MoneyPrecision, Scale: MoneyScale,
			Description: "bc2sf: the amount BigCommerce has refunded on the order."})
	}
	if c.Target == mapper.TargetOrder {
		out = append(out, key(c.Objects.OrderItem, c.Fields.LineItemID, "the BigCommerce line item id"))
	}
	out = append(out, key(mapper.ObjectProduct2, c.Fields.ProductKey, "the BigCommerce product key (SKU, else a fallback)"))
	return out, nil
}

// labelOf turns an API name into a label: "BigCommerce_Order_Id__c" gives
// "BigCommerce Order Id".
func labelOf(name string) string {
	l := strings.ReplaceAll(strings.TrimSuffix(name, "__c"), "_", " ")
	if len(l) > 40 {
		l = l[:40]
	}
	return l
}
