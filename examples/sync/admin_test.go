package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// With ADMIN_ADDR set, the program serves the dead-letter console there,
// behind ADMIN_TOKEN: an order that Salesforce refuses for good (two
// Opportunities hold its external ID) is listed, and once the duplicate is
// gone a replay through the console's API syncs it. The webhook listener
// does not serve the console.
func TestAdminServesTheDeadLetterConsole(t *testing.T) {
	t.Parallel()
	bc, sf, env := fakes(t)
	env["ADMIN_ADDR"] = "127.0.0.1:0"
	env["ADMIN_TOKEN"] = adminToken
	p := start(t, env)
	admin := "http://" + p.waitLog(t, "admin listening") + deadLettersPath

	id := addOrder(t, bc)
	var dup string
	for range 2 {
		var err error
		if dup, err = sf.Seed("Opportunity", sftest.Record{"Name": "duplicate", "StageName": "Prospecting",
			"CloseDate": "2026-01-01", "BigCommerce_Order_Id__c": itoa(id)}); err != nil {
			t.Fatal(err)
		}
	}
	deliver(t, bc, p.url+webhookPath, id)

	var list struct {
		DeadLetters []struct {
			ID      string `json:"id"`
			OrderID int64  `json:"order_id"`
		} `json:"dead_letters"`
	}
	waitFor(t, "the dead letter in the console", p.logs, func() bool {
		code, body := adminCall(t, http.MethodGet, admin+"api/deadletters", "", adminToken)
		if code != http.StatusOK {
			t.Fatalf("api/deadletters: %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		return len(list.DeadLetters) == 1 && list.DeadLetters[0].OrderID == id
	})

	for _, tc := range []struct {
		url, token string
		want       int
	}{
		{admin + "api/deadletters", "", http.StatusUnauthorized},
		{admin + "api/deadletters", "wrong-token-0123456789", http.StatusUnauthorized},
		{admin, "", http.StatusSeeOther}, // to the login form
		{admin + "login", "", http.StatusOK},
		{p.url + deadLettersPath, adminToken, http.StatusNotFound},
	} {
		if code, _ := adminCall(t, http.MethodGet, tc.url, "", tc.token); code != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.url, code, tc.want)
		}
	}

	client, err := salesforce.NewClient(salesforce.WithClientCredentials("sf-client-id", sfSecret),
		salesforce.WithInstanceURL(sf.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Delete(t.Context(), "Opportunity", dup); err != nil {
		t.Fatal(err)
	}
	code, body := adminCall(t, http.MethodPost, admin+"api/replay", `{"ids":["`+list.DeadLetters[0].ID+`"]}`, adminToken)
	if code != http.StatusOK || !strings.Contains(body, `"replayed":1`) {
		t.Fatalf("replay: %d %s", code, body)
	}
	waitFor(t, "the replayed order in Salesforce", p.logs, func() bool {
		opp, ok := sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", itoa(id))
		return ok && opp["Name"] != "duplicate"
	})
	if !strings.Contains(p.logs.String(), `"token_label":"ADMIN_TOKEN"`) {
		t.Errorf("the replay is not in the audit log:\n%s", p.logs)
	}
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d, want %d", code, exitOK)
	}
	assertNoSecrets(t, p.logs.String(), env)
}

// adminCall sends a request with the bearer token (none when token is "")
// without following redirects, and returns the status and body.
func adminCall(t *testing.T, method, url, body, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
