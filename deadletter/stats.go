package deadletter

import (
	"context"
	"sync"
	"time"
)

// Rates are computed from the queue's Stats as the console samples them
// (on every page view and stats request, which the page's script makes
// every 10 seconds): the change of a count between the oldest sample inside
// rateWindow and now.
const (
	rateWindow  = 5 * time.Minute
	minRateSpan = 5 * time.Second
	sampleGap   = 5 * time.Second
	maxSamples  = int(rateWindow/sampleGap) + 2
)

type sample struct {
	at          time.Time
	depth, dead int
}

// sampler keeps recent Stats samples.
type sampler struct {
	mu      sync.Mutex
	samples []sample
}

// observe records s and returns the oldest sample inside the window that is
// at least minRateSpan old, if any.
func (p *sampler) observe(s sample) (sample, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.samples[:0]
	for _, x := range p.samples {
		if age := s.at.Sub(x.at); age <= rateWindow && age >= 0 {
			kept = append(kept, x)
		}
	}
	p.samples = kept
	if n := len(p.samples); n == 0 || s.at.Sub(p.samples[n-1].at) >= sampleGap {
		p.samples = append(p.samples, s)
		if len(p.samples) > maxSamples {
			p.samples = p.samples[1:]
		}
	}
	if len(p.samples) > 0 && s.at.Sub(p.samples[0].at) >= minRateSpan {
		return p.samples[0], true
	}
	return sample{}, false
}

// statsView is the queue's state as the page and GET api/stats show it.
type statsView struct {
	Ready    int `json:"ready"`
	Delayed  int `json:"delayed"`
	InFlight int `json:"in_flight"`
	Dead     int `json:"dead"`
	Depth    int `json:"depth"`
	// OldestAgeSeconds is the age of the oldest live message (ready, delayed
	// or in flight): how far behind the workers are. It is nil when the
	// queue holds no live message.
	OldestAgeSeconds *float64 `json:"oldest_age_seconds"`
	// DeadPerMinute and DepthPerMinute are the net change per minute of the
	// dead letters and of the depth over the last few minutes; nil until two
	// samples at least 5 s apart exist.
	DeadPerMinute  *float64 `json:"dead_per_minute"`
	DepthPerMinute *float64 `json:"depth_per_minute"`
	// RateSpanSeconds is the span the rates cover.
	RateSpanSeconds float64 `json:"rate_span_seconds,omitempty"`
	// Usage is the Salesforce API usage; nil when unknown.
	Usage *usageView `json:"salesforce_api"`
	// At is when the stats were taken.
	At time.Time `json:"at"`
	// Text holds each figure as the page shows it, keyed by the name of its
	// data-stat element, so the page's script needs no formatting of its own.
	Text map[string]string `json:"text"`
}

type usageView struct {
	Used    int64   `json:"used"`
	Limit   int64   `json:"limit"`
	Percent float64 `json:"percent"`
}

func (c *Console) stats(ctx context.Context) (statsView, error) {
	st, err := c.insp.Stats(ctx)
	if err != nil {
		return statsView{}, err
	}
	now := time.Now()
	v := statsView{Ready: st.Ready, Delayed: st.Delayed, InFlight: st.InFlight, Dead: st.Dead,
		Depth: st.Depth(), At: now.UTC()}
	if !st.Oldest.IsZero() {
		age := max(now.Sub(st.Oldest), 0).Seconds()
		v.OldestAgeSeconds = &age
	}
	cur := sample{at: now, depth: st.Depth(), dead: st.Dead}
	if base, ok := c.rates.observe(cur); ok {
		span := cur.at.Sub(base.at)
		perMin := func(d int) *float64 { r := float64(d) / span.Minutes(); return &r }
		v.DeadPerMinute, v.DepthPerMinute = perMin(cur.dead-base.dead), perMin(cur.depth-base.depth)
		v.RateSpanSeconds = span.Seconds()
	}
	if c.usage != nil {
		if used, limit, ok := c.usage(ctx); ok && limit > 0 && used >= 0 {
			v.Usage = &usageView{Used: used, Limit: limit, Percent: float64(used) * 100 / float64(limit)}
		}
	}
	v.format()
	return v, nil
}
