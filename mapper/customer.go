package mapper

import (
	"strconv"
	"strings"
)

const (
	refAccount = "account"
	refContact = "contact"

	// maxCustomerKey is the length the customer-key field is documented to
	// have (Text(255)); an e-mail whose key is longer falls back to the
	// id-based key.
	maxCustomerKey = 255
	// unknownLastName fills Contact.LastName, which Salesforce requires.
	unknownLastName = "Unknown"
)

// customerKey picks the Account/Contact external ID, as CustomerKey does:
// the encoded e-mail when there is a plausible one, else
// bc-customer-<customer id>, else bc-order-<order id>.
func (b *builder) customerKey() {
	if key, ok := emailKey(b.email(refAccount)); ok {
		b.key = key
		return
	}
	b.key = idKey(b.o.CustomerID, b.o.ID)
	b.warn(WarnEmailMissing, refAccount, b.cfg.Fields.CustomerKey, "no usable e-mail; customer key is %s", b.key)
}

// email returns the normalised billing e-mail, or "" when there is none or
// it is not plausible, warning about what it changed.
func (b *builder) email(ref string) string {
	raw, replaced := sanitize(b.o.BillingAddress.Email)
	if replaced {
		b.warn(WarnInvalidUTF8, ref, "Email", "invalid UTF-8 bytes in the e-mail replaced with U+FFFD")
	}
	email := normalizeEmail(raw)
	if email == "" {
		return ""
	}
	if email != raw {
		b.warn(WarnEmailNormalized, ref, "Email", "e-mail trimmed and lower-cased")
	}
	if !plausibleEmail(email) {
		b.warn(WarnEmailInvalid, ref, "Email", "%s is not an e-mail address", strconv.Quote(truncated(email)))
		return ""
	}
	return email
}

func (b *builder) account() {
	a := &b.o.BillingAddress
	rec := b.newRecord(refAccount, b.cfg.Objects.Account, b.cfg.Fields.CustomerKey, b.key)
	name := b.text(refAccount, "Name", a.Company, maxAccountName)
	if name == "" {
		name = b.personName()
		source := "the buyer's name"
		if name == "" {
			if name = b.emailQuiet(); name == "" {
				name = b.key
			}
			source = strconv.Quote(name)
		}
		name, _ = truncate(name, maxAccountName)
		b.warn(WarnAccountNameFallback, refAccount, "Name", "billing company is empty; Name is %s", source)
	}
	rec.Fields["Name"] = name
	b.address(&rec, "Billing")
	b.set(&rec, "Phone", a.Phone, maxPhone)
	b.add(rec)
}

// personName joins the cleaned first and last names, or returns "".
func (b *builder) personName() string {
	first, _ := sanitize(b.o.BillingAddress.FirstName)
	last, _ := sanitize(b.o.BillingAddress.LastName)
	return strings.TrimSpace(first + " " + last)
}

// address sets <prefix>Street, City, State, PostalCode and Country from the
// billing address; street_2 goes on a second line of the street.
func (b *builder) address(rec *Record, prefix string) {
	a := &b.o.BillingAddress
	street := b.text(rec.Ref, prefix+"Street", a.Street1, 0)
	if s2 := b.text(rec.Ref, prefix+"Street", a.Street2, 0); s2 != "" {
		if street != "" {
			street += "\n"
		}
		street += s2
	}
	b.set(rec, prefix+"Street", street, maxStreet)
	b.set(rec, prefix+"City", a.City, maxCity)
	b.set(rec, prefix+"State", a.State, maxState)
	b.set(rec, prefix+"PostalCode", a.Zip, maxPostalCode)
	b.set(rec, prefix+"Country", a.Country, maxCountry)
}

func (b *builder) contact() {
	a := &b.o.BillingAddress
	rec := b.newRecord(refContact, b.cfg.Objects.Contact, b.cfg.Fields.CustomerKey, b.key)
	b.set(&rec, "FirstName", a.FirstName, maxFirstName)
	last := b.text(refContact, "LastName", a.LastName, maxLastName)
	if last == "" {
		last = unknownLastName
		b.warn(WarnLastNameMissing, refContact, "LastName", "billing last name is empty; LastName is %q", last)
	}
	rec.Fields["LastName"] = last
	if email := b.emailQuiet(); email != "" {
		if len([]rune(email)) <= maxEmail {
			rec.Fields["Email"] = email
		} else {
			b.warn(WarnEmailInvalid, refContact, "Email", "e-mail is longer than %d characters; not sent", maxEmail)
		}
	}
	b.set(&rec, "Phone", a.Phone, maxPhone)
	b.address(&rec, "Mailing")
	b.link(&rec, b.cfg.Fields.AccountLookup, b.cfg.Fields.AccountRelationship, &b.res.Records[0])
	b.add(rec)
}

// emailQuiet is email without warnings: the customer key already reported
// them.
func (b *builder) emailQuiet() string {
	raw, _ := sanitize(b.o.BillingAddress.Email)
	if email := normalizeEmail(raw); plausibleEmail(email) {
		return email
	}
	return ""
}
