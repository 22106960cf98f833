package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/webhook"
)

func ExampleVerifier_Middleware() {
	clientSecret := []byte("the-app-client-secret")

	// The shared-secret header is what BigCommerce documents for every hook;
	// the Standard Webhooks signature is checked whenever it is present.
	v, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(webhook.DefaultSecretHeader, "value-given-at-hook-creation"),
		webhook.OptionalStandardWebhooks(clientSecret),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := webhook.VerificationFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("verified %s: signature=%v id=%s\n", body, v.StandardWebhooks, v.WebhookID)
	})
	srv := httptest.NewServer(v.Middleware(next))
	defer srv.Close()

	send := func(secret string, sign bool) {
		body := `{"scope":"store/order/created"}`
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set(webhook.DefaultSecretHeader, secret)
		if sign {
			webhook.SetStandardHeaders(req.Header, clientSecret, "msg_1", time.Now(), []byte(body))
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	send("value-given-at-hook-creation", true)
	send("value-given-at-hook-creation", false)
	send("a-guess", true)
	// Output:
	// verified {"scope":"store/order/created"}: signature=true id=msg_1
	// 200
	// verified {"scope":"store/order/created"}: signature=false id=
	// 200
	// 401
}

func ExampleNewHandler() {
	var queued []webhook.Event
	sink := webhook.SinkFunc(func(ctx context.Context, e webhook.Event) error {
		queued = append(queued, e) // a real sink enqueues durably here
		return nil
	})
	h, err := webhook.NewHandler(sink)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, body := range []string{
		`{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/abc"}`,
		`{"scope":"store/product/updated","data":{"type":"product","id":7}}`,
		`{"data":{}}`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce", strings.NewReader(body)))
		fmt.Printf("%d %q\n", rec.Code, rec.Body.String())
	}
	for _, e := range queued {
		id, _ := e.OrderID()
		fmt.Println(e.Scope, id, e.CreatedAt.Format(time.RFC3339), e.DeliveryKey())
	}
	// Output:
	// 200 ""
	// 200 ""
	// 400 "malformed webhook event\n"
	// store/order/created 250 2019-06-25T16:15:35Z envelope:store/order/created:1561479335:dd70c0976e06b67aaf671e73f49dcb79230ebf9d
}

func ExampleEvent_OrderID() {
	for _, body := range []string{
		`{"scope":"store/order/statusUpdated","data":{"type":"order","id":250,"status":{"previous_status_id":0,"new_status_id":11}}}`,
		`{"scope":"store/channel/1/order/created","data":{"order_id":127}}`,
		`{"scope":"store/order/transaction/created","data":{"type":"transaction","order_id":"128","transaction_id":"t"}}`,
		`{"scope":"store/order/metafield/updated","data":{"metafield_id":21,"resource_id":"129"}}`,
		`{"scope":"store/product/created","data":{"type":"product","id":1}}`,
	} {
		e, err := webhook.ParseEvent([]byte(body))
		if err != nil {
			fmt.Println(err)
			continue
		}
		id, err := e.OrderID()
		fmt.Println(e.Scope, id, err)
	}
	// Output:
	// store/order/statusUpdated 250 <nil>
	// store/channel/1/order/created 127 <nil>
	// store/order/transaction/created 128 <nil>
	// store/order/metafield/updated 129 <nil>
	// store/product/created 0 webhook: event carries no order id: scope "store/product/created"
}

func ExampleSignStandard() {
	key, _ := webhook.ParseStandardSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	fmt.Println(webhook.SignStandard(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`)))
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

func ExampleEvent_CustomerID() {
	for _, body := range []string{
		`{"scope":"store/customer/updated","data":{"type":"customer","id":32}}`,
		`{"scope":"store/customer/address/created","data":{"type":"customer","id":60,"address":{"customer_id":32}}}`,
		`{"scope":"store/product/inventory/order/updated","data":{"type":"product","id":189,"inventory":{"product_id":189,"method":"relative","value":-1}}}`,
	} {
		e, err := webhook.ParseEvent([]byte(body))
		if err != nil {
			fmt.Println(err)
			continue
		}
		switch {
		case webhook.IsCustomerScope(e.Scope):
			id, err := e.CustomerID()
			fmt.Println(e.Scope, "customer", id, err)
		case webhook.IsProductScope(e.Scope):
			id, err := e.ProductID()
			fmt.Println(e.Scope, "product", id, err)
		}
	}
	// Output:
	// store/customer/updated customer 32 <nil>
	// store/customer/address/created customer 32 <nil>
	// store/product/inventory/order/updated product 189 <nil>
}

// An order event whose id is unusable is answered 200, since BigCommerce
// would deliver it again unchanged, and counted instead of handed on.
func ExampleHandler_Stats() {
	h, err := webhook.NewHandler(webhook.SinkFunc(func(context.Context, webhook.Event) error { return nil }))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, body := range []string{
		`{"scope":"store/order/created","data":{"type":"order","id":250}}`,
		`{"scope":"store/order/created","data":{"type":"order","id":"abc"}}`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce", strings.NewReader(body)))
		fmt.Println(rec.Code)
	}
	fmt.Printf("%+v\n", h.Stats())
	// Output:
	// 200
	// 200
	// {Accepted:1 Ignored:0 Dropped:1 Malformed:0 Failed:0}
}
