package sftest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AddCurrency makes the org multi-currency, or adds a currency to it: it
// inserts an active CurrencyType with IsoCode isoCode (three letters),
// ConversionRate rate (a decimal string, the units of this currency per
// unit of the corporate currency), DecimalPlaces 2 and IsCorporate as
// given, and returns its id. Like Seed it is not an API call. Once the org
// has a CurrencyType, a record whose CurrencyIsoCode is not an active
// IsoCode is refused with INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, as in a
// real multi-currency org; query the currencies with
// SELECT IsoCode, ConversionRate FROM CurrencyType WHERE IsActive = true.
func (s *Server) AddCurrency(isoCode, rate string, corporate bool) (string, error) {
	if len(isoCode) != 3 || strings.ToUpper(isoCode) != isoCode || !isAlnum(isoCode) {
		return "", fmt.Errorf("%w: currency code %q (want three upper-case letters)", ErrInvalidName, isoCode)
	}
	var n json.Number
	if err := json.Unmarshal([]byte(rate), &n); err != nil || strings.HasPrefix(rate, "-") || rate == "0" {
		return "", fmt.Errorf("%w: conversion rate %q (want a positive decimal)", ErrInvalidName, rate)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.object("CurrencyType")
	for _, r := range s.st.list(obj) {
		if _, code, _ := lookupField(r.fields, "IsoCode"); code == isoCode {
			return "", fmt.Errorf("%w: currency %s exists", ErrInvalidName, isoCode)
		}
	}
	t := &tx{st: s.st, now: time.Now()}
	rec := t.insert(obj, map[string]any{
		"IsoCode": isoCode, "ConversionRate": n, "DecimalPlaces": json.Number("2"),
		"IsActive": true, "IsCorporate": corporate,
	})
	return rec.id, nil
}

// currencyRules refuses, in a multi-currency org (one holding a
// CurrencyType), a CurrencyIsoCode that is not an active currency.
func (t *tx) currencyRules(obj *objectDef, fields map[string]any) *dmlError {
	if obj.name == "CurrencyType" {
		return nil
	}
	_, v, ok := lookupField(fields, "CurrencyIsoCode")
	if !ok || v == nil {
		return nil
	}
	types := t.st.list(t.st.object("CurrencyType"))
	if len(types) == 0 {
		return nil
	}
	for _, r := range types {
		_, code, _ := lookupField(r.fields, "IsoCode")
		_, active, _ := lookupField(r.fields, "IsActive")
		if code == v && active == true {
			return nil
		}
	}
	return newDMLError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
		fmt.Sprintf("Currency ISO Code: invalid currency code: %v", v), "CurrencyIsoCode")
}

// pricebookEntryRules holds what Salesforce enforces on a new
// PricebookEntry: one entry per product, price book and currency
// (DUPLICATE_VALUE), and, in a custom (not standard) price book, an active
// entry of the same product and currency in a standard price book first
// (STANDARD_PRICE_NOT_DEFINED). Its price book, product and currency cannot
// change afterwards (they are create-only).
func (t *tx) pricebookEntryRules(fields map[string]any, creating bool) *dmlError {
	if !creating {
		return nil
	}
	_, book, _ := lookupField(fields, "Pricebook2Id")
	_, prod, _ := lookupField(fields, "Product2Id")
	_, cur, _ := lookupField(fields, "CurrencyIsoCode")
	custom := !t.standardBook(book)
	standardPrice := false
	for _, r := range t.st.list(t.st.object("PricebookEntry")) {
		_, b, _ := lookupField(r.fields, "Pricebook2Id")
		_, p, _ := lookupField(r.fields, "Product2Id")
		_, c, _ := lookupField(r.fields, "CurrencyIsoCode")
		if p != prod || fmt.Sprint(c) != fmt.Sprint(cur) {
			continue
		}
		if b == book {
			return newDMLError("DUPLICATE_VALUE",
				"This price definition already exists in this price book: "+r.id)
		}
		if _, active, _ := lookupField(r.fields, "IsActive"); custom && active == true && t.standardBook(b) {
			standardPrice = true
		}
	}
	if custom && !standardPrice {
		return newDMLError("STANDARD_PRICE_NOT_DEFINED", "No standard price defined for this product", "Product2Id")
	}
	return nil
}

// standardBook reports whether id names a Pricebook2 whose IsStandard is
// true.
func (t *tx) standardBook(id any) bool {
	rec := t.st.get(fmt.Sprint(id))
	if rec == nil || rec.object != t.st.object("Pricebook2") {
		return false
	}
	_, std, _ := lookupField(rec.fields, "IsStandard")
	return std == true
}
