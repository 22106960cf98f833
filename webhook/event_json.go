package webhook

import (
	"encoding/json"
	"fmt"
)

// wireEvent is the BigCommerce envelope plus the delivery's webhook-id, the
// form an Event takes in a queue.
type wireEvent struct {
	Scope     string          `json:"scope"`
	StoreID   string          `json:"store_id,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Hash      string          `json:"hash,omitempty"`
	CreatedAt *int64          `json:"created_at,omitempty"`
	Producer  string          `json:"producer,omitempty"`
	WebhookID string          `json:"webhook_id,omitempty"`
}

// MarshalJSON writes the event in BigCommerce's envelope form (created_at as
// Unix seconds, store_id as a string; empty fields omitted) plus
// "webhook_id" when WebhookID is set, so that a queue can store it and
// UnmarshalJSON or ParseEvent can read it back. Sub-second parts of
// CreatedAt are dropped; BigCommerce sends whole seconds.
func (e Event) MarshalJSON() ([]byte, error) {
	w := wireEvent{Scope: e.Scope, StoreID: e.StoreID, Data: e.Data, Hash: e.Hash, Producer: e.Producer, WebhookID: e.WebhookID}
	if !e.CreatedAt.IsZero() {
		sec := e.CreatedAt.Unix()
		w.CreatedAt = &sec
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON wrote: the envelope as ParseEvent
// reads it (with the same errors, wrapping ErrInvalidEvent), plus
// "webhook_id". ParseEvent itself ignores "webhook_id", because in a
// delivery body it would be unverified.
func (e *Event) UnmarshalJSON(b []byte) error {
	parsed, err := ParseEvent(b)
	if err != nil {
		return err
	}
	var extra struct {
		WebhookID string `json:"webhook_id"`
	}
	if err := json.Unmarshal(b, &extra); err != nil {
		return fmt.Errorf("%w: webhook_id: %w", ErrInvalidEvent, err)
	}
	parsed.WebhookID = extra.WebhookID
	*e = parsed
	return nil
}
