package idemredis

import (
	"errors"
	"strconv"
	"strings"

	"github.com/bc2sf/bc2sf/idempotency"
)

// token identifies one delivery: the entry in a priority's stream, the
// entry's delivery count in the group's pending list when it was delivered
// (from which Retry and DeadLetter count attempts), and the lease deadline
// it was given, in server milliseconds. A redelivery gives the entry a
// later deadline, so an older delivery's token no longer matches the lease
// set. It is rendered "<priority>|<entry ID>|<count>|<deadline>".
type token struct {
	prio  idempotency.Priority
	entry string
	count int64
	until int64
}

func (t token) String() string {
	return strconv.Itoa(int(t.prio)) + "|" + t.entry + "|" + strconv.FormatInt(t.count, 10) +
		"|" + strconv.FormatInt(t.until, 10)
}

var errBadToken = errors.New("malformed delivery token")

// parseToken reads a token made by String. Tokens come back from callers, so
// anything else is an error, never a panic.
func parseToken(s string) (token, error) {
	ps, rest, ok1 := strings.Cut(s, "|")
	entry, rest, ok2 := strings.Cut(rest, "|")
	cs, us, ok3 := strings.Cut(rest, "|")
	if !ok1 || !ok2 || !ok3 {
		return token{}, errBadToken
	}
	p, ok := canonicalInt(ps)
	if !ok || !idempotency.Priority(p).Valid() || !validEntryID(entry) {
		return token{}, errBadToken
	}
	n, ok := canonicalInt(cs)
	if !ok || n < 1 {
		return token{}, errBadToken
	}
	until, ok := canonicalInt(us)
	if !ok || until < 1 {
		return token{}, errBadToken
	}
	return token{prio: idempotency.Priority(p), entry: entry, count: n, until: until}, nil
}

// canonicalInt parses s as a decimal int64 written as String writes it: no
// sign other than '-', no leading zero, nothing else.
func canonicalInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && s == strconv.FormatInt(n, 10)
}

// validEntryID accepts a stream entry ID, "<ms>-<seq>" in decimal, so a
// forged token cannot smuggle a range such as "-" or "+" into XPENDING.
func validEntryID(s string) bool {
	ms, seq, ok := strings.Cut(s, "-")
	return ok && isUint64(ms) && isUint64(seq)
}

func isUint64(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil && (s == "0" || s[0] != '0')
}
