package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
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
	// bulk counts the orders the Bulk API path has done, beside done (the
	// worker's); note says what runs now, e.g. "writing Opportunity".
	bulk int
	note string
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

// set records the orders the Bulk API path has done, and what runs now.
func (m *meter) set(bulk int, note string) {
	m.mu.Lock()
	m.bulk, m.note = bulk, note
	m.mu.Unlock()
}

// totalOrders returns the number of orders counted, and whether they were.
func (m *meter) totalOrders() (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total, m.created != nil
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
	done, total, note := m.done+m.bulk, m.total, m.note
	m.mu.Unlock()
	s := progressLine(done, total, m.now().Sub(m.start))
	if note != "" {
		s += "; " + note
	}
	return s
}

// barWidth is the number of cells of the progress bar.
const barWidth = 30

// bar renders the current state as a bar, for a terminal:
// "[#########.....................] 1,234/5,000 orders (24.7%), 180/s,
// ~21s left". Without a total it is the line alone.
func (m *meter) bar() string {
	m.mu.Lock()
	done, total := m.done+m.bulk, m.total
	m.mu.Unlock()
	if total <= 0 {
		return m.line()
	}
	filled := min(barWidth*done/total, barWidth)
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "] " + m.line()
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

// report prints the meter to w every interval until ctx ends, and returns
// when it has stopped writing. As plain lines it prints only when the
// counts or the note change (the rate and time left move each second); on
// a terminal (tty) it redraws a bar in place every interval, and erases it
// at the end, so that the final line printed after it stands alone.
func (m *meter) report(ctx context.Context, w io.Writer, interval time.Duration, tty bool) {
	t := time.NewTicker(interval)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			if tty && last != "" {
				fmt.Fprint(w, "\r\x1b[K")
			}
			return
		case <-t.C:
			if tty {
				fmt.Fprint(w, "\r"+m.bar()+"\x1b[K")
				last = "drawn"
				continue
			}
			m.mu.Lock()
			key := strconv.Itoa(m.done+m.bulk) + "/" + strconv.Itoa(m.total) + m.note
			m.mu.Unlock()
			if key != last {
				fmt.Fprintln(w, m.line())
				last = key
			}
		}
	}
}

// isTerminal reports whether w is a character device (a terminal), where
// the progress bar is drawn; anything else (a file, a pipe) gets lines. It
// uses only the standard library: a character device that is not a
// terminal, such as /dev/null, just gets a bar nobody sees.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
