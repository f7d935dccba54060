package shared

import (
	"context"
	"fmt"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/secret"
)

// StoreOwnToken replaces the credential replex uses after its own token was
// rotated, where it came from the keyring or the config file, and returns
// what to tell the user. A token from REPLEX_API_TOKEN cannot be updated
// from here: the message says so.
func StoreOwnToken(f *cmdutil.Factory, r config.Resolved, tok api.Token, sec secret.Secret) (string, error) {
	switch r.TokenSource {
	case config.SourceEnv:
		return "REPLEX_API_TOKEN still holds the old token: set it to the new secret", nil
	case config.SourceKeyring, config.SourceFile:
	default:
		return "", nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	p, _ := cfg.Profile(r.Profile)
	where := "the OS keyring"
	if r.TokenSource == config.SourceKeyring {
		if err := f.Keyring.Set(r.Profile, sec.Reveal()); err != nil {
			return "", fmt.Errorf("cannot store the new token in the keyring: %w", err)
		}
	} else {
		p.Token = sec.Reveal()
		where = "the config file"
	}
	RecordOwnToken(&p, tok)
	cfg.SetProfile(r.Profile, p)
	if err := cfg.Save(); err != nil {
		return "", err
	}
	return fmt.Sprintf("profile %q now uses the new token (stored in %s)", r.Profile, where), nil
}

// RecordOwnToken notes which token a profile's credential is.
func RecordOwnToken(p *config.Profile, tok api.Token) {
	p.TokenID = tok.ID
	p.TokenExpires = ""
	if tok.ExpiresAt != nil {
		p.TokenExpires = tok.ExpiresAt.UTC().Format(time.RFC3339)
	}
}

// IdentifySelf finds the token the client authenticates with, when it can
// read tokens and exactly one token shows replex's own use.
func IdentifySelf(ctx context.Context, c *api.Client) (api.Token, bool) {
	all, err := c.ListTokens(ctx)
	if err != nil || len(all) == 0 {
		return api.Token{}, false
	}
	self, err := SelfIDs(ctx, c, all)
	if err != nil || len(self) != 1 {
		return api.Token{}, false
	}
	for _, t := range all {
		if self[t.ID] {
			return t, true
		}
	}
	return api.Token{}, false
}
