package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	rapi "github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
)

// maxPages bounds --paginate whatever the server says: a million tokens at
// the default page size.
const maxPages = 10000

// pager walks the pages of a list by the contract (docs/api.md): 1-based
// page and limit in the query, meta {page, limit, total} in the answer.
type pager struct {
	path  string     // without the query
	query url.Values // with page set to the page to ask for
	page  int
	pages int    // pages fetched so far
	prev  []byte // the data of the last page, to notice a server that repeats it
}

// newPager starts at the path's own page (1 if none) and asks for the
// contract's page size unless the path sets a limit.
func newPager(path string) (*pager, error) {
	base, rawQuery, _ := strings.Cut(path, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, cmdutil.Usagef("--paginate: the query of the path cannot be read: %v", err)
	}
	page := 1
	if s := q.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			return nil, cmdutil.Usagef("--paginate: page=%s is not a page number; pages start at 1", strconv.Quote(s))
		}
	}
	if q.Get("limit") == "" {
		q.Set("limit", strconv.Itoa(rapi.DefaultPageSize))
	}
	q.Set("page", strconv.Itoa(page))
	return &pager{path: base, query: q, page: page}, nil
}

// next is the path of the page to fetch.
func (p *pager) next() string { return p.path + "?" + p.query.Encode() }

// advance reads a page's answer and tells whether another page follows.
// An answer without meta is the whole list. A server that does not move on
// (answers another page than asked, repeats a page, or never ends) is an
// error, not an endless loop.
func (p *pager) advance(body []byte) (bool, error) {
	p.pages++
	var env struct {
		Data json.RawMessage `json:"data"`
		Meta *rapi.Meta      `json:"meta"`
	}
	if json.Unmarshal(body, &env) != nil || env.Meta == nil {
		return false, nil
	}
	m := env.Meta
	var items []json.RawMessage
	if json.Unmarshal(env.Data, &items) != nil {
		return false, fmt.Errorf("--paginate: page %d has meta but its data is not a list; stopping", p.page)
	}
	if m.Page != p.page {
		return false, fmt.Errorf("--paginate: asked for page %d, the server answered page %d; stopping", p.page, m.Page)
	}
	if len(items) == 0 || m.Page*m.Limit >= m.Total {
		return false, nil
	}
	if m.Limit <= 0 {
		return false, fmt.Errorf("--paginate: the server's meta.limit is %d, so the next page cannot be told; stopping", m.Limit)
	}
	if p.prev != nil && bytes.Equal(p.prev, env.Data) {
		return false, fmt.Errorf("--paginate: page %d holds the same items as page %d; stopping", p.page, p.page-1)
	}
	if p.pages >= maxPages {
		return false, fmt.Errorf("--paginate: stopped after %d pages; ask for fewer (a larger limit= or a narrower query)", maxPages)
	}
	p.prev = env.Data
	p.page++
	p.query.Set("page", strconv.Itoa(p.page))
	return true, nil
}
