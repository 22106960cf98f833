package sftest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// postToken posts a token request over hc to the org at base.
func postToken(t *testing.T, hc *http.Client, base string, form url.Values, basicID, basicSecret string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/services/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

func jwt(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte("sig"))
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	synctest.Test(t, tokenEndpoint)
}

// tokenEndpoint runs in a bubble, in memory, so issued_at is the bubble's
// fixed start time.
func tokenEndpoint(t *testing.T) {
	now := time.Now()
	srv := newServer(t, WithClientCredentials("id+1", "s3cr&t"))
	hc, base := &http.Client{Transport: srv.Transport()}, "https://acme.my.salesforce.example"
	tests := []struct {
		name           string
		form           url.Values
		basicID, basic string
		status         int
		errCode        string
	}{
		{"form", url.Values{"grant_type": {"client_credentials"}, "client_id": {"id+1"}, "client_secret": {"s3cr&t"}}, "", "", 200, ""},
		{"basic", url.Values{"grant_type": {"client_credentials"}}, "id+1", "s3cr&t", 200, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"id+1"}, "client_secret": {"nope"}}, "", "", 400, "invalid_client"},
		{"wrong id", url.Values{"grant_type": {"client_credentials"}}, "other", "s3cr&t", 400, "invalid_client"},
		{"jwt", url.Values{"grant_type": {grantJWT}, "assertion": {jwt(`{"alg":"RS256"}`, `{"iss":"id+1","sub":"u@x","aud":"https://login.salesforce.com","exp":1}`)}}, "", "", 200, ""},
		{"jwt garbage", url.Values{"grant_type": {grantJWT}, "assertion": {"a.b"}}, "", "", 400, "invalid_grant"},
		{"jwt not json", url.Values{"grant_type": {grantJWT}, "assertion": {jwt("x", "{}")}}, "", "", 400, "invalid_grant"},
		{"no grant", url.Values{}, "", "", 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}}, "", "", 400, "unsupported_grant_type"},
	}
	for _, tc := range tests {
		status, body, raw := postToken(t, hc, base, tc.form, tc.basicID, tc.basic)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, status, tc.status, raw)
			continue
		}
		if strings.Contains(raw, "s3cr&t") {
			t.Errorf("%s: response leaks the client secret", tc.name)
		}
		if tc.errCode != "" {
			if body["error"] != tc.errCode || body["error_description"] == "" {
				t.Errorf("%s: %s", tc.name, raw)
			}
			continue
		}
		if body["token_type"] != "Bearer" || body["instance_url"] != base || body["access_token"] == "" || body["signature"] == "" {
			t.Errorf("%s: %s", tc.name, raw)
		}
		if body["issued_at"] != strconv.FormatInt(now.UnixMilli(), 10) {
			t.Errorf("%s: issued_at %v", tc.name, body["issued_at"])
		}
		if id, _ := body["id"].(string); !strings.HasPrefix(id, base+"/id/00D") {
			t.Errorf("%s: id %q", tc.name, id)
		}
		for _, absent := range []string{"expires_in", "refresh_token"} {
			if _, ok := body[absent]; ok {
				t.Errorf("%s: response has %s", tc.name, absent)
			}
		}
	}
	for _, printed := range []string{fmt.Sprint(srv), fmt.Sprintf("%v %+v %#v", srv, srv, srv)} {
		if strings.Contains(printed, "s3cr&t") || strings.Contains(printed, "!") {
			t.Errorf("printing the server shows a secret or token: %s", printed)
		}
	}
	if got := srv.TokenRequests(); got != len(tests) {
		t.Errorf("TokenRequests %d, want %d", got, len(tests))
	}
	if srv.TotalCalls() != 0 {
		t.Errorf("token requests counted as API calls: %d", srv.TotalCalls())
	}
}

func TestTokenInstanceURLIsTheHostAsked(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	status, body, raw := postToken(t, srv.Client(), srv.URL(), form, "", "")
	if status != 200 || body["instance_url"] != srv.URL() {
		t.Errorf("over loopback: %d %s, want instance_url %s", status, raw, srv.URL())
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, sessionExpiry)
}

func sessionExpiry(t *testing.T) {
	srv, c := newMemOrg(t, WithSessionTimeout(time.Hour))
	c.mustStatus(c.do("GET", "limits", nil), 200)

	expectInvalid := func(label string) {
		t.Helper()
		r := c.do("GET", "limits", nil)
		var body []map[string]any
		if err := json.Unmarshal(r.raw, &body); err != nil || r.status != 401 || len(body) != 1 ||
			body[0]["errorCode"] != "INVALID_SESSION_ID" || body[0]["message"] != "Session expired or invalid" {
			t.Fatalf("%s: %d %s", label, r.status, r.raw)
		}
	}
	srv.ExpireTokens()
	expectInvalid("ExpireTokens")
	c.token = c.fetchToken()
	c.mustStatus(c.do("GET", "limits", nil), 200)

	srv.ExpireTokensAfter(2)
	c.mustStatus(c.do("GET", "limits", nil), 200)
	c.mustStatus(c.do("GET", "limits", nil), 200)
	expectInvalid("ExpireTokensAfter(2)")
	c.token = c.fetchToken()
	time.Sleep(time.Hour - time.Second)
	c.mustStatus(c.do("GET", "limits", nil), 200)

	time.Sleep(time.Second)
	expectInvalid("session timeout")

	c.token = "garbage"
	expectInvalid("unknown token")
	if used, _ := srv.DailyUsage(); used != 5 {
		t.Errorf("DailyUsage %d, want 5 (401s use no allowance)", used)
	}
	if got := srv.Calls(RouteLimits); got != 9 || srv.TotalCalls() != 9 {
		t.Errorf("Calls(RouteLimits) %d, TotalCalls %d; want 9 (401s count as calls)", got, srv.TotalCalls())
	}
}
