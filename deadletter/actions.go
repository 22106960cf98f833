package deadletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bc2sf/bc2sf/idempotency"
)

// scanPage is the first limit scan asks for; it doubles on every round.
const scanPage = 100

// scan walks every dead letter, oldest first, calling visit once per ID
// until visit returns false. DeadLetters has no cursor, so each round asks
// for twice as many as the last and skips the IDs already seen; the walk
// ends when a round returns fewer than it asked for. Dead letters removed
// by visit (a replay) shorten the list, and one that comes back during the
// walk (replayed and failed again) is not visited twice.
func (c *Console) scan(ctx context.Context, visit func(idempotency.DeadLetter) (bool, error)) error {
	seen := map[string]bool{}
	for limit := scanPage; ; limit *= 2 {
		page, err := c.insp.DeadLetters(ctx, limit)
		if err != nil {
			return err
		}
		for _, d := range page {
			if seen[d.ID] {
				continue
			}
			seen[d.ID] = true
			more, err := visit(d)
			if err != nil || !more {
				return err
			}
		}
		if len(page) < limit {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// find returns the dead letter id, walking the whole list.
func (c *Console) find(ctx context.Context, id string) (idempotency.DeadLetter, bool, error) {
	var found idempotency.DeadLetter
	ok := false
	err := c.scan(ctx, func(d idempotency.DeadLetter) (bool, error) {
		if d.ID == id {
			found, ok = d, true
			return false, nil
		}
		return true, nil
	})
	return found, ok, err
}

// replayResult is what a replay did.
type replayResult struct {
	// Replayed counts dead letters put back on the queue.
	Replayed int `json:"replayed"`
	// Missing lists requested IDs that were not dead letters (any more).
	Missing []string `json:"missing"`
}

// replayIDs replays each id. An ID that is not a dead letter (replayed or
// deleted meanwhile) is reported as missing; any other error stops the
// loop and is returned with what was done before it.
func (c *Console) replayIDs(ctx context.Context, ids []string) (replayResult, error) {
	res := replayResult{Missing: []string{}}
	for _, id := range ids {
		switch err := c.insp.Replay(ctx, id); {
		case err == nil:
			res.Replayed++
		case errors.Is(err, idempotency.ErrNotFound):
			res.Missing = append(res.Missing, id)
		default:
			return res, err
		}
	}
	return res, nil
}

// replayReason replays every dead letter whose reason f matches, however
// many there are.
func (c *Console) replayReason(ctx context.Context, f filter) (replayResult, error) {
	res := replayResult{Missing: []string{}}
	err := c.scan(ctx, func(d idempotency.DeadLetter) (bool, error) {
		if !f.match(d.Reason) {
			return true, nil
		}
		switch err := c.insp.Replay(ctx, d.ID); {
		case err == nil:
			res.Replayed++
		case !errors.Is(err, idempotency.ErrNotFound):
			return false, err
		}
		return true, nil
	})
	return res, err
}

// checkIDs validates dead letter IDs from a request: 1 to MaxIDs of them,
// each 1 to MaxIDBytes of printable UTF-8. Repeats are dropped.
func checkIDs(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, errors.New("no dead letter selected")
	}
	if len(ids) > MaxIDs {
		return nil, fmt.Errorf("more than %d dead letters in one request", MaxIDs)
	}
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if err := checkID(id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

func checkID(id string) error {
	if id == "" || len(id) > MaxIDBytes || !utf8.ValidString(id) ||
		strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return fmt.Errorf("a dead letter ID must be 1 to %d bytes of printable text", MaxIDBytes)
	}
	return nil
}

// audit logs a state change with who made it.
func (c *Console) audit(r *http.Request, action string, attrs ...any) {
	id := who(r)
	via := "session"
	if id.bearer {
		via = "bearer"
	}
	base := []any{slog.String("action", action), slog.String("operator", id.operator),
		slog.String("token_label", id.label), slog.String("via", via), slog.String("remote", r.RemoteAddr)}
	c.log.Info("dead-letter console: "+action, append(base, attrs...)...)
}

// idsAttr logs up to 20 IDs, and the count.
func idsAttr(ids []string) slog.Attr {
	if len(ids) > 20 {
		return slog.Group("ids", slog.Int("count", len(ids)), slog.Any("first", ids[:20]))
	}
	return slog.Any("ids", ids)
}
