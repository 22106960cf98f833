package bctest

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/webhook"
)

// Order scopes the fake delivers, as BigCommerce names them.
const (
	ScopeOrderCreated       = "store/order/created"
	ScopeOrderUpdated       = "store/order/updated"
	ScopeOrderArchived      = "store/order/archived"
	ScopeOrderStatusUpdated = "store/order/statusUpdated"
)

// maxResponseBody caps how much of a receiver's answer a DeliveryResult keeps.
const maxResponseBody = 64 << 10

// EventSpec describes one webhook event to send.
type EventSpec struct {
	// Scope defaults to ScopeOrderCreated.
	Scope string
	// OrderID fills data {"type":"order","id":OrderID}. It must be at least
	// 1 unless Data is set.
	OrderID int64
	// PreviousStatusID and NewStatusID fill data.status for
	// ScopeOrderStatusUpdated.
	PreviousStatusID, NewStatusID int
	// Data, when set, is sent as the data object verbatim instead, for
	// scopes whose data has another shape. It must be a JSON object.
	Data json.RawMessage
	// CreatedAt is the event's time (created_at, Unix seconds). Default: the
	// server's clock.
	CreatedAt time.Time
	// Forge sends credentials that must fail verification: the hook's header
	// values are altered and the Standard Webhooks signature is made with a
	// wrong key (it is sent even when no client secret is configured).
	Forge bool
}

// Envelope is the JSON body of a webhook delivery, field for field.
type Envelope struct {
	Scope     string          `json:"scope"`
	StoreID   string          `json:"store_id"`
	Data      json.RawMessage `json:"data"`
	Hash      string          `json:"hash"`
	CreatedAt int64           `json:"created_at"`
	Producer  string          `json:"producer"`
}

// DeliveryResult is one delivery attempt and the receiver's answer.
type DeliveryResult struct {
	// URL is where the delivery went.
	URL string
	// StatusCode is the receiver's HTTP status; BigCommerce counts any 2xx
	// as delivered.
	StatusCode int
	// Body is the start (at most 64 KiB) of the receiver's answer.
	Body []byte
	// Envelope is the event sent and Payload its exact bytes; redeliveries
	// send the same bytes.
	Envelope Envelope
	Payload  []byte
	// WebhookID is the webhook-id header: the same for every delivery of
	// one event, "" when the delivery was not signed.
	WebhookID string
	// Header holds the request headers sent, credentials included; do not
	// log it.
	Header http.Header

	hookHeaders map[string]string
	forged      bool
}

// Delivered reports whether the receiver accepted the delivery (any 2xx).
func (d *DeliveryResult) Delivered() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

// String describes the delivery without its credentials.
func (d DeliveryResult) String() string {
	return fmt.Sprintf("delivery{%s %s hash=%s status=%d}", d.Envelope.Scope, d.URL, d.Envelope.Hash, d.StatusCode)
}

// GoString is String, so that %#v does not print the credentials either.
func (d DeliveryResult) GoString() string { return d.String() }

// BuildEvent returns the envelope of an event and its exact JSON bytes
// without sending it. The hash is the SHA-1 of the envelope's other fields
// as JSON, so it is the same for every delivery of one event and differs
// between events (another scope, order or time); with WithDataHash it is the
// SHA-1 of the data object alone, as BigCommerce documents it.
func (s *Server) BuildEvent(ev EventSpec) (Envelope, []byte, error) {
	scope := ev.Scope
	if scope == "" {
		scope = ScopeOrderCreated
	}
	data, err := eventData(scope, ev)
	if err != nil {
		return Envelope{}, nil, err
	}
	created := ev.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	env := Envelope{
		Scope: scope, StoreID: s.cfg.storeID, Data: data,
		CreatedAt: created.Unix(), Producer: "stores/" + s.cfg.storeHash,
	}
	digest, err := envelopeDigest(env)
	if err != nil {
		return Envelope{}, nil, err
	}
	env.Hash = digest
	if s.cfg.dataHash {
		sum := sha1.Sum(data)
		env.Hash = hex.EncodeToString(sum[:])
	}
	body, err := json.Marshal(env)
	if err != nil {
		return Envelope{}, nil, fmt.Errorf("bctest: encode event: %w", err)
	}
	return env, body, nil
}

func eventData(scope string, ev EventSpec) (json.RawMessage, error) {
	if len(ev.Data) > 0 {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(ev.Data, &obj); err != nil || obj == nil {
			return nil, fmt.Errorf("%w: event data must be a JSON object", ErrInvalid)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, ev.Data); err != nil {
			return nil, fmt.Errorf("%w: event data: %v", ErrInvalid, err)
		}
		return buf.Bytes(), nil
	}
	if ev.OrderID < 1 {
		return nil, fmt.Errorf("%w: order id %d (want at least 1, or Data)", ErrInvalid, ev.OrderID)
	}
	data := map[string]any{"type": "order", "id": ev.OrderID}
	if scope == ScopeOrderStatusUpdated {
		data["status"] = map[string]int{"previous_status_id": ev.PreviousStatusID, "new_status_id": ev.NewStatusID}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("bctest: encode event data: %w", err)
	}
	return raw, nil
}

// Deliver sends one event to receiverURL the way BigCommerce does: a POST
// of the JSON envelope, with the headers of the registered hook whose
// destination is receiverURL and whose scope matches (none when no hook
// does), and Standard Webhooks headers when a client secret is configured.
// It does not retry. It fails only when the request cannot be made or
// sent; a non-2xx answer is reported in the result.
func (s *Server) Deliver(ctx context.Context, receiverURL string, ev EventSpec) (*DeliveryResult, error) {
	env, body, err := s.BuildEvent(ev)
	if err != nil {
		return nil, err
	}
	var headers map[string]string
	for _, h := range s.Hooks() {
		if h.Destination == receiverURL && ScopeMatches(h.Scope, env.Scope) {
			headers = h.Headers
			break
		}
	}
	d := &DeliveryResult{URL: receiverURL, Envelope: env, Payload: body, hookHeaders: maps.Clone(headers), forged: ev.Forge}
	if s.cfg.clientSecret() != "" || ev.Forge {
		if d.WebhookID, err = webhookID(env); err != nil {
			return nil, err
		}
	}
	return s.send(ctx, d)
}

// DeliverToHooks sends one event to every active hook whose scope matches,
// by ascending hook id, each with its own headers, and returns one result
// per hook that was reached. The errors of the hooks that were not reached
// are joined.
func (s *Server) DeliverToHooks(ctx context.Context, ev EventSpec) ([]*DeliveryResult, error) {
	env, body, err := s.BuildEvent(ev)
	if err != nil {
		return nil, err
	}
	var results []*DeliveryResult
	var errs []error
	for _, h := range s.Hooks() {
		if !h.IsActive || !ScopeMatches(h.Scope, env.Scope) {
			continue
		}
		d := &DeliveryResult{URL: h.Destination, Envelope: env, Payload: body, hookHeaders: h.Headers, forged: ev.Forge}
		if s.cfg.clientSecret() != "" || ev.Forge {
			if d.WebhookID, err = webhookID(env); err != nil {
				return nil, err
			}
		}
		res, err := s.send(ctx, d)
		if err != nil {
			errs = append(errs, fmt.Errorf("hook %d: %w", h.ID, err))
			continue
		}
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}

// Redeliver sends an earlier delivery again, as BigCommerce's retries do:
// the same URL, body, hash, hook headers and webhook-id, with a fresh
// webhook-timestamp and signature. A forged delivery stays forged.
func (s *Server) Redeliver(ctx context.Context, prev *DeliveryResult) (*DeliveryResult, error) {
	if prev == nil || len(prev.Payload) == 0 {
		return nil, fmt.Errorf("%w: nothing to redeliver", ErrInvalid)
	}
	d := &DeliveryResult{
		URL: prev.URL, Envelope: prev.Envelope, Payload: prev.Payload,
		WebhookID: prev.WebhookID, hookHeaders: prev.hookHeaders, forged: prev.forged,
	}
	return s.send(ctx, d)
}

// Deliveries returns every delivery attempt made so far, oldest first.
func (s *Server) Deliveries() []*DeliveryResult {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return append([]*DeliveryResult(nil), s.history...)
}

// ScopeMatches reports whether a hook registered for hookScope receives
// events of eventScope: an exact match, or a wildcard such as
// "store/order/*" matching every scope below "store/order/".
func ScopeMatches(hookScope, eventScope string) bool {
	if prefix, ok := strings.CutSuffix(hookScope, "*"); ok && strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(eventScope, prefix)
	}
	return hookScope == eventScope
}

// webhookID derives a message id from the digest of the whole envelope, so
// that every delivery of one event carries the same webhook-id and two
// events never do, even when WithDataHash gives them one hash.
func webhookID(env Envelope) (string, error) {
	digest, err := envelopeDigest(env)
	if err != nil {
		return "", err
	}
	return "msg_" + digest[:27], nil
}

// envelopeDigest is the hex SHA-1 of the envelope's JSON with an empty hash.
func envelopeDigest(env Envelope) (string, error) {
	env.Hash = ""
	b, err := json.Marshal(env)
	if err != nil {
		return "", fmt.Errorf("bctest: encode event: %w", err)
	}
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:]), nil
}

// forgedKey signs forged deliveries in place of the client secret.
const forgedKey = "bctest-forged-signature-key"

func (s *Server) send(ctx context.Context, d *DeliveryResult) (*DeliveryResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return nil, fmt.Errorf("bctest: deliver to %q: %w", d.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bctest")
	for name, value := range d.hookHeaders {
		if d.forged {
			value = "forged-" + value
		}
		req.Header.Set(name, value)
	}
	if d.WebhookID != "" {
		key := []byte(s.cfg.clientSecret())
		if d.forged {
			key = []byte(forgedKey)
		}
		webhook.SetStandardHeaders(req.Header, key, d.WebhookID, time.Now(), d.Payload)
	}
	d.Header = req.Header.Clone()
	resp, err := s.cfg.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bctest: deliver to %q: %w", d.URL, err)
	}
	defer resp.Body.Close()
	d.StatusCode = resp.StatusCode
	d.Body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, fmt.Errorf("bctest: read answer of %q: %w", d.URL, err)
	}
	s.ctl.Lock()
	s.history = append(s.history, d)
	s.ctl.Unlock()
	return d, nil
}
