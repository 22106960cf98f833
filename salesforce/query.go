package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// queryPage is one batch of a SOQL result.
type queryPage struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
	Records        []json.RawMessage `json:"records"`
}

// Query runs a SOQL query and yields every record as raw JSON, following
// nextRecordsUrl (resolved against the instance URL, never the login host)
// until the result is done. Salesforce sends up to 2,000 records per page.
// Each page is one API call; stopping the loop early stops the paging. An
// error is yielded once, as the last element. Build literals with
// QuoteString.
func (c *Client) Query(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error] {
	return c.queryAt(ctx, c.dataPath("query"), soql)
}

// queryAt runs soql on the query resource at path (/query, or the Tooling
// API's /tooling/query) and pages through the result.
func (c *Client) queryAt(ctx context.Context, path, soql string) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		if strings.TrimSpace(soql) == "" {
			yield(nil, errors.New("salesforce: empty SOQL query"))
			return
		}
		cl := call{method: http.MethodGet, path: path, query: url.Values{"q": {soql}}, idempotent: true}
		seen := map[string]bool{}
		for {
			resp, err := c.do(ctx, cl)
			if err != nil {
				yield(nil, err)
				return
			}
			var page queryPage
			if err := decodeJSON(resp, "query", &page); err != nil {
				yield(nil, err)
				return
			}
			for _, rec := range page.Records {
				if !yield(rec, nil) {
					return
				}
			}
			if page.Done {
				return
			}
			next, err := c.nextPagePath(page.NextRecordsURL)
			if err == nil && seen[next] {
				err = fmt.Errorf("salesforce: query paging loops on %q", next)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			seen[next] = true
			cl = call{method: http.MethodGet, path: next, idempotent: true}
		}
	}
}

// QueryAs runs Query and decodes each record into a T.
func QueryAs[T any](ctx context.Context, c *Client, soql string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for raw, err := range c.Query(ctx, soql) {
			var v T
			if err == nil {
				if derr := json.Unmarshal(raw, &v); derr != nil {
					err = fmt.Errorf("salesforce: decode query record: %w", derr)
				}
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// nextPagePath checks a nextRecordsUrl. Salesforce sends a path such as
// /services/data/v64.0/query/01g...-2000; an absolute URL is refused, so a
// response can never send the bearer token to another host.
func (c *Client) nextPagePath(next string) (string, error) {
	if next == "" {
		return "", errors.New("salesforce: query not done but nextRecordsUrl is empty")
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/services/data/") || strings.Contains(u.Path, "..") {
		return "", fmt.Errorf("salesforce: unexpected nextRecordsUrl %q", next)
	}
	return u.RequestURI(), nil
}
