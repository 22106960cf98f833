package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// change is something done to an order in the store after its first sync,
// and the webhooks BigCommerce fires for it.
type change struct {
	label  string
	seq    int // index into the seeded orders
	apply  func(o *bctest.Order)
	scopes []string
}

// laterChanges are the changes the demo makes once the orders are synced.
var laterChanges = []change{
	{label: "cancelled", seq: 3, apply: func(o *bctest.Order) { o.StatusID = 5 },
		scopes: []string{"store/order/statusUpdated", "store/order/updated"}},
	{label: "refunded in part", seq: 2, apply: func(o *bctest.Order) { o.StatusID, o.RefundedAmount = 14, "2.2500" },
		scopes: []string{"store/order/refund/created", "store/order/statusUpdated"}},
}

// later is what the changes did: the Opportunities they touched, read back,
// and the API calls their sync cost.
type later struct {
	changes []change
	orders  []seeded // the changed orders, as the store holds them now
	opps    map[string]lifeOpportunity
	events  int
	bcCalls int
	bcGets  int
	sfCalls int
	graphs  int64
}

// lifeOpportunity is an Opportunity's fields that follow the order.
type lifeOpportunity struct {
	OrderID  string      `json:"BigCommerce_Order_Id__c"`
	Stage    string      `json:"StageName"`
	Status   string      `json:"BigCommerce_Status__c"`
	Refunded json.Number `json:"BigCommerce_Refunded_Amount__c"`
}

// changeOrders makes laterChanges in the store, delivers the webhooks each
// fires, syncs them with a new worker and reads the touched Opportunities
// back. Every event is only "sync this order": the events of one order share
// one queued message, so each changed order costs one BigCommerce call.
func changeOrders(ctx context.Context, store *bctest.Server, org *sftest.Server, recvURL string,
	queue *idempotency.MemoryQueue, done idempotency.Store, bc *bigcommerce.Client, sf *salesforce.Client,
	logger *slog.Logger, orders []seeded,
) (later, error) {
	before := apiUsage(store, org)
	out := later{changes: laterChanges, opps: map[string]lifeOpportunity{}}
	var ids []string
	for _, c := range laterChanges {
		o, err := store.UpdateOrder(orders[c.seq].order.ID, c.apply)
		if err != nil {
			return later{}, fmt.Errorf("change order (%s): %w", c.label, err)
		}
		out.orders = append(out.orders, seeded{label: c.label, order: o})
		ids = append(ids, "'"+fmt.Sprint(o.ID)+"'")
		for _, scope := range c.scopes {
			d, err := store.Deliver(ctx, recvURL, bctest.EventSpec{Scope: scope, Data: fmt.Appendf(nil, `{"type":"order","id":%d}`, o.ID)})
			if err != nil {
				return later{}, fmt.Errorf("deliver %s: %w", scope, err)
			}
			if !d.Delivered() {
				return later{}, fmt.Errorf("deliver %s: status %d", scope, d.StatusCode)
			}
			out.events++
		}
	}
	_, stats, err := syncAll(ctx, queue, done, bc, sf, logger, out.orders)
	if err != nil {
		return later{}, err
	}
	after := apiUsage(store, org)
	out.bcCalls, out.sfCalls, out.graphs = after.bcTotal-before.bcTotal, after.sfCalls-before.sfCalls, stats.GraphCalls
	out.bcGets = after.bcRoutes[bctest.RouteGetOrder] - before.bcRoutes[bctest.RouteGetOrder]
	opps, err := query[lifeOpportunity](ctx, sf, "SELECT "+orderKeyField+", StageName, BigCommerce_Status__c, "+
		"BigCommerce_Refunded_Amount__c FROM Opportunity WHERE "+orderKeyField+" IN ("+strings.Join(ids, ", ")+")")
	if err != nil {
		return later{}, err
	}
	for _, o := range opps {
		out.opps[o.OrderID] = o
	}
	return out, nil
}

// writeLater prints the section on the changes.
func writeLater(s *sections, l later) {
	s.section(fmt.Sprintf("After the sync: %d changes in the store, %d webhooks, each meaning \"sync this order\"", len(l.changes), l.events))
	for i, c := range l.changes {
		o := l.orders[i].order
		opp := l.opps[fmt.Sprint(o.ID)]
		s.row(fmt.Sprintf("order %d", o.ID), fmt.Sprintf("%s (%s)", c.label, strings.Join(c.scopes, ", ")),
			"Opportunity "+opp.Stage, fmt.Sprintf("BigCommerce_Status__c %q", opp.Status),
			"BigCommerce_Refunded_Amount__c "+opp.Refunded.String())
	}
	s.row("they cost", "BigCommerce "+count(l.bcCalls, "call"), fmt.Sprintf("%d × GET /v2/orders/{id}: one per changed order", l.bcGets))
	s.row("", "Salesforce "+count(l.sfCalls, "API call"), count(int(l.graphs), "Composite Graph call"))
}
