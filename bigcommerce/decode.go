package bigcommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// The API is loosely typed: the same field arrives as a string on one store
// and a number on another, money comes as "" or null on some rows, and v2
// and v3 disagree on date formats. The unexported types below absorb that, so
// the exported models keep plain Go types. Each is used through a pointer
// conversion onto the real field (see Order.UnmarshalJSON), which decodes in
// place without copying the model.

// errNotScalar is returned when a field that should hold a string or a number
// holds an object or an array.
var errNotScalar = errors.New("expected a string, a number or null")

// scalarText returns the text of a JSON scalar: the unquoted string, the
// literal of a number or boolean, or "" for null.
func scalarText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", errNotScalar
	}
	switch b[0] {
	case '"':
		// Fast path: most values carry no escapes.
		if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 &&
			bytes.IndexByte(b[1:len(b)-1], '"') < 0 && utf8.Valid(b[1:len(b)-1]) {
			return string(b[1 : len(b)-1]), nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		if string(b) == "null" {
			return "", nil
		}
	case 't', 'f':
		if string(b) == "true" || string(b) == "false" {
			return string(b), nil
		}
	case '{', '[':
		return "", errNotScalar
	default:
		if json.Valid(b) {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("invalid JSON value %s", quoteShort(string(b)))
}

// quoteShort quotes s for an error message, cut to 40 bytes so a hostile
// payload cannot blow up error strings.
func quoteShort(s string) string {
	const max = 40
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "..."
	}
	return strconv.Quote(s)
}

// lenientDecimal decodes money sent as a JSON string or number. "", a string
// of spaces and null decode to zero.
type lenientDecimal decimal.Decimal

func (d *lenientDecimal) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return fmt.Errorf("decimal: %w", err)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*d = lenientDecimal{}
		return nil
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("invalid decimal %s", quoteShort(s))
	}
	*d = lenientDecimal(v)
	return nil
}

// lenientString decodes a string that may arrive as a number, a boolean or
// null (payment_provider_id, store_id, external_source ...). A number keeps
// its literal text, so 123 and "123" decode alike; null decodes to "".
type lenientString string

func (s *lenientString) UnmarshalJSON(b []byte) error {
	v, err := scalarText(b)
	if err != nil {
		return fmt.Errorf("string: %w", err)
	}
	*s = lenientString(v)
	return nil
}

// lenientInt decodes an integer id that may arrive as a number, a string of
// digits, "" or null (the last two are 0).
type lenientInt int64

func (n *lenientInt) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		return fmt.Errorf("integer: %w", err)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// 12.0 is how some encoders write an integer.
		f, ferr := decimal.NewFromString(s)
		if ferr != nil || !f.IsInteger() || !f.BigInt().IsInt64() {
			return fmt.Errorf("invalid integer %s", quoteShort(s))
		}
		v = f.IntPart()
	}
	*n = lenientInt(v)
	return nil
}

// v2Time decodes a v2 date: RFC 1123 with a numeric zone
// ("Tue, 05 Mar 2019 21:40:11 +0000"). "" and null are the zero time; RFC 1123
// with a zone name and RFC 3339 are accepted as well.
type v2Time time.Time

func (t *v2Time) UnmarshalJSON(b []byte) error {
	v, err := parseTime(b, time.RFC1123Z, time.RFC1123, time.RFC3339Nano)
	*t = v2Time(v)
	return err
}

// v3Time decodes a v3 date: RFC 3339 ("2019-03-05T21:40:11Z"). "" and null
// are the zero time; RFC 1123 with a numeric zone is accepted as well.
type v3Time time.Time

func (t *v3Time) UnmarshalJSON(b []byte) error {
	v, err := parseTime(b, time.RFC3339Nano, time.RFC1123Z)
	*t = v3Time(v)
	return err
}

// unixTime decodes Unix seconds sent as a number or a string of digits; 0, ""
// and null are the zero time.
type unixTime time.Time

func (t *unixTime) UnmarshalJSON(b []byte) error {
	var n lenientInt
	if err := n.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("unix time: %w", err)
	}
	if n == 0 {
		*t = unixTime{}
		return nil
	}
	v, err := checkYear(time.Unix(int64(n), 0).UTC(), string(b))
	*t = unixTime(v)
	return err
}

// parseTime parses a JSON date with the first layout that fits. A bare
// integer is taken as Unix seconds.
func parseTime(b []byte, layouts ...string) (time.Time, error) {
	s, err := scalarText(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("date: %w", err)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range layouts {
		if v, err := time.Parse(layout, s); err == nil {
			return checkYear(v, s)
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return checkYear(time.Unix(n, 0).UTC(), s)
	}
	return time.Time{}, fmt.Errorf("invalid date %s", quoteShort(s))
}

// checkYear rejects dates outside years 1 to 9999, which time.Time cannot
// encode back to JSON and no order carries.
func checkYear(t time.Time, s string) (time.Time, error) {
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("date out of range %s", quoteShort(s))
	}
	return t, nil
}

// looseString decodes optional text whatever JSON type it arrives as: a
// string as is, a number or boolean as its literal text, and null, an object
// or an array as "". It never fails on valid JSON.
type looseString string

func (s *looseString) UnmarshalJSON(b []byte) error {
	v, err := scalarText(b)
	if err != nil {
		v = ""
	}
	*s = looseString(v)
	return nil
}

// UnmarshalJSON decodes an address leniently (see Address). It never fails
// on valid JSON: what cannot be read as text is left empty.
func (a *Address) UnmarshalJSON(b []byte) error {
	*a = Address{}
	var ff looseFormFields
	aux := struct {
		FirstName   *looseString     `json:"first_name"`
		LastName    *looseString     `json:"last_name"`
		Company     *looseString     `json:"company"`
		Street1     *looseString     `json:"street_1"`
		Street2     *looseString     `json:"street_2"`
		City        *looseString     `json:"city"`
		State       *looseString     `json:"state"`
		Zip         *looseString     `json:"zip"`
		Country     *looseString     `json:"country"`
		CountryISO2 *looseString     `json:"country_iso2"`
		Phone       *looseString     `json:"phone"`
		Email       *looseString     `json:"email"`
		FormFields  *looseFormFields `json:"form_fields"`
	}{
		(*looseString)(&a.FirstName), (*looseString)(&a.LastName), (*looseString)(&a.Company),
		(*looseString)(&a.Street1), (*looseString)(&a.Street2), (*looseString)(&a.City),
		(*looseString)(&a.State), (*looseString)(&a.Zip), (*looseString)(&a.Country),
		(*looseString)(&a.CountryISO2), (*looseString)(&a.Phone), (*looseString)(&a.Email), &ff,
	}
	if json.Unmarshal(b, &aux) != nil {
		// Not an object (a string, an array): no address rather than no order.
		*a = Address{}
		return nil
	}
	a.FormFields = []FormField(ff)
	return nil
}

// looseFormFields decodes form_fields: a list of {name, value}; anything
// else is dropped, and so is an entry that is not an object.
type looseFormFields []FormField

func (f *looseFormFields) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		*f = nil
		return nil
	}
	out := make([]FormField, 0, len(raw))
	for _, r := range raw {
		var e struct {
			Name  looseString `json:"name"`
			Value any         `json:"value"`
		}
		if json.Unmarshal(r, &e) == nil {
			out = append(out, FormField{Name: string(e.Name), Value: e.Value})
		}
	}
	*f = out
	return nil
}

// FieldError is a decode that failed because an essential field (an id, a
// quantity, money, the status or a date) held a value that carries no usable
// value of its kind, such as "lots" for money or an object for an id.
// Fields that are not essential never cause one: they decode as zero
// instead. Retrying the call cannot help until the data changes.
type FieldError struct {
	// Field names the JSON member, e.g. "total_inc_tax", or
	// "line_items.price_inc_tax" for one of a line item.
	Field string
	// Err says what was wrong with the value.
	Err error
}

// Error names the field and what was wrong, e.g.
// `field "total_inc_tax": invalid decimal "lots"`.
func (e *FieldError) Error() string {
	return "field " + strconv.Quote(e.Field) + ": " + e.Err.Error()
}

// Unwrap returns what was wrong with the value.
func (e *FieldError) Unwrap() error { return e.Err }

// field decodes an essential member into dec and names the member in its
// error.
type field struct {
	name string
	dec  json.Unmarshaler
}

func (f *field) UnmarshalJSON(b []byte) error {
	if err := f.dec.UnmarshalJSON(b); err != nil {
		return &FieldError{Field: f.name, Err: err}
	}
	return nil
}

// looseInt decodes an optional integer: what lenientInt accepts, and 0 for
// anything else.
type looseInt int64

func (n *looseInt) UnmarshalJSON(b []byte) error {
	var v lenientInt
	if v.UnmarshalJSON(b) != nil {
		v = 0
	}
	*n = looseInt(v)
	return nil
}

// looseDecimal decodes an optional decimal: what lenientDecimal accepts, and
// zero for anything else.
type looseDecimal decimal.Decimal

func (d *looseDecimal) UnmarshalJSON(b []byte) error {
	var v lenientDecimal
	if v.UnmarshalJSON(b) != nil {
		v = lenientDecimal{}
	}
	*d = looseDecimal(v)
	return nil
}

// looseBool decodes an optional flag: true or false, as a JSON boolean, the
// strings "true", "false", "1" and "0" (any case), or the numbers 1 and 0;
// anything else is false.
type looseBool bool

func (v *looseBool) UnmarshalJSON(b []byte) error {
	s, err := scalarText(b)
	if err != nil {
		s = ""
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		*v = true
	default:
		*v = false
	}
	return nil
}
