package bctest

import (
	"cmp"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxV2Limit is the largest page the v2 lists serve; a larger limit answers
// 413, as the status-code documentation says.
const maxV2Limit = 250

// orderFromPath loads the order named by the {id} path value, answering
// 404 itself when there is none.
func (s *Server) orderFromPath(w http.ResponseWriter, r *http.Request) (Order, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		if o, ok := s.Order(id); ok {
			return o, true
		}
	}
	writeV2Error(w, http.StatusNotFound, notFoundV2)
	return Order{}, false
}

// parseInclude reads include and consignment_structure. Consignments are
// served only in the object structure; the legacy array structure is not
// modelled, so without consignment_structure=object they are left out.
func parseInclude(q *query) include {
	if cs, _ := q.lookup("consignment_structure"); cs != "object" {
		return includeNone
	}
	raw, _ := q.lookup("include")
	inc := includeNone
	for _, part := range strings.Split(raw, ",") {
		switch strings.TrimSpace(part) {
		case "consignments.line_items":
			inc = includeLineItems
		case "consignments":
			inc = max(inc, includeLinks)
		}
	}
	return inc
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orderFromPath(w, r)
	if !ok {
		return
	}
	q := &query{v: r.URL.Query()}
	writeJSON(w, http.StatusOK, wireOrder(s.linker(r), &o, parseInclude(q)))
}

func (s *Server) listOrderProducts(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orderFromPath(w, r)
	if !ok {
		return
	}
	q := &query{v: r.URL.Query()}
	page, limit, tooLarge := q.page(maxV2Limit)
	if !checkV2Query(w, q, tooLarge) {
		return
	}
	rows := pageOf(o.LineItems, page, limit)
	if len(rows) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make([]lineItemWire, len(rows))
	for i, li := range rows {
		out[i] = wireLineItem(o.ID, li)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listShippingAddresses(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orderFromPath(w, r)
	if !ok {
		return
	}
	q := &query{v: r.URL.Query()}
	page, limit, tooLarge := q.page(maxV2Limit)
	if !checkV2Query(w, q, tooLarge) {
		return
	}
	rows := pageOf(o.ShippingAddresses, page, limit)
	if len(rows) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make([]shippingAddressWire, len(rows))
	for i, sa := range rows {
		out[i] = wireShippingAddress(s.linker(r), o.ID, sa, false)
	}
	writeJSON(w, http.StatusOK, out)
}

// checkV2Query answers 413 for a too large limit or 400 for a bad
// parameter, and reports whether the request may go on.
func checkV2Query(w http.ResponseWriter, q *query, tooLarge bool) bool {
	switch {
	case q.err != nil:
		writeV2Error(w, http.StatusBadRequest, q.err.Error())
		return false
	case tooLarge:
		writeV2Error(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The limit must not be greater than %d.", maxV2Limit))
		return false
	}
	return true
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := &query{v: r.URL.Query()}
	keep := orderFilter(q)
	less := orderSort(q)
	page, limit, tooLarge := q.page(maxV2Limit)
	inc := parseInclude(q)
	if !checkV2Query(w, q, tooLarge) {
		return
	}
	// Filter and sort the stored orders in place and copy only the page, so
	// that a list call costs little more than a pass over the store.
	s.mu.Lock()
	var matched []*Order
	if lo, span, ok := idRange(q); ok && span < int64(len(s.orders)) {
		// A range of ids narrower than the store, as the pages of a
		// burst ask for: look its ids up rather than pass over every
		// order, so that a store of many orders answers as fast as a
		// small one.
		for n := int64(0); n <= span; n++ {
			if o := s.orders[lo+n]; o != nil && keep(o) {
				matched = append(matched, o)
			}
		}
	} else {
		matched = make([]*Order, 0, len(s.orders))
		for _, o := range s.orders {
			if keep(o) {
				matched = append(matched, o)
			}
		}
	}
	slices.SortFunc(matched, less)
	var rows []Order
	for _, o := range pageOf(matched, page, limit) {
		rows = append(rows, o.clone())
	}
	s.mu.Unlock()
	if len(rows) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make([]orderWire, len(rows))
	for i := range rows {
		out[i] = wireOrder(s.linker(r), &rows[i], inc)
	}
	writeJSON(w, http.StatusOK, out)
}

// idRange returns the query's min_id and the width of its id range
// (max_id - min_id), when it names both and they make a range; the query is
// known to be valid.
func idRange(q *query) (lo, span int64, ok bool) {
	lo, okLo := q.int64("min_id")
	hi, okHi := q.int64("max_id")
	if !okLo || !okHi || hi < lo {
		return 0, 0, false
	}
	return lo, hi - lo, true
}

// orderFilter builds the conjunction of the filters the query names.
func orderFilter(q *query) func(*Order) bool {
	var preds []func(*Order) bool
	add := func(p func(*Order) bool) { preds = append(preds, p) }
	if n, ok := q.int64("min_id"); ok {
		add(func(o *Order) bool { return o.ID >= n })
	}
	if n, ok := q.int64("max_id"); ok {
		add(func(o *Order) bool { return o.ID <= n })
	}
	intField := func(name string, field func(*Order) int64) {
		if n, ok := q.int64(name); ok {
			add(func(o *Order) bool { return field(o) == n })
		}
	}
	intField("customer_id", func(o *Order) int64 { return o.CustomerID })
	intField("status_id", func(o *Order) int64 { return int64(o.StatusID) })
	intField("channel_id", func(o *Order) int64 { return o.ChannelID })
	strField := func(name string, field func(*Order) string, fold bool) {
		if v, ok := q.lookup(name); ok {
			add(func(o *Order) bool { return field(o) == v || fold && strings.EqualFold(field(o), v) })
		}
	}
	strField("email", func(o *Order) string { return o.BillingAddress.Email }, true)
	strField("cart_id", func(o *Order) string { return o.CartID }, false)
	strField("payment_method", func(o *Order) string { return o.PaymentMethod }, false)
	strField("external_order_id", func(o *Order) string { return o.ExternalOrderID }, false)
	dateField := func(name string, field func(*Order) time.Time, after bool) {
		if t, ok := q.date(name); ok {
			add(func(o *Order) bool {
				if after {
					return !field(o).Before(t)
				}
				return !field(o).After(t)
			})
		}
	}
	created := func(o *Order) time.Time { return o.DateCreated }
	modified := func(o *Order) time.Time { return o.DateModified }
	dateField("min_date_created", created, true)
	dateField("max_date_created", created, false)
	dateField("min_date_modified", modified, true)
	dateField("max_date_modified", modified, false)
	totalField := func(name string, sign int) {
		if bound, ok := q.decimal(name); ok {
			add(func(o *Order) bool {
				total, _ := new(big.Rat).SetString(o.TotalIncTax)
				return total != nil && total.Cmp(bound)*sign >= 0
			})
		}
	}
	totalField("min_total", 1)
	totalField("max_total", -1)
	return func(o *Order) bool {
		for _, p := range preds {
			if !p(o) {
				return false
			}
		}
		return true
	}
}

// orderSorts are the sort keys of GET /v2/orders, per its OpenAPI file.
var orderSorts = map[string]func(a, b *Order) int{
	"id":            func(a, b *Order) int { return cmp.Compare(a.ID, b.ID) },
	"customer_id":   func(a, b *Order) int { return cmp.Compare(a.CustomerID, b.CustomerID) },
	"date_created":  func(a, b *Order) int { return a.DateCreated.Compare(b.DateCreated) },
	"date_modified": func(a, b *Order) int { return a.DateModified.Compare(b.DateModified) },
	"status_id":     func(a, b *Order) int { return cmp.Compare(a.StatusID, b.StatusID) },
	"channel_id":    func(a, b *Order) int { return cmp.Compare(a.ChannelID, b.ChannelID) },
	"external_id":   func(a, b *Order) int { return strings.Compare(a.ExternalID, b.ExternalID) },
}

// orderSort reads sort ("field" or "field:asc|desc"; default id ascending).
// Ties keep ascending id order.
func orderSort(q *query) func(a, b *Order) int {
	byID := func(a, b *Order) int { return cmp.Compare(a.ID, b.ID) }
	raw, ok := q.lookup("sort")
	if !ok {
		return byID
	}
	field, dir, _ := strings.Cut(raw, ":")
	compare, known := orderSorts[field]
	if !known || (dir != "" && dir != "asc" && dir != "desc") {
		q.fail("sort", raw, "a sort field with :asc or :desc")
		return byID
	}
	return func(a, b *Order) int {
		c := compare(a, b)
		if dir == "desc" {
			c = -c
		}
		if c == 0 {
			return byID(a, b)
		}
		return c
	}
}
