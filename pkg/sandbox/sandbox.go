// Package sandbox is a local HTTP server speaking the Replex API contract
// (docs/api.md), for tests and demos. It enforces authentication,
// permissions, privilege escalation rules and validation as a real server
// would, and keeps its state in a JSON file that every change rewrites
// atomically before it is answered.
package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/grants"
)

// Options configures a Server.
type Options struct {
	DataFile   string           // state file; "" keeps everything in memory
	SeedTokens int              // tokens to invent when the state is fresh (ignored when DataFile exists)
	Now        func() time.Time // nil means time.Now
	Log        io.Writer        // one line per request: method, path, status, duration; nil discards
	Faults     Faults           // misbehaviour to inject (faults.go); the zero value injects none
	// MaxPageSize is the largest page of the token list; 0 means
	// api.ListPageSize. A larger limit is answered with this many tokens
	// (meta.limit says so), or with 400 when RefuseLargePages is set, as
	// some servers do.
	MaxPageSize      int
	RefuseLargePages bool
	// OnSecret, when set, is called with every secret the sandbox issues,
	// so that tests can search all output for leaks. It runs under the
	// state lock: it must be quick and must not call the Server.
	OnSecret func(secret string)
}

// adminName is the name of the bootstrap token holding every permission.
const adminName = "sandbox-admin"

// Server is the sandbox. All its state sits behind one mutex: the sandbox
// serves one user, and a single lock makes "save before answering" trivial.
type Server struct {
	file  string
	now   func() time.Time
	log   io.Writer
	logMu sync.Mutex

	mu          sync.Mutex
	org         api.Organization
	adminID     string
	adminSecret string
	byID        map[string]*record
	byHash      map[string]*record
	byName      map[string]*record
	ordered     []*record // list order cache; nil when stale
	usageDirty  bool      // lastUsedAt changed since the last save
	onSecret    func(string)

	faults faultState

	maxPage          int
	refuseLargePages bool
}

// record is a stored token. Its fields are replaced, never mutated in place,
// so a copied api.Token stays valid after the lock is released.
type record struct {
	token api.Token
	hash  string // hex SHA-256 of the secret
}

// New loads the state from opts.DataFile, or creates a fresh organization
// with a bootstrap admin token (and opts.SeedTokens invented tokens) and
// saves it. A state whose admin token was deleted, expired or stripped of
// permissions gets a fresh admin token.
func New(opts Options) (*Server, error) {
	if opts.SeedTokens < 0 {
		return nil, fmt.Errorf("sandbox: SeedTokens must not be negative (got %d)", opts.SeedTokens)
	}
	if err := opts.Faults.Validate(); err != nil {
		return nil, err
	}
	if opts.MaxPageSize < 0 {
		return nil, fmt.Errorf("sandbox: MaxPageSize must not be negative (got %d)", opts.MaxPageSize)
	}
	if opts.MaxPageSize == 0 {
		opts.MaxPageSize = api.ListPageSize
	}
	s := &Server{
		file:     opts.DataFile,
		now:      opts.Now,
		log:      opts.Log,
		byID:     map[string]*record{},
		byHash:   map[string]*record{},
		byName:   map[string]*record{},
		onSecret: opts.OnSecret,

		maxPage:          opts.MaxPageSize,
		refuseLargePages: opts.RefuseLargePages,
	}
	s.faults.set(opts.Faults)
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = io.Discard
	}
	loaded, err := s.load()
	if err != nil {
		return nil, err
	}
	changed := !loaded
	if !loaded {
		now := s.clock()
		s.org = api.Organization{ID: "org_" + randomHex(6), Name: "Sandbox Organization", CreatedAt: &now}
		s.seed(opts.SeedTokens)
	}
	if !s.adminUsable() {
		s.mintAdmin()
		changed = true
	}
	if changed {
		if err := s.save(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// OrgID is the id of the sandbox's only organization.
func (s *Server) OrgID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.org.ID
}

// AdminSecret is the raw secret of the bootstrap admin token, which holds
// every permission. It stays stale if the token is deleted while running;
// the next New mints a fresh one.
func (s *Server) AdminSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adminSecret
}

// IssueToken creates a token directly, bypassing authentication, and returns
// it with its raw secret. Unlike the API it accepts an expiry in the past, so
// tests can make expired tokens; names and permissions are still validated.
func (s *Server) IssueToken(name string, perms grants.Set, expiresAt *time.Time) (api.Token, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := api.TokenInput{Name: name, Permissions: perms, ExpiresAt: expiresAt}
	rec, raw, apiErr := s.create(in, nil)
	if apiErr != nil {
		return api.Token{}, "", apiErr
	}
	return cloneToken(rec.token), raw, nil
}

// Tokens is a snapshot of every token, in list order.
func (s *Server) Tokens() []api.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]api.Token, 0, len(s.byID))
	for _, rec := range s.sorted() {
		out = append(out, cloneToken(rec.token))
	}
	return out
}

// Close saves usage times (lastUsedAt) that no write has persisted yet.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.usageDirty {
		return nil
	}
	return s.save()
}

// clock is the current time as the API writes it: UTC, milliseconds.
func (s *Server) clock() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

// sorted returns the tokens in list order: createdAt, then id.
func (s *Server) sorted() []*record {
	if s.ordered == nil {
		s.ordered = make([]*record, 0, len(s.byID))
		for _, rec := range s.byID {
			s.ordered = append(s.ordered, rec)
		}
		slices.SortFunc(s.ordered, func(a, b *record) int {
			if c := a.token.CreatedAt.Compare(b.token.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.token.ID, b.token.ID)
		})
	}
	return s.ordered
}

func (s *Server) insert(rec *record) {
	s.byID[rec.token.ID] = rec
	s.byHash[rec.hash] = rec
	s.byName[rec.token.Name] = rec
	s.ordered = nil
}

func (s *Server) remove(rec *record) {
	delete(s.byID, rec.token.ID)
	delete(s.byHash, rec.hash)
	delete(s.byName, rec.token.Name)
	s.ordered = nil
}

// adminUsable reports whether the bootstrap admin token still exists, is
// live and holds every permission.
func (s *Server) adminUsable() bool {
	rec, ok := s.byID[s.adminID]
	return ok && s.adminSecret != "" && rec.hash == hashSecret(s.adminSecret) &&
		!rec.token.Expired(s.clock()) && grants.Covers(rec.token.Permissions, grants.All())
}

func (s *Server) mintAdmin() {
	name := adminName
	for i := 2; s.byName[name] != nil; i++ {
		name = adminName + "-" + strconv.Itoa(i)
	}
	rec, raw := s.newRecord(name, grants.All(), nil, s.clock())
	s.insert(rec)
	s.adminID, s.adminSecret = rec.token.ID, raw
}

// newRecord builds a token with a fresh id and secret; the caller inserts it.
func (s *Server) newRecord(name string, perms grants.Set, expiresAt *time.Time, now time.Time) (*record, string) {
	id := "ak_" + randomHex(8)
	for s.byID[id] != nil {
		id = "ak_" + randomHex(8)
	}
	raw := newSecret()
	if s.onSecret != nil {
		s.onSecret(raw)
	}
	return &record{
		token: api.Token{
			ID:             id,
			Name:           name,
			OrganizationID: s.org.ID,
			Permissions:    perms.Normalize(),
			CreatedAt:      now,
			UpdatedAt:      now,
			ExpiresAt:      expiresAt,
		},
		hash: hashSecret(raw),
	}, raw
}

// secretPrefix makes leaked sandbox secrets easy to grep for.
const secretPrefix = "rpx_"

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newSecret returns secretPrefix and 40 uniformly random base62 characters.
func newSecret() string {
	out := make([]byte, 0, len(secretPrefix)+40)
	out = append(out, secretPrefix...)
	buf := make([]byte, 64)
	for len(out) < cap(out) {
		rand.Read(buf) // never fails (Go 1.24+)
		for _, b := range buf {
			// 248 = 4*62: rejecting the rest keeps the characters uniform.
			if b < 248 && len(out) < cap(out) {
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// hashSecret is what the state stores instead of a secret.
func hashSecret(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// cloneToken copies a token deeply, so that test helpers handing it out
// cannot reach into the server's state.
func cloneToken(t api.Token) api.Token {
	t.Permissions = grants.Union(t.Permissions, nil)
	t.ExpiresAt = clonePtr(t.ExpiresAt)
	t.LastUsedAt = clonePtr(t.LastUsedAt)
	return t
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// apiError is an error answer: its HTTP status, code and message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}
