package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"reflect"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/salesforce"
)

// OrderSource fetches one order with its line items.
// *bigcommerce.OrdersService (a client's Orders) implements it with one
// BigCommerce call per order. A source that also implements OrderLister is
// read in pages when many orders are pending (see Worker).
type OrderSource interface {
	Get(ctx context.Context, id int64) (*bigcommerce.Order, error)
}

// OrderLister lists orders page by page: the iterator yields an error once
// and stops, and breaking out of the loop stops further requests.
// *bigcommerce.OrdersService (a client's Orders) implements it.
type OrderLister interface {
	List(ctx context.Context, opts bigcommerce.ListOrdersOptions) iter.Seq2[bigcommerce.Order, error]
}

// GraphWriter sends one Composite Graph call. *salesforce.Client implements
// it.
type GraphWriter interface {
	CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error)
}

// Querier runs a SOQL query and yields its records. *salesforce.Client
// implements it. The Worker uses it only for the Order target, to find the
// OrderItems Salesforce already holds and to resolve PricebookEntry ids.
type Querier interface {
	Query(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error]
}

// ErrInvalidConfig is wrapped by the errors of NewWorker, NewReconciler and
// Backfill for a missing or out-of-range setting.
var ErrInvalidConfig = errors.New("pipeline: invalid configuration")

// ErrRunning is returned by Run when the Worker or Reconciler is already
// running.
var ErrRunning = errors.New("pipeline: already running")

// isNil reports whether v is nil or an interface holding a nil pointer,
// such as the Orders of a zero bigcommerce.Client: either would panic on
// first use.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}
