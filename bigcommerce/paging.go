package bigcommerce

import (
	"context"
	"iter"
)

// maxPages stops a paging loop whose server keeps answering full pages (a
// misbehaving proxy or fake): 100,000 pages of 250 is far past any store.
const maxPages = 100_000

// pageFunc fetches one page (1-based) and reports whether another may follow.
type pageFunc[T any] func(ctx context.Context, page int) (items []T, more bool, err error)

// paginate turns a page fetcher into an iterator. An error is yielded once,
// with the zero T, and ends the iteration; so does the consumer breaking out.
func paginate[T any](ctx context.Context, fetch pageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for page := 1; page <= maxPages; page++ {
			items, more, err := fetch(ctx, page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more || len(items) == 0 {
				return
			}
		}
	}
}

// v3Pagination is meta.pagination of a v3 list.
type v3Pagination struct {
	Total       int64 `json:"total"`
	Count       int   `json:"count"`
	PerPage     int   `json:"per_page"`
	CurrentPage int   `json:"current_page"`
	TotalPages  int   `json:"total_pages"`
}

// v3List is the envelope of a v3 list: {data: [...], meta: {pagination}}.
type v3List[T any] struct {
	Data []T `json:"data"`
	Meta struct {
		Pagination v3Pagination `json:"pagination"`
	} `json:"meta"`
}

// more reports whether a page after page exists. Without pagination data it
// falls back to "the page was full".
func (l *v3List[T]) more(page, limit int) bool {
	p := l.Meta.Pagination
	if p.TotalPages > 0 {
		return page < p.TotalPages
	}
	return len(l.Data) >= limit
}

// clampLimit returns limit within 1..upper, or def when it is 0 or less.
func clampLimit(limit, def, upper int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, upper)
}
