package idemredis

// queueKeys names a Queue's keys. They all carry the hash tag {prefix}, so
// every script's keys sit in one Redis Cluster slot.
type queueKeys struct {
	streams   [2]string // by priority: high, low
	leases    [2]string // by priority: entry ID -> lease deadline (ms)
	delayed   string    // MessagePack message -> due time (ms)
	dead      string    // dead-letter stream
	deadIndex string    // message ID -> dead-letter entry ID
	requeued  string    // copies and delayed messages -> enqueue time (ms)
	dedup     string    // prefix of the per-key dedup strings
}

func newQueueKeys(prefix string) queueKeys {
	base := "{" + prefix + "}:q:"
	return queueKeys{
		streams:   [2]string{base + "high", base + "low"},
		leases:    [2]string{base + "high:leases", base + "low:leases"},
		delayed:   base + "delayed",
		dead:      base + "dead",
		deadIndex: base + "dead:index",
		requeued:  base + "requeued",
		dedup:     base + "dedup:",
	}
}

// idPrefix starts the ID of a message first queued with priority p, so that
// entry IDs of the two streams, which may be equal, give distinct message
// IDs.
var idPrefix = [2]string{"h", "l"}

// storeKey names a Store key. Each Store script touches one key, so the key
// needs no shared hash tag; leaving it out spreads keys over a cluster.
func storeKey(prefix, key string) string {
	return prefix + ":store:" + key
}
