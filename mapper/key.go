package mapper

import (
	"strconv"
	"strings"
)

// CustomerKey returns the external ID the mapper gives the Account and
// Contact of a customer: the same value Map writes for an order with that
// billing e-mail, customer id and order id, and MapCustomer for a
// registered customer. Compute it to find a customer's records, or to join
// other data to them.
//
// With a plausible e-mail (one "@", a dotted domain, no spaces, after
// invalid UTF-8 is replaced and the address trimmed and lower-cased) the
// key is that e-mail with three characters percent-encoded: every "%" as
// "%25", every "/" as "%2F", and the last "." as "%2E". So
// "Ada@Studio.inc" has the key "ada@studio%2Einc". Without one, or when the
// encoded e-mail passes 255 characters, the key is bc-customer-<customerID>
// for a registered customer (customerID > 0), else bc-order-<orderID>; it
// is "" when neither id is positive.
//
// Why the encoding: Composite Graph nodes address a record by its external
// ID in the URL path, and Salesforce answers 404 to a path value that ends
// in a top-level domain it takes for a file extension (its documentation
// cites ".inc"), and may answer 404 to a "/" even when it is escaped. The
// key never ends in ".<tld>" and never holds a "/", whatever the e-mail.
// Because "%" itself is always encoded, the key decodes back to exactly one
// e-mail: two different e-mails never share a key. The salesforce client
// escapes the key once more in the path, so Salesforce stores the key text
// exactly as returned here. Guest and registered orders of one e-mail get
// one key, so they meet in one Account and Contact; the Contact's Email
// field holds the e-mail itself, unencoded.
func CustomerKey(email string, customerID, orderID int64) string {
	raw, _ := sanitize(email)
	if key, ok := emailKey(normalizeEmail(raw)); ok {
		return key
	}
	return idKey(customerID, orderID)
}

// emailKey returns the key of a normalised e-mail, and false when the
// e-mail is implausible or its key longer than the key field.
func emailKey(email string) (string, bool) {
	if email == "" || !plausibleEmail(email) {
		return "", false
	}
	key := encodeKey(email)
	if len([]rune(key)) > maxCustomerKey {
		return "", false
	}
	return key, true
}

// idKey is the key of a customer without a usable e-mail.
func idKey(customerID, orderID int64) string {
	switch {
	case customerID > 0:
		return "bc-customer-" + strconv.FormatInt(customerID, 10)
	case orderID > 0:
		return "bc-order-" + strconv.FormatInt(orderID, 10)
	}
	return ""
}

// encodeKey percent-encodes every "%" and "/" and the last "." of s.
func encodeKey(s string) string {
	last := strings.LastIndexByte(s, '.')
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b.WriteString("%25")
		case c == '/':
			b.WriteString("%2F")
		case c == '.' && i == last:
			b.WriteString("%2E")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeKey reverses encodeKey: it reports false when s holds a "%" that
// does not start %25, %2F or %2E.
func decodeKey(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		switch s[i+1 : i+3] {
		case "25":
			b.WriteByte('%')
		case "2F":
			b.WriteByte('/')
		case "2E":
			b.WriteByte('.')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// MigrateCustomerKey returns the key that CustomerKey gives for a key
// written by bc2sf before the key was encoded, when the customer key was the
// lower-cased e-mail itself: "ada@studio.inc" becomes "ada@studio%2Einc",
// and changed is true. A key that is not an e-mail (bc-customer-<id>,
// bc-order-<id>), a key already in the encoded form, and an e-mail whose
// encoded form would pass 255 characters come back unchanged, with changed
// false. It is pure: the one-off migration of an org's keys (see the
// README) applies it to every Account and Contact before the upgrade.
func MigrateCustomerKey(old string) (key string, changed bool) {
	if isEncodedKey(old) {
		return old, false
	}
	if normalizeEmail(old) != old {
		return old, false
	}
	key, ok := emailKey(old)
	if !ok || key == old {
		return old, false
	}
	return key, true
}

// isEncodedKey reports whether k is a key CustomerKey could return for an
// e-mail: it decodes, encodes back to itself, and holds "%2E" (every
// encoded e-mail does, its domain being dotted).
func isEncodedKey(k string) bool {
	if !strings.Contains(k, "%2E") {
		return false
	}
	email, ok := decodeKey(k)
	return ok && plausibleEmail(email) && encodeKey(email) == k
}
