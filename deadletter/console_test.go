package deadletter_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

func TestNewConsoleRefusesBadConfig(t *testing.T) {
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	short := "short-SECRET"
	for name, tc := range map[string]struct {
		insp idempotency.Inspector
		opts []deadletter.Option
		want string
	}{
		"nil inspector":   {nil, []deadletter.Option{deadletter.WithToken("ops", testToken)}, "Inspector is nil"},
		"no token":        {q, nil, "no token"},
		"short token":     {q, []deadletter.Option{deadletter.WithToken("ops", short)}, "shorter than 16"},
		"bad label":       {q, []deadletter.Option{deadletter.WithToken("a|b", testToken)}, "token label"},
		"empty label":     {q, []deadletter.Option{deadletter.WithToken("", testToken)}, "token label"},
		"duplicate label": {q, []deadletter.Option{deadletter.WithToken("ops", testToken), deadletter.WithToken("ops", testToken+"x")}, "given twice"},
		"duplicate token": {q, []deadletter.Option{deadletter.WithToken("a", testToken), deadletter.WithToken("b", testToken)}, "given twice"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := deadletter.NewConsole(tc.insp, tc.opts...)
			if c != nil || !errors.Is(err, deadletter.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewConsole = %v, %v; want ErrInvalidConfig mentioning %q", c, err, tc.want)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), short) {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
}

func TestUnauthenticatedRequestsAreRefused(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 101, "order 101: bad")
	b := e.browser(t)
	for _, path := range []string{"", "letter?id=" + id} {
		if a := b.get(path); a.status != http.StatusSeeOther || a.header.Get("Location") != "login" {
			t.Errorf("GET %q: %d to %q, want 303 to login", path, a.status, a.header.Get("Location"))
		}
	}
	for _, path := range []string{"api/deadletters", "api/stats", "api/deadletter?id=" + id} {
		a := b.get(path)
		if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("GET %s: %d, want 401 with WWW-Authenticate", path, a.status)
		}
	}
	for _, path := range []string{"replay", "replay-reason", "delete", "logout"} {
		if a := b.post(path, url.Values{"id": {id}}); a.status != http.StatusUnauthorized {
			t.Errorf("POST %s: %d, want 401", path, a.status)
		}
	}
	for _, auth := range []string{"Bearer wrong-token-0123456789", "Basic " + testToken, "Bearer", testToken, "Bearer " + testToken + "x"} {
		req, _ := http.NewRequest(http.MethodPost, e.url("api/replay"), strings.NewReader(`{"ids":["`+id+`"]}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		if a := b.do(req); a.status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", strings.ReplaceAll(auth, testToken, "<token>"), a.status)
		}
	}
	if got := deadIDs(t, e.q); len(got) != 1 {
		t.Fatalf("dead letters after refused requests: %v, want the one", got)
	}
	// A wrong token in the login form opens no session and is logged.
	a := b.post("login", url.Values{"operator": {"mallory"}, "token": {"not-the-token-at-all"}})
	if a.status != http.StatusUnauthorized || len(b.c.Jar.Cookies(mustURL(t, e.url("")))) != 0 {
		t.Fatalf("bad login: %d, cookies %v", a.status, b.c.Jar.Cookies(mustURL(t, e.url(""))))
	}
	if !strings.Contains(e.logs.String(), "login refused") || !strings.Contains(e.logs.String(), "operator=mallory") {
		t.Fatalf("refused login not logged:\n%s", e.logs)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestFormsWithoutJavaScript drives the page as a browser without
// JavaScript does: plain GETs and form POSTs following 303s.
func TestFormsWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	a1 := deadLetter(t, e.q, 101, "order 101: salesforce: MULTIPLE_CHOICES")
	a2 := deadLetter(t, e.q, 102, "order 102: salesforce: MULTIPLE_CHOICES")
	a3 := deadLetter(t, e.q, 103, "order 103: salesforce: MULTIPLE_CHOICES")
	bID := deadLetter(t, e.q, 201, "order 201: bigcommerce: 404 Not Found")
	b := e.browser(t)
	b.login("Ada Lovelace")

	page := b.get("")
	for _, want := range []string{`data-id="` + a1 + `"`, `data-id="` + bID + `"`, "order 101", "order 201",
		`<form method="post" action="replay"`, `name="csrf" value="` + b.csrf + `"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("page lacks %q:\n%s", want, page.body)
		}
	}
	// The filter narrows the list; "#" stands for a number.
	filtered := b.get("?reason=" + url.QueryEscape("order # salesforce"))
	if filtered.status != 200 {
		t.Fatalf("filtered: %d", filtered.status)
	}
	filtered = b.get("?reason=" + url.QueryEscape("order #: salesforce"))
	if !strings.Contains(filtered.body, `data-id="`+a1+`"`) || strings.Contains(filtered.body, `data-id="`+bID+`"`) {
		t.Fatalf("filter did not select the salesforce kind:\n%s", filtered.body)
	}
	if !strings.Contains(filtered.body, `href="./?reason=order%20%23%3a%20salesforce%3a%20MULTIPLE_CHOICES"`) {
		t.Fatalf("page lacks the kind link:\n%s", filtered.body)
	}

	// Replay one row.
	a := b.post("replay", url.Values{"csrf": {b.csrf}, "id": {a1}, "reason": {"MULTIPLE"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "./?done=replayed&n=1&reason=MULTIPLE" {
		t.Fatalf("replay: %d to %q", a.status, a.header.Get("Location"))
	}
	after := b.get(strings.TrimPrefix(a.header.Get("Location"), "./"))
	if strings.Contains(after.body, `data-id="`+a1+`"`) || !strings.Contains(after.body, "Replayed 1 dead letter.") {
		t.Fatalf("after replay the row is still listed or no message:\n%s", after.body)
	}
	if got := readyCount(t, e.q); got != 1 {
		t.Fatalf("ready after replay: %d, want 1", got)
	}

	// Replay a selection; one of them is gone already.
	a = b.post("replay", url.Values{"csrf": {b.csrf}, "id": {a2, a1}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "./?done=replayed&missing=1&n=1" {
		t.Fatalf("replay selection: %d to %q", a.status, a.header.Get("Location"))
	}
	if got := b.get("?done=replayed&missing=1&n=1"); !strings.Contains(got.body, "Replayed 1 dead letter. 1 was no longer there.") {
		t.Fatalf("no message for the selection:\n%s", got.body)
	}

	// Delete one.
	a = b.post("delete", url.Values{"csrf": {b.csrf}, "id": {bID}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "./?done=deleted&n=1" {
		t.Fatalf("delete: %d to %q", a.status, a.header.Get("Location"))
	}
	if got := deadIDs(t, e.q); !slices.Equal(got, []string{a3}) {
		t.Fatalf("dead letters: %v, want [%s]", got, a3)
	}
	// Replay all of a reason.
	a = b.post("replay-reason", url.Values{"csrf": {b.csrf}, "reason": {"multiple_choices"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "./?done=replayed&n=1&reason=multiple_choices" {
		t.Fatalf("replay all: %d to %q", a.status, a.header.Get("Location"))
	}
	if got := deadIDs(t, e.q); len(got) != 0 {
		t.Fatalf("dead letters after replaying all: %v", got)
	}
	logs := e.logs.String()
	for _, want := range []string{"action=replay", "action=delete", `action="replay by reason"`, `operator="Ada Lovelace"`,
		"token_label=ops", "via=session", "remote=127.0.0.1:", "id=" + bID} {
		if !strings.Contains(logs, want) {
			t.Errorf("audit log lacks %q:\n%s", want, logs)
		}
	}
}

func TestLetterPageShowsTheTask(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 4242, `order 4242: <script>alert(1)</script> "REQUIRED_FIELD_MISSING"`)
	raw := deadLetterBody(t, e.q, "raw", []byte("not json \xff <b>"), "bad body")
	b := e.browser(t)
	b.login("ops")
	p := b.get("letter?id=" + url.QueryEscape(id))
	for _, want := range []string{"<h2>Order 4242</h2>", "&lt;script&gt;alert(1)&lt;/script&gt;",
		"&#34;order_id&#34;: 4242", "&#34;scope&#34;: &#34;store/order/updated&#34;", "Last failure", "First failure",
		`<input type="hidden" name="id" value="` + id + `">`} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("letter page lacks %q:\n%s", want, p.body)
		}
	}
	if strings.Contains(p.body, "<script>alert") {
		t.Fatal("the reason was not escaped")
	}
	p = b.get("letter?id=" + url.QueryEscape(raw))
	if p.status != 200 || !strings.Contains(p.body, "not a bc2sf task") || !strings.Contains(p.body, "not json \uFFFD &lt;b&gt;") {
		t.Fatalf("raw letter page: %d\n%s", p.status, p.body)
	}
	if p := b.get("letter?id=nope"); p.status != http.StatusNotFound {
		t.Fatalf("unknown id: %d, want 404", p.status)
	}
	// The JSON form.
	a := bearer(t, e, http.MethodGet, "api/deadletter?id="+url.QueryEscape(id), "")
	for _, want := range []string{`"order_id":4242`, `"task":{"order_id":4242`, `"first_failed_at":"`, `"failed_at":"`} {
		if !strings.Contains(a.body, want) {
			t.Fatalf("api/deadletter lacks %s: %s", want, a.body)
		}
	}
}

// TestEntityDeadLetters: a customer's or product's dead letter is named by
// its kind and id, on the list, on its page and in the JSON, never as an
// order; an order's keeps its order_id.
func TestEntityDeadLetters(t *testing.T) {
	e := newEnv(t)
	task := func(tk pipeline.Task) []byte {
		b, err := pipeline.EncodeTask(tk)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	order := deadLetter(t, e.q, 250, "order 250: bad")
	customer := deadLetterBody(t, e.q, "sync:customer:7:1", task(pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: 7,
		Source: pipeline.SourceWebhook}), "customer 7: customer sync is not configured")
	product := deadLetterBody(t, e.q, "sync:product:174:1", task(pipeline.Task{Kind: pipeline.KindProduct, ProductID: 174,
		Source: pipeline.SourceWebhook}), "product 174: graph failed")
	b := e.browser(t)
	b.login("ops")
	list := b.get("")
	for _, want := range []string{
		`data-id="` + order + `" data-entity="order" data-entity-id="250"`,
		`data-id="` + customer + `" data-entity="customer" data-entity-id="7"`,
		`data-id="` + product + `" data-entity="product" data-entity-id="174"`,
		`>order 250</a>`, `>customer 7</a>`, `>product 174</a>`,
	} {
		if !strings.Contains(list.body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	for id, want := range map[string]string{order: "<h2>Order 250</h2>", customer: "<h2>Customer 7</h2>", product: "<h2>Product 174</h2>"} {
		if p := b.get("letter?id=" + url.QueryEscape(id)); !strings.Contains(p.body, want) {
			t.Errorf("letter page of %s lacks %q", id, want)
		}
	}
	a := bearer(t, e, http.MethodGet, "api/deadletters", "")
	var got struct {
		Letters []map[string]any `json:"dead_letters"`
	}
	if err := json.Unmarshal([]byte(a.body), &got); err != nil || len(got.Letters) != 3 {
		t.Fatalf("api/deadletters: %v %s", err, a.body)
	}
	want := map[string][3]any{order: {"order", 250.0, 250.0}, customer: {"customer", 7.0, nil}, product: {"product", 174.0, nil}}
	for _, l := range got.Letters {
		w := want[l["id"].(string)]
		if l["entity"] != w[0] || l["entity_id"] != w[1] || l["order_id"] != w[2] {
			t.Errorf("dead letter %v, want entity %v, entity_id %v, order_id %v", l, w[0], w[1], w[2])
		}
	}
	a = bearer(t, e, http.MethodGet, "api/deadletter?id="+url.QueryEscape(customer), "")
	if !strings.Contains(a.body, `"entity":"customer","entity_id":7,"reason"`) {
		t.Errorf("api/deadletter of the customer: %s", a.body)
	}
}

func TestCSRFAndCrossOriginChecks(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 101, "order 101: bad")
	b := e.browser(t)
	b.login("ops")
	other := e.browser(t)
	other.login("eve")
	if other.csrf == b.csrf {
		t.Fatal("two sessions share a CSRF token")
	}
	for name, form := range map[string]url.Values{
		"no token":      {"id": {id}},
		"empty token":   {"id": {id}, "csrf": {""}},
		"wrong token":   {"id": {id}, "csrf": {"x" + b.csrf}},
		"other session": {"id": {id}, "csrf": {other.csrf}},
	} {
		if a := b.post("replay", form); a.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, a.status)
		}
	}
	for name, h := range map[string][2]string{
		"cross-site fetch": {"Sec-Fetch-Site", "cross-site"},
		"same-site fetch":  {"Sec-Fetch-Site", "same-site"},
		"foreign origin":   {"Origin", "https://evil.example"},
		"null origin":      {"Origin", "null"},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.url("replay"), strings.NewReader(url.Values{"id": {id}, "csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h[0], h[1])
		if a := b.do(req); a.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, a.status)
		}
		// The bearer token does not bypass the cross-origin check either.
		req, _ = http.NewRequest(http.MethodPost, e.url("api/replay"), strings.NewReader(`{"ids":["`+id+`"]}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set(h[0], h[1])
		if a := b.do(req); a.status != http.StatusForbidden {
			t.Errorf("%s with bearer: %d, want 403", name, a.status)
		}
	}
	// The JSON API with the cookie needs the header.
	b.csrf, other.csrf = "", b.csrf
	if a := b.postJSON("api/replay", `{"ids":["`+id+`"]}`); a.status != http.StatusForbidden {
		t.Fatalf("api/replay without CSRF header: %d", a.status)
	}
	if got := deadIDs(t, e.q); len(got) != 1 {
		t.Fatalf("a refused request changed the queue: %v", got)
	}
	b.csrf = other.csrf
	req, _ := http.NewRequest(http.MethodPost, e.url("api/replay"), strings.NewReader(`{"ids":["`+id+`"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", b.csrf)
	req.Header.Set("Origin", e.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if a := b.do(req); a.status != http.StatusOK || a.body != "{\"replayed\":1,\"missing\":[]}\n" {
		t.Fatalf("same-origin api/replay with CSRF header: %d %s", a.status, a.body)
	}
}

func TestGETNeverChangesState(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 101, "order 101: bad")
	b := e.browser(t)
	b.login("ops")
	for _, path := range []string{"replay?id=" + id + "&csrf=" + b.csrf, "delete?id=" + id + "&csrf=" + b.csrf,
		"replay-reason?csrf=" + b.csrf, "api/replay", "api/delete", "logout"} {
		if a := b.get(path); a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d Allow %q, want 405 Allow POST", path, a.status, a.header.Get("Allow"))
		}
	}
	if got := deadIDs(t, e.q); len(got) != 1 {
		t.Fatalf("GETs changed the queue: %v", got)
	}
	if a := b.get(""); a.status != 200 {
		t.Fatalf("session ended by a GET of logout: %d", a.status)
	}
}

func TestBearerAPI(t *testing.T) {
	e := newEnv(t)
	a1 := deadLetter(t, e.q, 101, "order 101: salesforce: MULTIPLE_CHOICES")
	a2 := deadLetter(t, e.q, 102, "order 102: salesforce: MULTIPLE_CHOICES")
	bID := deadLetter(t, e.q, 201, "order 201: bigcommerce: 404")
	a := bearer(t, e, http.MethodGet, "api/deadletters?reason=MULTIPLE&limit=1", "")
	for _, want := range []string{`"matched":2`, `"scanned":3`, `"total":3`, `"order_id":101`, `"reason":"MULTIPLE"`,
		`{"kind":"order #: salesforce: MULTIPLE_CHOICES","count":2}`} {
		if !strings.Contains(a.body, want) {
			t.Fatalf("api/deadletters lacks %s: %s", want, a.body)
		}
	}
	if strings.Contains(a.body, `"order_id":102`) {
		t.Fatalf("limit=1 listed two: %s", a.body)
	}
	a = bearer(t, e, http.MethodPost, "api/replay", `{"ids":["`+a1+`","missing-id"]}`)
	if a.status != 200 || a.body != "{\"replayed\":1,\"missing\":[\"missing-id\"]}\n" {
		t.Fatalf("replay: %d %s", a.status, a.body)
	}
	a = bearer(t, e, http.MethodPost, "api/delete", `{"id":"`+bID+`"}`)
	if a.status != 200 || a.body != "{\"deleted\":1}\n" {
		t.Fatalf("delete: %d %s", a.status, a.body)
	}
	if a = bearer(t, e, http.MethodPost, "api/delete", `{"id":"`+bID+`"}`); a.status != http.StatusNotFound {
		t.Fatalf("delete again: %d %s", a.status, a.body)
	}
	a = bearer(t, e, http.MethodPost, "api/replay", `{"all":true,"reason":"multiple"}`)
	if a.status != 200 || a.body != "{\"replayed\":1,\"missing\":[]}\n" {
		t.Fatalf("replay all: %d %s", a.status, a.body)
	}
	if got := deadIDs(t, e.q); len(got) != 0 {
		t.Fatalf("left: %v (a2 %s)", got, a2)
	}
	if !strings.Contains(e.logs.String(), "via=bearer") || !strings.Contains(e.logs.String(), "operator=ops") {
		t.Fatalf("bearer changes not attributed:\n%s", e.logs)
	}
}

// TestReplayAllWalksTheWholeList has more dead letters of one reason than a
// list shows, interleaved with others, and checks every one is replayed.
func TestReplayAllWalksTheWholeList(t *testing.T) {
	e := newEnv(t, deadletter.WithLogger(nil))
	want := map[string]bool{}
	for i := range 1300 {
		if i%4 == 3 {
			deadLetter(t, e.q, int64(i+1), fmt.Sprintf("order %d: other", i+1))
			continue
		}
		want[deadLetter(t, e.q, int64(i+1), fmt.Sprintf("order %d: salesforce: STRING_TOO_LONG", i+1))] = true
	}
	a := bearer(t, e, http.MethodPost, "api/replay", `{"all":true,"reason":"string_too_long"}`)
	if a.status != 200 || a.body != fmt.Sprintf("{\"replayed\":%d,\"missing\":[]}\n", len(want)) {
		t.Fatalf("replay all: %d %s, want %d replayed", a.status, a.body, len(want))
	}
	left := deadIDs(t, e.q)
	if len(left) != 1300-len(want) {
		t.Fatalf("%d dead letters left, want %d", len(left), 1300-len(want))
	}
	for _, id := range left {
		if want[id] {
			t.Fatalf("%s was not replayed", id)
		}
	}
}

// refailing is an Inspector whose replayed dead letters fail again at once:
// Replay moves the dead letter to the end of the list.
type refailing struct {
	mu      sync.Mutex
	list    []idempotency.DeadLetter
	replays map[string]int
}

func (r *refailing) DeadLetters(_ context.Context, limit int) ([]idempotency.DeadLetter, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list[:min(limit, len(r.list))]), nil
}

func (r *refailing) Replay(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.IndexFunc(r.list, func(d idempotency.DeadLetter) bool { return d.ID == id })
	if i < 0 {
		return idempotency.ErrNotFound
	}
	d := r.list[i]
	r.list = append(slices.Delete(r.list, i, i+1), d)
	r.replays[id]++
	return nil
}

func (r *refailing) DeleteDeadLetter(context.Context, string) error { return idempotency.ErrNotFound }

func (r *refailing) Stats(context.Context) (idempotency.Stats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return idempotency.Stats{Dead: len(r.list)}, nil
}

func TestReplayAllReplaysEachOnceWhenTheyFailAgain(t *testing.T) {
	r := &refailing{replays: map[string]int{}}
	for i := range 450 {
		r.list = append(r.list, idempotency.DeadLetter{ID: fmt.Sprint("m", i), Reason: "order 1: boom"})
	}
	e := newEnvOn(t, nil, r)
	a := bearer(t, e, http.MethodPost, "api/replay", `{"all":true}`)
	if a.status != 200 || a.body != "{\"replayed\":450,\"missing\":[]}\n" {
		t.Fatalf("replay all: %d %s", a.status, a.body)
	}
	for id, n := range r.replays {
		if n != 1 {
			t.Fatalf("%s replayed %d times", id, n)
		}
	}
	if len(r.replays) != 450 {
		t.Fatalf("%d replayed, want 450", len(r.replays))
	}
}

// failing is an Inspector whose every call fails with an error carrying a
// backend detail that must not reach the page.
type failing struct{}

var errBackend = errors.New("dial redis://:hunter2@10.0.0.9:6379: connection refused")

func (failing) DeadLetters(context.Context, int) ([]idempotency.DeadLetter, error) {
	return nil, errBackend
}
func (failing) Replay(context.Context, string) error           { return errBackend }
func (failing) DeleteDeadLetter(context.Context, string) error { return errBackend }
func (failing) Stats(context.Context) (idempotency.Stats, error) {
	return idempotency.Stats{}, errBackend
}

func TestQueueFailuresAre502WithoutDetails(t *testing.T) {
	e := newEnvOn(t, nil, failing{})
	b := e.browser(t)
	a := b.post("login", url.Values{"operator": {"ops"}, "token": {testToken}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("login: %d", a.status)
	}
	for _, a := range []answer{
		b.get(""), b.get("letter?id=x"),
		bearer(t, e, http.MethodGet, "api/deadletters", ""), bearer(t, e, http.MethodGet, "api/stats", ""),
		bearer(t, e, http.MethodPost, "api/replay", `{"ids":["x"]}`), bearer(t, e, http.MethodPost, "api/delete", `{"id":"x"}`),
		bearer(t, e, http.MethodPost, "api/replay", `{"all":true}`),
	} {
		if a.status != http.StatusBadGateway || strings.Contains(a.body, "hunter2") || strings.Contains(a.body, "10.0.0.9") {
			t.Errorf("queue failure answered %d: %s", a.status, a.body)
		}
	}
	if !strings.Contains(e.logs.String(), "queue call failed") {
		t.Fatalf("queue failure not logged:\n%s", e.logs)
	}
}

func TestSessionLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		e := newBubbleEnv(t, q, deadletter.WithSessionTTL(time.Hour))
		b := e.browser(t)
		b.login("ops")
		cookies := b.c.Jar.Cookies(mustURL(t, e.url("")))
		if len(cookies) != 1 {
			t.Fatalf("cookies: %v", cookies)
		}
		if strings.Contains(cookies[0].Value, testToken) {
			t.Fatal("the cookie holds the token")
		}
		withCookie := func(e *env, c *http.Cookie) int {
			req := mustRequest(t, http.MethodGet, e.url("api/stats"), "")
			req.AddCookie(c)
			return (&browser{t: t, e: e, c: &http.Client{Transport: e.rt}}).do(req).status
		}

		// Another console with the same token (a restart, a replica) accepts
		// the session; one with another token does not.
		if got := withCookie(newBubbleEnv(t, q), cookies[0]); got != http.StatusOK {
			t.Fatalf("replica refused the session: %d", got)
		}
		other, err := deadletter.NewConsole(q, deadletter.WithToken("ops", "another-token-0123456789"))
		if err != nil {
			t.Fatal(err)
		}
		if got := withCookie(&env{console: other, base: e.base, rt: handlerTransport{(&env{console: other}).mux()}}, cookies[0]); got != http.StatusUnauthorized {
			t.Fatalf("a console with another token accepted the session: %d", got)
		}

		// A tampered cookie is refused.
		tampered := *cookies[0]
		tampered.Value = strings.Replace(tampered.Value, ".", "x.", 1)
		if got := withCookie(e, &tampered); got != http.StatusUnauthorized {
			t.Fatalf("tampered cookie: %d", got)
		}

		time.Sleep(59 * time.Minute)
		if a := b.get("api/stats"); a.status != http.StatusOK {
			t.Fatalf("session ended early: %d", a.status)
		}
		time.Sleep(time.Minute)
		if a := b.get("api/stats"); a.status != http.StatusUnauthorized {
			t.Fatalf("session outlived its TTL: %d", a.status)
		}

		// Logout ends the session even for a client that keeps the cookie.
		b2 := e.browser(t)
		b2.login("ops")
		kept := b2.c.Jar.Cookies(mustURL(t, e.url("")))[0]
		if a := b2.post("logout", url.Values{"csrf": {b2.csrf}}); a.status != http.StatusSeeOther || a.header.Get("Location") != "login" {
			t.Fatalf("logout: %d %s", a.status, a.header.Get("Location"))
		}
		if got := withCookie(e, kept); got != http.StatusUnauthorized {
			t.Fatalf("cookie still works after logout: %d", got)
		}
	})
}
