package deadletter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// maxKindBytes bounds a reason kind.
const maxKindBytes = 120

// filter selects dead letters by reason: a dead letter matches when its
// reason contains the filter's text, ignoring case, where each "#" in the
// filter stands for a run of digits (or a "#"). The empty filter matches
// every dead letter.
type filter struct {
	text string
	re   *regexp.Regexp
}

// parseFilter checks a reason filter from a request: at most MaxFilterBytes
// of valid UTF-8 without control characters; surrounding space is trimmed.
func parseFilter(s string) (filter, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxFilterBytes {
		return filter{}, fmt.Errorf("reason filter longer than %d bytes", MaxFilterBytes)
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return filter{}, fmt.Errorf("reason filter is not plain text")
	}
	if s == "" {
		return filter{}, nil
	}
	parts := strings.Split(s, "#")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	// Quoted literals joined by a fixed group always compile; Go's regexp
	// runs in time linear in the input.
	re := regexp.MustCompile("(?i)" + strings.Join(parts, "(?:[0-9]+|#)"))
	return filter{text: s, re: re}, nil
}

func (f filter) match(reason string) bool { return f.re == nil || f.re.MatchString(reason) }

// kindOf groups reasons that differ only in numbers (order ids, attempt
// counts): digit runs become "#", and the result is cut to 120 bytes. A
// kind used as a filter matches every reason of that kind.
func kindOf(reason string) string {
	var b strings.Builder
	inDigits := false
	for _, r := range strings.ToValidUTF8(reason, "\uFFFD") {
		if unicode.IsControl(r) {
			r = ' '
		}
		digit := r >= '0' && r <= '9'
		if digit && inDigits {
			continue
		}
		inDigits = digit
		if digit {
			r = '#'
		}
		if b.Len()+utf8.RuneLen(r) > maxKindBytes {
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// letter is one dead letter as the page and the JSON API show it.
type letter struct {
	ID  string `json:"id"`
	Key string `json:"key"`
	// Entity and EntityID say what the task syncs ("order", "customer",
	// "product" and its id); both are empty when the payload is not a
	// bc2sf task. OrderID repeats an order's id, for clients that read it.
	Entity   string `json:"entity,omitempty"`
	EntityID int64  `json:"entity_id,omitempty"`
	OrderID  int64  `json:"order_id,omitempty"`
	// Subject ("customer 7") and Heading ("Customer 7") name it on the
	// page; both are "" without a task.
	Subject  string `json:"-"`
	Heading  string `json:"-"`
	Reason   string `json:"reason"`
	Kind     string `json:"kind"`
	Attempts int    `json:"attempts"`
	Priority string `json:"priority"`
	// Times are nil when the queue does not know them.
	EnqueuedAt    *time.Time `json:"enqueued_at"`
	FirstFailedAt *time.Time `json:"first_failed_at"`
	FailedAt      *time.Time `json:"failed_at"`

	// Set for one dead letter only (GET api/deadletter, the letter page).
	Task          *pipeline.Task `json:"task,omitempty"`
	TaskText      string         `json:"-"`
	TaskError     string         `json:"task_error,omitempty"`
	Body          string         `json:"body,omitempty"`
	BodyBytes     int            `json:"body_bytes"`
	BodyTruncated bool           `json:"body_truncated,omitempty"`
}

func newLetter(d idempotency.DeadLetter, detail bool) letter {
	l := letter{
		ID: d.ID, Key: d.Key, Reason: d.Reason, Kind: kindOf(d.Reason), Attempts: d.Attempt,
		Priority: d.Priority.String(), EnqueuedAt: timeOrNil(d.EnqueuedAt),
		FirstFailedAt: timeOrNil(d.FirstFailedAt), FailedAt: timeOrNil(d.FailedAt),
		BodyBytes: len(d.Body),
	}
	task, taskErr := pipeline.DecodeTask(d.Body)
	if taskErr == nil {
		kind := string(task.EntityKind())
		l.Entity, l.EntityID, l.OrderID = kind, task.ID(), task.OrderID
		l.Subject = kind + " " + strconv.FormatInt(task.ID(), 10)
		l.Heading = strings.ToUpper(kind[:1]) + l.Subject[1:]
	}
	if !detail {
		return l
	}
	if taskErr != nil {
		l.TaskError = "the payload is not a bc2sf task: " + taskErr.Error()
	} else {
		l.Task = &task
		if b, err := json.MarshalIndent(task, "", "  "); err == nil {
			l.TaskText = string(b)
		}
	}
	l.Body, l.BodyTruncated = showBody(d.Body)
	return l
}

// showBody renders a payload for reading: indented when it is JSON, as
// text otherwise (invalid UTF-8 replaced), cut to 64 KiB.
func showBody(b []byte) (string, bool) {
	cut := len(b) > maxShownBody
	if cut {
		b = b[:maxShownBody]
	}
	var out bytes.Buffer
	if !cut && json.Valid(b) && json.Indent(&out, b, "", "  ") == nil {
		return out.String(), false
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), cut
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// kindCount is how many scanned dead letters have one kind.
type kindCount struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// listing is one list of dead letters: the matches among the oldest
// ListScan, up to a limit.
type listing struct {
	Letters []letter `json:"dead_letters"`
	// Reason is the filter applied.
	Reason string `json:"reason"`
	// Matched counts the scanned dead letters the filter matches; more than
	// len(Letters) when the limit cut the list.
	Matched int `json:"matched"`
	// Scanned counts the dead letters read (at most ListScan).
	Scanned int `json:"scanned"`
	// Kinds groups the scanned dead letters by kind, largest first.
	Kinds []kindCount `json:"kinds"`
	// Partial is true when the queue holds more dead letters than were
	// scanned: the list shows the oldest only.
	Partial bool `json:"partial"`
}

func (c *Console) list(ctx context.Context, f filter, limit int, total int) (listing, error) {
	all, err := c.insp.DeadLetters(ctx, ListScan)
	if err != nil {
		return listing{}, err
	}
	out := listing{Reason: f.text, Scanned: len(all), Letters: []letter{}, Kinds: []kindCount{},
		Partial: len(all) >= ListScan && total > len(all)}
	kinds := map[string]int{}
	for _, d := range all {
		kinds[kindOf(d.Reason)]++
		if !f.match(d.Reason) {
			continue
		}
		out.Matched++
		if len(out.Letters) < limit {
			out.Letters = append(out.Letters, newLetter(d, false))
		}
	}
	for k, n := range kinds {
		out.Kinds = append(out.Kinds, kindCount{Kind: k, Count: n})
	}
	slices.SortFunc(out.Kinds, func(a, b kindCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return out, nil
}
