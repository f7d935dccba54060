package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/replexio/replex/pkg/grants"
)

// reconcileTimeout bounds the clean-up after a lost create, which goes on
// even when interrupted: the user asked to stop, not to leave a live
// credential nobody holds.
const reconcileTimeout = 15 * time.Second

// OrphanError means a create's outcome was unknown and replex could not make
// sure that no token was left behind: the user must check by hand.
type OrphanError struct {
	Name  string
	Cause error // why the create's outcome is unknown
	Err   error // why the check or the clean-up failed
	ID    string
}

func (e *OrphanError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("token %q (%s) was created but its secret was lost in transit (%s), and deleting it failed (%s): delete it with 'replex tokens delete %s'",
			e.Name, e.ID, briefCause(e.Cause), e.Err, e.ID)
	}
	return fmt.Sprintf("creating token %q got no usable answer (%s), and checking whether it was created anyway failed (%s): run 'replex tokens list --name %q' and delete any such token you did not receive a secret for",
		e.Name, briefCause(e.Cause), e.Err, e.Name)
}

func (e *OrphanError) Unwrap() error { return e.Err }

// CreateTokenReconciled creates a token and makes sure that no token whose
// secret was lost stays behind. The contract has no idempotency key, so a
// create whose outcome is unknown (the connection dropped, the answer timed
// out or was garbled, a 5xx, an interruption) cannot simply be repeated:
// the first may have been done, and its secret is then lost. Instead:
//
//  1. before creating, it notes which tokens already carry the name;
//  2. after an unknown outcome it lists the tokens, deletes any token of
//     that name that was not there before and holds exactly the permissions
//     and expiry asked for (nobody can use its secret), and tells notice;
//  3. then it creates again, up to the policy's CreateRounds times.
//
// The end state is one token whose secret is returned, or none and an
// error. A token of that name that does not match what was asked is left
// alone and reported: it is someone else's. Names are unique in the
// contract, so another client creating the same name at the same instant
// is the one case this cannot tell apart (docs/security.md). A caller that
// may not list tokens (403) gets a plain create and, after an unknown
// outcome, an OrphanError saying what to check.
func (c *Client) CreateTokenReconciled(ctx context.Context, in TokenInput, notice func(string)) (CreatedToken, error) {
	if notice == nil {
		notice = func(string) {}
	}
	// A token may create tokens without reading them (apiKey:create but
	// not apiKey:read): it still creates, only without the clean-up.
	before, err := c.ListTokens(ctx)
	listErr := err
	switch {
	case StatusOf(err) == 403:
	case err != nil:
		return CreatedToken{}, err
	}
	existed := map[string]bool{}
	for _, t := range before {
		if t.Name == in.Name {
			existed[t.ID] = true
		}
	}
	return c.createReconciled(ctx, in, existed, listErr, notice)
}

// CreateTokenFreedName is CreateTokenReconciled for a name the caller has
// just freed, as a rotation does by renaming the token that held it, or has
// just seen free in a listing of its own, as tokens apply does: no token
// carries the name, so the listing beforehand, which costs a bulk rotation
// (or an apply) of n tokens n listings of all of them, is skipped. The
// clean-up after an unknown outcome is the same.
func (c *Client) CreateTokenFreedName(ctx context.Context, in TokenInput, notice func(string)) (CreatedToken, error) {
	if notice == nil {
		notice = func(string) {}
	}
	return c.createReconciled(ctx, in, map[string]bool{}, nil, notice)
}

// createReconciled creates in, cleaning up after unknown outcomes; existed
// holds the ids of the tokens that carried the name before, and listErr why
// they could not be listed.
func (c *Client) createReconciled(ctx context.Context, in TokenInput, existed map[string]bool, listErr error, notice func(string)) (CreatedToken, error) {
	rounds := c.retrier.policy.CreateRounds
	var lastErr error
	for round := 1; ; round++ {
		created, err := c.CreateToken(ctx, in)
		if err == nil {
			return created, nil
		}
		// A conflict after a lost answer, for a name that was free, is
		// that earlier create: clean it up like any unknown outcome.
		conflictFromLost := lastErr != nil && StatusOf(err) == 409 && len(existed) == 0
		if !OutcomeUnknown(err) && !conflictFromLost {
			return CreatedToken{}, err
		}
		lastErr = err
		if listErr != nil {
			return CreatedToken{}, &OrphanError{Name: in.Name, Cause: err, Err: listErr}
		}
		// The clean-up outlives an interruption, now or while it runs.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
		removed, rerr := c.removeOrphans(cctx, in, existed, err, notice)
		cancel()
		if rerr != nil {
			return CreatedToken{}, rerr
		}
		if ctx.Err() != nil {
			return CreatedToken{}, ctx.Err()
		}
		if round >= rounds {
			break
		}
		if removed > 0 {
			notice(fmt.Sprintf("trying again to create token %q (attempt %d of %d)", in.Name, round+1, rounds))
		} else {
			notice(fmt.Sprintf("creating token %q got no usable answer (%s) and no such token appeared; trying again (attempt %d of %d)",
				in.Name, briefCause(err), round+1, rounds))
		}
		c.retries.Add(1)
		if err := c.retrier.sleep(ctx, c.retrier.policy.backoff(round, 0, c.retrier.draw)); err != nil {
			return CreatedToken{}, err
		}
	}
	// Not wrapped: the last error may be the 409 of an orphan since deleted,
	// which must not read as "the name is taken".
	return CreatedToken{}, fmt.Errorf("creating token %q failed %d times without a usable answer (last: %s); no token was left behind", in.Name, rounds, lastErr)
}

// removeOrphans deletes the tokens named in.Name that did not exist before
// and match in, and returns how many it deleted.
func (c *Client) removeOrphans(ctx context.Context, in TokenInput, existed map[string]bool, cause error, notice func(string)) (int, error) {
	var all []Token
	err := c.persist(ctx, func() (err error) {
		all, err = c.ListTokens(ctx)
		return err
	})
	if err != nil {
		return 0, &OrphanError{Name: in.Name, Cause: cause, Err: err}
	}
	removed := 0
	for _, t := range all {
		if t.Name != in.Name || existed[t.ID] {
			continue
		}
		if !matches(t, in) {
			return removed, fmt.Errorf("creating token %q got no usable answer (%s), and a token of that name appeared (%s) that does not hold the permissions and expiry asked for: it may be someone else's, so replex left it alone; check it with 'replex tokens get %s'",
				in.Name, briefCause(cause), t.ID, t.ID)
		}
		if err := c.persist(ctx, func() error { return c.DeleteToken(ctx, t.ID) }); err != nil && StatusOf(err) != 404 {
			return removed, &OrphanError{Name: in.Name, Cause: cause, ID: t.ID, Err: err}
		}
		removed++
		notice(fmt.Sprintf("a token named %q was created but its secret was lost in transit; deleted it (%s)", in.Name, t.ID))
	}
	return removed, nil
}

// cleanupRounds is how many times the clean-up repeats a request that
// failed after all its own retries: a token left behind is worse than a
// wait, and reconcileTimeout bounds it all.
const cleanupRounds = 3

// persist runs op, a request with its own retries, up to cleanupRounds
// times while it fails in a way that may pass.
func (c *Client) persist(ctx context.Context, op func() error) error {
	for round := 1; ; round++ {
		err := op()
		if err == nil || round >= cleanupRounds || ctx.Err() != nil {
			return err
		}
		var ae *Error
		transient := fateOf(err) != fateAnswered || (errors.As(err, &ae) && ae.StatusCode == 429)
		if !transient {
			return err
		}
		if c.retrier.sleep(ctx, c.retrier.policy.backoff(c.retrier.policy.Attempts+round, 0, c.retrier.draw)) != nil {
			return err
		}
	}
}

// matches reports whether t is what a create of in makes.
func matches(t Token, in TokenInput) bool {
	if !grants.Equal(t.Permissions, in.Permissions.Normalize()) {
		return false
	}
	if t.ExpiresAt == nil || in.ExpiresAt == nil {
		return t.ExpiresAt == nil && in.ExpiresAt == nil
	}
	// Servers may round times; a second covers any of them.
	d := t.ExpiresAt.Sub(*in.ExpiresAt)
	return d > -time.Second && d < time.Second
}

// briefCause says in a few words why an answer was unusable.
func briefCause(err error) string {
	var ae *Error
	var ne *NetworkError
	switch {
	case errors.As(err, &ae) && ae.garbled():
		return fmt.Sprintf("HTTP %d with a body that is not the Replex envelope", ae.StatusCode)
	case errors.As(err, &ae):
		return fmt.Sprintf("HTTP %d", ae.StatusCode)
	case errors.As(err, &ne):
		return shortCause(ne.Err)
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return shortCause(err)
}
