package bctest

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
)

// unsupportedCustomerFilters are documented filters of GET /v3/customers
// that the fake does not model. It refuses them, rather than answer a list
// the real store would not.
var unsupportedCustomerFilters = []string{
	"company:in", "customer_group_id:in", "name:in", "name:like", "phone:in",
	"date_created", "date_created:min", "date_created:max", "date_modified",
	"registration_ip_address:in", "before", "after",
}

// customerIncludes are the documented include values of GET /v3/customers;
// the fake serves addresses and accepts the others without serving them.
var customerIncludes = []string{"addresses", "storecredit", "attributes", "formfields", "shopper_profile_id", "segment_ids"}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := &query{v: r.URL.Query()}
	for _, name := range unsupportedCustomerFilters {
		if _, ok := q.lookup(name); ok {
			writeV3Error(w, http.StatusUnprocessableEntity, "bctest does not support this filter",
				map[string]string{name: "not supported by the fake store"})
			return
		}
	}
	ids := q.idSet("id:in", "a customer id")
	emails, _ := q.list("email:in")
	minModified, hasMin := q.date("date_modified:min")
	maxModified, hasMax := q.date("date_modified:max")
	addresses := false
	if inc, ok := q.list("include"); ok {
		for _, v := range inc {
			if !slices.Contains(customerIncludes, v) {
				q.fail("include", v, "one of "+strings.Join(customerIncludes, ", "))
			}
			addresses = addresses || v == "addresses"
		}
	}
	less := customerSort(q)
	page, limit, tooLarge := q.page(maxV3Limit)
	if !checkV3Query(w, q, tooLarge) {
		return
	}
	var matched []customerWire
	for _, c := range s.customerList() {
		if len(ids) > 0 && !ids[c.ID] {
			continue
		}
		if len(emails) > 0 && !slices.ContainsFunc(emails, func(e string) bool { return strings.EqualFold(e, c.Email) }) {
			continue
		}
		if hasMin && c.DateModified.Before(minModified) || hasMax && c.DateModified.After(maxModified) {
			continue
		}
		cw := wireCustomer(&c)
		if addresses {
			list := orEmpty(c.Addresses)
			cw.Addresses = &list
		}
		matched = append(matched, cw)
	}
	slices.SortStableFunc(matched, func(a, b customerWire) int { return less(a.Customer, b.Customer) })
	writeJSON(w, http.StatusOK, paginate(matched, page, limit))
}

func (s *Server) customerList() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Customer, 0, len(s.customers))
	for _, c := range s.customers {
		out = append(out, c.clone())
	}
	slices.SortFunc(out, func(a, b Customer) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

var customerSorts = map[string]func(a, b *Customer) int{
	"date_created":  func(a, b *Customer) int { return a.DateCreated.Compare(b.DateCreated) },
	"date_modified": func(a, b *Customer) int { return a.DateModified.Compare(b.DateModified) },
	"last_name":     func(a, b *Customer) int { return strings.Compare(a.LastName, b.LastName) },
}

// customerSort reads sort (date_created, date_modified or last_name, each
// :asc or :desc); without it customers come by ascending id.
func customerSort(q *query) func(a, b *Customer) int {
	byID := func(a, b *Customer) int { return cmp.Compare(a.ID, b.ID) }
	raw, ok := q.lookup("sort")
	if !ok {
		return byID
	}
	field, dir, _ := strings.Cut(raw, ":")
	compare, known := customerSorts[field]
	if !known || (dir != "asc" && dir != "desc") {
		q.fail("sort", raw, "a sort field with :asc or :desc")
		return byID
	}
	return func(a, b *Customer) int {
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
