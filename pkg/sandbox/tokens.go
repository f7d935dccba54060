package sandbox

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

// The mutations below run with s.mu held. Each saves before returning and
// undoes itself in memory when the save fails, so memory never runs ahead of
// the file.

// create validates in and stores a new token. A nil caller is the IssueToken
// test helper: no escalation check, and an expiry in the past is allowed.
func (s *Server) create(in api.TokenInput, caller *api.Token) (*record, string, *apiError) {
	now := s.clock()
	perms, expiresAt, err := validateInput(in, now, "", nil, caller == nil)
	if err != nil {
		return nil, "", err
	}
	if caller != nil {
		if err := checkEscalation(caller.Permissions, perms, "grant"); err != nil {
			return nil, "", err
		}
	}
	if s.byName[in.Name] != nil {
		return nil, "", errorf(http.StatusConflict, "conflict", "a token named %q already exists", in.Name)
	}
	rec, raw := s.newRecord(in.Name, perms, expiresAt, now)
	s.insert(rec)
	if err := s.save(); err != nil {
		s.remove(rec)
		return nil, "", internalError(err)
	}
	return rec, raw, nil
}

// update replaces a token's name, permissions and expiry. The caller must
// hold every permission of the token both before and after the change: a
// weaker token may neither raise nor strip a stronger one.
func (s *Server) update(id string, in api.TokenInput, caller api.Token) (api.Token, *apiError) {
	rec := s.byID[id]
	if rec == nil {
		return api.Token{}, tokenNotFound(id)
	}
	now := s.clock()
	perms, expiresAt, err := validateInput(in, now, rec.token.Name, rec.token.ExpiresAt, false)
	if err != nil {
		return api.Token{}, err
	}
	if err := checkEscalation(caller.Permissions, perms, "grant"); err != nil {
		return api.Token{}, err
	}
	if err := checkEscalation(caller.Permissions, rec.token.Permissions, "edit a token holding"); err != nil {
		return api.Token{}, err
	}
	if other := s.byName[in.Name]; other != nil && other != rec {
		return api.Token{}, errorf(http.StatusConflict, "conflict", "a token named %q already exists", in.Name)
	}
	old := rec.token
	updated := rec.token
	updated.Name, updated.Permissions, updated.ExpiresAt, updated.UpdatedAt = in.Name, perms, expiresAt, now
	s.setToken(rec, updated)
	if err := s.save(); err != nil {
		s.setToken(rec, old)
		return api.Token{}, internalError(err)
	}
	return updated, nil
}

func (s *Server) setToken(rec *record, t api.Token) {
	delete(s.byName, rec.token.Name)
	rec.token = t
	s.byName[t.Name] = rec
}

// delete revokes a token. The caller must hold every permission of the
// token it deletes, as for editing: a weaker token may not revoke a stronger
// one. A token may always delete itself, which only gives power up.
func (s *Server) delete(id string, caller api.Token) *apiError {
	rec := s.byID[id]
	if rec == nil {
		return tokenNotFound(id)
	}
	if rec.token.ID != caller.ID {
		if err := checkEscalation(caller.Permissions, rec.token.Permissions, "delete a token holding"); err != nil {
			return err
		}
	}
	s.remove(rec)
	if err := s.save(); err != nil {
		s.insert(rec)
		return internalError(err)
	}
	return nil
}

// validateInput checks a create or replace body and returns the permissions
// normalized and the expiry in API form. An expiry in the past is refused
// unless allowPast, or unless it equals prev: a client renaming an expired
// token sends its old expiry back. Likewise a replace may keep the name the
// token has (prevName) even if today's rule refuses it: a token named
// before the rule can still be edited, and renamed to a valid name.
func validateInput(in api.TokenInput, now time.Time, prevName string, prev *time.Time, allowPast bool) (grants.Set, *time.Time, *apiError) {
	if prevName == "" || in.Name != prevName {
		if err := checkName(in.Name); err != nil {
			return nil, nil, err
		}
	}
	if err := grants.Validate(in.Permissions); err != nil {
		return nil, nil, errorf(http.StatusUnprocessableEntity, "validation_failed", "%s", err)
	}
	var expiresAt *time.Time
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC().Truncate(time.Millisecond)
		unchanged := prev != nil && prev.Equal(t)
		if !t.After(now) && !allowPast && !unchanged {
			return nil, nil, errorf(http.StatusUnprocessableEntity, "validation_failed",
				"expiresAt %s is not in the future", t.Format(time.RFC3339))
		}
		expiresAt = &t
	}
	return in.Permissions.Normalize(), expiresAt, nil
}

func checkName(name string) *apiError {
	invalid := func(format string, args ...any) *apiError {
		return errorf(http.StatusUnprocessableEntity, "validation_failed", format, args...)
	}
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return invalid("name is required")
	case n > api.MaxNameLength:
		return invalid("name is %d characters long; the limit is %d", n, api.MaxNameLength)
	case !utf8.ValidString(name):
		return invalid("name is not valid UTF-8")
	case strings.TrimSpace(name) == "":
		return invalid("name must not be only whitespace")
	}
	if p := api.NameCharProblem(name); p != "" {
		return invalid("name must not contain control, bidi or invisible characters: %s", p)
	}
	return nil
}

// checkEscalation refuses when holder lacks any permission of requested,
// naming what it lacks.
func checkEscalation(holder, requested grants.Set, verb string) *apiError {
	missing := grants.Subtract(requested, holder)
	if len(missing) == 0 {
		return nil
	}
	return errorf(http.StatusForbidden, "forbidden",
		"this token cannot %s permissions it lacks: %s", verb, formatGrants(missing))
}

// formatGrants lists a normalized set as "category:action, ..." in catalog
// order.
func formatGrants(s grants.Set) string {
	var parts []string
	for _, c := range grants.Categories() {
		for _, a := range s[c.Key] {
			parts = append(parts, c.Key+":"+a)
		}
	}
	return strings.Join(parts, ", ")
}

func tokenNotFound(id string) *apiError {
	return errorf(http.StatusNotFound, "not_found", "API token %q not found", id)
}

func internalError(err error) *apiError {
	return errorf(http.StatusInternalServerError, "internal", "%s", err)
}
