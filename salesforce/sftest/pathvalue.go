package sftest

import "strings"

// extensionSuffixes are the endings of an external ID value that the fake,
// like a real org, takes for a file extension when the value is the last
// segment of a URL path. Salesforce's upsert documentation cites
// "example@email.inc" as a value that answers 404 NOT_FOUND; ".inc" is the
// one ending it names, so it is the one the fake refuses.
var extensionSuffixes = [...]string{".inc"}

// looksLikeFile reports whether an external ID value, as decoded from the
// URL path, ends in a suffix Salesforce reads as a file extension. The
// check runs on the decoded value, so escaping the dot in the URL
// ("%2Einc") does not help: only a value that does not end that way does.
func looksLikeFile(value string) bool {
	v := strings.ToLower(value)
	for _, s := range extensionSuffixes {
		if strings.HasSuffix(v, s) {
			return true
		}
	}
	return false
}
