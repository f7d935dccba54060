// Package rotation replaces a token by a new one under the same name without
// ever losing a working credential: the one rotation procedure of tokens
// rotate (single and bulk) and tokens apply --rotate.
package rotation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmd/tokens/delivery"
	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/retired"
)

// Rotation replaces one token by a new one with the same name, grants and
// lifetime, in an order that never loses a working credential:
//
//  1. the old token is renamed to its retired name (package retired),
//     freeing its name (names are unique);
//  2. the replacement is created under the old name;
//  3. its secret is delivered;
//  4. only then is the old token retired: deleted, or with a grace period
//     kept alive until now+grace.
//
// A failure in 1 or 2 puts the old token back as it was; so does a failure
// in 3, after delivery has revoked the new token. A failure after 3 leaves
// both tokens alive and says which old token to retire by hand.
type Rotation struct {
	Grace      time.Duration
	SetExpires bool       // --expires given
	Expires    *time.Time // with SetExpires; nil = never
	Perms      grants.Set // the new token's grants; nil = the old token's
	Now        func() time.Time
	Notice     func(string) // what the orphan-safe create reports; nil = nothing
}

// RetireError means the new secret was delivered but the old token lives on.
type RetireError struct {
	Old     api.Token
	NewID   string
	TmpName string
	Err     error
}

func (e *RetireError) Error() string {
	return fmt.Sprintf("the new token %s was delivered, but the old token %s (now named %q) is still alive: %v; delete it with 'replex tokens delete %s'",
		e.NewID, e.Old.ID, e.TmpName, e.Err, e.Old.ID)
}

func (e *RetireError) Unwrap() error { return e.Err }

// keepOld undoes step 1 after the new secret could not be delivered: with
// the new token revoked, the old one takes its own name back and goes on
// working as if nothing had happened.
func (r Rotation) keepOld(ctx context.Context, c *api.Client, old api.Token, keep api.TokenInput, tmp string, err error) error {
	if de, ok := delivery.IsError(err); !ok || !de.Revoked() {
		return fmt.Errorf("%w; the old token %s still works, named %q", err, old.ID, tmp)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, rbErr := c.UpdateToken(rctx, old.ID, keep); rbErr != nil {
		return fmt.Errorf("%w; the old token %s still works, but renaming it back failed (%v): it is named %q", err, old.ID, rbErr, tmp)
	}
	return fmt.Errorf("%w; the old token %s still works, as %q", err, old.ID, old.Name)
}

// NewExpiry keeps the old token's lifetime unless --expires was given.
func (r Rotation) NewExpiry(old api.Token, now time.Time) *time.Time {
	if r.SetExpires {
		return r.Expires
	}
	if old.ExpiresAt == nil {
		return nil
	}
	lifetime := old.ExpiresAt.Sub(old.CreatedAt)
	if lifetime <= 0 {
		return nil
	}
	t := now.Add(lifetime).Truncate(time.Second).Add(time.Second)
	return &t
}

// RetireDeadline is when the old token stops working with --grace: now+grace,
// but never later than the old token's own expiry.
func (r Rotation) RetireDeadline(old api.Token, now time.Time) *time.Time {
	t := now.Add(r.Grace).Truncate(time.Second).Add(time.Second)
	if old.ExpiresAt != nil && old.ExpiresAt.Before(t) {
		return old.ExpiresAt
	}
	return &t
}

// Run rotates old. deliver must put the new secret in the user's hands; the
// old token is retired only after it returned nil.
func (r Rotation) Run(ctx context.Context, c *api.Client, old api.Token, deliver func(api.CreatedToken) error) (api.CreatedToken, error) {
	now := r.Now()
	tmp := retired.Name(old.Name, now)
	keep := api.TokenInput{Name: old.Name, Permissions: old.Permissions.Normalize(), ExpiresAt: old.ExpiresAt}
	perms := keep.Permissions
	if r.Perms != nil {
		perms = r.Perms.Normalize()
	}

	renamed := keep
	renamed.Name = tmp
	if _, err := c.UpdateToken(ctx, old.ID, renamed); err != nil {
		if api.OutcomeUnknown(err) {
			// The rename may have been done with its answer lost: put the
			// name back (a replace is safe to repeat), even if interrupted.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			_, rbErr := c.UpdateToken(rctx, old.ID, keep)
			cancel()
			if rbErr != nil {
				return api.CreatedToken{}, fmt.Errorf("could not rename the old token to free its name (%w), nor make sure it kept its name (%v); it still works, perhaps under the name %q", err, rbErr, tmp)
			}
		}
		return api.CreatedToken{}, fmt.Errorf("could not rename the old token to free its name (%w); nothing was changed", err)
	}

	// The rename freed the name: no token carries it now.
	created, err := c.CreateTokenFreedName(ctx, api.TokenInput{Name: old.Name, Permissions: perms, ExpiresAt: r.NewExpiry(old, now)}, r.Notice)
	if err != nil {
		if _, rbErr := c.UpdateToken(ctx, old.ID, keep); rbErr != nil {
			return api.CreatedToken{}, fmt.Errorf("creating the replacement failed (%w), and renaming the old token back failed too (%v); it still works, perhaps under the name %q", err, rbErr, tmp)
		}
		return api.CreatedToken{}, fmt.Errorf("creating the replacement failed (%w); the old token is unchanged", err)
	}

	if err := deliver(created); err != nil {
		return created, r.keepOld(ctx, c, old, keep, tmp, err)
	}
	if err := shared.CheckPermissions(perms, created.Permissions); err != nil {
		return created, fmt.Errorf("%w; the old token %s was kept (named %q): compare the two and retire one yourself", err, old.ID, tmp)
	}

	if r.Grace == 0 {
		err = c.DeleteToken(ctx, old.ID)
		if api.StatusOf(err) == 404 {
			err = nil // already gone: retired all the same
		}
	} else {
		retire := renamed
		retire.ExpiresAt = r.RetireDeadline(old, now)
		_, err = c.UpdateToken(ctx, old.ID, retire)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		return created, &RetireError{Old: old, NewID: created.ID, TmpName: tmp, Err: err}
	}
	return created, nil
}
