package output

import (
	"fmt"
	"io"
	"strings"

	"charm.land/lipgloss/v2"
	"charm.land/lipgloss/v2/table"
	"github.com/charmbracelet/x/ansi"

	"github.com/replexio/replex/pkg/palette"
)

// Marks of a Matrix cell. They stay readable without colour: a check mark
// for yes, a middle dot for no.
const (
	MatrixYes = "✓"
	MatrixNo  = "·"
)

// Matrix is a yes/no grid with labelled rows and columns, such as
// permission categories × actions.
type Matrix struct {
	Corner  string   // header of the label column
	Columns []string // column headers
	Rows    []string // row labels; sanitized when printed
	Cells   [][]bool // Cells[row][col]; missing cells are no
}

func (m Matrix) cell(row, col int) bool {
	return row < len(m.Cells) && col < len(m.Cells[row]) && m.Cells[row][col]
}

func (m Matrix) rowEmpty(row int) bool {
	for col := range m.Columns {
		if m.cell(row, col) {
			return false
		}
	}
	return true
}

// WriteStyled prints the matrix for a terminal in the layout of
// Table.WriteStyled: a bold header with a rule under it, yes cells green, no
// cells dim, and the label of a row without any yes dimmed.
func (m Matrix) WriteStyled(w io.Writer, color bool) error {
	header := lipgloss.NewStyle().Bold(true).Foreground(palette.Header).Padding(0, 1)
	label := lipgloss.NewStyle().Padding(0, 1)
	dimLabel := label.Foreground(palette.Dim)
	centered := lipgloss.NewStyle().Padding(0, 1).Align(lipgloss.Center)
	yes := centered.Foreground(palette.Good)
	no := centered.Foreground(palette.Dim)

	rows := make([][]string, len(m.Rows))
	for i, name := range m.Rows {
		rows[i] = make([]string, len(m.Columns)+1)
		rows[i][0] = Sanitize(name)
		for j := range m.Columns {
			rows[i][j+1] = MatrixNo
			if m.cell(i, j) {
				rows[i][j+1] = MatrixYes
			}
		}
	}
	headers := append([]string{m.Corner}, m.Columns...)
	tb := table.New().
		Border(lipgloss.NormalBorder()).
		BorderStyle(lipgloss.NewStyle().Foreground(palette.Dim)).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderColumn(false).BorderRow(false).
		BorderHeader(true).
		Headers(headers...).
		Rows(rows...).
		StyleFunc(func(row, col int) lipgloss.Style {
			switch {
			case row == table.HeaderRow && col == 0:
				return header
			case row == table.HeaderRow:
				return header.Align(lipgloss.Center)
			case col == 0 && m.rowEmpty(row):
				return dimLabel
			case col == 0:
				return label
			case m.cell(row, col-1):
				return yes
			}
			return no
		})
	out := tb.Render()
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
