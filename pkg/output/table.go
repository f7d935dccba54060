package output

import (
	"bufio"
	"bytes"
	"image/color"
	"io"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/replexio/replex/pkg/palette"
)

// Mark highlights a whole row (an expired or soon-expiring token).
type Mark int

const (
	MarkNone Mark = iota
	MarkWarn
	MarkDanger
)

// Table is rows of cells under headers. Cells are sanitized when printed.
type Table struct {
	Headers []string
	Rows    [][]string
	Marks   []Mark // per row; may be shorter than Rows

	// Width is the terminal's width in cells: WriteStyled cuts cells with
	// "…" so that no line is wider, as gh's table printer does, because a
	// wrapped table cannot be read. 0 means no limit.
	Width int
	// Flex are the columns that give way first (a name, a list of grants):
	// the others hold short values that read badly when cut.
	Flex []int
}

// Floors of the shrinking: a flexible column keeps flexFloor cells while
// the others still fit, any column but the first (the identifier) keeps
// restFloor, and the first keeps one.
const (
	flexFloor = 6
	restFloor = 3
)

// fitWidths returns the column widths that make a row of columns of the
// given natural widths, with a blank either side of each, at most total
// cells wide. The Flex columns shrink first, then every column but the
// first, then the first: a table that fits the screen only by cutting the
// token id is still better than one that wraps. Below three cells a
// column, nothing can fit and the floors win.
func fitWidths(natural []int, total int, flex []int) []int {
	widths := slices.Clone(natural)
	budget := total - 2*len(widths)
	var flexCols, restCols, allCols []int
	for j := range widths {
		allCols = append(allCols, j)
		if slices.Contains(flex, j) {
			flexCols = append(flexCols, j)
		}
		if j > 0 {
			restCols = append(restCols, j)
		}
	}
	tiers := []struct {
		cols  []int
		floor int
	}{{flexCols, flexFloor}, {restCols, restFloor}, {allCols, 1}}
	for _, tier := range tiers {
		over := -budget
		for _, w := range widths {
			over += w
		}
		if over <= 0 {
			break
		}
		inTier := 0
		for _, j := range tier.cols {
			inTier += widths[j]
		}
		shrink(widths, tier.cols, inTier-over, tier.floor)
	}
	return widths
}

// shrink lowers the widths of cols to sum to at most budget, as evenly as
// it can: a column narrower than its share keeps its width, the wider ones
// are cut to one common width (the leftover cells going to the leftmost of
// them), and none goes below floor unless it was narrower already.
func shrink(widths, cols []int, budget, floor int) {
	if len(cols) == 0 {
		return
	}
	sumAt := func(level int) int {
		s := 0
		for _, j := range cols {
			s += min(widths[j], level)
		}
		return s
	}
	level := floor
	if sumAt(level) <= budget {
		// The widest level at which the columns still fit.
		hi := 0
		for _, j := range cols {
			hi = max(hi, widths[j])
		}
		for level < hi && sumAt(level+1) <= budget {
			level++
		}
	}
	left := budget - sumAt(level)
	for _, j := range cols {
		if widths[j] > level {
			widths[j] = level
			if left > 0 {
				widths[j]++
				left--
			}
		}
	}
}

// Cut shortens s to at most width cells, ending it with "…"; a wide
// character that would straddle the end is left out, so the result may be
// a cell narrower.
func Cut(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if printableASCII(s) {
		// One cell a byte: the common case, without measuring each rune
		// (a 10,000-row table cuts 10,000 names).
		if len(s) <= width {
			return s
		}
		return s[:width-1] + "…"
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	runes := []rune(s)
	n, used := 0, 0
	for n < len(runes) {
		w := lipgloss.Width(string(runes[n]))
		if used+w > width-1 {
			break
		}
		used += w
		n++
	}
	// Cells measured whole can be narrower than the sum of their runes,
	// never wider, but make sure.
	for n > 0 && lipgloss.Width(string(runes[:n])+"…") > width {
		n--
	}
	return string(runes[:n]) + "…"
}

// WritePlain prints the table for pipes: tab-separated, a header line
// unless noHeaders. Tabs and newlines inside cells are escaped by Sanitize,
// so each row is exactly one line with len(Headers) fields. With colour
// forced (CLICOLOR_FORCE) the header and the marked rows are coloured as on
// a terminal, each cell on its own, so that the columns stay the same for
// cut and awk; otherwise there is no ANSI at all.
func (t Table) WritePlain(w io.Writer, color, noHeaders bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	writeRow := func(cells []string, on string, sanitize bool) {
		for i, cell := range cells {
			if i > 0 {
				bw.WriteByte('\t')
			}
			if sanitize {
				cell = Sanitize(cell)
			}
			if color && on != "" {
				cell = on + cell + ansi.ResetStyle
			}
			bw.WriteString(cell)
		}
		bw.WriteByte('\n')
	}
	codes := newTableSGR()
	if !noHeaders {
		writeRow(t.Headers, codes.header, false)
	}
	for i, row := range t.Rows {
		writeRow(row, codes.mark(t, i), true)
	}
	return bw.Flush()
}

// tableSGR are the escape sequences that start the header, the rule under
// it and the marked rows in the direct writers: the palette's colours as
// lipgloss renders them (a test holds the two to the same bytes). They are
// worked out once a table, not once a row.
type tableSGR struct{ header, rule, warn, danger string }

func newTableSGR() tableSGR {
	fg := func(c color.Color) string { return ansi.Style{}.ForegroundColor(c).String() }
	return tableSGR{
		header: ansi.Style{}.Bold().ForegroundColor(palette.Header).String(),
		rule:   fg(palette.Dim),
		warn:   fg(palette.Warn),
		danger: fg(palette.Danger),
	}
}

// mark starts the colour of row i of t, "" for none.
func (s tableSGR) mark(t Table, i int) string {
	if i < len(t.Marks) {
		switch t.Marks[i] {
		case MarkWarn:
			return s.warn
		case MarkDanger:
			return s.danger
		}
	}
	return ""
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
	if t.Width > 0 {
		fit := fitWidths(widths, t.Width, t.Flex)
		clear(widths)
		for _, row := range append([][]cell{header}, rows...) {
			for j := range row {
				if row[j].width > fit[j] {
					row[j].text = Cut(row[j].text, fit[j])
					row[j].width = lipgloss.Width(row[j].text)
				}
				widths[j] = max(widths[j], row[j].width)
			}
		}
	}

	codes := newTableSGR()
	sgr := func(on string) (string, string) {
		if !color {
			return "", ""
		}
		return on, ansi.ResetStyle
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
		on, off := sgr(codes.header)
		writeRow(header, on, off)
		on, off = sgr(codes.rule)
		for _, wd := range widths {
			bw.WriteString(on + strings.Repeat("─", wd+2) + off)
		}
		bw.WriteByte('\n')
	}
	for i, row := range rows {
		on, off := "", ""
		if mark := codes.mark(t, i); mark != "" {
			on, off = sgr(mark)
		}
		writeRow(row, on, off)
	}
	return bw.Flush()
}

// Styles are the few text styles commands use outside tables, in the
// palette's colours.
type Styles struct {
	color bool
}

// NewStyles builds styles that colour when color is set.
func NewStyles(color bool) Styles { return Styles{color: color} }

// Render draws text in style. Without colour it is the same layout with no
// escape sequence at all, as colorprofile's NoTTY profile writes it: lipgloss
// v2 styles always render their colours and leave the profile to the writer.
func (s Styles) Render(style lipgloss.Style, text string) string {
	out := style.Render(text)
	if !s.color {
		return ansi.Strip(out)
	}
	return out
}

func (s Styles) Bold(t string) string   { return s.Render(lipgloss.NewStyle().Bold(true), t) }
func (s Styles) Dim(t string) string    { return s.fg(palette.Dim, t) }
func (s Styles) Warn(t string) string   { return s.fg(palette.Warn, t) }
func (s Styles) Danger(t string) string { return s.fg(palette.Danger, t) }
func (s Styles) Good(t string) string   { return s.fg(palette.Good, t) }
func (s Styles) Accent(t string) string { return s.fg(palette.Accent, t) }

func (s Styles) fg(c color.Color, t string) string {
	return s.Render(lipgloss.NewStyle().Foreground(c), t)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// WrapWords breaks text into lines of at most width cells at blanks; a word
// wider than that is cut.
func WrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case lipgloss.Width(line)+1+lipgloss.Width(word) <= width:
			line += " " + word
		default:
			lines = append(lines, Cut(line, width))
			line = word
		}
	}
	if line != "" {
		lines = append(lines, Cut(line, width))
	}
	return lines
}
