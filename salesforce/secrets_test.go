package salesforce

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a logger used from several
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Credentials with the characters that encodings change: a space, "+", "/",
// "=", "&", "%", quotes, "<", a backslash and non-ASCII.
const (
	leakClientID     = "3MVG9 client+id"
	leakClientSecret = `s3 cr+t/=&%"<é\secret-0123456789`
	leakAccessToken  = `00D5g!AQ4AQ+/tok=en "quoted" <b>&amp; \back`
)

// pctEscape is one %XX escape.
var pctEscape = regexp.MustCompile(`%[0-9A-F]{2}`)

// secretForms lists the forms of s that a server echoing a request might
// print, written independently of the redactor: raw, percent-encoded in
// both cases and both space styles, path-escaped, as JSON text, and base64
// in both alphabets with and without padding.
func secretForms(s string) map[string]string {
	q := url.QueryEscape(s)
	js, _ := json.Marshal(s)
	forms := map[string]string{
		"raw":            s,
		"form-encoded":   q,
		"percent %20":    strings.ReplaceAll(q, "+", "%20"),
		"path-escaped":   url.PathEscape(s),
		"lower-case hex": pctEscape.ReplaceAllStringFunc(q, strings.ToLower),
		"JSON":           string(js[1 : len(js)-1]),
		"base64":         base64.StdEncoding.EncodeToString([]byte(s)),
		"base64 raw":     base64.RawStdEncoding.EncodeToString([]byte(s)),
		"base64url":      base64.URLEncoding.EncodeToString([]byte(s)),
		"base64url raw":  base64.RawURLEncoding.EncodeToString([]byte(s)),
	}
	return forms
}

// leaks reports every form of every secret found in text.
func leaks(text string, secrets map[string]string) []string {
	var out []string
	for name, s := range secrets {
		for form, v := range secretForms(s) {
			if strings.Contains(text, v) {
				out = append(out, name+" ("+form+")")
			}
		}
	}
	return out
}

// echo writes the request back, as a misconfigured proxy or a debugging
// endpoint might: the whole dump, then each credential-bearing part again
// in the encodings a server uses.
func echo(w http.ResponseWriter, r *http.Request, status int, asJSON bool) {
	dump, _ := httputil.DumpRequest(r, true)
	auth := r.Header.Get("Authorization")
	tok := strings.TrimPrefix(auth, "Bearer ")
	_ = r.ParseForm()
	sec := r.PostForm.Get("client_secret")
	parts := []string{string(dump), auth, url.QueryEscape(tok), base64.StdEncoding.EncodeToString([]byte(tok)),
		url.QueryEscape(sec), base64.StdEncoding.EncodeToString([]byte(sec)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(leakClientID) + ":" + url.QueryEscape(sec))),
		r.PostForm.Get("assertion")}
	text := strings.Join(parts, " | ")
	if !asJSON {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><pre>%s</pre></body></html>", text)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if strings.HasSuffix(r.URL.Path, "/token") {
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": text})
		return
	}
	_ = json.NewEncoder(w).Encode([]map[string]any{{"errorCode": "ECHO " + tok, "message": text, "fields": []string{tok, sec}}})
}

// TestNoSecretInErrorsOrLogs drives every failure path with credentials
// that encodings change, against a server that echoes each request, and
// looks for every form of every credential in the errors and in the log.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		// token answers the token endpoint; api answers everything else.
		token, api func(w http.ResponseWriter, r *http.Request)
		jwt        bool
	}{
		{"401 twice (JSON echo)", nil, func(w http.ResponseWriter, r *http.Request) { echo(w, r, 401, true) }, false},
		{"403 (JSON echo)", nil, func(w http.ResponseWriter, r *http.Request) { echo(w, r, 403, true) }, false},
		{"500 retried (HTML echo)", nil, func(w http.ResponseWriter, r *http.Request) { echo(w, r, 500, false) }, false},
		{"503 retried (JSON echo)", nil, func(w http.ResponseWriter, r *http.Request) { echo(w, r, 503, true) }, false},
		{"token endpoint 400 (JSON echo)", func(w http.ResponseWriter, r *http.Request) { echo(w, r, 400, true) }, nil, false},
		{"token endpoint 503 (HTML echo)", func(w http.ResponseWriter, r *http.Request) { echo(w, r, 503, false) }, nil, false},
		{"JWT token endpoint 400 (JSON echo)", func(w http.ResponseWriter, r *http.Request) { echo(w, r, 400, true) }, nil, true},
		{"JWT token endpoint 500 (HTML echo)", func(w http.ResponseWriter, r *http.Request) { echo(w, r, 500, false) }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux := http.NewServeMux()
			var mu sync.Mutex
			var assertion string // the last one the client sent
			token := tt.token
			if token == nil {
				token = func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_ = json.NewEncoder(w).Encode(map[string]string{"access_token": leakAccessToken, "token_type": "Bearer"})
				}
			}
			mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body)) // the echo reads it again
				if form, err := url.ParseQuery(string(body)); err == nil && form.Get("assertion") != "" {
					mu.Lock()
					assertion = form.Get("assertion")
					mu.Unlock()
				}
				token(w, r)
			})
			if tt.api != nil {
				mux.HandleFunc("/services/data/", tt.api)
			}
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			var logs syncBuffer
			opts := []Option{WithInstanceURL(srv.URL), WithHTTPClient(srv.Client()),
				WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
				WithRetry(RetryPolicy{MaxAttempts: 2, InitialBackoff: time.Millisecond})}
			if tt.jwt {
				opts = append(opts, WithJWT(JWTConfig{ConsumerKey: leakClientID, Username: "u@x", PrivateKey: key,
					Audience: AudienceProduction, TokenURL: srv.URL + "/services/oauth2/token"}))
			} else {
				opts = append(opts, WithClientCredentials(leakClientID, leakClientSecret))
			}
			c, err := NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Limits(context.Background())
			if err == nil {
				t.Fatal("want an error")
			}
			secrets := map[string]string{"client secret": leakClientSecret, "access token": leakAccessToken}
			mu.Lock()
			if tt.jwt {
				if assertion == "" {
					t.Fatal("no assertion reached the token endpoint")
				}
				secrets["assertion"] = assertion
				secrets["assertion signature"] = assertion[strings.LastIndexByte(assertion, '.')+1:]
			}
			mu.Unlock()
			texts := strings.Join([]string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), logs.String()}, "\n")
			if found := leaks(texts, secrets); len(found) > 0 {
				t.Errorf("leaked %v in:\n%s", found, texts)
			}
			if !strings.Contains(texts, redacted) {
				t.Errorf("nothing was redacted, so the echo never reached the error:\n%s", texts)
			}
		})
	}
}

func TestRedactorForms(t *testing.T) {
	t.Parallel()
	r := newRedactor("ab", leakClientSecret)
	if got := r.text("ab cd"); got != "ab cd" {
		t.Errorf("a 2-byte secret was redacted: %q", got)
	}
	// The secret inside a longer base64 text, at each offset.
	for k := 0; k < 3; k++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", k) + "client_secret=" + leakClientSecret + "&grant_type=x"))
		if out := r.text(enc); strings.Contains(out, base64.RawStdEncoding.EncodeToString([]byte(leakClientSecret))[8:16]) {
			t.Errorf("offset %d: the secret's encoding survived in %q", k, out)
		}
	}
	if got := (*redactor)(nil).text("x"); got != "x" {
		t.Errorf("nil redactor changed text: %q", got)
	}
}

// FuzzRedactedErrors puts a credential, in one of its encodings, into an
// arbitrary error body, and checks that neither an APIError nor an
// AuthError built from it shows the credential in any form.
func FuzzRedactedErrors(f *testing.F) {
	f.Add([]byte(`[{"errorCode":"X","message":"`), []byte(`"}]`), uint8(0))
	f.Add([]byte(`{"error":"invalid_client","error_description":"`), []byte(`"}`), uint8(1))
	f.Add([]byte("<html>"), []byte("</html>"), uint8(5))
	secrets := map[string]string{"client secret": leakClientSecret, "access token": leakAccessToken}
	red := credentialRedactor(leakClientID, leakClientSecret).with(leakAccessToken)
	f.Fuzz(func(t *testing.T, before, after []byte, which uint8) {
		var forms []string
		for _, s := range []string{leakClientSecret, leakAccessToken} {
			for _, v := range secretForms(s) {
				forms = append(forms, v)
			}
		}
		sort.Strings(forms)
		body := append(append(append([]byte{}, before...), forms[int(which)%len(forms)]...), after...)
		apiErr := decodeError(400, http.Header{"X-Request-Id": {leakAccessToken}}, body, red)
		authErr := newAuthError(400, body, red)
		for _, text := range []string{apiErr.Error(), fmt.Sprintf("%#v", apiErr), authErr.Error()} {
			if found := leaks(text, secrets); len(found) > 0 {
				t.Fatalf("leaked %v in %q", found, text)
			}
		}
	})
}

// TestNoSecretInSubrequestErrors: a composite or graph answer is a 200 whose
// failed subrequests carry error bodies; when they echo the request (a
// proxy, a debugging endpoint), SubResult.Err and GraphResult.Err carry no
// form of any credential.
func TestNoSecretInSubrequestErrors(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": leakAccessToken, "token_type": "Bearer"})
	})
	// failed answers every subrequest with the request echoed into its
	// error body, as in echo.
	failed := func(r *http.Request, ref string) map[string]any {
		dump, _ := httputil.DumpRequest(r, false)
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		text := strings.Join([]string{string(dump), tok, url.QueryEscape(tok), base64.StdEncoding.EncodeToString([]byte(tok)),
			leakClientSecret, url.QueryEscape(leakClientSecret)}, " | ")
		return map[string]any{"httpStatusCode": 400, "referenceId": ref, "httpHeaders": map[string]string{},
			"body": []map[string]any{{"errorCode": "ECHO " + tok, "message": text, "fields": []string{tok}}}}
	}
	mux.HandleFunc("/services/data/v64.0/composite/graph", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"graphs": []any{map[string]any{"graphId": "g1", "isSuccessful": false,
			"graphResponse": map[string]any{"compositeResponse": []any{failed(r, "a")}}}}})
	})
	mux.HandleFunc("/services/data/v64.0/composite", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"compositeResponse": []any{failed(r, "a")}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(WithInstanceURL(srv.URL), WithHTTPClient(srv.Client()), WithAPIVersion("v64.0"),
		WithClientCredentials(leakClientID, leakClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	node := Subrequest{Method: http.MethodPatch, URL: "sobjects/Account/Key__c/1", ReferenceID: "a", Body: map[string]any{"Name": "x"}}
	gresp, err := c.CompositeGraph(context.Background(), GraphRequest{Graphs: []Graph{{GraphID: "g1", CompositeRequest: []Subrequest{node}}}})
	if err != nil {
		t.Fatal(err)
	}
	cresp, err := c.Composite(context.Background(), CompositeRequest{AllOrNone: true, Subrequests: []Subrequest{node}})
	if err != nil {
		t.Fatal(err)
	}
	errs := []error{gresp.Graphs[0].Err(), gresp.Graphs[0].Results()[0].Err(), cresp.Results[0].Err()}
	var texts []string
	for _, e := range errs {
		if e == nil {
			t.Fatal("a failed subrequest has no error")
		}
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
	}
	texts = append(texts, string(gresp.Graphs[0].Results()[0].Body), string(cresp.Results[0].Body))
	all := strings.Join(texts, "\n")
	if found := leaks(all, map[string]string{"client secret": leakClientSecret, "access token": leakAccessToken}); len(found) > 0 {
		t.Errorf("leaked %v in:\n%s", found, all)
	}
	if !strings.Contains(all, redacted) {
		t.Errorf("nothing was redacted, so the echo never reached the error:\n%s", all)
	}
}
