package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/telemetry"
	"github.com/bc2sf/bc2sf/webhook"
)

// A delivery must carry every configured credential.
func TestWebhookHandlerRequiresEveryCredential(t *testing.T) {
	t.Parallel()
	const body = `{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":7},"hash":"h1","created_at":1700000000,"producer":"stores/abc"}`
	header := func(r *http.Request) { r.Header.Set("X-Webhook-Secret", webhookSecret) }
	signature := func(r *http.Request) {
		webhook.SetStandardHeaders(r.Header, []byte(clientSecret), "msg_1", time.Now(), []byte(body))
	}
	both := func(r *http.Request) { header(r); signature(r) }
	tests := []struct {
		name            string
		secret, signKey string // BIGCOMMERCE_WEBHOOK_SECRET, BIGCOMMERCE_CLIENT_SECRET
		sign            func(*http.Request)
		want            int
		wantQueued      int
	}{
		{"header configured, header sent", webhookSecret, "", header, http.StatusOK, 1},
		{"header configured, signature sent", webhookSecret, "", signature, http.StatusUnauthorized, 0},
		{"signature configured, signature sent", "", clientSecret, signature, http.StatusOK, 1},
		{"signature configured, header sent", "", clientSecret, header, http.StatusUnauthorized, 0},
		{"both configured, both sent", webhookSecret, clientSecret, both, http.StatusOK, 1},
		{"both configured, header sent", webhookSecret, clientSecret, header, http.StatusUnauthorized, 0},
		{"both configured, signature sent", webhookSecret, clientSecret, signature, http.StatusUnauthorized, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			queue := idempotency.NewMemoryQueue()
			cfg := config{webhookSecret: tt.secret, webhookHeader: "X-Webhook-Secret", bcClientSecret: tt.signKey}
			tel, err := telemetry.New()
			if err != nil {
				t.Fatal(err)
			}
			h, err := newWebhookHandler(cfg, queue, idempotency.NewMemoryStore(), tel, nil)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, webhookPath, strings.NewReader(body))
			tt.sign(req)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d", rec.Code, tt.want)
			}
			stats, err := queue.Stats(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if stats.Ready != tt.wantQueued {
				t.Errorf("%d messages queued, want %d", stats.Ready, tt.wantQueued)
			}
		})
	}
}
