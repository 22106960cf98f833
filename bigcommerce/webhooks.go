package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Hook list paging: 50 per page by default, at most 250.
const (
	defaultHookPageSize = 50
	maxHookPageSize     = 250
)

// WebhooksService manages webhook subscriptions (v3 /hooks). Hooks are
// visible only to the API account that created them. Get it from
// Client.Webhooks.
//
// Header values of a hook are credentials (BigCommerce sends them back on
// every delivery, so they authenticate it): the service keeps them out of
// errors and logs, and Webhook prints them redacted.
type WebhooksService struct{ c *Client }

// Webhook is a webhook subscription. CreatedAt and UpdatedAt are Unix seconds
// on the wire.
type Webhook struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// UnmarshalJSON decodes a hook leniently: Unix-second dates as numbers or
// strings, the id as a number or a string, headers null or absent as nil.
func (w *Webhook) UnmarshalJSON(b []byte) error {
	type plain Webhook
	aux := struct {
		*plain
		ID        *lenientInt    `json:"id"`
		ClientID  *lenientString `json:"client_id"`
		CreatedAt *unixTime      `json:"created_at"`
		UpdatedAt *unixTime      `json:"updated_at"`
	}{
		plain:     (*plain)(w),
		ID:        (*lenientInt)(&w.ID),
		ClientID:  (*lenientString)(&w.ClientID),
		CreatedAt: (*unixTime)(&w.CreatedAt),
		UpdatedAt: (*unixTime)(&w.UpdatedAt),
	}
	return json.Unmarshal(b, &aux)
}

// String describes the hook with header names but not their values.
func (w Webhook) String() string {
	return fmt.Sprintf("Webhook{ID: %d, Scope: %s, Destination: %s, IsActive: %t, Headers: %s}",
		w.ID, w.Scope, w.Destination, w.IsActive, redactedHeaders(w.Headers))
}

// GoString is String, so %#v does not reveal header values either.
func (w Webhook) GoString() string { return w.String() }

// WebhookCreate is the body of Webhooks.Create.
type WebhookCreate struct {
	// Scope is the event, for example "store/order/created" (required).
	Scope string `json:"scope"`
	// Destination is the HTTPS URL (port 443) deliveries go to (required).
	Destination string `json:"destination"`
	// IsActive sets whether the hook fires; nil means true.
	IsActive *bool `json:"is_active"`
	// Headers are sent back with every delivery; use one as a shared secret.
	Headers map[string]string `json:"headers,omitempty"`
}

// String describes the request without header values.
func (w WebhookCreate) String() string {
	return fmt.Sprintf("WebhookCreate{Scope: %s, Destination: %s, Headers: %s}", w.Scope, w.Destination, redactedHeaders(w.Headers))
}

// GoString is String, so %#v does not reveal header values either.
func (w WebhookCreate) GoString() string { return w.String() }

// WebhookUpdate is the body of Webhooks.Update: only the fields set are
// sent. A non-nil Headers replaces all headers (an empty map removes them).
type WebhookUpdate struct {
	Scope       *string
	Destination *string
	IsActive    *bool
	Headers     map[string]string
}

// MarshalJSON writes only the fields that are set.
func (u WebhookUpdate) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	if u.Scope != nil {
		m["scope"] = *u.Scope
	}
	if u.Destination != nil {
		m["destination"] = *u.Destination
	}
	if u.IsActive != nil {
		m["is_active"] = *u.IsActive
	}
	if u.Headers != nil {
		m["headers"] = u.Headers
	}
	return json.Marshal(m)
}

// String describes the update without header values.
func (u WebhookUpdate) String() string {
	var parts []string
	if u.Scope != nil {
		parts = append(parts, "Scope: "+*u.Scope)
	}
	if u.Destination != nil {
		parts = append(parts, "Destination: "+*u.Destination)
	}
	if u.IsActive != nil {
		parts = append(parts, "IsActive: "+strconv.FormatBool(*u.IsActive))
	}
	if u.Headers != nil {
		parts = append(parts, "Headers: "+redactedHeaders(u.Headers))
	}
	return "WebhookUpdate{" + strings.Join(parts, ", ") + "}"
}

// GoString is String, so %#v does not reveal header values either.
func (u WebhookUpdate) GoString() string { return u.String() }

func (u WebhookUpdate) empty() bool {
	return u.Scope == nil && u.Destination == nil && u.IsActive == nil && u.Headers == nil
}

// redactedHeaders renders header names with their values hidden.
func redactedHeaders(h map[string]string) string {
	if h == nil {
		return "nil"
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k+": [redacted]")
	}
	sort.Strings(names)
	return "{" + strings.Join(names, ", ") + "}"
}

// Create registers a hook. Scope and Destination are required; BigCommerce
// allows one hook per scope and destination, so registering the same pair
// twice fails with an *APIError (422). Deliveries may start up to a minute
// after creation.
func (s *WebhooksService) Create(ctx context.Context, in WebhookCreate) (*Webhook, error) {
	if strings.TrimSpace(in.Scope) == "" || strings.TrimSpace(in.Destination) == "" {
		return nil, errors.New("bigcommerce: a webhook needs a scope and a destination")
	}
	if in.IsActive == nil {
		active := true
		in.IsActive = &active
	}
	return s.one(ctx, http.MethodPost, "/v3/hooks", in, in.Headers)
}

// Get returns one hook. A hook that does not exist, or belongs to another
// API account, is an *APIError matching ErrNotFound.
func (s *WebhooksService) Get(ctx context.Context, id int64) (*Webhook, error) {
	if err := checkID("webhook", id); err != nil {
		return nil, err
	}
	return s.one(ctx, http.MethodGet, hookPath(id), nil, nil)
}

// Update changes a hook with PUT, sending only the fields set in u; at least
// one must be set.
func (s *WebhooksService) Update(ctx context.Context, id int64, u WebhookUpdate) (*Webhook, error) {
	if err := checkID("webhook", id); err != nil {
		return nil, err
	}
	if u.empty() {
		return nil, errors.New("bigcommerce: webhook update sets no field")
	}
	return s.one(ctx, http.MethodPut, hookPath(id), u, u.Headers)
}

// Enable reactivates a hook, for example one BigCommerce deactivated after
// 48 hours of failed deliveries.
func (s *WebhooksService) Enable(ctx context.Context, id int64) (*Webhook, error) {
	on := true
	return s.Update(ctx, id, WebhookUpdate{IsActive: &on})
}

// Disable stops a hook from firing without deleting it.
func (s *WebhooksService) Disable(ctx context.Context, id int64) (*Webhook, error) {
	off := false
	return s.Update(ctx, id, WebhookUpdate{IsActive: &off})
}

// SetHeaders replaces the headers a hook sends with each delivery, for
// example to rotate a shared secret; nil or empty removes them.
func (s *WebhooksService) SetHeaders(ctx context.Context, id int64, headers map[string]string) (*Webhook, error) {
	if headers == nil {
		headers = map[string]string{}
	}
	return s.Update(ctx, id, WebhookUpdate{Headers: headers})
}

// Delete removes a hook and returns it as it was. BigCommerce answers with
// the deleted hook; when it answers with no body the result is nil.
func (s *WebhooksService) Delete(ctx context.Context, id int64) (*Webhook, error) {
	if err := checkID("webhook", id); err != nil {
		return nil, err
	}
	return s.one(ctx, http.MethodDelete, hookPath(id), nil, nil)
}

// ListWebhooksOptions filters Webhooks.List; the zero value lists every hook
// of the API account.
type ListWebhooksOptions struct {
	// Scope keeps hooks of one scope.
	Scope string
	// Destination keeps hooks with this destination URL.
	Destination string
	// IsActive keeps active (true) or inactive (false) hooks; nil means both.
	IsActive *bool
	// PageSize is the number of hooks per request: 1 to 250, default 50.
	PageSize int
}

// List returns an iterator over the hooks of the API account, following
// meta.pagination. An error is yielded once and ends the loop.
func (s *WebhooksService) List(ctx context.Context, opts ListWebhooksOptions) iter.Seq2[Webhook, error] {
	q := url.Values{}
	if opts.Scope != "" {
		q.Set("scope", opts.Scope)
	}
	if opts.Destination != "" {
		q.Set("destination", opts.Destination)
	}
	if opts.IsActive != nil {
		q.Set("is_active", strconv.FormatBool(*opts.IsActive))
	}
	limit := clampLimit(opts.PageSize, defaultHookPageSize, maxHookPageSize)
	return paginate(ctx, v3Pages[Webhook](s.c, "/v3/hooks", q, limit))
}

func hookPath(id int64) string { return "/v3/hooks/" + strconv.FormatInt(id, 10) }

// one sends a request whose answer is a single hook, wrapped in {data} as
// the spec says or bare as some docs show. Header values of the request are
// scrubbed from any error (before it is logged), in case the API echoes them.
func (s *WebhooksService) one(ctx context.Context, method, path string, in any, secrets map[string]string) (*Webhook, error) {
	var raw json.RawMessage
	ok, err := s.c.call(ctx, &apiRequest{method: method, path: path, secrets: secrets}, in, &raw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	w, err := decodeHook(raw)
	if err != nil {
		return nil, fmt.Errorf("bigcommerce: %s %s: decoding response: %w", method, path, scrubSecrets(err, secrets))
	}
	return w, nil
}

// decodeHook reads {"data": {...}} or a bare hook object.
func decodeHook(raw json.RawMessage) (*Webhook, error) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	body := raw
	if d := bytes.TrimSpace(env.Data); len(d) > 0 && d[0] == '{' {
		body = d
	}
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, err
	}
	return &w, nil
}

// scrubSecrets replaces any header value of secrets found in an *APIError's
// text with "[redacted]". Values shorter than 4 bytes are left alone: they
// would match ordinary words and are no secret worth the name.
func scrubSecrets(err error, secrets map[string]string) error {
	var apiErr *APIError
	if len(secrets) == 0 || !errors.As(err, &apiErr) {
		return err
	}
	scrub := func(s string) string {
		for _, v := range secrets {
			if len(v) >= 4 {
				s = strings.ReplaceAll(s, v, "[redacted]")
			}
		}
		return s
	}
	apiErr.Title = scrub(apiErr.Title)
	apiErr.Code = scrub(apiErr.Code)
	for i, m := range apiErr.Messages {
		apiErr.Messages[i] = scrub(m)
	}
	if apiErr.Fields != nil {
		fields := make(map[string]string, len(apiErr.Fields))
		for k, v := range apiErr.Fields {
			fields[scrub(k)] = scrub(v)
		}
		apiErr.Fields = fields
	}
	return err
}
