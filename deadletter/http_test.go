package deadletter_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
)

func TestBadInputIs4xx(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 101, "order 101: bad")
	b := e.browser(t)
	b.login("ops")
	long := strings.Repeat("x", 300)
	many := make([]string, deadletter.MaxIDs+1)
	for i := range many {
		many[i] = fmt.Sprint("id", i)
	}
	manyJSON := `{"ids":["` + strings.Join(many, `","`) + `"]}`
	for name, tc := range map[string]struct {
		a    answer
		want int
	}{
		"limit not a number":      {b.get("?limit=ten"), 400},
		"limit zero":              {b.get("?limit=0"), 400},
		"limit too large":         {b.get("?limit=1001"), 400},
		"filter too long":         {b.get("?reason=" + long), 400},
		"filter with control":     {b.get("?reason=%00"), 400},
		"letter without id":       {b.get("letter"), 400},
		"letter id too long":      {b.get("letter?id=" + long), 400},
		"api limit":               {b.get("api/deadletters?limit=-1"), 400},
		"api filter":              {b.get("api/deadletters?reason=%1b"), 400},
		"api letter without id":   {b.get("api/deadletter"), 400},
		"api letter unknown":      {b.get("api/deadletter?id=nope"), 404},
		"unknown path":            {b.get("nope"), 404},
		"unknown api path":        {b.get("api/nope"), 404},
		"replay nothing selected": {b.post("replay", url.Values{"csrf": {b.csrf}}), 400},
		"replay empty id":         {b.post("replay", url.Values{"csrf": {b.csrf}, "id": {""}}), 400},
		"replay too many":         {b.post("replay", url.Values{"csrf": {b.csrf}, "id": many}), 400},
		"replay-reason filter":    {b.post("replay-reason", url.Values{"csrf": {b.csrf}, "reason": {long}}), 400},
		"delete two":              {b.post("delete", url.Values{"csrf": {b.csrf}, "id": {id, "x"}}), 400},
		"delete unknown":          {b.post("delete", url.Values{"csrf": {b.csrf}, "id": {"nope"}}), 404},
		"login without name":      {b.post("login", url.Values{"token": {testToken}}), 400},
		"login with a bad name":   {b.post("login", url.Values{"operator": {"a|b"}, "token": {testToken}}), 400},
		"api not JSON":            {b.postJSON("api/replay", `ids=1`), 400},
		"api JSON array":          {b.postJSON("api/replay", `["a"]`), 400},
		"api unknown field":       {b.postJSON("api/replay", `{"id":"a"}`), 400},
		"api too many ids":        {b.postJSON("api/replay", manyJSON), 400},
		"api delete no id":        {b.postJSON("api/delete", `{}`), 400},
		"api delete unknown":      {b.postJSON("api/delete", `{"id":"nope"}`), 404},
		"api body too large":      {b.postJSON("api/replay", `{"ids":["`+strings.Repeat("a", 70<<10)+`"]}`), 413},
		"put":                     {b.do(mustRequest(t, http.MethodPut, e.url(""), "")), 405},
		"delete method":           {b.do(mustRequest(t, http.MethodDelete, e.url("api/delete"), "")), 405},
	} {
		if tc.a.status != tc.want {
			t.Errorf("%s: %d, want %d: %.200s", name, tc.a.status, tc.want, tc.a.body)
		}
	}
	// A JSON body with a form content type, and the reverse.
	req := mustRequest(t, http.MethodPost, e.url("api/replay"), `{"ids":["`+id+`"]}`)
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("X-CSRF-Token", b.csrf)
	if a := b.do(req); a.status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain JSON: %d, want 415", a.status)
	}
	req = mustRequest(t, http.MethodPost, e.url("login"), `{"token":"x"}`)
	req.Header.Set("Content-Type", "application/json")
	if a := b.do(req); a.status != http.StatusUnsupportedMediaType {
		t.Errorf("JSON login: %d, want 415", a.status)
	}
	if got := deadIDs(t, e.q); len(got) != 1 {
		t.Fatalf("bad requests changed the queue: %v", got)
	}
}

func mustRequest(t *testing.T, method, u, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestNoSecretLeaks runs every kind of request, good and bad, and checks
// that the token and the session cookie's value appear in no page, no
// header but Set-Cookie, and no log line.
func TestNoSecretLeaks(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 101, "order 101: bad")
	deadLetter(t, e.q, 102, "order 102: bad")
	b := e.browser(t)
	var answers []answer
	keep := func(a answer) { answers = append(answers, a) }

	loginForm := url.Values{"operator": {"ops"}, "token": {testToken}}
	login := b.post("login", loginForm)
	keep(login)
	b.login("ops")
	cookie := b.c.Jar.Cookies(mustURL(t, e.url("")))[0].Value
	keep(b.get(""))
	keep(b.get("?reason=bad"))
	keep(b.get("letter?id=" + url.QueryEscape(id)))
	keep(b.get("login"))
	keep(b.get("api/deadletters"))
	keep(b.get("api/stats"))
	keep(b.post("replay", url.Values{"csrf": {"wrong"}, "id": {id}}))
	keep(b.post("replay", url.Values{"csrf": {b.csrf}, "id": {id}}))
	keep(b.postJSON("api/replay", `{"all":true}`))
	keep(b.post("login", url.Values{"operator": {"ops"}, "token": {testToken + "-wrong"}}))
	keep(b.post("login", url.Values{"operator": {"bad|name"}, "token": {testToken}}))
	keep(bearer(t, e, http.MethodGet, "api/stats", ""))
	keep(bearer(t, e, http.MethodPost, "api/delete", `{"id":"nope"}`))
	keep(b.post("logout", url.Values{"csrf": {b.csrf}}))

	for _, a := range answers {
		for name, secret := range map[string]string{"token": testToken, "cookie": cookie} {
			if strings.Contains(a.body, secret) {
				t.Errorf("a %d answer shows the %s:\n%s", a.status, name, a.body)
			}
			for h, vs := range a.header {
				if h != "Set-Cookie" && strings.Contains(strings.Join(vs, " "), secret) {
					t.Errorf("header %s shows the %s", h, name)
				}
			}
		}
		for _, sc := range a.header.Values("Set-Cookie") {
			if strings.Contains(sc, testToken) {
				t.Errorf("a cookie holds the token: %s", sc)
			}
		}
	}
	logs := e.logs.String()
	for name, secret := range map[string]string{"token": testToken, "cookie": cookie, "csrf": b.csrf} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log shows the %s:\n%s", name, logs)
		}
	}
	if !strings.Contains(logs, "login refused") || !strings.Contains(logs, "action=replay") {
		t.Fatalf("the log lacks the expected lines:\n%s", logs)
	}
}

var (
	inlineScript = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]`)
	handlerAttr  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	styleAttr    = regexp.MustCompile(`(?i)\sstyle\s*=`)
)

func TestSecurityHeadersAndNoInlineCode(t *testing.T) {
	e := newEnv(t)
	id := deadLetter(t, e.q, 101, "order 101: bad")
	b := e.browser(t)
	pages := map[string]answer{"login": b.get("login"), "static": b.get("console.js"), "denied": b.get("api/stats")}
	b.login("ops")
	pages["list"] = b.get("")
	pages["letter"] = b.get("letter?id=" + url.QueryEscape(id))
	pages["error"] = b.get("?limit=x")
	pages["api"] = b.get("api/stats")
	for name, a := range pages {
		csp := a.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", name, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows unsafe code: %s", name, csp)
		}
		if a.header.Get("X-Frame-Options") != "DENY" || a.header.Get("Cache-Control") != "no-store" ||
			a.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", name, a.header)
		}
		if strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
			if inlineScript.MatchString(a.body) || handlerAttr.MatchString(a.body) || styleAttr.MatchString(a.body) {
				t.Errorf("%s: inline script, handler or style:\n%s", name, a.body)
			}
		}
	}
	if ct := pages["static"].header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") || pages["static"].status != 200 {
		t.Errorf("console.js: %d %s", pages["static"].status, ct)
	}
}

func TestMountPoints(t *testing.T) {
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	c, err := deadletter.NewConsole(q, deadletter.WithToken("ops", testToken), deadletter.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		handler    http.Handler
		path       string
		cookiePath string
	}{
		{http.StripPrefix("/admin/dl", c), "/admin/dl/", "/admin/dl/"},
		{http.StripPrefix("/admin/dl/", c), "/admin/dl/", "/admin/dl/"},
		{c, "/", "/"},
	} {
		srv := httptest.NewServer(tc.handler)
		form := url.Values{"operator": {"ops"}, "token": {testToken}}
		req := mustRequest(t, http.MethodPost, srv.URL+tc.path+"login", form.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookies := resp.Cookies()
		if resp.StatusCode != http.StatusSeeOther || len(cookies) != 1 || cookies[0].Path != tc.cookiePath ||
			!cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Secure {
			t.Errorf("login at %s: %d, cookies %v; want a cookie on %s", tc.path, resp.StatusCode, cookies, tc.cookiePath)
		}
		srv.Close()
	}
	// The mount point without its slash redirects to it, relatively.
	srv := httptest.NewServer(http.StripPrefix("/admin/dl", c))
	defer srv.Close()
	resp, err := http.DefaultTransport.RoundTrip(mustRequest(t, http.MethodGet, srv.URL+"/admin/dl", ""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "./dl/" {
		t.Fatalf("GET /admin/dl: %d to %q, want 303 to ./dl/", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Over TLS, or with WithSecureCookie, the cookie is Secure.
	tls := httptest.NewTLSServer(http.StripPrefix("/dl", c))
	defer tls.Close()
	req := mustRequest(t, http.MethodPost, tls.URL+"/dl/login", url.Values{"operator": {"ops"}, "token": {testToken}}.Encode())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = tls.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cs := resp.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Fatalf("cookie over TLS: %v", cs)
	}
}

func TestStatsRatesAndUsage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		var used atomic.Int64
		used.Store(1234)
		e := newBubbleEnv(t, q, deadletter.WithUsage(func(context.Context) (int64, int64, bool) {
			return used.Load(), 15000, true
		}))
		a := bearer(t, e, http.MethodGet, "api/stats", "")
		for _, want := range []string{`"dead_per_minute":null`, `"oldest_age_seconds":null`,
			`"salesforce_api":{"used":1234,"limit":15000,"percent":8.226666666666667}`,
			`"usage":"1234 of 15000 calls (8.2%)"`, `"dead_rate":"unknown"`, `"oldest":"none"`} {
			if !strings.Contains(a.body, want) {
				t.Fatalf("stats lack %s: %s", want, a.body)
			}
		}
		// Three dead letters and two ready messages arrive; two minutes later
		// the rates cover them, and the oldest ready message is 2 minutes old.
		for i := range 3 {
			deadLetter(t, q, int64(i+1), "boom")
		}
		for i := range 2 {
			if _, err := q.Enqueue(context.Background(), idempotency.Message{Key: fmt.Sprint("k", i)}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Minute)
		used.Store(1300)
		a = bearer(t, e, http.MethodGet, "api/stats", "")
		for _, want := range []string{`"dead_per_minute":1.5`, `"depth_per_minute":1`, `"dead_rate":"+1.5"`, `"depth_rate":"+1.0"`,
			`"rate_span_seconds":120`, `"oldest_age_seconds":120`, `"oldest":"2m0s"`, `"usage":"1300 of 15000 calls (8.7%)"`} {
			if !strings.Contains(a.body, want) {
				t.Fatalf("stats lack %s: %s", want, a.body)
			}
		}
		b := e.browser(t)
		b.login("ops")
		page := b.get("")
		for _, want := range []string{`<dd data-stat="usage">1300 of 15000 calls (8.7%)</dd>`, `<dd data-stat="dead">3</dd>`,
			`<dd data-stat="depth">2</dd>`, `<dd data-stat="oldest">2m0s</dd>`} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("page lacks %s", want)
			}
		}

		// Without the hook the usage is unknown.
		if a := bearer(t, newBubbleEnv(t, q), http.MethodGet, "api/stats", ""); !strings.Contains(a.body, `"salesforce_api":null`) ||
			!strings.Contains(a.body, `"usage":"unknown"`) {
			t.Fatalf("stats without a usage hook: %s", a.body)
		}
	})
}

// FuzzConsole sends arbitrary requests with valid credentials: the console
// must answer each with a status below 500 (the queue never fails here),
// and never panic.
func FuzzConsole(f *testing.F) {
	for _, s := range [][3]string{
		{"GET", "/?reason=x&limit=5", ""},
		{"GET", "/letter?id=x", ""},
		{"POST", "/api/replay", `{"ids":["x"]}`},
		{"POST", "/api/replay", `{"all":true,"reason":"#"}`},
		{"POST", "/api/delete", `{"id":"x"}`},
		{"POST", "/replay", "id=x&id=y"},
		{"POST", "/replay-reason", "reason=%23"},
		{"POST", "/delete", "id=x"},
		{"GET", "/api/deadletters?reason=%ff", ""},
	} {
		f.Add(s[0], s[1], s[2], true)
		f.Add(s[0], s[1], s[2], false)
	}
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	for i := range 5 {
		deadLetter(f, q, int64(i+1), fmt.Sprintf("order %d: boom", i+1))
	}
	c, err := deadletter.NewConsole(q, deadletter.WithToken("ops", testToken), deadletter.WithLogger(discardLogger()))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, body string, form bool) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://console"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		if form {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s %q %q: %d %s", method, target, body, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), testToken) {
			t.Fatal("the answer shows the token")
		}
	})
}
