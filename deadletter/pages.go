package deadletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bc2sf/bc2sf/idempotency"
)

// pageList serves the page: stats, the reason filter and the list.
// Query: reason (a filter), limit (1 to ListScan, default 100), and done,
// n, missing, which a redirect after a form sets to say what happened.
func (c *Console) pageList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseFilter(q.Get("reason"))
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	st, err := c.stats(r.Context())
	if err != nil {
		c.queueError(w, r, "stats", err)
		return
	}
	l, err := c.list(r.Context(), f, limit, st.Dead)
	if err != nil {
		c.queueError(w, r, "list", err)
		return
	}
	c.render(w, r, http.StatusOK, "list", page{Title: "Dead letters", Stats: st, List: l, Flash: flash(q)})
}

// pageLetter shows one dead letter: GET letter?id=.
func (c *Console) pageLetter(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if err := checkID(id); err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	d, ok, err := c.find(r.Context(), id)
	if err != nil {
		c.queueError(w, r, "find", err)
		return
	}
	if !ok {
		c.fail(w, r, http.StatusNotFound, "no such dead letter: it may have been replayed or deleted")
		return
	}
	l := newLetter(d, true)
	c.render(w, r, http.StatusOK, "letter", page{Title: "Dead letter", Letter: &l})
}

func (c *Console) pageLogin(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.authenticate(r); ok {
		seeOther(w, "./")
		return
	}
	c.renderLogin(w, r, http.StatusOK, "", "")
}

// formReplay replays the dead letters named by the form's id fields (the
// selection's checkboxes, or one row's button).
func (c *Console) formReplay(w http.ResponseWriter, r *http.Request) {
	ids, err := formIDs(r)
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	res, err := c.replayIDs(r.Context(), ids)
	c.audit(r, "replay", idsAttr(ids), "replayed", res.Replayed, "missing", len(res.Missing), errAttr(err))
	if err != nil {
		c.queueError(w, r, "replay", err)
		return
	}
	seeOther(w, backTo(r, "replayed", res.Replayed, len(res.Missing)))
}

// formReplayReason replays every dead letter the form's reason filter
// matches (every dead letter when it is empty).
func (c *Console) formReplayReason(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		c.fail(w, r, http.StatusBadRequest, "unreadable form")
		return
	}
	f, err := parseFilter(r.PostForm.Get("reason"))
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	res, err := c.replayReason(r.Context(), f)
	c.audit(r, "replay by reason", "reason", f.text, "replayed", res.Replayed, errAttr(err))
	if err != nil {
		c.queueError(w, r, "replay", err)
		return
	}
	seeOther(w, backTo(r, "replayed", res.Replayed, 0))
}

// formDelete deletes the dead letter named by the form's id field.
func (c *Console) formDelete(w http.ResponseWriter, r *http.Request) {
	ids, err := formIDs(r)
	if err == nil && len(ids) != 1 {
		err = errors.New("delete one dead letter at a time")
	}
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	err = c.insp.DeleteDeadLetter(r.Context(), ids[0])
	c.audit(r, "delete", "id", ids[0], errAttr(err))
	if err != nil {
		c.queueError(w, r, "delete", err)
		return
	}
	seeOther(w, backTo(r, "deleted", 1, 0))
}

func formIDs(r *http.Request) ([]string, error) {
	if err := parseForm(r); err != nil {
		return nil, errors.New("unreadable form")
	}
	return checkIDs(r.PostForm["id"])
}

// backTo is where a form sends the browser after a change: the list, with
// the filter it came from and what was done.
func backTo(r *http.Request, done string, n, missing int) string {
	v := url.Values{"done": {done}, "n": {strconv.Itoa(n)}}
	if f, err := parseFilter(r.PostForm.Get("reason")); err == nil && f.text != "" {
		v.Set("reason", f.text)
	}
	if missing > 0 {
		v.Set("missing", strconv.Itoa(missing))
	}
	return "./?" + v.Encode()
}

// flash says what the last form did, from the query backTo wrote. It uses
// numbers from the query only, never its text.
func flash(q url.Values) string {
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 0 {
		return ""
	}
	missing, _ := strconv.Atoi(q.Get("missing"))
	var msg string
	switch q.Get("done") {
	case "replayed":
		msg = fmt.Sprintf("Replayed %d dead %s.", n, plural(n, "letter", "letters"))
	case "deleted":
		msg = fmt.Sprintf("Deleted %d dead %s.", n, plural(n, "letter", "letters"))
	default:
		return ""
	}
	if missing > 0 {
		msg += fmt.Sprintf(" %d %s no longer there.", missing, plural(missing, "was", "were"))
	}
	return msg
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func parseLimit(s string) (int, error) {
	if s == "" {
		return DefaultListLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > ListScan {
		return 0, fmt.Errorf("limit must be a number from 1 to %d", ListScan)
	}
	return n, nil
}

func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// parseForm reads a urlencoded body of at most 64 KiB into r.PostForm.
func parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if !isForm(r) {
		return errors.New("not a form")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBodyBytes)
	return r.ParseForm()
}

// queueError answers a failed queue call. ErrNotFound is the caller's
// mistake (404); anything else is logged and answered 502 without the
// error's text, which could carry details of the queue's backend.
func (c *Console) queueError(w http.ResponseWriter, r *http.Request, op string, err error) {
	switch {
	case errors.Is(err, idempotency.ErrNotFound):
		c.fail(w, r, http.StatusNotFound, "no such dead letter: it may have been replayed or deleted")
	case errors.Is(err, context.Canceled):
		c.fail(w, r, http.StatusServiceUnavailable, "request canceled")
	default:
		c.log.Error("dead-letter console: queue call failed", "op", op, "err", err)
		c.fail(w, r, http.StatusBadGateway, "the queue did not answer; the server log has the details")
	}
}

// errAttr adds a failed queue call to an audit line; nil adds nothing.
func errAttr(err error) slog.Attr {
	if err == nil {
		return slog.Attr{}
	}
	return slog.Any("err", err)
}
