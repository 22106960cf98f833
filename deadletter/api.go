package deadletter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// apiList answers GET api/deadletters?reason=&limit= with a listing.
func (c *Console) apiList(w http.ResponseWriter, r *http.Request) {
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
	st, err := c.insp.Stats(r.Context())
	if err != nil {
		c.queueError(w, r, "stats", err)
		return
	}
	l, err := c.list(r.Context(), f, limit, st.Dead)
	if err != nil {
		c.queueError(w, r, "list", err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		listing
		Total int `json:"total"`
	}{l, st.Dead})
}

// apiLetter answers GET api/deadletter?id= with one dead letter, its
// decoded task and its payload.
func (c *Console) apiLetter(w http.ResponseWriter, r *http.Request) {
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
	writeJSON(w, http.StatusOK, newLetter(d, true))
}

func (c *Console) apiStats(w http.ResponseWriter, r *http.Request) {
	st, err := c.stats(r.Context())
	if err != nil {
		c.queueError(w, r, "stats", err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// replayRequest is the body of POST api/replay: either ids, or all with an
// optional reason filter.
type replayRequest struct {
	IDs    []string `json:"ids"`
	All    bool     `json:"all"`
	Reason string   `json:"reason"`
}

// replayOrder is a checked replayRequest.
type replayOrder struct {
	ids    []string
	all    bool
	filter filter
}

// parseReplay reads a POST api/replay body: one JSON object with either
// "ids" (1 to MaxIDs IDs) or "all": true and an optional "reason" filter.
// Unknown fields, trailing data and any other combination are errors.
func parseReplay(b []byte) (replayOrder, error) {
	var req replayRequest
	if err := decodeStrict(b, &req); err != nil {
		return replayOrder{}, err
	}
	switch {
	case req.All && req.IDs != nil:
		return replayOrder{}, errors.New(`give either "ids" or "all", not both`)
	case req.All:
		f, err := parseFilter(req.Reason)
		return replayOrder{all: true, filter: f}, err
	case req.Reason != "":
		return replayOrder{}, errors.New(`"reason" needs "all": true`)
	}
	ids, err := checkIDs(req.IDs)
	return replayOrder{ids: ids}, err
}

// parseDelete reads a POST api/delete body: {"id": "..."}.
func parseDelete(b []byte) (string, error) {
	var req struct {
		ID string `json:"id"`
	}
	if err := decodeStrict(b, &req); err != nil {
		return "", err
	}
	return req.ID, checkID(req.ID)
}

// decodeStrict decodes exactly one JSON object with known fields only.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body is not the expected JSON object: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("body has data after the JSON object")
	}
	return nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("wrong type for field %q", typ.Field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end"
	}
	return "unknown field or bad value"
}

// readJSON reads a JSON request body of at most 64 KiB. Requiring the
// application/json content type also keeps plain cross-site forms out.
func readJSON(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, http.StatusUnsupportedMediaType, errors.New("send Content-Type: application/json")
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
		}
		return nil, http.StatusBadRequest, errors.New("unreadable body")
	}
	return b, 0, nil
}

// apiReplay answers POST api/replay with {"replayed": n, "missing": [...]}.
func (c *Console) apiReplay(w http.ResponseWriter, r *http.Request) {
	b, status, err := readJSON(w, r)
	if err != nil {
		c.fail(w, r, status, err.Error())
		return
	}
	order, err := parseReplay(b)
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var res replayResult
	if order.all {
		res, err = c.replayReason(r.Context(), order.filter)
		c.audit(r, "replay by reason", "reason", order.filter.text, "replayed", res.Replayed, errAttr(err))
	} else {
		res, err = c.replayIDs(r.Context(), order.ids)
		c.audit(r, "replay", idsAttr(order.ids), "replayed", res.Replayed, "missing", len(res.Missing), errAttr(err))
	}
	if err != nil {
		c.queueError(w, r, "replay", err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// apiDelete answers POST api/delete with {"deleted": 1}, or 404.
func (c *Console) apiDelete(w http.ResponseWriter, r *http.Request) {
	b, status, err := readJSON(w, r)
	if err != nil {
		c.fail(w, r, status, err.Error())
		return
	}
	id, err := parseDelete(b)
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	err = c.insp.DeleteDeadLetter(r.Context(), id)
	c.audit(r, "delete", "id", id, errAttr(err))
	if err != nil {
		c.queueError(w, r, "delete", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": 1})
}
