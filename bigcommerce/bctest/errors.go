package bctest

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Sentinel errors returned by the seeding and inspection methods. They are
// wrapped with detail, so match them with errors.Is.
var (
	// ErrNotFound reports that no order, customer or hook has the given id.
	ErrNotFound = errors.New("bctest: not found")
	// ErrInvalid reports a fixture or option the fake cannot serve, such as a
	// money field that is not a decimal string.
	ErrInvalid = errors.New("bctest: invalid value")
	// ErrConflict reports an id that is already taken, or a second hook for
	// the same scope and destination.
	ErrConflict = errors.New("bctest: conflict")
)

// errorType is the "type" member of every v3 error body, as printed in the
// examples of BigCommerce's OpenAPI files.
const errorType = "/api-docs/getting-started/api-status-codes"

// v2Error is one element of the JSON array a v2 route answers on error.
type v2Error struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// v3Error is the object a v3 route (and the API gateway, on any route)
// answers on error.
type v3Error struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors,omitempty"`
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Every value passed here is built by the fake itself; failing to
		// encode one is a bug in the fake, reported as such to the client.
		status = http.StatusInternalServerError
		body = []byte(`{"status":500,"title":"bctest: cannot encode response","type":"` + errorType + `"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeV2Error answers the array-shaped error of the v2 API.
func writeV2Error(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, []v2Error{{Status: status, Message: message}})
}

// writeV3Error answers the object-shaped error of the v3 API and the gateway.
func writeV3Error(w http.ResponseWriter, status int, title string, fields map[string]string) {
	writeJSON(w, status, v3Error{Status: status, Title: title, Type: errorType, Errors: fields})
}

// notFoundV2 is the body of a v2 404, verbatim from the Orders v2 OpenAPI file.
const notFoundV2 = "The requested resource was not found."
