package deadletter

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{"when": when}).ParseFS(assets, "assets/pages.html"))

// page is what every template gets.
type page struct {
	Title    string
	Operator string
	CSRF     string
	Flash    string
	Error    string
	Name     string
	Status   string
	Stats    statsView
	List     listing
	Letter   *letter
}

// render writes the template name with status. It renders into a buffer
// first, so a template error becomes a 500 and never half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if id := who(r); id.operator != "" {
		p.Operator = id.operator
		if id.session != nil {
			p.CSRF = id.session.csrf()
		}
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, p); err != nil {
		c.log.Error("dead-letter console: template failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	c.render(w, r, status, "login", page{Title: "Log in", Name: name, Error: msg})
}

// fail answers an error: JSON {"error": msg} on the API, a small page
// otherwise. msg is always the console's own text, never an input echoed
// back or an error from the queue.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	c.render(w, r, status, "error", page{Title: http.StatusText(status),
		Status: strconv.Itoa(status) + " " + http.StatusText(status), Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// asset serves an embedded file. Static files hold no data and no secret,
// so they need no login: the login page uses them too.
func asset(name, contentType string) handlerFunc {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // the files are embedded at build time
	}
	return func(_ *Console, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

// when formats a time for the page: UTC, to the second, and how long ago.
func when(t *time.Time) string {
	if t == nil {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// Formatting of the stats; the page's script shows the same texts from
// GET api/stats.
func (v *statsView) format() {
	v.Text = map[string]string{
		"depth": strconv.Itoa(v.Depth), "ready": strconv.Itoa(v.Ready), "delayed": strconv.Itoa(v.Delayed),
		"in_flight": strconv.Itoa(v.InFlight), "dead": strconv.Itoa(v.Dead),
		"oldest": "none", "dead_rate": "unknown", "depth_rate": "unknown", "usage": "unknown",
	}
	if v.OldestAgeSeconds != nil {
		v.Text["oldest"] = formatAge(time.Duration(*v.OldestAgeSeconds * float64(time.Second)))
	}
	if v.DeadPerMinute != nil {
		v.Text["dead_rate"] = fmt.Sprintf("%+.1f", *v.DeadPerMinute)
		v.Text["depth_rate"] = fmt.Sprintf("%+.1f", *v.DepthPerMinute)
	}
	if u := v.Usage; u != nil {
		v.Text["usage"] = fmt.Sprintf("%d of %d calls (%.1f%%)", u.Used, u.Limit, u.Percent)
	}
}

// formatAge shows an age to the second, or to the minute past an hour.
func formatAge(d time.Duration) string {
	if d >= time.Hour {
		return d.Truncate(time.Minute).String()
	}
	return d.Round(time.Second).String()
}
