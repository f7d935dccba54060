// Package palette is replex's colours: the one place that the tables, the
// permission matrix, the "shown once" panel, the interactive form and the
// few coloured words elsewhere take them from.
//
// They are plain 4-bit ANSI colours, never adaptive ones (STYLE.md rule 8):
// an adaptive colour makes the terminal library ask the terminal for its
// background, which stalls 5 s on a terminal that never answers. The
// terminal's own theme decides how each looks, on dark and light
// backgrounds alike.
package palette

import "charm.land/lipgloss/v2"

const (
	// Header is table headers and titles, drawn bold.
	Header = lipgloss.BrightBlue
	// Dim is rules, borders, labels, help and what is off.
	Dim = lipgloss.BrightBlack
	// Warn is what expires soon and the "shown once" warning.
	Warn = lipgloss.BrightYellow
	// Danger is what has expired, what is taken away, and errors.
	Danger = lipgloss.BrightRed
	// Good is what is granted or added, and success.
	Good = lipgloss.BrightGreen
	// Accent is what has the focus in the form: selectors, the cursor.
	Accent = lipgloss.BrightCyan
	// OnAccent is text on an Accent background (the focused button).
	OnAccent = lipgloss.Black
	// Idle and OnIdle are the background and text of a button without the
	// focus.
	Idle   = lipgloss.Black
	OnIdle = lipgloss.White
)
