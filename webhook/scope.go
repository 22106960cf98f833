package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Scope prefixes and names the accessors and the scope predicates understand.
const (
	// ScopeOrderPrefix starts every store-wide order scope.
	ScopeOrderPrefix = "store/order/"
	// ScopeChannelPrefix starts every channel-scoped scope; the channel id
	// and the resource follow, as in "store/channel/1/order/created".
	ScopeChannelPrefix = "store/channel/"
	// ScopeCustomerPrefix starts every customer scope, such as
	// "store/customer/updated" or "store/customer/address/created".
	ScopeCustomerPrefix = "store/customer/"
	// ScopeProductPrefix starts every product scope, such as
	// "store/product/updated" or "store/product/inventory/order/updated".
	ScopeProductPrefix = "store/product/"
	// ScopeDeliveryException is the meta-hook BigCommerce sends to another
	// destination when deliveries fail.
	ScopeDeliveryException = "store/hook/deliveryException"
)

// IsOrderScope reports whether scope is an order event: every scope starting
// with "store/order/" and every "store/channel/{id}/order/..." scope. It is
// the handler's default scope filter.
func IsOrderScope(scope string) bool {
	if strings.HasPrefix(scope, ScopeOrderPrefix) {
		return true
	}
	_, rest, ok := channelScope(scope)
	return ok && strings.HasPrefix(rest, "order/")
}

// IsCustomerScope reports whether scope is a customer event: every scope
// starting with "store/customer/".
func IsCustomerScope(scope string) bool { return strings.HasPrefix(scope, ScopeCustomerPrefix) }

// IsProductScope reports whether scope is a product event: every scope
// starting with "store/product/".
func IsProductScope(scope string) bool { return strings.HasPrefix(scope, ScopeProductPrefix) }

// channelScope splits "store/channel/{id}/{rest}"; ok is false for any other
// shape, including "store/channel/created" (a channel event, not a channel-
// scoped one).
func channelScope(scope string) (id int64, rest string, ok bool) {
	after, found := strings.CutPrefix(scope, ScopeChannelPrefix)
	if !found {
		return 0, "", false
	}
	idText, rest, found := strings.Cut(after, "/")
	if !found || idText == "" || !isInteger(idText) || idText[0] == '-' {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return id, rest, true
}

// ChannelID returns the channel of a channel-scoped event
// ("store/channel/{id}/..."); ok is false for every other scope.
func (e Event) ChannelID() (id int64, ok bool) {
	id, _, ok = channelScope(e.Scope)
	return id, ok
}

// orderData holds every field that carries an order id in some scope.
type orderData struct {
	ID         json.RawMessage `json:"id"`
	OrderID    json.RawMessage `json:"order_id"`
	ResourceID json.RawMessage `json:"resource_id"`
}

// OrderID returns the order the event is about, whichever documented shape
// its data has:
//   - store/order/{created,updated,archived,statusUpdated,message/created,
//     refund/created}: data.id;
//   - store/order/transaction/{created,updated}: data.order_id, a string;
//   - store/order/metafield/{created,updated,deleted}: data.resource_id, a
//     string;
//   - store/channel/{id}/order/...: data.order_id, a number.
//
// Numbers and strings holding an integer are both accepted in every field.
// When the preferred field is absent it falls back to data.id, then
// data.order_id. It returns an error wrapping ErrNoOrderID for scopes that
// are not about an order (IsOrderScope is false) or when no field is there,
// and one wrapping ErrInvalidEvent when the field is not a positive integer.
func (e Event) OrderID() (int64, error) {
	src, err := e.orderIDSource()
	if err != nil {
		return 0, err
	}
	return src.parse(e.Scope, ErrNoOrderID)
}

func (e Event) orderIDSource() (idSource, error) {
	if !IsOrderScope(e.Scope) {
		return idSource{}, fmt.Errorf("%w: scope %q", ErrNoOrderID, e.Scope)
	}
	var d orderData
	if err := unmarshalData(e.Data, &d); err != nil {
		return idSource{}, err
	}
	preferred := idSource{"data.id", d.ID}
	switch {
	case strings.HasPrefix(e.Scope, ScopeOrderPrefix+"metafield/"):
		preferred = idSource{"data.resource_id", d.ResourceID}
	case strings.HasPrefix(e.Scope, ScopeOrderPrefix+"transaction/"),
		!strings.HasPrefix(e.Scope, ScopeOrderPrefix):
		preferred = idSource{"data.order_id", d.OrderID}
	}
	return firstPresent(preferred, idSource{"data.id", d.ID}, idSource{"data.order_id", d.OrderID}), nil
}

// idSource is where an accessor found a resource id: the data field and its
// raw JSON, nil when the field is absent.
type idSource struct {
	field string
	raw   json.RawMessage
}

// firstPresent returns the first source whose field is present, or the
// first source when none is.
func firstPresent(sources ...idSource) idSource {
	for _, s := range sources {
		if !isAbsent(s.raw) {
			return s
		}
	}
	return sources[0]
}

// parse reads the id: an error wrapping absent (ErrNoOrderID and its
// siblings) when the field is not there, one wrapping ErrInvalidEvent when
// it is not a positive 64-bit integer, as a number or a string.
func (s idSource) parse(scope string, absent error) (int64, error) {
	if isAbsent(s.raw) {
		return 0, fmt.Errorf("%w: scope %q has no %s", absent, scope, s.field)
	}
	text, err := integerText(s.raw)
	if err != nil || len(text) == 0 {
		return 0, fmt.Errorf("%w: %s: %v", ErrInvalidEvent, s.field, errNotID)
	}
	id, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %s: not a positive 64-bit integer", ErrInvalidEvent, s.field)
	}
	return id, nil
}

// unmarshalData decodes e.Data into v; absent data leaves v as it is.
func unmarshalData(data json.RawMessage, v any) error {
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: data: %w", ErrInvalidEvent, err)
	}
	return nil
}

func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// StatusChange is the data.status object of a statusUpdated event.
type StatusChange struct {
	PreviousStatusID int `json:"previous_status_id"`
	NewStatusID      int `json:"new_status_id"`
}

// StatusChange returns the old and new order status ids of a
// store/order/statusUpdated or store/channel/{id}/order/statusUpdated event.
// ok is false for other scopes or when data.status is absent or malformed.
// Status 0 is Incomplete; see the BigCommerce order status table.
func (e Event) StatusChange() (sc StatusChange, ok bool) {
	if !strings.HasSuffix(e.Scope, "/order/statusUpdated") || len(e.Data) == 0 {
		return StatusChange{}, false
	}
	var d struct {
		Status *StatusChange `json:"status"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil || d.Status == nil {
		return StatusChange{}, false
	}
	return *d.Status, true
}

// DeliveryException is the data of a store/hook/deliveryException event,
// which BigCommerce sends when deliveries to a destination fail.
type DeliveryException struct {
	// HookID is the id of the failing hook (data.id).
	HookID int64 `json:"id"`
	// ErrorCode is 90001 (will retry; sent at most once per 10 minutes per
	// destination), 90002 (retries exhausted, the hook is being disabled) or
	// 90003 (the domain is temporarily blocklisted).
	ErrorCode int `json:"error_code"`
	// Message is BigCommerce's text for the failure.
	Message string `json:"message"`
}

// Delivery exception codes carried in DeliveryException.ErrorCode.
const (
	// DeliveryWillRetry (90001): deliveries fail and BigCommerce will retry;
	// sent at most once per 10 minutes per destination.
	DeliveryWillRetry = 90001
	// DeliveryHookDisable (90002): retries are exhausted and the hook is
	// being disabled; re-enable it with PUT /v3/hooks/{id} after fixing the
	// receiver.
	DeliveryHookDisable = 90002
	// DeliveryBlocklisted (90003): the destination's domain is temporarily
	// blocklisted (for 3 minutes after its success ratio fell below 90%).
	DeliveryBlocklisted = 90003
)

// DeliveryException returns the data of a store/hook/deliveryException
// event; ok is false for other scopes or malformed data.
func (e Event) DeliveryException() (de DeliveryException, ok bool) {
	if e.Scope != ScopeDeliveryException || len(e.Data) == 0 {
		return DeliveryException{}, false
	}
	if err := json.Unmarshal(e.Data, &de); err != nil {
		return DeliveryException{}, false
	}
	return de, true
}
