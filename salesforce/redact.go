package salesforce

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
)

// redacted replaces a credential in errors and log lines.
const redacted = "[redacted]"

// minSecretLen is the shortest secret the redactor looks for: a shorter one
// would match ordinary words and garble every message, and is no
// credential anyway.
const minSecretLen = 4

// redactor removes every form of a set of credentials from text: the raw
// value; its percent-encodings (form encoding with "+" for a space, path
// encoding, "%20" for a space, upper- or lower-case hex); its JSON string
// form; and the parts of its base64 encodings (standard and URL alphabets,
// padded or not, at each of the three offsets a longer encoded text can
// put it at) that depend on the credential alone. A server or proxy that
// echoes a request echoes the credential in one of these forms: in an
// Authorization header, a form body, a JSON body or an HTTP Basic header.
type redactor struct {
	forms []string // longest first, so a longer form is replaced whole
}

// newRedactor returns a redactor for the given credentials; empty and very
// short ones are ignored.
func newRedactor(secrets ...string) *redactor {
	seen := map[string]bool{}
	r := &redactor{}
	add := func(f string) {
		if len(f) >= minSecretLen && !seen[f] {
			seen[f] = true
			r.forms = append(r.forms, f)
		}
	}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		for _, f := range textForms(s) {
			add(f)
		}
		for _, f := range base64Forms(s) {
			add(f)
		}
	}
	sort.Slice(r.forms, func(i, j int) bool { return len(r.forms[i]) > len(r.forms[j]) })
	return r
}

// with returns a redactor for r's credentials and more.
func (r *redactor) with(secrets ...string) *redactor {
	if r == nil {
		return newRedactor(secrets...)
	}
	n := newRedactor(secrets...)
	n.forms = append(n.forms, r.forms...)
	sort.Slice(n.forms, func(i, j int) bool { return len(n.forms[i]) > len(n.forms[j]) })
	return n
}

// textForms are the raw, percent-encoded and JSON-escaped forms of s.
func textForms(s string) []string {
	query := url.QueryEscape(s)
	forms := []string{s, query, url.PathEscape(s), strings.ReplaceAll(query, "+", "%20")}
	for _, f := range forms[1:] {
		forms = append(forms, lowerHex(f))
	}
	if b, err := json.Marshal(s); err == nil {
		forms = append(forms, string(b[1:len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		b := bytes.TrimSpace(buf.Bytes())
		forms = append(forms, string(b[1:len(b)-1]))
	}
	return forms
}

// lowerHex lower-cases the hex digits of every %XX escape in s.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerASCII(b[i+1]), lowerASCII(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// base64Forms are the parts of base64 encodings of s that do not depend on
// what surrounds it: for each offset of s within a 3-byte group, the
// characters that encode only bytes of s, in both alphabets. The whole
// encoding of s alone, with and without padding, is among them too.
func base64Forms(s string) []string {
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(s)), enc.WithPadding(base64.NoPadding).EncodeToString([]byte(s)))
		for k := 0; k < 3; k++ {
			buf := append(make([]byte, k), s...)
			full := enc.WithPadding(base64.NoPadding).EncodeToString(buf)
			// Bytes [k, k+len(s)) of buf are s; the groups of three wholly
			// inside that range encode to four characters each.
			first := (k + 2) / 3 * 3
			last := (k + len(s)) / 3 * 3
			if last-first >= 6 {
				forms = append(forms, full[first/3*4:last/3*4])
			}
		}
	}
	return forms
}

// text returns s with every form of every credential replaced.
func (r *redactor) text(s string) string {
	if r == nil {
		return s
	}
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, redacted)
		}
	}
	return s
}

// bytes is text for a byte slice.
func (r *redactor) bytes(b []byte) []byte {
	if r == nil {
		return b
	}
	for _, f := range r.forms {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(redacted))
		}
	}
	return b
}

// apiError removes the credentials from every text of e.
func (r *redactor) apiError(e *APIError) *APIError {
	if r == nil || e == nil {
		return e
	}
	for i := range e.Errors {
		en := &e.Errors[i]
		en.Code, en.Message = r.text(en.Code), r.text(en.Message)
		for j := range en.Fields {
			en.Fields[j] = r.text(en.Fields[j])
		}
	}
	for i := range e.MatchedURLs {
		e.MatchedURLs[i] = r.text(e.MatchedURLs[i])
	}
	e.Body, e.RequestID = r.text(e.Body), r.text(e.RequestID)
	return e
}
