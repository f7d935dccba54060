package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/replexio/replex/pkg/secret"
)

// A token deleted from an early page while the later pages are fetched
// shifts the rest one place, so one token slips past unseen. The total
// changes with it, and ListTokens reads the list again.
func TestListTokensRereadsAShiftedList(t *testing.T) {
	var mu sync.Mutex
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("ak_%04d", i)
	}
	deleted := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if page == 2 && !deleted { // someone deletes the first token now
			ids, deleted = ids[1:], true
		}
		data := []Token{}
		for i := (page - 1) * limit; i < page*limit && i < len(ids); i++ {
			data = append(data, Token{ID: ids[i]})
		}
		json.NewEncoder(w).Encode(map[string]any{"status": true, "data": data, "meta": Meta{Page: page, Limit: limit, Total: len(ids)}})
	}))
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL, Org: "o", Token: secret.New("x"), UserAgent: "replex/test", PageParallelism: 1})
	got, err := c.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tok := range got {
		seen[tok.ID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			t.Fatalf("%s exists but was not listed (%d of %d listed)", id, len(got), len(ids))
		}
	}
	if len(got) != len(ids) {
		t.Fatalf("listed %d tokens, %d exist", len(got), len(ids))
	}
}

// TestListFallsBackToPagesOf100: a server refusing limit=1000 with 400 or
// 422 is asked again for pages of 100, without an error, and this client
// keeps asking for 100 afterwards; any other refusal is the error.
func TestListFallsBackToPagesOf100(t *testing.T) {
	for _, status := range []int{400, 422, 500} {
		var mu sync.Mutex
		var limits []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			limits = append(limits, r.URL.Query().Get("limit"))
			mu.Unlock()
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			if limit > 100 {
				w.WriteHeader(status)
				fmt.Fprint(w, `{"status":false,"message":"limit too large","code":"bad_request"}`)
				return
			}
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			data := []Token{}
			for i := (page - 1) * limit; i < page*limit && i < 150; i++ {
				data = append(data, Token{ID: fmt.Sprintf("ak_%d", i)})
			}
			json.NewEncoder(w).Encode(map[string]any{"status": true, "data": data, "meta": Meta{Page: page, Limit: limit, Total: 150}})
		}))
		c := New(Options{BaseURL: srv.URL, Org: "o", Token: secret.New("x"), UserAgent: "replex/test", PageParallelism: 1,
			Retry: &RetryPolicy{Attempts: 1}})
		for range 2 {
			got, err := c.ListTokens(context.Background())
			if status == 500 {
				if StatusOf(err) != 500 {
					t.Errorf("500: err = %v", err)
				}
				continue
			}
			if err != nil || len(got) != 150 {
				t.Errorf("%d: %d tokens, %v", status, len(got), err)
			}
		}
		srv.Close()
		want := "1000 100 100 100 100"
		if status == 500 {
			want = "1000 1000"
		}
		if got := fmt.Sprint(limits); got != "["+want+"]" {
			t.Errorf("%d: limits asked %s, want [%s]", status, got, want)
		}
	}
}
