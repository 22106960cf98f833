package main

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/bc2sf/bc2sf/pipeline"
)

// report is everything the demo prints.
type report struct {
	orders     []seeded
	deliveries []delivery
	results    map[int64]pipeline.Result
	stats      pipeline.Stats
	spent      usage
	records    records
	later      later
	customer   customerEdit
}

// writeReport prints the report, one section after another. Nothing in it
// depends on the run but the number of Composite Graph calls, which depends
// on how the orders happened to be batched.
func writeReport(w io.Writer, r report) error {
	s := &sections{w: w}
	s.line("bc2sf demo: a fake BigCommerce store and a fake Salesforce org on loopback,")
	s.line("with the real webhook receiver, API clients and pipeline between them.")

	s.section(fmt.Sprintf("Webhooks delivered to %s (shared-secret header + Standard Webhooks signature)", webhookPath))
	for _, d := range r.deliveries {
		s.row(fmt.Sprintf("%d %s", d.status, http.StatusText(d.status)), d.what, d.note)
	}

	s.section(fmt.Sprintf("Orders: %d seeded, %d taken from the queue, %d synced, %d skipped, %d dead-lettered",
		len(r.orders), r.stats.Dequeued, r.stats.Synced, r.stats.Skipped, r.stats.DeadLettered))
	for _, o := range r.orders {
		res := r.results[o.order.ID]
		s.row(fmt.Sprintf("order %d", o.order.ID), o.label, string(res.Outcome), outcomeNote(res))
	}

	s.section("In Salesforce, read back with SOQL through the client")
	totals := map[string]string{}
	for _, o := range r.orders {
		totals[fmt.Sprint(o.order.ID)] = o.order.TotalIncTax
	}
	for _, o := range r.records.opportunities {
		s.row("Opportunity", orderKeyField+"="+o.OrderID, "Amount "+o.Amount.String()+" "+o.CurrencyIsoCode,
			"(total_inc_tax "+totals[o.OrderID]+")", o.StageName+" "+o.CloseDate, fmt.Sprintf("Account %q", o.Account.Name))
	}
	s.line("")
	for _, a := range r.records.accounts {
		s.row("Account", customerKeyField+"="+a.Key, fmt.Sprintf("%q", a.Name))
	}
	s.line("")
	for _, c := range r.records.contacts {
		s.row("Contact", customerKeyField+"="+c.Key, strings.TrimSpace(c.FirstName+" "+c.LastName+" "+angle(c.Email)))
	}

	s.section("Skipped or rejected, and why")
	for _, line := range rejections(r) {
		s.line("  " + line)
	}

	s.section("Mapper fallbacks (warnings)")
	for _, o := range r.orders {
		for _, wn := range r.results[o.order.ID].Warnings {
			s.row(fmt.Sprintf("order %d", o.order.ID), string(wn.Code), wn.Message)
		}
	}

	s.section("API calls spent by the sync (the read-back above not included)")
	u, st := r.spent, r.stats
	s.row("BigCommerce", count(u.bcTotal, "call"), joinCounts(u.bcRoutes))
	s.row("", "", fmt.Sprintf("%s read with the line items inlined, in %s (alone, or in pages of up to 250)",
		count(int(st.OrdersRead), "order"), count(int(st.BigCommerceCalls), "call")))
	s.row("Salesforce", count(u.sfCalls, "API call"), joinCounts(u.sfPaths))
	s.row("", "", fmt.Sprintf("%s carried %s", count(int(st.GraphCalls), "Composite Graph call"), count(int(st.GraphOrders), "order")))
	s.row("", "", count(u.sfTokens, "token request")+" (OAuth 2.0 client credentials)")

	writeLater(s, r.later)
	writeCustomer(s, r.customer)
	return s.end()
}

// sections writes titled blocks whose rows are aligned in columns.
type sections struct {
	w   io.Writer
	tw  *tabwriter.Writer
	err error
}

func (s *sections) section(title string) {
	s.flush()
	s.line("")
	s.line(title)
}

// row writes one indented row; its cells line up with the rows around it.
func (s *sections) row(cells ...string) {
	if s.tw == nil {
		s.tw = tabwriter.NewWriter(s.w, 0, 0, 2, ' ', 0)
	}
	s.printf(s.tw, "  %s\n", strings.Join(cells, "\t"))
}

func (s *sections) line(text string) {
	s.flush()
	s.printf(s.w, "%s\n", text)
}

func (s *sections) flush() {
	if s.tw != nil {
		if err := s.tw.Flush(); err != nil && s.err == nil {
			s.err = err
		}
		s.tw = nil
	}
}

func (s *sections) printf(w io.Writer, format string, args ...any) {
	if _, err := fmt.Fprintf(w, format, args...); err != nil && s.err == nil {
		s.err = err
	}
}

func (s *sections) end() error {
	s.flush()
	return s.err
}

// outcomeNote is the short explanation beside an order's outcome.
func outcomeNote(res pipeline.Result) string {
	switch res.Outcome {
	case pipeline.OutcomeSynced:
		var names []string
		for _, rec := range res.Records {
			names = append(names, rec.SObject)
		}
		return strings.Join(names, " + ")
	case "":
		return "no outcome"
	}
	return strings.SplitN(res.Reason, ":", 2)[0]
}

// rejections lists what did not become a record: skipped orders, dead
// letters and refused deliveries.
func rejections(r report) []string {
	var out []string
	for _, o := range r.orders {
		res := r.results[o.order.ID]
		if res.Outcome == pipeline.OutcomeSkipped || res.Outcome == pipeline.OutcomeDead {
			out = append(out, fmt.Sprintf("order %d %s: %s", o.order.ID, res.Outcome, res.Reason))
		}
	}
	for _, d := range r.deliveries {
		if d.status >= 300 {
			out = append(out, fmt.Sprintf("%s: %d %s (%s); nothing queued", d.what, d.status, http.StatusText(d.status), d.note))
		}
	}
	if len(out) == 0 {
		out = append(out, "nothing")
	}
	return out
}

// joinCounts writes "n × key" pairs in key order.
func joinCounts(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// count writes n and noun, in the plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func angle(email string) string {
	if email == "" {
		return ""
	}
	return "<" + email + ">"
}
