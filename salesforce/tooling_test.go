package salesforce

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestToolingQueryAndCreate(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/tooling/query"), func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("q"); q != "SELECT DataType FROM FieldDefinition" {
			t.Errorf("q = %q", q)
		}
		writeJSON(w, 200, `{"size":1,"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v64.0/tooling/query/01gT-1","records":[{"DataType":"Text(255)"}]}`)
	})
	mux.HandleFunc(route("GET", "/tooling/query/01gT-1"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"totalSize":2,"done":true,"records":[{"DataType":"Currency(14, 4)"}]}`)
	})
	mux.HandleFunc(route("POST", "/tooling/sobjects/CustomField/"), func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		want := `{"FullName":"Account.K__c","Metadata":{"label":"K","type":"Text","length":255,"externalId":true,"unique":true}}`
		if string(b) != want {
			t.Errorf("body %s\nwant %s", b, want)
		}
		writeJSON(w, 201, `{"id":"00N000000000001AAA","success":true,"errors":[],"warnings":[],"infos":[]}`)
	})
	c := newTestClient(t, mux)
	var types []string
	for raw, err := range c.ToolingQuery(context.Background(), "SELECT DataType FROM FieldDefinition") {
		if err != nil {
			t.Fatal(err)
		}
		var row struct{ DataType string }
		if err := json.Unmarshal(raw, &row); err != nil {
			t.Fatal(err)
		}
		types = append(types, row.DataType)
	}
	if strings.Join(types, "|") != "Text(255)|Currency(14, 4)" {
		t.Errorf("rows %v", types)
	}
	id, err := c.ToolingCreate(context.Background(), "CustomField", CustomField{FullName: "Account.K__c",
		Metadata: CustomFieldMetadata{Label: "K", Type: "Text", Length: 255, ExternalID: true, Unique: true}})
	if err != nil || id != "00N000000000001AAA" {
		t.Fatalf("ToolingCreate = %q, %v", id, err)
	}
	if _, err := c.ToolingCreate(context.Background(), "Custom/Field", nil); err == nil {
		t.Error("ToolingCreate accepted a name that changes the path")
	}
}
