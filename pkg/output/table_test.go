package output

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"

	"github.com/replexio/replex/pkg/palette"
)

// lipglossStyled is the table as lipgloss lays it out: the reference that
// WriteStyled must match byte for byte.
func lipglossStyled(tb Table, w io.Writer, color, noHeaders bool) error {
	header := lipgloss.NewStyle().Bold(true).Foreground(palette.Header).Padding(0, 1)
	cell := lipgloss.NewStyle().Padding(0, 1)
	warn := cell.Foreground(palette.Warn)
	danger := cell.Foreground(palette.Danger)
	rows := make([][]string, len(tb.Rows))
	for i, row := range tb.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = Sanitize(c)
		}
	}
	lt := table.New().
		Border(lipgloss.NormalBorder()).
		BorderStyle(lipgloss.NewStyle().Foreground(palette.Dim)).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderColumn(false).BorderRow(false).
		BorderHeader(true).
		Rows(rows...).
		StyleFunc(func(row, col int) lipgloss.Style {
			if row == table.HeaderRow {
				return header
			}
			if row >= 0 && row < len(tb.Marks) {
				switch tb.Marks[row] {
				case MarkWarn:
					return warn
				case MarkDanger:
					return danger
				}
			}
			return cell
		})
	if !noHeaders {
		lt.Headers(tb.Headers...)
	}
	out := lt.Render()
	if !color {
		out = ansi.Strip(out) // as NewStyles(false).Render
	}
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}

var cellSamples = []string{"", "a", "ci-deploy", "billing:r cluster:ru", "2 hours ago", "never", "in 3 days (soon)",
	"日本語の名前", "emoji 🔑 key", "e\u0301 combining", "tab\there", "esc\x1b[31m", "\xff\xfe", "x y  ", "  lead",
	strings.Repeat("w", 45), "ak_0000000000000001", "\u202eevil"}

func randomTable(rng *rand.Rand) Table {
	ncol := 1 + rng.IntN(7)
	var tb Table
	// Headers are the program's own words, never the server's.
	headers := []string{"ID", "NAME", "GRANTS", "LAST USED", "", "A LONG HEADER OVER THE CELLS", "名前"}
	for range ncol {
		tb.Headers = append(tb.Headers, headers[rng.IntN(len(headers))])
	}
	for range 1 + rng.IntN(8) {
		row := make([]string, ncol)
		for j := range row {
			row[j] = cellSamples[rng.IntN(len(cellSamples))]
		}
		tb.Rows = append(tb.Rows, row)
		tb.Marks = append(tb.Marks, Mark(rng.IntN(3)))
	}
	if rng.IntN(4) == 0 {
		tb.Marks = tb.Marks[:len(tb.Marks)/2]
	}
	return tb
}

// TestWriteStyledMatchesLipgloss: for tables of every shape, with and
// without colour and headers, the direct writer prints what lipgloss does.
func TestWriteStyledMatchesLipgloss(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		tb := randomTable(rng)
		for _, color := range []bool{false, true} {
			for _, noHeaders := range []bool{false, true} {
				var got, want bytes.Buffer
				if err := tb.WriteStyled(&got, color, noHeaders); err != nil {
					t.Fatal(err)
				}
				if err := lipglossStyled(tb, &want, color, noHeaders); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Fatalf("table %d (color %v, no headers %v) %q %q %v:\ngot\n%q\nwant\n%q", i, color, noHeaders, tb.Headers, tb.Rows, tb.Marks, got.String(), want.String())
				}
			}
		}
	}
}

// cutTable is tb with its cells cut the way WriteStyled cuts them to fit
// width: what lipgloss must then lay out to the same bytes.
func cutTable(tb Table, width int, noHeaders bool) Table {
	ncol := len(tb.Headers)
	for _, row := range tb.Rows {
		ncol = max(ncol, len(row))
	}
	natural := make([]int, ncol)
	if !noHeaders {
		for j, h := range tb.Headers {
			natural[j] = max(natural[j], lipgloss.Width(h))
		}
	}
	for _, row := range tb.Rows {
		for j, c := range row {
			natural[j] = max(natural[j], lipgloss.Width(Sanitize(c)))
		}
	}
	fit := fitWidths(natural, width, tb.Flex)
	out := Table{Marks: tb.Marks}
	for j, h := range tb.Headers {
		out.Headers = append(out.Headers, Cut(h, fit[j]))
	}
	for _, row := range tb.Rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = Cut(Sanitize(c), fit[j])
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}

// TestWriteStyledFitsWidth: given a terminal width, no line is wider; a
// table that fits is printed as without a width; and a cut table is
// lipgloss's layout of the cut cells, so the direct writer still lays out
// exactly as lipgloss does.
func TestWriteStyledFitsWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		tb := randomTable(rng)
		for j := range len(tb.Headers) {
			if rng.IntN(2) == 0 {
				tb.Flex = append(tb.Flex, j)
			}
		}
		tb.Width = 3*len(tb.Headers) + rng.IntN(120)
		for _, color := range []bool{false, true} {
			for _, noHeaders := range []bool{false, true} {
				var got, want, whole bytes.Buffer
				if err := tb.WriteStyled(&got, color, noHeaders); err != nil {
					t.Fatal(err)
				}
				if err := lipglossStyled(cutTable(tb, tb.Width, noHeaders), &want, color, noHeaders); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Fatalf("table %d width %d (color %v, no headers %v) %q %q:\ngot\n%s\nwant\n%s", i, tb.Width, color, noHeaders, tb.Headers, tb.Rows, got.String(), want.String())
				}
				for _, l := range strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n") {
					if lipgloss.Width(l) > tb.Width {
						t.Fatalf("table %d: line %q is %d cells wide; the terminal has %d", i, l, lipgloss.Width(l), tb.Width)
					}
				}
				unlimited := tb
				unlimited.Width = 0
				if err := unlimited.WriteStyled(&whole, color, noHeaders); err != nil {
					t.Fatal(err)
				}
				if fits := !strings.Contains(got.String(), "…") && !strings.Contains(whole.String(), "…"); fits && got.String() != whole.String() {
					t.Fatalf("table %d: a table that fits %d cells changed:\n%s\nwas\n%s", i, tb.Width, got.String(), whole.String())
				}
			}
		}
	}
}

// TestFitWidths pins the shrinking order: flexible columns first, down to
// their floor, then the others but the first, the first last.
func TestFitWidths(t *testing.T) {
	for _, tt := range []struct {
		natural []int
		total   int
		flex    []int
		want    []int
	}{
		{[]int{19, 9, 20, 12}, 200, []int{1, 2}, []int{19, 9, 20, 12}},
		// 80 cells: the two flexible columns share what is left, the
		// narrow one keeping its width.
		{[]int{19, 9, 50, 12}, 80, []int{1, 2}, []int{19, 9, 32, 12}},
		{[]int{19, 56, 37, 12}, 80, []int{1, 2}, []int{19, 21, 20, 12}},
		// Too narrow for the flexible columns alone: the rest give way.
		{[]int{19, 56, 37, 12, 17, 12}, 60, []int{1, 2}, []int{19, 6, 6, 6, 6, 5}},
		// Too narrow for anything but the id: the id is cut too.
		{[]int{19, 9}, 12, []int{1}, []int{5, 3}},
	} {
		if got := fitWidths(tt.natural, tt.total, tt.flex); !slices.Equal(got, tt.want) {
			t.Errorf("fitWidths(%v, %d, %v) = %v; want %v", tt.natural, tt.total, tt.flex, got, tt.want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		s     string
		width int
		want  string
	}{
		{"ci-deploy", 9, "ci-deploy"},
		{"ci-deploy", 5, "ci-d…"},
		{"日本語の名前", 6, "日本…"},
		{"日本語の名前", 5, "日本…"},
		{"a日本", 4, "a日…"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	} {
		if got := Cut(tt.s, tt.width); got != tt.want {
			t.Errorf("Cut(%q, %d) = %q; want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

func TestWrapWords(t *testing.T) {
	got := WrapWords("Categories are case-insensitive and may also be written", 20)
	want := []string{"Categories are", "case-insensitive and", "may also be written"}
	if !slices.Equal(got, want) {
		t.Errorf("WrapWords = %q; want %q", got, want)
	}
	if got := WrapWords("a-very-long-word x", 5); !slices.Equal(got, []string{"a-ve…", "x"}) {
		t.Errorf("WrapWords of a long word = %q", got)
	}
}

// TestCutMatchesSlowPath: the ASCII shortcut cuts exactly as measuring
// each rune does.
func TestCutMatchesSlowPath(t *testing.T) {
	for _, s := range []string{"", "a", "ci-deploy", strings.Repeat("w", 45), "x y  ", "  lead"} {
		for width := 0; width <= len(s)+1; width++ {
			slow := s
			if lipgloss.Width(s) > width {
				slow = ""
				if width > 0 {
					slow = s[:width-1] + "…"
				}
			}
			if got := Cut(s, width); got != slow || lipgloss.Width(got) > width {
				t.Errorf("Cut(%q, %d) = %q; want %q", s, width, got, slow)
			}
		}
	}
}
