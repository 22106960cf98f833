package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// entrySlot names one PricebookEntry that product syncs keep: a product
// key's entry in one price book and, in a multi-currency org, one currency.
type entrySlot struct {
	book string
	priceKey
}

// maxRememberedEntries bounds the entries a product's version carries
// (about 36 bytes each): a product with more is not remembered, and each of
// its syncs queries its entries.
const maxRememberedEntries = 500

// slotHash is the short, fixed-width name of a slot in a version: the
// first 8 bytes of SHA-256 over its price book, product key and currency,
// in hex. Keys may hold any character; the hash holds none that a version
// uses as a separator.
func slotHash(s entrySlot) string {
	sum := sha256.Sum256([]byte(s.book + "\x00" + s.product + "\x00" + s.currency))
	return hex.EncodeToString(sum[:8])
}

// encodeEntries writes the entry ids of a product's slots for its version:
// "<slot hash>=<id>" pairs, sorted, comma-separated; "" for none or more
// than maxRememberedEntries.
func encodeEntries(ids map[entrySlot]string) string {
	if len(ids) == 0 || len(ids) > maxRememberedEntries {
		return ""
	}
	pairs := make([]string, 0, len(ids))
	for s, id := range ids {
		pairs = append(pairs, slotHash(s)+"="+id)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// decodeEntries reads what encodeEntries wrote, by slot hash; a pair that
// is not well formed is left out, so the slot it named is queried again.
func decodeEntries(s string) map[string]string {
	out := map[string]string{}
	for pair := range strings.SplitSeq(s, ",") {
		h, id, ok := strings.Cut(pair, "=")
		if ok && len(h) == 16 && salesforceID(id) {
			out[h] = id
		}
	}
	return out
}

// recall returns the entry ids of every slot of a product, from what its
// last sync wrote (decodeEntries of its version), and ok false when any
// slot is not among them: a new key, currency or price book, or a product
// bc2sf never wrote.
func recall(remembered map[string]string, res *mapper.ProductResult, books []string, curs []currency) (map[entrySlot]string, bool) {
	if len(remembered) == 0 {
		return nil, false
	}
	ids := map[entrySlot]string{}
	for _, key := range res.Keys() {
		for _, cur := range curs {
			for _, book := range books {
				s := entrySlot{book: book, priceKey: priceKey{product: key, currency: cur.code}}
				id, ok := remembered[slotHash(s)]
				if !ok {
					return nil, false
				}
				ids[s] = id
			}
		}
	}
	return ids, true
}

// writtenEntries returns the entry id of every slot a product's graphs
// wrote: the id Salesforce returned for a created entry, else the existing
// one that was updated.
func (pw *productWrite) writtenEntries(it *entityItem, results map[string]salesforce.GraphResult) map[entrySlot]string {
	ids := map[entrySlot]string{}
	for _, g := range it.graphs {
		for ref, s := range pw.nodes[g.GraphID] {
			id := pw.entries[s]
			if gr, ok := results[g.GraphID]; ok {
				if sub, ok := gr.Result(ref); ok && sub.ID() != "" {
					id = sub.ID()
				}
			}
			if id != "" {
				ids[s] = id
			}
		}
	}
	return ids
}
