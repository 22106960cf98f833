package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// EventRetry is the span event an instrumented RetryPolicy adds to the
// caller's span when the client decides to repeat a request.
const EventRetry = "bc2sf.retry"

// BigCommerceRetry returns p with its CheckRetry wrapped: p's own
// (bigcommerce.DefaultCheckRetry when nil) still decides, and each retry it
// decides on counts in MetricRetries with client "bigcommerce" and the
// failure's pipeline.Cause, and is an EventRetry on the caller's span. Give
// it to the client with bigcommerce.WithRetry(tel.BigCommerceRetry(p)). A
// retry that the policy decides on can still not happen when the wait would
// pass MaxElapsed or the context's deadline; it is counted all the same.
func (t *Telemetry) BigCommerceRetry(p bigcommerce.RetryPolicy) bigcommerce.RetryPolicy {
	check := p.CheckRetry
	if check == nil {
		check = bigcommerce.DefaultCheckRetry
	}
	p.CheckRetry = func(ctx context.Context, a bigcommerce.Attempt, err error) (bool, error) {
		again, cerr := check(ctx, a, err)
		if again && cerr == nil {
			t.retried(ctx, "bigcommerce", a.Number, err)
		}
		return again, cerr
	}
	return p
}

// SalesforceRetry is BigCommerceRetry for the Salesforce client: give it
// with salesforce.WithRetry(tel.SalesforceRetry(p)); its retries count
// with client "salesforce".
func (t *Telemetry) SalesforceRetry(p salesforce.RetryPolicy) salesforce.RetryPolicy {
	check := p.CheckRetry
	if check == nil {
		check = salesforce.DefaultCheckRetry
	}
	p.CheckRetry = func(ctx context.Context, a salesforce.Attempt, err error) (bool, error) {
		again, cerr := check(ctx, a, err)
		if again && cerr == nil {
			t.retried(ctx, "salesforce", a.Number, err)
		}
		return again, cerr
	}
	return p
}

// retried counts a client's retry and marks it on the caller's span.
func (t *Telemetry) retried(ctx context.Context, client string, attempt int, err error) {
	cause := string(pipeline.CauseOf(err))
	t.m.retries.Add(ctx, 1, t.m.attrs.of2(keyClient, client, keyCause, cause))
	trace.SpanFromContext(ctx).AddEvent(EventRetry, trace.WithAttributes(
		attribute.String("bc2sf.client", client), attrCause.String(cause), attrAttempt.Int(attempt)))
}
