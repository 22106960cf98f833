package mapper

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Salesforce's lengths of the standard fields the mapper writes.
const (
	maxFirstName       = 40
	maxLastName        = 80
	maxAccountName     = 255
	maxOpportunityName = 120
	maxEmail           = 80
	maxPhone           = 40
	maxStreet          = 255
	maxCity            = 40
	maxState           = 80
	maxPostalCode      = 20
	maxCountry         = 80
	maxDescription     = 255
)

func validText(s string) bool { return utf8.ValidString(s) }

// sanitize replaces each run of invalid UTF-8 bytes with U+FFFD and trims
// surrounding white space. It reports whether bytes were replaced.
func sanitize(s string) (string, bool) {
	replaced := false
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		replaced = true
	}
	return strings.TrimSpace(s), replaced
}

// truncate cuts s to at most max UTF-16 code units, never inside a
// character, and trims white space left at the cut. It reports whether s was
// cut. Salesforce stores text as Java strings, so a character outside the
// Basic Multilingual Plane (most emoji) counts twice; counting that way never
// exceeds the limit, whichever way the org counts.
func truncate(s string, max int) (string, bool) {
	if max <= 0 || len(s) <= max {
		// Every UTF-16 code unit takes at least one byte in UTF-8.
		return s, false
	}
	units := 0
	for i, r := range s {
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > max {
			return strings.TrimRightFunc(s[:i], isSpace), true
		}
		units += n
	}
	return s, false
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// normalizeEmail trims and lower-cases an e-mail address.
func normalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// plausibleEmail reports whether s has one "@" between a non-empty local
// part and a domain with a dot, and no white space: enough to keep values
// Salesforce's Email type rejects out of the Email field.
func plausibleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') {
		return false
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	return !strings.ContainsFunc(s, isSpace)
}

// truncated shortens a value quoted in a message to 32 characters.
func truncated(s string) string {
	if cut, ok := truncate(s, 32); ok {
		return cut + "..."
	}
	return s
}
