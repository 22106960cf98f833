package pipeline

import (
	"fmt"
	"strconv"
)

// Kind is what a Task syncs.
type Kind string

// The kinds of a Task.
const (
	// KindOrder syncs an order (Task.OrderID); a Task with no kind is one.
	KindOrder Kind = "order"
	// KindCustomer syncs a registered customer's Account and Contact
	// (Task.CustomerID), for store/customer/* events and the Reconciler.
	KindCustomer Kind = "customer"
	// KindProduct syncs a catalog product's Product2 records and
	// PricebookEntries (Task.ProductID), for store/product/* events.
	KindProduct Kind = "product"
)

// EntityKind returns the task's kind, KindOrder when Kind is empty.
func (t Task) EntityKind() Kind {
	if t.Kind == "" {
		return KindOrder
	}
	return t.Kind
}

// ID returns the id of what the task syncs: the order, customer or product
// id of its kind.
func (t Task) ID() int64 {
	switch t.EntityKind() {
	case KindCustomer:
		return t.CustomerID
	case KindProduct:
		return t.ProductID
	}
	return t.OrderID
}

func (t Task) validateKind() error {
	kind := t.EntityKind()
	var id int64
	var others []int64
	switch kind {
	case KindOrder:
		id, others = t.OrderID, []int64{t.CustomerID, t.ProductID}
	case KindCustomer:
		id, others = t.CustomerID, []int64{t.OrderID, t.ProductID}
	case KindProduct:
		id, others = t.ProductID, []int64{t.OrderID, t.CustomerID}
	default:
		return fmt.Errorf("%w: unknown kind %s", ErrInvalidTask, strconv.QuoteToASCII(clip(string(t.Kind), 32)))
	}
	if id <= 0 {
		return fmt.Errorf("%w: %s_id %d is not positive", ErrInvalidTask, kind, id)
	}
	for _, o := range others {
		if o != 0 {
			return fmt.Errorf("%w: a %s task carries another kind's id", ErrInvalidTask, kind)
		}
	}
	return nil
}

// subject names what the task syncs, for reasons and logs: "order 250",
// "customer 7", "product 174".
func (t Task) subject() string {
	return string(t.EntityKind()) + " " + strconv.FormatInt(t.ID(), 10)
}

// resource names the task's sync record in the Store: "order:250",
// "customer:7", "product:174".
func (t Task) resource() string {
	return string(t.EntityKind()) + ":" + strconv.FormatInt(t.ID(), 10)
}

// syncKind is the task's kind as a word for log messages.
func (t Task) syncKind() string { return string(t.EntityKind()) }

// repairKey keys the forced sync enqueued after a claim was lost during a
// write: "repair:<order id>:<token>" for an order, as before tasks had
// kinds, and "repair:<kind>:<id>:<token>" otherwise.
func repairKey(t Task, lostToken string) string {
	if t.EntityKind() == KindOrder {
		return "repair:" + strconv.FormatInt(t.OrderID, 10) + ":" + lostToken
	}
	return "repair:" + t.resource() + ":" + lostToken
}
