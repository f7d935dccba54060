package output

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
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
// with a rule under it, marked rows coloured. The layout is lipgloss's table
// (a test holds the two to the same bytes), written directly: lipgloss
// renders every cell through a style, which takes a third of a second for
// 10,000 rows.
func (t Table) WriteStyled(w io.Writer, color, noHeaders bool) error {
	// A cell is its sanitized text and its width on the terminal, each
	// worked out once.
	type cell struct {
		text  string
		width int
	}
	cellsOf := func(row []string, sanitize bool) []cell {
		out := make([]cell, len(row))
		for j, c := range row {
			if sanitize {
				c = Sanitize(c)
			}
			out[j] = cell{c, lipgloss.Width(c)}
		}
		return out
	}
	var header []cell
	if !noHeaders {
		header = cellsOf(t.Headers, false)
	}
	rows := make([][]cell, len(t.Rows))
	ncol := len(header)
	for i, row := range t.Rows {
		rows[i] = cellsOf(row, true)
		ncol = max(ncol, len(row))
	}
	widths := make([]int, ncol)
	for _, row := range append([][]cell{header}, rows...) {
		for j, c := range row {
			widths[j] = max(widths[j], c.width)
		}
	}

	sgr := func(codes string) (string, string) {
		if !color {
			return "", ""
		}
		return "\x1b[" + codes + "m", "\x1b[0m"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, 256)
	// writeRow pads each cell to its column (one blank either side),
	// colours the text alone, and drops the blanks that end the line.
	writeRow := func(cells []cell, on, off string) {
		line = line[:0]
		for j := range ncol {
			var c cell
			if j < len(cells) {
				c = cells[j]
			}
			line = append(line, ' ')
			line = append(line, on...)
			line = append(line, c.text...)
			line = append(line, off...)
			for range widths[j] - c.width + 1 {
				line = append(line, ' ')
			}
		}
		bw.Write(bytes.TrimRight(line, " "))
		bw.WriteByte('\n')
	}
	if !noHeaders {
		on, off := sgr("1;94")
		writeRow(header, on, off)
		on, off = sgr("90")
		for _, wd := range widths {
			bw.WriteString(on + strings.Repeat("─", wd+2) + off)
		}
		bw.WriteByte('\n')
	}
	for i, row := range rows {
		on, off := "", ""
		if i < len(t.Marks) {
			switch t.Marks[i] {
			case MarkWarn:
				on, off = sgr("93")
			case MarkDanger:
				on, off = sgr("91")
			}
		}
		writeRow(row, on, off)
	}
	return bw.Flush()
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
