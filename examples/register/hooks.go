package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// ensureAll ensures one hook per scope and reports each on stdout: created,
// exists (it was there, active, with the header: nothing to do) or updated
// (and what changed); with -dry-run it reads only and says what it would
// create or change. It stops at the first failure: the scopes already done
// stay done, and a rerun picks up the rest. Then it notes the other hooks
// of the destination whose events a wildcard scope already brings.
func ensureAll(ctx context.Context, hooks *bigcommerce.WebhooksService, opts options, headers map[string]string, stdout io.Writer) error {
	for _, scope := range opts.scopes {
		h, outcome, err := ensure(ctx, hooks, scope, opts.destination, headers, opts.dryRun)
		if err != nil {
			return fmt.Errorf("ensure %s: %w", scope, err)
		}
		if h == nil { // an answer without a body, or a dry run's creation
			h = &bigcommerce.Webhook{Scope: scope, Destination: opts.destination, IsActive: true, Headers: headers}
		}
		if h.ID == 0 && opts.dryRun {
			fmt.Fprintf(stdout, "%s hook %s -> %s (headers: %s)\n", outcome, h.Scope, h.Destination, headerNames(h.Headers))
			continue
		}
		fmt.Fprintf(stdout, "%s hook %s\n", outcome, describe(h))
	}
	return noteCovered(ctx, hooks, opts, stdout)
}

// ensure makes sure exactly one active hook exists for scope and
// destination, with headers as its only headers. It reports what it did:
// "created", "exists" (nothing to change) or "updated (...)" naming what
// changed; with dryRun it writes nothing and reports "would create" or
// "would update (...)".
func ensure(ctx context.Context, hooks *bigcommerce.WebhooksService, scope, destination string, headers map[string]string, dryRun bool) (*bigcommerce.Webhook, string, error) {
	existing, err := find(ctx, hooks, scope, destination)
	if err != nil {
		return nil, "", err
	}
	if len(existing) == 0 {
		if dryRun {
			return nil, "would create", nil
		}
		h, err := hooks.Create(ctx, bigcommerce.WebhookCreate{Scope: scope, Destination: destination, Headers: headers})
		if err == nil {
			return h, "created", nil
		}
		// BigCommerce allows one hook per scope and destination, so a 422
		// may mean a concurrent run created it first; adopt that one.
		if !errors.Is(err, bigcommerce.ErrUnprocessable) {
			return nil, "", err
		}
		again, findErr := find(ctx, hooks, scope, destination)
		if findErr != nil || len(again) == 0 {
			return nil, "", err // the refusal explains more than the lookup
		}
		existing = again
	}

	h := existing[0]
	var changes []string
	if !h.IsActive {
		changes = append(changes, "re-enable")
	}
	if !maps.Equal(h.Headers, headers) {
		changes = append(changes, "set the secret header as its only header")
	}
	if len(changes) == 0 {
		return &h, "exists", nil
	}
	what := "(" + strings.Join(changes, ", ") + ")"
	if dryRun {
		return &h, "would update " + what + ":", nil
	}
	active := true
	updated, err := hooks.Update(ctx, h.ID, bigcommerce.WebhookUpdate{IsActive: &active, Headers: headers})
	if err != nil {
		return nil, "", err
	}
	return updated, "updated " + what + ":", nil
}

// noteCovered prints a note for each hook of the destination whose scope
// is not one of opts.scopes but falls under one of their wildcards (a
// store/order/created hook beside store/order/*): BigCommerce delivers its
// events twice, which bc2sf absorbs, at the cost of a delivery each.
func noteCovered(ctx context.Context, hooks *bigcommerce.WebhooksService, opts options, stdout io.Writer) error {
	all, err := find(ctx, hooks, "", opts.destination)
	if err != nil {
		return fmt.Errorf("list hooks: %w", err)
	}
	for _, h := range all {
		if slices.Contains(opts.scopes, h.Scope) {
			continue
		}
		for _, s := range opts.scopes {
			if prefix, ok := strings.CutSuffix(s, "*"); ok && strings.HasPrefix(h.Scope, prefix) {
				fmt.Fprintf(stdout, "note: hook %d (%s) duplicates the events of %s; remove it with: register delete -id %d\n",
					h.ID, h.Scope, s, h.ID)
				break
			}
		}
	}
	return nil
}

// find returns the hooks for scope (any scope when empty) and destination
// (any when empty). The API filters, and the result is checked again here
// because a filter the API ignored would otherwise touch foreign hooks.
func find(ctx context.Context, hooks *bigcommerce.WebhooksService, scope, destination string) ([]bigcommerce.Webhook, error) {
	var found []bigcommerce.Webhook
	for h, err := range hooks.List(ctx, bigcommerce.ListWebhooksOptions{Scope: scope, Destination: destination}) {
		if err != nil {
			return nil, err
		}
		if (scope == "" || h.Scope == scope) && (destination == "" || h.Destination == destination) {
			found = append(found, h)
		}
	}
	return found, nil
}

// list prints the hooks as a table. Header values are credentials: only
// their names are shown.
func list(ctx context.Context, hooks *bigcommerce.WebhooksService, opts options, stdout io.Writer) error {
	var found []bigcommerce.Webhook
	scopes := []string{""}
	if opts.scopeSet {
		scopes = opts.scopes
	}
	for _, scope := range scopes {
		hs, err := find(ctx, hooks, scope, opts.destination)
		if err != nil {
			return fmt.Errorf("list hooks: %w", err)
		}
		found = append(found, hs...)
	}

	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE\tDESTINATION\tACTIVE\tHEADERS")
	for _, h := range found {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%t\t%s\n", h.ID, h.Scope, h.Destination, h.IsActive, headerNames(h.Headers))
	}
	return tw.Flush()
}

// deleteHooks deletes the hooks named by -id, or every hook for
// -destination (of the -scope values, when given).
func deleteHooks(ctx context.Context, hooks *bigcommerce.WebhooksService, opts options, stdout io.Writer) error {
	ids := opts.ids
	if len(ids) == 0 {
		scopes := []string{""}
		if opts.scopeSet {
			scopes = opts.scopes
		}
		for _, scope := range scopes {
			hs, err := find(ctx, hooks, scope, opts.destination)
			if err != nil {
				return fmt.Errorf("find hooks to delete: %w", err)
			}
			for _, h := range hs {
				ids = append(ids, h.ID)
			}
		}
		if len(ids) == 0 {
			fmt.Fprintf(stdout, "no hook for %s\n", opts.destination)
			return nil
		}
	}
	for _, id := range ids {
		h, err := hooks.Delete(ctx, id)
		if err != nil {
			return fmt.Errorf("delete hook %d: %w", id, err)
		}
		if h == nil { // the API may answer a delete with no body
			fmt.Fprintf(stdout, "deleted hook %d\n", id)
			continue
		}
		fmt.Fprintf(stdout, "deleted hook %s\n", describe(h))
	}
	return nil
}

// describe is one line about a hook, header names only.
func describe(h *bigcommerce.Webhook) string {
	state := "active"
	if !h.IsActive {
		state = "inactive"
	}
	id := strconv.FormatInt(h.ID, 10)
	if h.ID == 0 {
		id = "(id not returned)"
	}
	return fmt.Sprintf("%s: %s -> %s (%s, headers: %s)", id, h.Scope, h.Destination, state, headerNames(h.Headers))
}

// headerNames lists the names of h, sorted, or "-" when there are none.
func headerNames(h map[string]string) string {
	if len(h) == 0 {
		return "-"
	}
	return strings.Join(slices.Sorted(maps.Keys(h)), ",")
}
