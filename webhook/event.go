package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Event is the envelope BigCommerce POSTs for every scope. The payload is
// minimal: Data names the resource, and the receiver fetches the rest.
type Event struct {
	// Scope is the event name, such as "store/order/created" or
	// "store/channel/1/order/updated". ParseEvent rejects an event without it.
	Scope string
	// StoreID is the store's numeric id as text. BigCommerce sends a string
	// today and sent a number in older payloads; both end up here.
	StoreID string
	// Data is the scope-specific object, kept raw. Use OrderID, ChannelID,
	// StatusChange or DeliveryException to read it.
	Data json.RawMessage
	// Hash is BigCommerce's SHA-1 of the payload data: the same for a
	// repeated delivery of one event, and possibly the same for two events
	// about one resource (see DeliveryKey). It is not a signature.
	Hash string
	// CreatedAt is when the event happened (Unix seconds, in UTC), or the
	// zero time when the envelope has no created_at.
	CreatedAt time.Time
	// Producer is "stores/{store_hash}".
	Producer string
	// WebhookID is the verified Standard Webhooks webhook-id of the delivery,
	// stable across retries, or empty. The handler fills it from the request
	// context; ParseEvent leaves it empty because it is not in the body.
	WebhookID string
}

type rawEvent struct {
	Scope     string          `json:"scope"`
	StoreID   storeID         `json:"store_id"`
	Data      json.RawMessage `json:"data"`
	Hash      string          `json:"hash"`
	CreatedAt createdAt       `json:"created_at"`
	Producer  string          `json:"producer"`
}

// storeID accepts a JSON integer or a string holding one.
type storeID string

// UnmarshalJSON keeps the digits of either form.
func (s *storeID) UnmarshalJSON(b []byte) error {
	digits, err := integerText(b)
	if err != nil {
		return fmt.Errorf("store_id: %w", err)
	}
	*s = storeID(digits)
	return nil
}

// createdAt accepts Unix seconds as a JSON integer or a string holding one.
type createdAt struct {
	sec int64
	set bool
}

// UnmarshalJSON parses either form into seconds.
func (c *createdAt) UnmarshalJSON(b []byte) error {
	digits, err := integerText(b)
	if err != nil {
		return fmt.Errorf("created_at: %w", err)
	}
	if len(digits) == 0 {
		*c = createdAt{}
		return nil
	}
	sec, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return fmt.Errorf("created_at: %w", errIDRange)
	}
	*c = createdAt{sec: sec, set: true}
	return nil
}

// ParseEvent decodes one envelope. It fails, wrapping ErrInvalidEvent, on
// invalid JSON, a body that is not one JSON object, a missing or empty scope,
// a store_id that is neither an integer nor a string holding one (an empty
// string is taken as absent), a created_at that is not integer Unix seconds
// (as a number or a string), or data that is not an object. Unknown fields
// are ignored. The event does not alias body.
func ParseEvent(body []byte) (Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Event{}, fmt.Errorf("%w: body is not a JSON object", ErrInvalidEvent)
	}
	var raw rawEvent
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	if raw.Scope == "" {
		return Event{}, fmt.Errorf("%w: missing scope", ErrInvalidEvent)
	}
	e := Event{Scope: raw.Scope, StoreID: string(raw.StoreID), Hash: raw.Hash, Producer: raw.Producer}
	if raw.CreatedAt.set {
		e.CreatedAt = time.Unix(raw.CreatedAt.sec, 0).UTC()
	}
	// json.Unmarshal already copied Data out of body.
	switch d := raw.Data; {
	case len(d) == 0 || string(d) == "null":
	case d[0] == '{':
		e.Data = d
	default:
		return Event{}, fmt.Errorf("%w: data is not an object", ErrInvalidEvent)
	}
	return e, nil
}

var (
	errNotID   = errors.New("want an integer or a string holding one")
	errIDRange = errors.New("integer out of range")
)

// integerText returns the digits of a JSON integer or of a string holding
// one, as a subslice of raw; absent, null or an empty string give none. A
// string with escapes is refused rather than unescaped: an integer needs
// none.
func integerText(raw []byte) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		if len(raw) < 2 || raw[len(raw)-1] != '"' || bytes.IndexByte(raw, '\\') >= 0 {
			return nil, errNotID
		}
		raw = bytes.TrimSpace(raw[1 : len(raw)-1])
		if len(raw) == 0 {
			return nil, nil
		}
	}
	if !isInteger(raw) {
		return nil, errNotID
	}
	return raw, nil
}

func isInteger[T ~string | ~[]byte](s T) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DeliveryKey returns a key that is the same for every delivery of one
// event, for a consumer that wants to recognise a redelivery:
//   - "webhook-id:" followed by WebhookID when a Standard Webhooks id was
//     verified; BigCommerce keeps it across the retries of one message;
//   - else "envelope:" followed by the scope, created_at (Unix seconds) and
//     Hash, when the envelope has both created_at and a hash;
//   - else "": the envelope cannot tell a redelivery from a new event.
//
// Hash alone is never the key: BigCommerce documents it as the SHA-1 of the
// payload data, and order events carry little more than the order id, so
// every event about one order (created, updated, statusUpdated, a refund
// that fires two scopes) may share one hash. Even the envelope form gives
// two events of one scope, about one resource, in one second the same key:
// a consumer that skips work on an equal key must still sync the resource's
// current state when it changes again.
func (e Event) DeliveryKey() string {
	switch {
	case e.WebhookID != "":
		return "webhook-id:" + e.WebhookID
	case e.Hash != "" && !e.CreatedAt.IsZero():
		return "envelope:" + e.Scope + ":" + strconv.FormatInt(e.CreatedAt.Unix(), 10) + ":" + e.Hash
	}
	return ""
}
