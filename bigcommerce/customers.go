package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Customer list paging: 50 per page by default, at most 250. An id:in or
// email:in filter is sent with at most 50 values per request (the API
// documents no limit; this keeps URLs well under common 8 KiB caps), so
// longer lists become several filtered requests.
const (
	defaultCustomerPageSize = 50
	maxCustomerPageSize     = 250
	maxFilterValues         = 50
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
	// IDs keeps these customer ids (id:in).
	IDs []int64
	// Emails keeps these e-mail addresses (email:in). Ignored when IDs is set.
	Emails []string
	// PageSize is the number of customers per request: 1 to 250, default 50.
	PageSize int
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
// meta.pagination page by page. Filters longer than 50 values are sent in
// chunks of 50. An error is yielded once and ends the loop.
func (s *CustomersService) List(ctx context.Context, opts ListCustomersOptions) iter.Seq2[Customer, error] {
	limit := clampLimit(opts.PageSize, defaultCustomerPageSize, maxCustomerPageSize)
	var key string
	var values []string
	switch {
	case len(opts.IDs) > 0:
		key = "id:in"
		for _, id := range opts.IDs {
			values = append(values, strconv.FormatInt(id, 10))
		}
	case len(opts.Emails) > 0:
		key = "email:in"
		for _, e := range opts.Emails {
			if strings.ContainsRune(e, ',') {
				// A comma would split the address into two filter values.
				return func(yield func(Customer, error) bool) {
					yield(Customer{}, errors.New("bigcommerce: e-mail filter value contains a comma"))
				}
			}
			values = append(values, e)
		}
	}
	return func(yield func(Customer, error) bool) {
		for chunk := range chunks(values) {
			q := url.Values{}
			if key != "" {
				q.Set(key, strings.Join(chunk, ","))
			}
			for cust, err := range paginate(ctx, v3Pages[Customer](s.c, "/v3/customers", q, limit)) {
				if !yield(cust, err) || err != nil {
					return
				}
			}
		}
	}
}

// chunks yields values in groups of maxFilterValues, and one nil group for
// no values (no filter).
func chunks(values []string) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		if len(values) == 0 {
			yield(nil)
			return
		}
		for i := 0; i < len(values); i += maxFilterValues {
			if !yield(values[i:min(i+maxFilterValues, len(values))]) {
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
