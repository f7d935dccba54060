package shared

import (
	"fmt"
	"strings"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/retired"
)

// RetiredState says whether a retired token still works, and until when.
func RetiredState(t api.Token, now time.Time) string {
	switch {
	case t.ExpiresAt == nil:
		return "still works and never expires"
	case t.Expired(now):
		return "expired at " + Timestamp(t.ExpiresAt)
	}
	return "still works until " + Timestamp(t.ExpiresAt)
}

// TwinNote is the stderr line about one retired twin of the token named
// name that still works: it must not go unnoticed when the user looks at
// or deletes name.
func TwinNote(twin api.Token, name string, now time.Time) string {
	return fmt.Sprintf("note: the retired token %q (%s) of %q %s; delete it with 'replex tokens delete %s'",
		output.Sanitize(twin.Name), twin.ID, output.Sanitize(name), RetiredState(twin, now), twin.ID)
}

// RetiredSelfNote is the stderr line shown about a retired token itself.
func RetiredSelfNote(t api.Token, now time.Time) string {
	of := "another token"
	if tw, ok := retired.Parse(t.Name); ok && !tw.Cut {
		of = fmt.Sprintf("%q", output.Sanitize(tw.Of))
	}
	return fmt.Sprintf("note: this is a retired token, left by a graceful rotation of %s; it %s", of, RetiredState(t, now))
}

// RetiredStillWork is "the retired token(s) ID, ... of that name still
// work(s)", for a "not found" that must not hide a working credential.
func RetiredStillWork(ts []api.Token) string {
	ids := strings.Join(SortedIDs(ts), ", ")
	if len(ts) == 1 {
		return "the retired token " + ids + " of that name still works"
	}
	return "the retired tokens " + ids + " of that name still work"
}
