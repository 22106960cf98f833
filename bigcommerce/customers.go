package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Customer list paging: 50 per page by default, at most 250. An email:in
// filter is sent with at most 50 values per request and an id:in filter
// with at most 250, a full page (the API documents no limit; either keeps
// URLs well under common 8 KiB caps), so longer lists become several
// filtered requests.
const (
	defaultCustomerPageSize = 50
	maxCustomerPageSize     = 250
	maxFilterValues         = 50
	maxIDFilterValues       = maxCustomerPageSize
)

// CustomersService reads v3 customers. Get it from Client.Customers.
// Guest orders (customer_id 0) have no customer to read.
type CustomersService struct{ c *Client }

// Customer is a registered customer (v3). Dates are RFC 3339 on the wire.
type Customer struct {
	ID                                      int64         `json:"id"`
	Email                                   string        `json:"email"`
	FirstName                               string        `json:"first_name"`
	LastName                                string        `json:"last_name"`
	Company                                 string        `json:"company"`
	Phone                                   string        `json:"phone"`
	Notes                                   string        `json:"notes"`
	TaxExemptCategory                       string        `json:"tax_exempt_category"`
	CustomerGroupID                         int64         `json:"customer_group_id"`
	RegistrationIPAddress                   string        `json:"registration_ip_address"`
	DateCreated                             time.Time     `json:"date_created"`
	DateModified                            time.Time     `json:"date_modified"`
	AddressCount                            int           `json:"address_count"`
	AttributeCount                          int           `json:"attribute_count"`
	AcceptsProductReviewAbandonedCartEmails bool          `json:"accepts_product_review_abandoned_cart_emails"`
	ChannelIDs                              []int64       `json:"channel_ids"`
	StoreCreditAmounts                      []StoreCredit `json:"store_credit_amounts"`
	// Addresses are the customer's addresses, by the API's order; the API
	// sends them only when asked (ListCustomersOptions.IncludeAddresses).
	Addresses []CustomerAddress `json:"addresses"`
}

// CustomerAddress is one address of a registered customer (v3). Phone and
// postal code decode from a string or a number.
type CustomerAddress struct {
	ID              int64  `json:"id"`
	CustomerID      int64  `json:"customer_id"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Company         string `json:"company"`
	Address1        string `json:"address1"`
	Address2        string `json:"address2"`
	City            string `json:"city"`
	StateOrProvince string `json:"state_or_province"`
	PostalCode      string `json:"postal_code"`
	Country         string `json:"country"`
	CountryCode     string `json:"country_code"`
	Phone           string `json:"phone"`
	// AddressType is "residential" or "commercial".
	AddressType string `json:"address_type"`
}

// UnmarshalJSON decodes an address leniently: ids, phone, postal code and
// company as strings or numbers, null as empty, unknown fields ignored.
func (a *CustomerAddress) UnmarshalJSON(b []byte) error {
	type plain CustomerAddress
	aux := struct {
		*plain
		ID         *lenientInt    `json:"id"`
		CustomerID *lenientInt    `json:"customer_id"`
		Phone      *lenientString `json:"phone"`
		PostalCode *lenientString `json:"postal_code"`
		Company    *lenientString `json:"company"`
	}{
		plain:      (*plain)(a),
		ID:         (*lenientInt)(&a.ID),
		CustomerID: (*lenientInt)(&a.CustomerID),
		Phone:      (*lenientString)(&a.Phone),
		PostalCode: (*lenientString)(&a.PostalCode),
		Company:    (*lenientString)(&a.Company),
	}
	return json.Unmarshal(b, &aux)
}

// StoreCredit is one store-credit balance of a customer.
type StoreCredit struct {
	Amount decimal.Decimal `json:"amount"`
}

// UnmarshalJSON decodes the amount as a number, a string, "" or null.
func (s *StoreCredit) UnmarshalJSON(b []byte) error {
	aux := struct {
		Amount *lenientDecimal `json:"amount"`
	}{Amount: (*lenientDecimal)(&s.Amount)}
	return json.Unmarshal(b, &aux)
}

// UnmarshalJSON decodes a v3 customer leniently: RFC 3339 dates ("" or null
// is the zero time), phone and company as strings or numbers, unknown
// fields ignored.
func (c *Customer) UnmarshalJSON(b []byte) error {
	type plain Customer
	aux := struct {
		*plain
		ID           *lenientInt    `json:"id"`
		Phone        *lenientString `json:"phone"`
		Company      *lenientString `json:"company"`
		DateCreated  *v3Time        `json:"date_created"`
		DateModified *v3Time        `json:"date_modified"`
	}{
		plain:        (*plain)(c),
		ID:           (*lenientInt)(&c.ID),
		Phone:        (*lenientString)(&c.Phone),
		Company:      (*lenientString)(&c.Company),
		DateCreated:  (*v3Time)(&c.DateCreated),
		DateModified: (*v3Time)(&c.DateModified),
	}
	return json.Unmarshal(b, &aux)
}

// ListCustomersOptions selects customers for Customers.List. With neither
// IDs nor Emails set, every customer is listed.
type ListCustomersOptions struct {
	// IDs keeps these customer ids (id:in), sent 250 to a request.
	IDs []int64
	// Emails keeps these e-mail addresses (email:in), sent 50 to a request.
	// Ignored when IDs is set.
	Emails []string
	// MinDateModified keeps the customers modified at or after this time
	// (date_modified:min, sent in UTC as RFC 3339); zero: no bound.
	MinDateModified time.Time
	// Sort orders the list: "date_modified:asc", "date_modified:desc",
	// "date_created:asc", "date_created:desc", "last_name:asc" or
	// "last_name:desc"; empty: the API's order (by id).
	Sort string
	// IncludeAddresses asks for every customer's addresses
	// (include=addresses), in Customer.Addresses.
	IncludeAddresses bool
	// PageSize is the number of customers per request: 1 to 250. By
	// default 50, or 250 with IDs, so that a chunk of ids is one request.
	PageSize int
}

// customerSorts are the documented values of sort on GET /v3/customers.
var customerSorts = []string{
	"date_created:asc", "date_created:desc", "date_modified:asc", "date_modified:desc",
	"last_name:asc", "last_name:desc",
}

// Get returns one customer by id, through GET /v3/customers?id:in={id}. A
// customer that does not exist is an *APIError matching ErrNotFound.
func (s *CustomersService) Get(ctx context.Context, id int64) (*Customer, error) {
	if err := checkID("customer", id); err != nil {
		return nil, err
	}
	for cust, err := range s.List(ctx, ListCustomersOptions{IDs: []int64{id}}) {
		if err != nil {
			return nil, err
		}
		if cust.ID == id {
			return &cust, nil
		}
	}
	return nil, &APIError{Status: http.StatusNotFound, Method: http.MethodGet, Path: "/v3/customers",
		Messages: []string{"no customer with id " + strconv.FormatInt(id, 10)}}
}

// List returns an iterator over the customers matching opts, following
// meta.pagination page by page. An id filter is sent 250 ids to a request,
// an e-mail filter 50 addresses to a request. An error is yielded once and
// ends the loop; an unknown Sort is such an error, before any request.
func (s *CustomersService) List(ctx context.Context, opts ListCustomersOptions) iter.Seq2[Customer, error] {
	fail := func(err error) iter.Seq2[Customer, error] {
		return func(yield func(Customer, error) bool) { yield(Customer{}, err) }
	}
	if opts.Sort != "" && !slices.Contains(customerSorts, opts.Sort) {
		return fail(fmt.Errorf("bigcommerce: unknown customer sort %q", opts.Sort))
	}
	base := url.Values{}
	if opts.Sort != "" {
		base.Set("sort", opts.Sort)
	}
	if !opts.MinDateModified.IsZero() {
		base.Set("date_modified:min", opts.MinDateModified.UTC().Format(time.RFC3339))
	}
	if opts.IncludeAddresses {
		base.Set("include", "addresses")
	}
	var key string
	var values []string
	per := maxFilterValues
	switch {
	case len(opts.IDs) > 0:
		key, per = "id:in", maxIDFilterValues
		for _, id := range opts.IDs {
			values = append(values, strconv.FormatInt(id, 10))
		}
	case len(opts.Emails) > 0:
		key = "email:in"
		for _, e := range opts.Emails {
			if strings.ContainsRune(e, ',') {
				// A comma would split the address into two filter values.
				return fail(errors.New("bigcommerce: e-mail filter value contains a comma"))
			}
			values = append(values, e)
		}
	}
	return func(yield func(Customer, error) bool) {
		for chunk := range chunks(values, per) {
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			def := defaultCustomerPageSize
			if key == "id:in" {
				def = maxCustomerPageSize // a chunk of ids is one request
			}
			if key != "" {
				q.Set(key, strings.Join(chunk, ","))
			}
			limit := clampLimit(opts.PageSize, def, maxCustomerPageSize)
			for cust, err := range paginate(ctx, v3Pages[Customer](s.c, "/v3/customers", q, limit)) {
				if !yield(cust, err) || err != nil {
					return
				}
			}
		}
	}
}

// chunks yields values in groups of at most per, and one nil group for no
// values (no filter).
func chunks(values []string, per int) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		if len(values) == 0 {
			yield(nil)
			return
		}
		for i := 0; i < len(values); i += per {
			if !yield(values[i:min(i+per, len(values))]) {
				return
			}
		}
	}
}

// v3Pages fetches pages of a v3 list ({data, meta.pagination}).
func v3Pages[T any](c *Client, path string, q url.Values, limit int) pageFunc[T] {
	return func(ctx context.Context, page int) ([]T, bool, error) {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("page", strconv.Itoa(page))
		pq.Set("limit", strconv.Itoa(limit))
		var list v3List[T]
		ok, err := c.get(ctx, path, pq, &list)
		if err != nil || !ok {
			return nil, false, err
		}
		return list.Data, list.more(page, limit), nil
	}
}
