package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// SignStandard returns the Standard Webhooks signature "v1,<base64>" of body
// for message msgID sent at timestamp (truncated to whole Unix seconds),
// keyed by the raw secret bytes. It is what a sender puts in the
// webhook-signature header; tests and fakes use it to sign deliveries.
func SignStandard(secret []byte, msgID string, timestamp time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(msgID))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, timestamp.Unix(), 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignHMAC returns the lower-case hex HMAC-SHA256 of body keyed by secret,
// the value a BodyHMAC scheme accepts (with or without a "sha256=" prefix).
func SignHMAC(secret []byte, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// SetStandardHeaders signs body with SignStandard and sets the three
// Standard Webhooks headers on h, replacing any earlier values.
func SetStandardHeaders(h http.Header, secret []byte, msgID string, timestamp time.Time, body []byte) {
	h.Set(HeaderWebhookID, msgID)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderWebhookSignature, SignStandard(secret, msgID, timestamp, body))
}
