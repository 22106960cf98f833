package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// The external-ID fields of the default mapping.
const (
	orderKeyField    = "BigCommerce_Order_Id__c"
	customerKeyField = "BigCommerce_Customer_Key__c"
)

// usage is the API calls counted by the fakes.
type usage struct {
	bcTotal  int
	bcRoutes map[string]int // by route, e.g. "GET /v2/orders/{id}"
	sfCalls  int            // one per request, as Salesforce counts API calls
	sfPaths  map[string]int // by route, e.g. "POST /composite/graph"
	sfTokens int
}

// apiUsage reads the fakes' call counters.
func apiUsage(store *bctest.Server, org *sftest.Server) usage {
	u := usage{bcTotal: store.TotalCalls(), bcRoutes: map[string]int{}, sfCalls: org.TotalCalls(),
		sfPaths: map[string]int{}, sfTokens: org.TokenRequests()}
	for _, route := range bctest.Routes() {
		if n := store.Calls(route); n > 0 {
			u.bcRoutes[route] = n
		}
	}
	for _, route := range append(sftest.Routes(), sftest.RouteUnknown) {
		if n := org.Calls(route); n > 0 {
			u.sfPaths[route] = n
		}
	}
	return u
}

// records is what the org holds after the sync, read back with SOQL.
type records struct {
	opportunities []opportunity
	accounts      []party
	contacts      []party
}

type opportunity struct {
	OrderID         string      `json:"BigCommerce_Order_Id__c"`
	Name            string      `json:"Name"`
	Amount          json.Number `json:"Amount"`
	CurrencyIsoCode string      `json:"CurrencyIsoCode"`
	StageName       string      `json:"StageName"`
	CloseDate       string      `json:"CloseDate"`
	Account         struct {
		Name string `json:"Name"`
	} `json:"Account"`
}

// party is an Account or a Contact.
type party struct {
	Key       string `json:"BigCommerce_Customer_Key__c"`
	Name      string `json:"Name"`
	FirstName string `json:"FirstName"`
	LastName  string `json:"LastName"`
	Email     string `json:"Email"`
}

// readBack queries the records the sync wrote, through the real client.
func readBack(ctx context.Context, sf *salesforce.Client) (records, error) {
	var r records
	var err error
	if r.opportunities, err = query[opportunity](ctx, sf, "SELECT "+orderKeyField+
		", Name, Amount, CurrencyIsoCode, StageName, CloseDate, Account.Name FROM Opportunity ORDER BY "+orderKeyField); err != nil {
		return r, err
	}
	if r.accounts, err = query[party](ctx, sf, "SELECT "+customerKeyField+", Name FROM Account ORDER BY "+customerKeyField); err != nil {
		return r, err
	}
	r.contacts, err = query[party](ctx, sf, "SELECT "+customerKeyField+", FirstName, LastName, Email FROM Contact ORDER BY "+customerKeyField)
	return r, err
}

func query[T any](ctx context.Context, sf *salesforce.Client, soql string) ([]T, error) {
	var out []T
	for rec, err := range salesforce.QueryAs[T](ctx, sf, soql) {
		if err != nil {
			return nil, fmt.Errorf("read back: %w", err)
		}
		out = append(out, rec)
	}
	return out, nil
}
