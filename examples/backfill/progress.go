package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"
)

// meter tracks how many orders are done out of how many, and renders lines
// such as "1,234/5,000 orders (24.7%), 180/s, ~21s left". It is safe for
// concurrent use: the lister and the worker's goroutines update it while a
// ticker prints it.
type meter struct {
	now   func() time.Time
	start time.Time

	mu          sync.Mutex
	done, total int
	// created holds the creation dates (Unix seconds, ascending) of the
	// orders counted, so that doneUpTo can tell how many lie behind a
	// listing position whatever the listing reports as duplicates.
	created []int64
}

func newMeter(now func() time.Time) *meter {
	return &meter{now: now, start: now()}
}

// setCreated records the creation dates of the orders to do, and so their
// number.
func (m *meter) setCreated(created []int64) {
	slices.Sort(created)
	m.mu.Lock()
	m.created, m.total = created, len(created)
	m.mu.Unlock()
}

// doneUpTo records as done every counted order created up to t; without
// a count it adds n orders instead.
func (m *meter) doneUpTo(t time.Time, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.created == nil {
		m.done += n
		return
	}
	m.done, _ = slices.BinarySearch(m.created, t.Unix()+1)
}

// addDone counts one more order done.
func (m *meter) addDone() {
	m.mu.Lock()
	m.done++
	m.mu.Unlock()
}

// line renders the current state.
func (m *meter) line() string {
	m.mu.Lock()
	done, total := m.done, m.total
	m.mu.Unlock()
	return progressLine(done, total, m.now().Sub(m.start))
}

// progressLine renders done of total orders after elapsed. A total of 0 is
// unknown, and a total below done (orders created during the run) is taken
// as done, so the line never shows more than 100%.
func progressLine(done, total int, elapsed time.Duration) string {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	if total <= 0 {
		return fmt.Sprintf("%s orders, %s/s", thousands(done), formatRate(rate))
	}
	total = max(total, done)
	s := fmt.Sprintf("%s/%s orders (%.1f%%), %s/s", thousands(done), thousands(total), 100*float64(done)/float64(total), formatRate(rate))
	if done < total && rate > 0 {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		s += ", ~" + left.Round(time.Second).String() + " left"
	}
	return s
}

func formatRate(r float64) string {
	if r < 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 0, 64)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

// report prints the meter's line to w every interval while it changes, until
// ctx ends. It returns when it has stopped writing.
func (m *meter) report(ctx context.Context, w io.Writer, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// The rate and time left move each second, so compare the
			// counts only.
			m.mu.Lock()
			key := strconv.Itoa(m.done) + "/" + strconv.Itoa(m.total)
			m.mu.Unlock()
			if key != last {
				fmt.Fprintln(w, m.line())
				last = key
			}
		}
	}
}
