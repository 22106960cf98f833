package idemredis

import (
	"errors"
	"strconv"
	"strings"

	"github.com/bc2sf/bc2sf/idempotency"
)

// token identifies one delivery: the entry in a priority's stream and the
// entry's delivery count in the group's pending list when it was delivered.
// A redelivery (XCLAIM) raises the count, so an older delivery's token no
// longer matches. It is rendered "<priority>|<entry ID>|<count>".
type token struct {
	prio  idempotency.Priority
	entry string
	count int64
}

func (t token) String() string {
	return strconv.Itoa(int(t.prio)) + "|" + t.entry + "|" + strconv.FormatInt(t.count, 10)
}

var errBadToken = errors.New("malformed delivery token")

// parseToken reads a token made by String. Tokens come back from callers, so
// anything else is an error, never a panic.
func parseToken(s string) (token, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 3 {
		return token{}, errBadToken
	}
	p, err := strconv.Atoi(parts[0])
	if err != nil || !idempotency.Priority(p).Valid() || parts[0] != strconv.Itoa(p) {
		return token{}, errBadToken
	}
	if !validEntryID(parts[1]) {
		return token{}, errBadToken
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || n < 1 || parts[2] != strconv.FormatInt(n, 10) {
		return token{}, errBadToken
	}
	return token{prio: idempotency.Priority(p), entry: parts[1], count: n}, nil
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
