package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

// BenchmarkDelivery measures one signed delivery over loopback HTTP into
// the receiver (verification of both credentials, parsing, enqueuing on the
// memory queue), against the baseline of a bare net/http handler that reads
// the body and answers 200. Compare the two ns/op: the ratio is what bc2sf
// adds to a request.
func BenchmarkDelivery(b *testing.B) {
	queue := idempotency.NewMemoryQueue(idempotency.WithCapacity(1 << 24))
	defer queue.Close()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})
	verifier, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(webhookHeader, webhookSecret),
		webhook.StandardWebhooks([]byte(clientSecret)),
	})
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhook.NewHandler(pipeline.NewSink(queue, idempotency.NewMemoryStore()))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		handler http.Handler
	}{
		{"bare", bare},
		{"receiver", verifier.Middleware(h)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewServer(bc.handler)
			defer srv.Close()
			client := srv.Client()
			for i := 0; b.Loop(); i++ {
				// A distinct hash per event, so that no delivery is a
				// duplicate that the queue would skip.
				body := fmt.Appendf(nil, `{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":%d},"hash":"%040x","created_at":1700000000,"producer":"stores/abc123"}`, i+1, i+1)
				req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set(webhookHeader, webhookSecret)
				webhook.SetStandardHeaders(req.Header, []byte(clientSecret), fmt.Sprintf("msg_%d", i), time.Now(), body)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
