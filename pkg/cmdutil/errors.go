package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/config"
	"github.com/replexio/replex/pkg/grants"
)

// Exit codes, documented in docs/exit-codes.md. Only root.Main turns errors
// into these; commands return errors.
const (
	ExitOK          = 0
	ExitFailure     = 1 // API or network failure, or a local failure
	ExitUsage       = 2 // bad flag, argument or grant; nothing was sent
	ExitPartial     = 3 // some items of a bulk operation failed, or an audit found something
	ExitAuth        = 4 // not authenticated or not allowed (no token, 401, 403)
	ExitNotFound    = 5 // the thing asked for does not exist
	ExitInterrupted = 130
)

// UsageError is a mistake in how replex was called. Nothing was sent.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef builds a UsageError.
func Usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// AuthError means there is no usable credential.
type AuthError struct{ Msg string }

func (e *AuthError) Error() string { return e.Msg }

// NotFoundError means the named thing does not exist.
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }

// ExitError carries an explicit exit code; Silent means the message was
// already printed (e.g. a bulk summary).
type ExitError struct {
	Code   int
	Err    error
	Silent bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode maps an error to the documented exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var (
		exitErr  *ExitError
		usage    *UsageError
		grantErr *grants.GrantError
		authErr  *AuthError
		nf       *NotFoundError
		apiErr   *api.Error
		profile  *config.ProfileNameError
		baseURL  *config.BaseURLError
	)
	switch {
	case errors.As(err, &exitErr):
		return exitErr.Code
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &usage), errors.As(err, &grantErr), errors.As(err, &baseURL):
		return ExitUsage
	case errors.As(err, &profile) && profile.Source != config.SourceFile:
		return ExitUsage
	case errors.As(err, &authErr):
		return ExitAuth
	case errors.As(err, &nf):
		return ExitNotFound
	case errors.As(err, &apiErr):
		switch apiErr.StatusCode {
		case 401, 403:
			return ExitAuth
		case 404:
			return ExitNotFound
		}
	}
	return ExitFailure
}

// Message renders err as the one line Main prints, with the fix where the
// error itself does not say it.
func Message(err error) string {
	var (
		apiErr *api.Error
		netErr *api.NetworkError
	)
	msg := err.Error()
	if errors.As(err, &apiErr) {
		// The server names grants as the API spells them (apiKey:read).
		msg = grants.Respell(msg)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &netErr):
		return msg + "; check --base-url or REPLEX_BASE_URL and that the server is up"
	case errors.As(err, &apiErr):
		switch apiErr.StatusCode {
		case 401:
			return "the API token was rejected (" + msg + "); run 'replex auth login' or check REPLEX_API_TOKEN"
		case 403:
			return "not allowed (" + msg + "); use a token that holds this permission"
		case 429:
			if apiErr.RetryAfter != "" {
				return "rate limited (" + msg + "); retry after " + apiErr.RetryAfter + "s"
			}
		}
	}
	return strings.TrimSpace(msg)
}
