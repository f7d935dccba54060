package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
	"github.com/muesli/termenv"
)

// Mark highlights a whole row (an expired or soon-expiring token).
type Mark int

const (
	MarkNone Mark = iota
	MarkWarn
	MarkDanger
)

// Plain ANSI colours, never adaptive ones: an adaptive colour makes lipgloss
// ask the terminal for its background, which stalls on terminals that never
// answer.
const (
	colorHeader = lipgloss.Color("12")
	colorDim    = lipgloss.Color("8")
	colorWarn   = lipgloss.Color("11")
	colorDanger = lipgloss.Color("9")
	colorGood   = lipgloss.Color("10")
	colorAccent = lipgloss.Color("14")
)

// Renderer returns a lipgloss renderer for w with a fixed colour profile, so
// that nothing is detected or queried from the terminal.
func Renderer(w io.Writer, color bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w)
	if color {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	r.SetHasDarkBackground(true)
	return r
}

// Table is rows of cells under headers. Cells are sanitized when printed.
type Table struct {
	Headers []string
	Rows    [][]string
	Marks   []Mark // per row; may be shorter than Rows
}

// WritePlain prints the table for pipes: tab-separated, no ANSI, a header
// line unless noHeaders. Tabs and newlines inside cells are escaped by
// Sanitize, so each row is exactly one line with len(Headers) fields.
func (t Table) WritePlain(w io.Writer, noHeaders bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if !noHeaders {
		bw.WriteString(strings.Join(t.Headers, "\t"))
		bw.WriteByte('\n')
	}
	for _, row := range t.Rows {
		for i, cell := range row {
			if i > 0 {
				bw.WriteByte('\t')
			}
			bw.WriteString(Sanitize(cell))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteStyled prints the table for a terminal: aligned columns, a bold header
// with a rule under it, marked rows coloured.
func (t Table) WriteStyled(w io.Writer, color, noHeaders bool) error {
	r := Renderer(w, color)
	header := r.NewStyle().Bold(true).Foreground(colorHeader).Padding(0, 1)
	cell := r.NewStyle().Padding(0, 1)
	warn := cell.Foreground(colorWarn)
	danger := cell.Foreground(colorDanger)

	rows := make([][]string, len(t.Rows))
	for i, row := range t.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = Sanitize(c)
		}
	}
	tb := table.New().
		Border(lipgloss.NormalBorder()).
		BorderStyle(r.NewStyle().Foreground(colorDim)).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderColumn(false).BorderRow(false).
		// Always on: lipgloss v1.1.0 cuts the last row of a table with
		// neither headers nor a header border; with no headers no rule is drawn.
		BorderHeader(true).
		Rows(rows...).
		StyleFunc(func(row, col int) lipgloss.Style {
			if row == table.HeaderRow {
				return header
			}
			if row >= 0 && row < len(t.Marks) {
				switch t.Marks[row] {
				case MarkWarn:
					return warn
				case MarkDanger:
					return danger
				}
			}
			return cell
		})
	if !noHeaders {
		tb.Headers(t.Headers...)
	}
	out := tb.Render()
	// lipgloss pads every line to the table's width; trailing blanks only
	// get in the way of copying.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}

// Styles are the few text styles commands use outside tables.
type Styles struct {
	r *lipgloss.Renderer
}

// NewStyles builds styles for w.
func NewStyles(w io.Writer, color bool) Styles { return Styles{r: Renderer(w, color)} }

func (s Styles) Bold(t string) string   { return s.r.NewStyle().Bold(true).Render(t) }
func (s Styles) Dim(t string) string    { return s.r.NewStyle().Foreground(colorDim).Render(t) }
func (s Styles) Warn(t string) string   { return s.r.NewStyle().Foreground(colorWarn).Render(t) }
func (s Styles) Danger(t string) string { return s.r.NewStyle().Foreground(colorDanger).Render(t) }
func (s Styles) Good(t string) string   { return s.r.NewStyle().Foreground(colorGood).Render(t) }
func (s Styles) Accent(t string) string { return s.r.NewStyle().Foreground(colorAccent).Render(t) }

// Renderer exposes the lipgloss renderer for boxes and panels.
func (s Styles) Renderer() *lipgloss.Renderer { return s.r }
