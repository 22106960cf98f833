package bctest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Hook limits of the real API: at most maxHooksPerScope hooks per scope,
// and one per scope and destination.
const maxHooksPerScope = 10

// AddHook stores a hook as if the server's client had created it and
// returns it. A zero ID gets the next free id (the first is 1000); empty
// ClientID and StoreHash become the server's; zero times become the clock's
// now. IsActive is stored as given. It fails with ErrInvalid when Scope or
// Destination is empty and with ErrConflict when the id is taken or the
// store already has a hook for that scope and destination (or 10 for the
// scope).
func (s *Server) AddHook(h Hook) (Hook, error) {
	h = h.clone()
	if h.Scope == "" || h.Destination == "" || h.ID < 0 {
		return Hook{}, fmt.Errorf("%w: a hook needs a scope and a destination", ErrInvalid)
	}
	now := time.Now().Unix()
	if h.CreatedAt == 0 {
		h.CreatedAt = now
	}
	if h.UpdatedAt == 0 {
		h.UpdatedAt = h.CreatedAt
	}
	if h.ClientID == "" {
		h.ClientID = s.cfg.clientID
	}
	if h.StoreHash == "" {
		h.StoreHash = s.cfg.storeHash
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.ID == 0 {
		h.ID = s.nextID.hook
	}
	if _, taken := s.hooks[h.ID]; taken {
		return Hook{}, fmt.Errorf("%w: hook %d exists", ErrConflict, h.ID)
	}
	if field := s.hookClashLocked(h); field != "" {
		return Hook{}, fmt.Errorf("%w: %s", ErrConflict, field)
	}
	s.nextID.hook = max(s.nextID.hook, h.ID+1)
	stored := h.clone()
	s.hooks[h.ID] = &stored
	return h, nil
}

// hookClashLocked says which limit h would break ("" for none). mu must be held.
func (s *Server) hookClashLocked(h Hook) string {
	perScope := 0
	for _, other := range s.hooks {
		if other.ID == h.ID || other.Scope != h.Scope {
			continue
		}
		if other.Destination == h.Destination {
			return fmt.Sprintf("a hook for scope %s and this destination exists (id %d)", h.Scope, other.ID)
		}
		perScope++
	}
	if perScope >= maxHooksPerScope {
		return fmt.Sprintf("scope %s already has %d hooks", h.Scope, maxHooksPerScope)
	}
	return ""
}

// Hooks returns copies of every stored hook, by ascending id.
func (s *Server) Hooks() []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Hook, 0, len(s.hooks))
	for _, h := range s.hooks {
		out = append(out, h.clone())
	}
	slices.SortFunc(out, func(a, b Hook) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Hook returns a copy of the stored hook with the given id.
func (s *Server) Hook(id int64) (Hook, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hooks[id]
	if !ok {
		return Hook{}, false
	}
	return h.clone(), true
}

// hookInput is the body of POST and PUT /v3/hooks. Headers stays raw so
// that PUT can tell an absent map (keep) from null (clear).
type hookInput struct {
	Scope       *string         `json:"scope"`
	Destination *string         `json:"destination"`
	IsActive    *bool           `json:"is_active"`
	Headers     json.RawMessage `json:"headers"`
}

// readHookInput decodes the body, answering 400 itself when it is not a
// JSON object of the right shape.
func readHookInput(w http.ResponseWriter, r *http.Request) (hookInput, map[string]string, bool) {
	var in hookInput
	var headers map[string]string
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(&in)
	if err == nil && len(in.Headers) > 0 {
		err = json.Unmarshal(in.Headers, &headers)
	}
	if err != nil {
		writeV3Error(w, http.StatusBadRequest, "Input is invalid.", nil)
		return hookInput{}, nil, false
	}
	return in, headers, true
}

// validDestination accepts an absolute http or https URL. The real API
// also demands HTTPS on port 443; the fake does not, so tests can point
// hooks at httptest servers.
func validDestination(dest string) bool {
	u, err := url.Parse(dest)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	in, headers, ok := readHookInput(w, r)
	if !ok {
		return
	}
	missing := map[string]string{}
	if in.Scope == nil || *in.Scope == "" {
		missing["scope"] = "error.path.missing."
	}
	if in.Destination == nil || *in.Destination == "" {
		missing["destination"] = "error.path.missing."
	} else if !validDestination(*in.Destination) {
		missing["destination"] = "error.url.invalid."
	}
	if len(missing) > 0 {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", missing)
		return
	}
	h := Hook{Scope: *in.Scope, Destination: *in.Destination, IsActive: true, Headers: headers}
	if in.IsActive != nil {
		h.IsActive = *in.IsActive
	}
	created, err := s.AddHook(h)
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
			map[string]string{"destination": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, itemBody[Hook]{Data: created})
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	q := &query{v: r.URL.Query()}
	var active *bool
	if raw, ok := q.lookup("is_active"); ok {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			q.fail("is_active", raw, "true or false")
		}
		active = &b
	}
	scope, byScope := q.lookup("scope")
	dest, byDest := q.lookup("destination")
	page, limit, tooLarge := q.page(maxV3Limit)
	if !checkV3Query(w, q, tooLarge) {
		return
	}
	var matched []Hook
	for _, h := range s.Hooks() {
		if (active != nil && h.IsActive != *active) || (byScope && h.Scope != scope) || (byDest && h.Destination != dest) {
			continue
		}
		matched = append(matched, h)
	}
	writeJSON(w, http.StatusOK, paginate(matched, page, limit))
}

// hookFromPath loads the hook named by the {id} path value, answering 404
// itself when there is none.
func (s *Server) hookFromPath(w http.ResponseWriter, r *http.Request) (Hook, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err == nil {
		if h, ok := s.Hook(id); ok {
			return h, true
		}
	}
	writeV3Error(w, http.StatusNotFound, fmt.Sprintf("Webhook with id [%s] not found", raw), nil)
	return Hook{}, false
}

func (s *Server) getHook(w http.ResponseWriter, r *http.Request) {
	if h, ok := s.hookFromPath(w, r); ok {
		writeJSON(w, http.StatusOK, itemBody[Hook]{Data: h})
	}
}

func (s *Server) updateHook(w http.ResponseWriter, r *http.Request) {
	h, ok := s.hookFromPath(w, r)
	if !ok {
		return
	}
	in, headers, ok := readHookInput(w, r)
	if !ok {
		return
	}
	if in.Scope == nil && in.Destination == nil && in.IsActive == nil && len(in.Headers) == 0 {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
			map[string]string{"body": "error.path.missing."})
		return
	}
	if in.Scope != nil {
		h.Scope = *in.Scope
	}
	if in.Destination != nil {
		if !validDestination(*in.Destination) {
			writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
				map[string]string{"destination": "error.url.invalid."})
			return
		}
		h.Destination = *in.Destination
	}
	if in.IsActive != nil {
		h.IsActive = *in.IsActive
	}
	if len(in.Headers) > 0 {
		h.Headers = headers
		if bytes.Equal(bytes.TrimSpace(in.Headers), []byte("null")) {
			h.Headers = nil
		}
	}
	updated, err := s.replaceHook(h)
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
			map[string]string{"scope": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, itemBody[Hook]{Data: updated})
}

// replaceHook stores h over the hook with its id, keeping the limits.
func (s *Server) replaceHook(h Hook) (Hook, error) {
	if h.Scope == "" || h.Destination == "" {
		return Hook{}, fmt.Errorf("%w: a hook needs a scope and a destination", ErrInvalid)
	}
	h.UpdatedAt = time.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.hooks[h.ID]; !ok {
		return Hook{}, fmt.Errorf("%w: hook %d", ErrNotFound, h.ID)
	}
	if clash := s.hookClashLocked(h); clash != "" {
		return Hook{}, fmt.Errorf("%w: %s", ErrConflict, clash)
	}
	stored := h.clone()
	s.hooks[h.ID] = &stored
	return h, nil
}

func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) {
	h, ok := s.hookFromPath(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.hooks, h.ID)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, itemBody[Hook]{Data: h})
}
