package palette

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/replexio/replex/internal/srctree"
)

// colourSource is a colour chosen anywhere but here: a lipgloss colour
// (named, numbered or adaptive), an x/ansi or image/color value, a SGR
// colour written by hand, or one of huh's ready-made themes (whose colours
// are adaptive).
var colourSource = regexp.MustCompile(`lipgloss\.(Color|LightDark|Complete|Adaptive|NoColor|ANSIColor|RGBColor|Black|Red|Green|Yellow|Blue|Magenta|Cyan|White|Bright[A-Z][a-z]+)\b` +
	`|\bcompat\.|ansi\.(BasicColor|IndexedColor|TrueColor|RGBColor)\b|color\.(RGBA|NRGBA)\{` +
	`|\\(?:x1b|033)\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m|huh\.Theme(Charm|Dracula|Base16|Catppuccin)\b`)

// TestOnePalette: outside this package, replex's code names no colour of
// its own; every styled thing takes its colours from here.
func TestOnePalette(t *testing.T) {
	var found []string
	// Tests may spell out what they expect on the screen, and are not read.
	for _, f := range srctree.Product(t, func(rel string) bool { return rel == "pkg/palette" }) {
		for i, line := range strings.Split(f.Src, "\n") {
			if m := colourSource.FindString(line); m != "" {
				found = append(found, fmt.Sprintf("%s:%d: %s", f.Rel, i+1, m))
			}
		}
	}
	if len(found) > 0 {
		t.Errorf("colours chosen outside pkg/palette; add them to the palette and use them from there:\n  %s", strings.Join(found, "\n  "))
	}
}

// TestOneLipgloss: replex links one major version of lipgloss (v2, the one
// huh v2 draws with) and no termenv, which only lipgloss v1 needed.
func TestOneLipgloss(t *testing.T) {
	// go test puts its own go first on PATH.
	cmd := exec.Command("go", "list", "-deps", "github.com/replexio/replex/cmd/replex")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "charm.land/lipgloss/v2") {
		t.Errorf("replex does not link charm.land/lipgloss/v2")
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/charmbracelet/lipgloss") || strings.HasPrefix(dep, "github.com/muesli/termenv") ||
			strings.HasPrefix(dep, "github.com/charmbracelet/bubbletea") || strings.HasPrefix(dep, "github.com/charmbracelet/huh") {
			t.Errorf("replex links %s: the Charm stack is v2 only (docs/output.md, \"One Charm stack\")", dep)
		}
	}
}
