package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestUpsertManyChunksInOrder(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var sizes []int
	mux := http.NewServeMux()
	mux.HandleFunc(route("PATCH", "/composite/sobjects/Contact/Ext__c"), func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var body struct {
			AllOrNone bool
			Records   []map[string]any
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !body.AllOrNone {
			t.Errorf("body: %v allOrNone %v", err, body.AllOrNone)
		}
		sizes = append(sizes, len(body.Records))
		var out []string
		for _, rec := range body.Records {
			attrs, _ := rec["attributes"].(map[string]any)
			ext, _ := rec["Ext__c"].(string)
			if attrs["type"] != "Contact" {
				t.Errorf("record without attributes.type: %v", rec)
			}
			if ext == "bad-7" {
				out = append(out, `{"success":false,"errors":[{"statusCode":"DUPLICATE_VALUE","message":"dup","fields":["Email"]}]}`)
				continue
			}
			out = append(out, fmt.Sprintf(`{"id":"id-%s","success":true,"errors":[],"created":%v}`, ext, strings.HasSuffix(ext, "0")))
		}
		writeJSON(w, 200, "["+strings.Join(out, ",")+"]")
	})
	c := newTestClient(t, mux)

	records := make([]Record, 450)
	for i := range records {
		ext := fmt.Sprint(i)
		if i == 7 {
			ext = "bad-7"
		}
		records[i] = Record{Type: "Contact", Fields: map[string]any{"Ext__c": ext, "LastName": "L"}}
	}
	res, err := c.UpsertMany(context.Background(), "Contact", "Ext__c", records, CollectionOptions{AllOrNone: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[200 200 50]" || len(res) != 450 {
		t.Fatalf("chunks %v, %d results", sizes, len(res))
	}
	for i, r := range res {
		if i == 7 {
			continue
		}
		if want := fmt.Sprintf("id-%d", i); r.ID != want || r.Created != (i%10 == 0) || r.Err() != nil {
			t.Fatalf("result %d = %+v, want id %s", i, r, want)
		}
	}
	errs := Errs(res)
	var re *RecordError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.Index != 7 || !errors.Is(errs[0], ErrDuplicateValue) || re.Errors[0].Fields[0] != "Email" {
		t.Fatalf("Errs = %v", errs)
	}
}

func TestCreateAndUpdateMany(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("POST", "/composite/sobjects"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `[{"id":"001000000000001AAA","success":true,"errors":[]},{"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}]}]`)
	})
	mux.HandleFunc(route("PATCH", "/composite/sobjects"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `[{"id":"001000000000001AAA","success":true,"errors":[]}]`)
	})
	c := newTestClient(t, mux)
	ctx := context.Background()
	res, err := c.CreateMany(ctx, []Record{{Type: "Account", Fields: map[string]any{"Name": "A"}}, {Type: "Contact"}}, CollectionOptions{})
	if err != nil || len(res) != 2 || res[0].Err() != nil || res[1].Err() == nil {
		t.Fatalf("CreateMany = %+v, %v", res, err)
	}
	if _, err := c.UpdateMany(ctx, []Record{{Type: "Account", Fields: map[string]any{"Id": "001000000000001AAA"}}}, CollectionOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestCollectionValidation(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	ctx := context.Background()
	tests := map[string]func() error{
		"empty": func() error { _, err := c.CreateMany(ctx, nil, CollectionOptions{}); return err },
		"id on create": func() error {
			_, err := c.CreateMany(ctx, []Record{{Type: "A", Fields: map[string]any{"Id": "x"}}}, CollectionOptions{})
			return err
		},
		"no type":           func() error { _, err := c.CreateMany(ctx, []Record{{}}, CollectionOptions{}); return err },
		"update without id": func() error { _, err := c.UpdateMany(ctx, []Record{{Type: "A"}}, CollectionOptions{}); return err },
		"mixed upsert": func() error {
			_, err := c.UpsertMany(ctx, "A", "E__c", []Record{{Type: "B", Fields: map[string]any{"E__c": 1}}}, CollectionOptions{})
			return err
		},
		"upsert no ext": func() error {
			_, err := c.UpsertMany(ctx, "A", "E__c", []Record{{Type: "A"}}, CollectionOptions{})
			return err
		},
	}
	for name, f := range tests {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if calls.Load() != 0 {
		t.Fatalf("server called %d times", calls.Load())
	}
}

func TestCollectionResultCountMismatch(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("POST", "/composite/sobjects"), func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	c := newTestClient(t, mux)
	if _, err := c.CreateMany(context.Background(), []Record{{Type: "Account"}}, CollectionOptions{}); err == nil {
		t.Fatal("missing results accepted")
	}
}
