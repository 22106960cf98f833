package pipeline

import (
	"context"
	"log/slog"
	"slices"

	"github.com/bc2sf/bc2sf/webhook"
)

// Customer and product scopes the Sink turns into tasks. A deleted
// customer or product changes nothing in Salesforce, so their deleted
// scopes are not among them, nor are the product scopes that concern
// inventory or metafields.
var (
	syncedCustomerScopes = []string{
		"store/customer/created", "store/customer/updated",
		"store/customer/address/created", "store/customer/address/updated", "store/customer/address/deleted",
	}
	syncedProductScopes = []string{"store/product/created", "store/product/updated"}
)

// SyncedScopes returns the webhook scopes a bc2sf receiver subscribes to,
// in the form examples/register creates them: store/order/* (every order
// event), store/customer/* (the Sink syncs created, updated and the
// address events; it drops deleted and the others) and store/product/created
// and store/product/updated. The slice is new on every call.
func SyncedScopes() []string {
	return []string{"store/order/*", "store/customer/*", "store/product/created", "store/product/updated"}
}

// IsSyncedScope reports whether the Sink makes a task of an event of scope:
// every order scope (webhook.IsOrderScope), store/customer/created,
// updated and address/created, updated, deleted, and store/product/created
// and updated. Pass it to webhook.WithScopeFilter so that the handler hands
// these events on; the handler's default filter lets order events through
// only.
func IsSyncedScope(scope string) bool {
	return webhook.IsOrderScope(scope) || slices.Contains(syncedCustomerScopes, scope) ||
		slices.Contains(syncedProductScopes, scope)
}

// entityEvent tells whether e is a customer or product event the Sink
// syncs, and about which id.
func entityEvent(e webhook.Event) (kind Kind, id int64, ok bool, err error) {
	switch {
	case slices.Contains(syncedCustomerScopes, e.Scope):
		id, err = e.CustomerID()
		return KindCustomer, id, true, err
	case slices.Contains(syncedProductScopes, e.Scope):
		id, err = e.ProductID()
		return KindProduct, id, true, err
	}
	return "", 0, false, nil
}

// acceptEntity enqueues the sync of a customer or product event, as Accept
// does an order's: keyed "sync:<kind>:<id>:<generation>" with the entity's
// generation, so the events that arrive while its sync is queued share one
// message.
func (s *sink) acceptEntity(ctx context.Context, e webhook.Event, kind Kind, id int64, log *slog.Logger) error {
	t := Task{Kind: kind, Source: SourceWebhook, Scope: cut(e.Scope, maxTextBytes),
		EventHash: cut(e.DeliveryKey(), maxTextBytes), GenerationInKey: true, ReceivedAt: s.cfg.now().UTC()}
	if kind == KindCustomer {
		t.CustomerID = id
	} else {
		t.ProductID = id
	}
	return s.enqueueTagged(ctx, t, log.With(string(kind)+"_id", id))
}

// ignoredEntityEvent reports a customer or product event that is not
// synced (a deletion, inventory, a metafield), which the Sink drops.
func ignoredEntityEvent(scope string) bool {
	return webhook.IsCustomerScope(scope) || webhook.IsProductScope(scope)
}
