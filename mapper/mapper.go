package mapper

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// Mapper maps orders with one validated Config. It holds no mutable state,
// so one Mapper can serve any number of goroutines.
type Mapper struct {
	cfg Config
}

// New fills the defaults of cfg, validates it and returns a Mapper. Every
// problem found is in the returned error, which wraps ErrInvalidConfig.
func New(cfg Config) (*Mapper, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Mapper{cfg: c}, nil
}

// Config returns the Mapper's configuration with every default filled.
func (m *Mapper) Config() Config {
	c := m.cfg
	c.Statuses = slices.Clone(c.Statuses)
	c.Extra = slices.Clone(c.Extra)
	c.Stage = c.Stage.clone()
	c.OrderStage = c.OrderStage.clone()
	return c
}

// Map returns the records that write order to Salesforce. It does no I/O
// and reads no clock: the same order and Config always give the same
// Result. An order whose status does not sync comes back with Skip set and no
// error. An error wraps ErrNilOrder, ErrInvalidOrder or ErrNoProductKey.
func (m *Mapper) Map(order *bigcommerce.Order) (Result, error) {
	if order == nil {
		return Result{}, ErrNilOrder
	}
	res := Result{OrderID: order.ID, Records: []Record{}, Warnings: []Warning{}}
	if order.ID <= 0 {
		return Result{}, fmt.Errorf("%w: order id %d is not positive", ErrInvalidOrder, order.ID)
	}
	if s := m.skip(order); s != nil {
		res.Skip = s
		return res, nil
	}
	b := &builder{cfg: &m.cfg, o: order, res: &res}
	if err := b.build(); err != nil {
		return Result{}, fmt.Errorf("order %d: %w", order.ID, err)
	}
	return res, nil
}

// skip decides whether o is left out. The status comes first: an archived
// Incomplete order is an abandoned checkout and never syncs.
func (m *Mapper) skip(o *bigcommerce.Order) *Skip {
	if !slices.Contains(m.cfg.Statuses, o.StatusID) {
		return &Skip{Code: SkipStatus, Message: fmt.Sprintf(
			"order %d has status %d (%s), which is not configured to sync", o.ID, int(o.StatusID), statusLabel(o))}
	}
	if o.IsDeleted && m.cfg.SkipDeleted {
		return &Skip{Code: SkipDeleted, Message: fmt.Sprintf("order %d is archived in BigCommerce and SkipDeleted is on", o.ID)}
	}
	return nil
}

func statusLabel(o *bigcommerce.Order) string {
	if s, _ := sanitize(o.Status); s != "" {
		s, _ = truncate(s, 40)
		return strconv.Quote(s)
	}
	return "no label"
}

// builder holds the state of one Map call.
type builder struct {
	cfg *Config
	o   *bigcommerce.Order
	res *Result
	key string // the customer key
}

func (b *builder) build() error {
	b.customerKey()
	b.account()
	if !b.cfg.OmitContact {
		b.contact()
	}
	var err error
	switch b.cfg.Target {
	case TargetOpportunity:
		err = b.opportunity()
	case TargetOrder:
		err = b.order()
	}
	if err != nil {
		return err
	}
	b.extras()
	return nil
}

func (b *builder) warn(code WarningCode, ref, field, format string, args ...any) {
	b.res.Warnings = append(b.res.Warnings, Warning{Code: code, Ref: ref, Field: field, Message: fmt.Sprintf(format, args...)})
}

// text cleans a value for a text field: invalid UTF-8 replaced, white space
// trimmed, cut to max UTF-16 units (0: no limit), with a warning for each
// change.
func (b *builder) text(ref, field, v string, max int) string {
	v, replaced := sanitize(v)
	if replaced {
		b.warn(WarnInvalidUTF8, ref, field, "invalid UTF-8 bytes replaced with U+FFFD")
	}
	if cut, ok := truncate(v, max); ok {
		b.warn(WarnTruncated, ref, field, "cut to %d characters", max)
		v = cut
	}
	return v
}

// set stores a cleaned text value; an empty one is left out so that an
// upsert never blanks a value Salesforce already holds.
func (b *builder) set(rec *Record, field, v string, max int) {
	if v = b.text(rec.Ref, field, v, max); v != "" {
		rec.Fields[field] = v
	}
}

func (b *builder) add(rec Record) { b.res.Records = append(b.res.Records, rec) }

func (b *builder) newRecord(ref, sobject, extField, extID string) Record {
	return Record{Ref: ref, SObject: sobject, ExternalIDField: extField, ExternalID: extID, Fields: map[string]any{}}
}

// link points rec at its parent: by reference to the parent's subrequest,
// or by the parent's external ID through the relationship.
func (b *builder) link(rec *Record, lookup, relationship string, parent *Record) {
	if b.cfg.Link == LinkByExternalID {
		rec.Fields[relationship] = map[string]string{parent.ExternalIDField: parent.ExternalID}
		return
	}
	rec.Fields[lookup] = "@{" + parent.Ref + ".id}"
}

// linkField returns the body field link sets: the relationship under
// LinkByExternalID, else the lookup.
func (b *builder) linkField(lookup, relationship string) string {
	if b.cfg.Link == LinkByExternalID {
		return relationship
	}
	return lookup
}

// date returns the order's creation date in UTC as YYYY-MM-DD, falling back
// to its modification date. Salesforce dates run from 1700 to 4000.
func (b *builder) date(ref, field string) (string, error) {
	t := b.o.DateCreated
	if t.IsZero() {
		t = b.o.DateModified
		if t.IsZero() {
			return "", fmt.Errorf("%w: neither date_created nor date_modified is set", ErrInvalidOrder)
		}
		b.warn(WarnCloseDateFallback, ref, field, "date_created is empty; used date_modified")
	}
	t = t.UTC()
	if y := t.Year(); y < 1700 || y > 4000 {
		return "", fmt.Errorf("%w: date %s is outside 1700-4000", ErrInvalidOrder, t.Format(time.RFC3339))
	}
	return t.Format(time.DateOnly), nil
}

// currency sets CurrencyIsoCode on a multi-currency org: the transactional
// currency, else the display currency, else nothing.
func (b *builder) currency(rec *Record) {
	if !b.cfg.MultiCurrency {
		return
	}
	code, _ := sanitize(b.o.DefaultCurrencyCode)
	if code == "" {
		code, _ = sanitize(b.o.CurrencyCode)
		if code == "" {
			b.warn(WarnCurrencyMissing, rec.Ref, "CurrencyIsoCode", "order has no currency code; the org's default currency applies")
			return
		}
		b.warn(WarnCurrencyFallback, rec.Ref, "CurrencyIsoCode", "default_currency_code is empty; used currency_code %s", strconv.Quote(code))
	}
	b.set(rec, "CurrencyIsoCode", code, 3)
	b.res.Currency, _ = rec.Fields["CurrencyIsoCode"].(string)
}

func (b *builder) orderID() string { return strconv.FormatInt(b.o.ID, 10) }

// extras applies Config.Extra to every record of each named object.
func (b *builder) extras() {
	for _, x := range b.cfg.Extra {
		for i := range b.res.Records {
			if rec := &b.res.Records[i]; rec.SObject == x.Object {
				b.extra(rec, x)
			}
		}
	}
}

func (b *builder) extra(rec *Record, x ExtraField) {
	if x.From == "" {
		b.set(rec, x.Field, x.Value, x.MaxLength)
		return
	}
	v, _ := orderField(b.o, x.From)
	switch v := v.(type) {
	case string:
		if v == "" {
			if _, isMoney := orderMoney(b.o, x.From); isMoney {
				b.warn(WarnValueOutOfRange, rec.Ref, x.Field, "%s is out of range for a currency field; not sent", x.From)
			}
			return
		}
		b.set(rec, x.Field, v, x.MaxLength)
	default:
		rec.Fields[x.Field] = v
	}
}
