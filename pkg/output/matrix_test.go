package output

import (
	"bytes"
	"testing"
)

func TestMatrixWriteStyled(t *testing.T) {
	m := Matrix{
		Corner:  "X",
		Columns: []string{"a", "b"},
		Rows:    []string{"one", "two\x1b[2J", "three"},
		Cells:   [][]bool{{true, false}, {false}}, // "three" has no cells: all no
	}
	var out bytes.Buffer
	if err := m.WriteStyled(&out, false); err != nil {
		t.Fatal(err)
	}
	want := " X           a  b\n" +
		"──────────────────\n" +
		" one         ✓  ·\n" +
		" two\\x1b[2J  ·  ·\n" +
		" three       ·  ·\n"
	if out.String() != want {
		t.Errorf("matrix =\n%q\nwant\n%q", out.String(), want)
	}
}
