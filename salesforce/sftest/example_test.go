package sftest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

func Example() {
	srv, err := sftest.NewServer(sftest.WithIDSeed(1000))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	// Client credentials grant, as golang.org/x/oauth2/clientcredentials sends it.
	resp, err := http.PostForm(srv.TokenURL(), url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {sftest.DefaultClientID},
		"client_secret": {sftest.DefaultClientSecret},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	upsert := func(name string) {
		req, _ := http.NewRequest(http.MethodPatch,
			tok.InstanceURL+"/services/data/v64.0/sobjects/Account/BigCommerce_Customer_Key__c/ada@example.com",
			strings.NewReader(`{"Name":"`+name+`"}`))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		var out struct {
			ID      string `json:"id"`
			Created bool   `json:"created"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		fmt.Println(resp.StatusCode, out.ID, out.Created, resp.Header.Get("Sforce-Limit-Info"))
	}
	upsert("Ada Lovelace")
	upsert("Ada King") // the same external ID updates the same record

	accounts := srv.Records("Account")
	fmt.Println(len(accounts), accounts[0]["Name"], srv.TotalCalls(), srv.TokenRequests())
	// Output:
	// 201 0018d00000000G9AAI true api-usage=1/100000
	// 200 0018d00000000G9AAI false api-usage=2/100000
	// 1 Ada King 2 1
}

// Answer the next call with 503 SERVER_UNAVAILABLE, as a busy org would.
func ExampleServer_FailNext() {
	srv, _ := sftest.NewServer()
	defer srv.Close()
	_ = srv.FailNext(1, sftest.Fault{Status: http.StatusServiceUnavailable})

	form := url.Values{"grant_type": {"client_credentials"},
		"client_id": {sftest.DefaultClientID}, "client_secret": {sftest.DefaultClientSecret}}
	resp, _ := http.PostForm(srv.TokenURL(), form)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/services/data/v64.0/limits", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println(srv.FaultsInjected(), srv.TotalCalls(), srv.Calls(sftest.RouteLimits))
	// Output:
	// 503
	// 200
	// 1 2 2
}

// Reach the org in memory, without a socket, as a test inside a
// testing/synctest bubble must; any host works, and the token's
// instance_url names it.
func ExampleServer_Transport() {
	srv, _ := sftest.NewServer()
	defer srv.Close()
	hc := &http.Client{Transport: srv.Transport()}

	resp, err := hc.PostForm("https://acme.my.salesforce.example/services/oauth2/token", url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {sftest.DefaultClientID},
		"client_secret": {sftest.DefaultClientSecret},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var tok struct {
		InstanceURL string `json:"instance_url"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	fmt.Println(resp.StatusCode, tok.InstanceURL, srv)
	// Output: 200 https://acme.my.salesforce.example sftest.Server(in memory)
}
