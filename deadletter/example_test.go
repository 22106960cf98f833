package deadletter_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// Example mounts the console in an admin server and uses its JSON API with
// the bearer token: list the dead letters of one reason, then replay them
// all. A browser would open /deadletters/ and log in with the same token.
func Example() {
	ctx := context.Background()
	queue := idempotency.NewMemoryQueue()
	defer queue.Close()
	// Two orders that a worker gave up on.
	for _, id := range []int64{250, 251} {
		body, _ := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceWebhook})
		_, _ = queue.Enqueue(ctx, idempotency.Message{Key: fmt.Sprint("evt:", id), Body: body})
		d, _ := queue.Dequeue(ctx, time.Minute)
		_ = queue.DeadLetter(ctx, d, fmt.Sprintf("order %d: salesforce: REQUIRED_FIELD_MISSING", id))
	}

	const token = "use-a-long-random-token-here" // e.g. os.Getenv("ADMIN_TOKEN")
	console, err := deadletter.NewConsole(queue,
		deadletter.WithToken("ops", token),
		deadletter.WithLogger(slog.New(slog.DiscardHandler))) // the audit log; slog.Default() unless set
	if err != nil {
		fmt.Println(err)
		return
	}
	admin := http.NewServeMux()
	admin.Handle("/deadletters/", http.StripPrefix("/deadletters", console))
	srv := httptest.NewServer(admin)
	defer srv.Close()

	call := func(method, path, body string) string {
		req, _ := http.NewRequest(method, srv.URL+"/deadletters/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	list := call(http.MethodGet, "api/deadletters?reason=REQUIRED_FIELD", "")
	fmt.Println(strings.Contains(list, `"matched":2`), strings.Contains(list, `"order_id":250`))
	fmt.Print(call(http.MethodPost, "api/replay", `{"all":true,"reason":"REQUIRED_FIELD"}`))
	st, _ := queue.Stats(ctx)
	fmt.Println("ready:", st.Ready, "dead:", st.Dead)
	// Output:
	// true true
	// 200 {"replayed":2,"missing":[]}
	// ready: 2 dead: 0
}
