package output

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
)

// lipglossStyled is the table as lipgloss lays it out: the reference that
// WriteStyled must match byte for byte.
func lipglossStyled(tb Table, w io.Writer, color, noHeaders bool) error {
	r := Renderer(w, color)
	header := r.NewStyle().Bold(true).Foreground(colorHeader).Padding(0, 1)
	cell := r.NewStyle().Padding(0, 1)
	warn := cell.Foreground(colorWarn)
	danger := cell.Foreground(colorDanger)
	rows := make([][]string, len(tb.Rows))
	for i, row := range tb.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = Sanitize(c)
		}
	}
	lt := table.New().
		Border(lipgloss.NormalBorder()).
		BorderStyle(r.NewStyle().Foreground(colorDim)).
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
	lines := strings.Split(lt.Render(), "\n")
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
