package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/replexio/replex/pkg/api"
)

const stateVersion = 1

// fileState is the data file. Token secrets are stored only as hashes; the
// admin secret is kept raw so a restarted sandbox can print it again.
type fileState struct {
	Version      int              `json:"version"`
	Organization api.Organization `json:"organization"`
	AdminTokenID string           `json:"adminTokenId"`
	AdminSecret  string           `json:"adminSecret"`
	Tokens       []storedToken    `json:"tokens"`
}

type storedToken struct {
	api.Token
	SecretHash string `json:"secretHash"`
}

// load reads the data file into s. It reports false when there is no state
// yet (ephemeral, or no file).
func (s *Server) load() (bool, error) {
	if s.file == "" {
		return false, nil
	}
	dir := filepath.Dir(s.file)
	removeStaleTemps(s.file)
	data, err := os.ReadFile(s.file)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("sandbox: creating the state directory: %w", err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sandbox: reading state: %w", err)
	}
	var st fileState
	if err := json.Unmarshal(data, &st); err != nil {
		return false, fmt.Errorf("sandbox: state file %s is not valid JSON: %w", s.file, err)
	}
	if err := s.restore(st); err != nil {
		return false, fmt.Errorf("sandbox: state file %s: %w", s.file, err)
	}
	return true, nil
}

// restore checks a decoded state and installs it.
func (s *Server) restore(st fileState) error {
	if st.Version != stateVersion {
		return fmt.Errorf("unsupported version %d (want %d)", st.Version, stateVersion)
	}
	if st.Organization.ID == "" {
		return errors.New("no organization id")
	}
	s.org, s.adminID, s.adminSecret = st.Organization, st.AdminTokenID, st.AdminSecret
	for _, t := range st.Tokens {
		switch {
		case t.ID == "" || len(t.SecretHash) != 64:
			return fmt.Errorf("token %q has no id or secret hash", t.Name)
		case s.byID[t.ID] != nil:
			return fmt.Errorf("token id %q appears twice", t.ID)
		case s.byName[t.Name] != nil:
			return fmt.Errorf("token name %q appears twice", t.Name)
		case s.byHash[t.SecretHash] != nil:
			return fmt.Errorf("tokens %q and %q share a secret", s.byHash[t.SecretHash].token.ID, t.ID)
		}
		tok := t.Token
		tok.Permissions = tok.Permissions.Normalize()
		s.insert(&record{token: tok, hash: t.SecretHash})
	}
	return nil
}

// save writes the whole state atomically. Ephemeral servers only forget
// that usage times were pending.
func (s *Server) save() error {
	if s.file == "" {
		s.usageDirty = false
		return nil
	}
	st := fileState{
		Version:      stateVersion,
		Organization: s.org,
		AdminTokenID: s.adminID,
		AdminSecret:  s.adminSecret,
		Tokens:       make([]storedToken, 0, len(s.byID)),
	}
	for _, rec := range s.sorted() {
		st.Tokens = append(st.Tokens, storedToken{rec.token, rec.hash})
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("sandbox: encoding state: %w", err)
	}
	if err := writeFileAtomic(s.file, append(data, '\n')); err != nil {
		return fmt.Errorf("sandbox: saving state: %w", err)
	}
	s.usageDirty = false
	return nil
}

// writeFileAtomic replaces path with data so that a crash at any moment
// leaves either the old or the new complete file: write a temporary file in
// the same directory, flush it, rename it over path, then flush the
// directory so the rename itself survives a power loss.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStaleTemps deletes temporary files a killed sandbox left behind.
func removeStaleTemps(path string) {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(path)) {
			os.Remove(filepath.Join(filepath.Dir(path), e.Name()))
		}
	}
}
