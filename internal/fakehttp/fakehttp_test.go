package fakehttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
)

// echo answers with what a server sees of the request.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Seen", r.Method+" "+r.Host+" "+r.RequestURI)
	w.WriteHeader(http.StatusTeapot)
	fmt.Fprintf(w, "%s|%s", body, r.RemoteAddr)
})

func TestTransportServesInMemory(t *testing.T) {
	t.Parallel()
	c := &http.Client{Transport: fakehttp.Transport(echo)}
	resp, err := c.Post("http://store.example/a%2Fb?q=1", "text/plain", strings.NewReader("hi"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || string(body) != "hi|192.0.2.1:1234" ||
		resp.Header.Get("X-Seen") != "POST store.example /a%2Fb?q=1" || resp.Request == nil {
		t.Errorf("status %d body %q seen %q", resp.StatusCode, body, resp.Header.Get("X-Seen"))
	}
}

func TestTransportInSynctestBubble(t *testing.T) {
	t.Parallel()
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Hour):
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
		}
	})
	synctest.Test(t, func(t *testing.T) {
		c := &http.Client{Transport: fakehttp.Transport(slow)}
		start := time.Now()
		resp, err := c.Get("http://x.example/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := time.Since(start); got != time.Hour {
			t.Errorf("bubble clock moved %v, want 1h", got)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://x.example/", nil)
		if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the deadline", err)
		}
	})
}

func TestListenerOpensOnFirstUse(t *testing.T) {
	t.Parallel()
	l := fakehttp.NewListener(echo)
	if l.Started() {
		t.Fatal("started before use")
	}
	resp, err := l.Client().Get(l.URL() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !l.Started() || resp.StatusCode != http.StatusTeapot {
		t.Errorf("started %v, status %d", l.Started(), resp.StatusCode)
	}
	url := l.URL()
	l.Close()
	l.Close()
	if l.URL() != url {
		t.Errorf("URL after Close = %q, want %q", l.URL(), url)
	}
	if _, err := l.Client().Get(url); err == nil {
		t.Error("request after Close succeeded")
	}

	never := fakehttp.NewListener(echo)
	never.Close()
	if never.URL() != "" || never.Started() {
		t.Errorf("a closed listener opened: %q", never.URL())
	}
}

func ExampleTransport() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "served %s in memory", r.URL.Path)
	})
	c := &http.Client{Transport: fakehttp.Transport(h)}
	resp, err := c.Get("http://anything.example/ping")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: served /ping in memory
}
