package bctest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// maxV3Limit is the largest page the fake's v3 lists serve.
const maxV3Limit = 250

// pagination is meta.pagination of a v3 list.
type pagination struct {
	Total       int               `json:"total"`
	Count       int               `json:"count"`
	PerPage     int               `json:"per_page"`
	CurrentPage int               `json:"current_page"`
	TotalPages  int               `json:"total_pages"`
	Links       map[string]string `json:"links"`
}

type listMeta struct {
	Pagination pagination `json:"pagination"`
}

type listBody[T any] struct {
	Data []T      `json:"data"`
	Meta listMeta `json:"meta"`
}

type itemBody[T any] struct {
	Data T        `json:"data"`
	Meta struct{} `json:"meta"`
}

// paginate cuts one page out of items and describes it. Links are query
// strings relative to the list, as the real API prints them.
func paginate[T any](items []T, page, limit int) listBody[T] {
	rows := pageOf(items, page, limit)
	pages := (len(items) + limit - 1) / limit
	link := func(p int) string {
		return "?" + url.Values{"page": {strconv.Itoa(p)}, "limit": {strconv.Itoa(limit)}}.Encode()
	}
	links := map[string]string{"current": link(page)}
	if page > 1 {
		links["previous"] = link(page - 1)
	}
	if page < pages {
		links["next"] = link(page + 1)
	}
	return listBody[T]{
		Data: orEmpty(rows),
		Meta: listMeta{Pagination: pagination{
			Total: len(items), Count: len(rows), PerPage: limit, CurrentPage: page,
			TotalPages: pages, Links: links,
		}},
	}
}

// checkV3Query answers 422 naming the bad parameter, and reports whether
// the request may go on.
func checkV3Query(w http.ResponseWriter, q *query, tooLarge bool) bool {
	var bad *badParam
	switch {
	case q.err != nil:
		bad, _ = q.err.(*badParam)
	case tooLarge:
		bad = &badParam{name: "limit", want: fmt.Sprintf("at most %d", maxV3Limit)}
	default:
		return true
	}
	fields := map[string]string{}
	if bad != nil {
		fields[bad.name] = bad.Error()
	}
	writeV3Error(w, http.StatusUnprocessableEntity, "The filter(s) are invalid", fields)
	return false
}
