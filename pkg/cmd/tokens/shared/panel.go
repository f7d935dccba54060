package shared

import (
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/replexio/replex/pkg/api"
	"github.com/replexio/replex/pkg/expiry"
	"github.com/replexio/replex/pkg/output"
	"github.com/replexio/replex/pkg/palette"
	"github.com/replexio/replex/pkg/secret"
)

// Panel is the "shown once" box printed on a terminal after a token is
// created or rotated.
type Panel struct {
	Title      string // "Token created" or "Token rotated"
	Token      api.Token
	Secret     secret.Secret
	Reveal     bool          // show the secret itself, not its fingerprint
	Copied     bool          // it is on the clipboard
	ClearAfter time.Duration // the clipboard is cleared after this, if > 0
	SecretFile string        // it was written to this file instead
	Now        time.Time
}

// Render draws the panel. Only here, and only when Reveal is set, does the
// panel call Reveal on the secret.
func (p Panel) Render(w io.Writer, color bool) error {
	st := output.NewStyles(color)
	label := func(s string) string { return st.Dim(fmt.Sprintf("%-8s", s)) }

	expires := "never"
	if p.Token.ExpiresAt != nil {
		expires = p.Token.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC") + " (" + expiry.Relative(*p.Token.ExpiresAt, p.Now) + ")"
	}
	secretLine := "****** (" + p.Secret.Fingerprint() + ")"
	switch {
	case p.SecretFile != "":
		secretLine = "written to " + output.Sanitize(p.SecretFile) + " (mode 0600)"
	case p.Reveal:
		secretLine = st.Bold(p.Secret.Reveal())
	}

	lines := []string{
		st.Good("✔ ") + st.Bold(p.Title+": "+output.Sanitize(p.Token.Name)),
		"",
		label("ID") + " " + output.Sanitize(p.Token.ID),
		label("Grants") + " " + wrapGrants(GrantList(p.Token.Permissions), 56, 9),
		label("Expires") + " " + expires,
		label("Secret") + " " + secretLine,
		"",
	}
	switch {
	case p.SecretFile != "":
	case p.Copied && p.ClearAfter > 0:
		lines = append(lines, fmt.Sprintf("Copied to the clipboard; cleared in %s if still there.", expiry.Humanize(p.ClearAfter)))
	case p.Copied:
		lines = append(lines, "Copied to the clipboard.")
	}
	lines = append(lines, st.Warn("Shown once: store it now. Lost means create a new one."))

	box := st.Render(lipgloss.NewStyle().
		Border(lipgloss.RoundedBorder()).
		BorderForeground(palette.Dim).
		Padding(0, 1), strings.Join(lines, "\n"))
	_, err := fmt.Fprintln(w, box)
	return err
}

// wrapGrants breaks a long grant list at spaces, indenting continuation lines.
func wrapGrants(s string, width, indent int) string {
	words := strings.Fields(s)
	var lines []string
	cur := ""
	for _, w := range words {
		if cur != "" && len(cur)+1+len(w) > width {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	lines = append(lines, cur)
	return strings.Join(lines, "\n"+strings.Repeat(" ", indent))
}
