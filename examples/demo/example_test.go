package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// Run the demo and print the lines that sum it up.
func Example() {
	var out bytes.Buffer
	if err := run(context.Background(), &out, io.Discard); err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "Orders:") || strings.Contains(line, "order 107 skipped") ||
			strings.HasPrefix(line, "  forged") || strings.HasPrefix(line, "  malformed") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// Orders: 10 seeded, 10 taken from the queue, 9 synced, 1 skipped, 0 dead-lettered
	// order 107 skipped: status_not_synced: order 107 has status 0 ("Incomplete"), which is not configured to sync
	// forged credentials: 401 Unauthorized (wrong header value and signature); nothing queued
	// malformed envelope: 400 Bad Request (authentic, but data is not an object); nothing queued
}
