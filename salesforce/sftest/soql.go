package sftest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// errMalformedQuery is wrapped by every error parseSOQL returns.
var errMalformedQuery = errors.New("sftest: malformed query")

// maxQueryLen bounds the SOQL text accepted, as Salesforce does (100,000
// characters by default).
const maxQueryLen = 100000

// soqlQuery is the parsed form of the SOQL subset the fake understands:
//
//	SELECT f1, f2, Parent.f3 FROM Object
//	  [WHERE cond [AND cond ...]] [ORDER BY f [ASC|DESC]] [LIMIT n]
//
// where cond is `field = value`, `field != value`, `field <> value`,
// `field IN (v, ...)` or `field NOT IN (v, ...)`, and a value is a quoted
// string, a number, true, false or null. Keywords are case-insensitive.
type soqlQuery struct {
	Fields  []string
	Object  string
	Where   []condition
	OrderBy string
	Desc    bool
	Limit   int // -1 when absent
}

// condition is one comparison of a WHERE clause.
type condition struct {
	Field  string
	Op     string // "=", "!=", "IN" or "NOT IN"
	Values []literal
}

// literal is one SOQL value.
type literal struct {
	Kind litKind
	Text string // unescaped string, number text, "true"/"false", or "" for null
}

// litKind tells the type of a literal.
type litKind int

// The literal kinds.
const (
	litString litKind = iota + 1
	litNumber
	litBool
	litNull
)

type tokKind int

const (
	tkEOF tokKind = iota
	tkIdent
	tkString
	tkNumber
	tkComma
	tkLParen
	tkRParen
	tkOp
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// parseSOQL parses q. Every error wraps errMalformedQuery; it never panics,
// whatever q holds.
func parseSOQL(q string) (*soqlQuery, error) {
	if len(q) > maxQueryLen {
		return nil, fmt.Errorf("%w: query longer than %d characters", errMalformedQuery, maxQueryLen)
	}
	if !utf8.ValidString(q) {
		return nil, fmt.Errorf("%w: query is not valid UTF-8", errMalformedQuery)
	}
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.query()
}

func lex(q string) ([]token, error) {
	var out []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ',':
			out = append(out, token{tkComma, ",", i})
			i++
		case c == '(':
			out = append(out, token{tkLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tkRParen, ")", i})
			i++
		case c == '=':
			out = append(out, token{tkOp, "=", i})
			i++
		case c == '!' || c == '<':
			if i+1 < len(q) && (c == '!' && q[i+1] == '=' || c == '<' && q[i+1] == '>') {
				out = append(out, token{tkOp, "!=", i})
				i += 2
				continue
			}
			return nil, fmt.Errorf("%w: unexpected token: '%c' at %d", errMalformedQuery, c, i)
		case c == '\'':
			s, n, err := lexString(q[i:])
			if err != nil {
				return nil, fmt.Errorf("%w at %d", err, i)
			}
			out = append(out, token{tkString, s, i})
			i += n
		case c == '-' || c == '+' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(q) && (q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			text := q[i:j]
			if _, err := strconv.ParseFloat(text, 64); err != nil {
				return nil, fmt.Errorf("%w: bad number %q at %d", errMalformedQuery, text, i)
			}
			out = append(out, token{tkNumber, strings.TrimPrefix(text, "+"), i})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(q) && (isIdentStart(q[j]) || q[j] >= '0' && q[j] <= '9' || q[j] == '.') {
				j++
			}
			out = append(out, token{tkIdent, q[i:j], i})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			return nil, fmt.Errorf("%w: unexpected token: '%c' at %d", errMalformedQuery, r, i)
		}
	}
	return append(out, token{tkEOF, "", len(q)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// lexString reads a quoted literal that starts at s[0], a single quote, and returns its
// unescaped value and how many bytes it spanned. The escapes are those SOQL
// allows outside LIKE: \n \r \t \b \f \" \' \\ and \uXXXX; any other
// backslash is an error.
func lexString(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("%w: unterminated escape", errMalformedQuery)
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case '"', '\'', '\\':
				b.WriteByte(s[i])
			case 'u':
				if i+4 >= len(s) {
					return "", 0, fmt.Errorf("%w: short \\u escape", errMalformedQuery)
				}
				n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
				if err != nil {
					return "", 0, fmt.Errorf("%w: bad \\u escape", errMalformedQuery)
				}
				b.WriteRune(rune(n))
				i += 4
			default:
				return "", 0, fmt.Errorf("%w: invalid escape sequence \\%c", errMalformedQuery, s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated string literal", errMalformedQuery)
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token) error {
	if t.kind == tkEOF {
		return fmt.Errorf("%w: unexpected end of query", errMalformedQuery)
	}
	return fmt.Errorf("%w: unexpected token: '%s' at %d", errMalformedQuery, t.text, t.pos)
}

func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if t.kind == tkIdent && strings.EqualFold(t.text, kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) error {
	if !p.keyword(kw) {
		return p.unexpected(p.peek())
	}
	return nil
}

// isReserved reports whether w is a SOQL keyword the subset uses.
func isReserved(w string) bool {
	switch strings.ToLower(w) {
	case "select", "from", "where", "and", "or", "not", "in", "limit", "order", "by", "asc", "desc", "null", "true", "false":
		return true
	}
	return false
}

func (p *parser) ident() (string, error) {
	t := p.next()
	if t.kind != tkIdent || isReserved(t.text) ||
		strings.HasPrefix(t.text, ".") || strings.HasSuffix(t.text, ".") || strings.Contains(t.text, "..") {
		return "", p.unexpected(t)
	}
	return t.text, nil
}

func (p *parser) query() (*soqlQuery, error) {
	q := &soqlQuery{Limit: -1}
	if err := p.expectKeyword("SELECT"); err != nil {
		return nil, err
	}
	for {
		f, err := p.ident()
		if err != nil {
			return nil, err
		}
		q.Fields = append(q.Fields, f)
		if p.peek().kind != tkComma {
			break
		}
		p.next()
	}
	if err := p.expectKeyword("FROM"); err != nil {
		return nil, err
	}
	obj, err := p.ident()
	if err != nil || strings.Contains(obj, ".") {
		return nil, fmt.Errorf("%w: bad object name", errMalformedQuery)
	}
	q.Object = obj
	if p.keyword("WHERE") {
		for {
			c, err := p.cond()
			if err != nil {
				return nil, err
			}
			q.Where = append(q.Where, c)
			if !p.keyword("AND") {
				break
			}
		}
	}
	if p.keyword("ORDER") {
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		if q.OrderBy, err = p.ident(); err != nil {
			return nil, err
		}
		if p.keyword("DESC") {
			q.Desc = true
		} else {
			p.keyword("ASC")
		}
	}
	if p.keyword("LIMIT") {
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != tkNumber || err != nil || n < 0 {
			return nil, p.unexpected(t)
		}
		q.Limit = n
	}
	if t := p.peek(); t.kind != tkEOF {
		return nil, p.unexpected(t)
	}
	return q, nil
}

func (p *parser) cond() (condition, error) {
	field, err := p.ident()
	if err != nil {
		return condition{}, err
	}
	c := condition{Field: field}
	switch t := p.peek(); {
	case t.kind == tkOp:
		p.next()
		c.Op = t.text
		v, err := p.lit()
		if err != nil {
			return condition{}, err
		}
		c.Values = []literal{v}
		return c, nil
	case p.keyword("NOT"):
		if err := p.expectKeyword("IN"); err != nil {
			return condition{}, err
		}
		c.Op = "NOT IN"
	case p.keyword("IN"):
		c.Op = "IN"
	default:
		return condition{}, p.unexpected(t)
	}
	if t := p.next(); t.kind != tkLParen {
		return condition{}, p.unexpected(t)
	}
	for {
		v, err := p.lit()
		if err != nil {
			return condition{}, err
		}
		c.Values = append(c.Values, v)
		t := p.next()
		if t.kind == tkRParen {
			return c, nil
		}
		if t.kind != tkComma {
			return condition{}, p.unexpected(t)
		}
	}
}

func (p *parser) lit() (literal, error) {
	t := p.next()
	switch t.kind {
	case tkString:
		return literal{Kind: litString, Text: t.text}, nil
	case tkNumber:
		return literal{Kind: litNumber, Text: t.text}, nil
	case tkIdent:
		switch strings.ToLower(t.text) {
		case "true", "false":
			return literal{Kind: litBool, Text: strings.ToLower(t.text)}, nil
		case "null":
			return literal{Kind: litNull}, nil
		}
	}
	return literal{}, p.unexpected(t)
}
