package create

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"

	"github.com/replexio/replex/pkg/cmd/tokens/shared"
	"github.com/replexio/replex/pkg/cmdutil"
	"github.com/replexio/replex/pkg/grants"
	"github.com/replexio/replex/pkg/palette"
)

// The interactive form uses huh v2 (charm.land/huh/v2), not v1: v1 brings
// bubbletea v1, whose package init() asks the terminal for its background
// colour, so every replex command, not just this form, would stall 5 s on a
// terminal that never answers (STYLE.md rule 8). v2 asks nothing at start-up.
// The rest of replex draws with the same lipgloss v2 (docs/output.md, "One
// Charm stack").

// Expiry choices of the form; customExpiry asks for a value.
const customExpiry = "custom"

func expiryChoices() []huh.Option[string] {
	return []huh.Option[string]{
		huh.NewOption("never (like the web UI; not recommended)", "never"),
		huh.NewOption("7 days", "7d"),
		huh.NewOption("30 days", "30d"),
		huh.NewOption("90 days", "90d"),
		huh.NewOption("1 year", "1y"),
		huh.NewOption("other: a duration, a date or an RFC 3339 time", customExpiry),
	}
}

// formState is what the form fills in.
type formState struct {
	Name    string
	Actions [][]string // per category of grants.Categories(), the actions toggled
	Expiry  string     // an expiryChoices value
	Custom  string     // the value typed for customExpiry
	Confirm bool
	// skipping is set by skipKey until the step after the permissions.
	skipping bool
}

// SetPermissions sets the toggles to the grants of set.
func (s *formState) SetPermissions(set grants.Set) {
	cats := grants.Categories()
	s.Actions = make([][]string, len(cats))
	for i, c := range cats {
		s.Actions[i] = append([]string(nil), set[c.Key]...)
	}
}

// Permissions is the grant set the toggles make.
func (s *formState) Permissions() grants.Set {
	set := grants.Set{}
	for i, c := range grants.Categories() {
		if i < len(s.Actions) && len(s.Actions[i]) > 0 {
			set[c.Key] = append([]string(nil), s.Actions[i]...)
		}
	}
	return set.Normalize()
}

// ExpiresValue is the --expires value the form chose.
func (s *formState) ExpiresValue() string {
	if s.Expiry == customExpiry {
		return strings.TrimSpace(s.Custom)
	}
	return s.Expiry
}

// formConfig says what the form asks and how it talks to the terminal.
type formConfig struct {
	In         io.Reader
	Out        io.Writer
	Color      bool
	Accessible bool // TERM=dumb: line by line prompts, no cursor movement
	AskName    bool
	AskExpiry  bool
	Now        func() time.Time
	// Width and Height are the terminal's size (0: unknown).
	Width, Height int
}

// canUseForm reports whether create may open its form: the user gave no
// permissions and there is a terminal to ask on (stdin and stdout, and
// stderr, where the form is drawn), with prompting allowed.
func canUseForm(o *Options) bool {
	ios := o.F.IOStreams
	return len(o.Grants) == 0 && o.Preset == "" && ios.CanPrompt() && ios.IsStderrTTY()
}

// runForm asks for what the command line left out and fills o.
func (o *Options) runForm(ctx context.Context, askExpiry bool) (grants.Set, error) {
	ios := o.F.IOStreams
	cfg := formConfig{
		In: ios.In, Out: ios.ErrOut, Color: ios.ColorEnabled(),
		Accessible: o.F.Getenv("TERM") == "dumb",
		AskName:    !o.nameGiven, AskExpiry: askExpiry, Now: o.F.Now,
	}
	// The drawn form starts on "Create"; line by line the default is no, so
	// that an end of input creates nothing.
	st := &formState{Name: o.Name, Expiry: "never", Confirm: !cfg.Accessible}
	if !askExpiry {
		// --expires was given: the summary shows what will be created.
		st.Expiry = o.Expires
	}
	cfg.Width, cfg.Height = terminalSize(ios.ErrOut)
	var err error
	if cfg.Accessible {
		err = runLines(ctx, st, cfg)
	} else {
		err = runGuarded(ctx, newForm(st, cfg))
	}
	switch {
	case errors.Is(err, huh.ErrUserAborted):
		return nil, context.Canceled
	case err != nil:
		return nil, err
	case !st.Confirm:
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: errors.New("nothing created: cancelled")}
	}
	o.Name = st.Name
	if askExpiry {
		o.Expires = st.ExpiresValue()
	}
	return st.Permissions(), nil
}

// skipKey jumps from any category to the step after the permissions, once
// at least one action is toggled: granting one category should not take 14
// Enters.
var skipKey = key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "skip to the end"))

// categoryField is one category's toggles, with skipKey: it marks the form
// as skipping, and every category then reports Skip, so that huh moves
// past the rest of the group.
type categoryField struct {
	*huh.MultiSelect[string]
	st *formState
}

func (c *categoryField) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, skipKey) {
		if len(c.st.Permissions()) == 0 {
			return c, nil // nothing to create yet: stay
		}
		c.st.skipping = true
		return c, huh.NextField
	}
	_, cmd := c.MultiSelect.Update(msg)
	return c, cmd // the wrapper stays in the group, not the bare field
}

func (c *categoryField) Skip() bool { return c.st.skipping }

func (c *categoryField) KeyBinds() []key.Binding {
	return append(c.MultiSelect.KeyBinds(), skipKey)
}

// arrival is the first field after the permissions: reaching it ends the
// skip, so that shift+tab leads back into the categories.
type arrival struct {
	huh.Field
	st *formState
}

func (a *arrival) Focus() tea.Cmd {
	a.st.skipping = false
	return a.Field.Focus()
}

func (a *arrival) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	_, cmd := a.Field.Update(msg)
	return a, cmd
}

// runGuarded runs the drawn form, turning a panic in the form library into
// an error: a bug there must not end replex with a stack trace, and nothing
// has been created yet.
func runGuarded(ctx context.Context, form *huh.Form) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("nothing created: the interactive form failed (%v); pass the name and --grant instead", r)
		}
	}()
	return form.RunWithContext(ctx)
}

// newForm builds the form over st: name, the 14 categories with their
// actions as toggles, expiry, then a summary to confirm.
func newForm(st *formState, cfg formConfig) *huh.Form {
	var groups []*huh.Group
	if cfg.AskName {
		groups = append(groups, huh.NewGroup(
			huh.NewInput().Title("Token name").
				Description("1 to 100 characters; unique in the organization").
				Placeholder("ci-deploy").
				Value(&st.Name).
				Validate(func(s string) error { return plain(shared.ValidateName(s)) }),
		))
	}

	cats := grants.Categories()
	st.Actions = make([][]string, len(cats))
	fields := make([]huh.Field, len(cats))
	for i, c := range cats {
		fields[i] = &categoryField{
			MultiSelect: huh.NewMultiSelect[string]().
				Title(c.Display).
				Description(c.Description).
				Options(huh.NewOptions(grants.Actions()...)...).
				// title, description and the four actions: huh's default height
				// would count the title against the options and hide two of them.
				Height(2 + len(grants.Actions())).
				Value(&st.Actions[i]),
			st: st,
		}
	}
	groups = append(groups, huh.NewGroup(fields...).
		Title("Permissions").
		Description("x or space toggles an action, ctrl+a all four; enter moves on; ctrl+e skips the rest once a grant is chosen"))

	if cfg.AskExpiry {
		groups = append(groups,
			huh.NewGroup(&arrival{huh.NewSelect[string]().Title("Expires").
				Options(expiryChoices()...).Value(&st.Expiry), st}),
			huh.NewGroup(huh.NewInput().Title("Expires").
				Description("a duration (90d, 12h, 1y), a date (2027-01-31) or an RFC 3339 time").
				Value(&st.Custom).
				Validate(func(s string) error {
					if st.Expiry != customExpiry {
						return nil // line-by-line mode asks hidden fields too
					}
					_, err := shared.ParseExpires(strings.TrimSpace(s), cfg.Now())
					return plain(err)
				})).
				WithHideFunc(func() bool { return st.Expiry != customExpiry }),
		)
	}

	groups = append(groups, huh.NewGroup(&arrival{
		huh.NewConfirm().
			TitleFunc(func() string { return fmt.Sprintf("Create token %q?", st.Name) }, &st.Name).
			DescriptionFunc(func() string { return summary(st, cfg.Now()) }, st).
			Affirmative("Create").Negative("Cancel").
			Value(&st.Confirm).
			Validate(func(ok bool) error {
				if ok && len(st.Permissions()) == 0 {
					return errors.New("no permission toggled: shift+tab goes back to the categories")
				}
				return nil
			}), st,
	}))

	profile := colorprofile.Ascii
	if cfg.Color {
		profile = colorprofile.ANSI256
	}
	form := huh.NewForm(groups...).
		WithTheme(huh.ThemeFunc(formTheme)).
		WithInput(cfg.In).
		WithOutput(cfg.Out).
		WithAccessible(cfg.Accessible).
		WithProgramOptions(tea.WithColorProfile(profile))
	if cfg.Width <= 0 {
		// A terminal that reports no size (a bare pty) would make huh draw
		// at width 0, which panics in its text input.
		form = form.WithWidth(80)
	}
	if cfg.Height > 2 {
		// huh sizes a group to the terminal but then adds a blank line above
		// its help, so a group as tall as the terminal would scroll its
		// title away: leave that line free.
		form = form.WithHeight(cfg.Height - 1)
	}
	return form
}

// terminalSize is the size of the terminal w writes to, or zeros.
func terminalSize(w io.Writer) (width, height int) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, 0
	}
	width, height, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, 0
	}
	return width, height
}

// summary is the confirm step's description: what will be created, the
// expiry with the time it gives.
func summary(st *formState, now time.Time) string {
	perms := shared.GrantList(st.Permissions())
	value := st.ExpiresValue()
	expires := value
	if t, err := shared.ParseExpires(value, now); err == nil && t != nil {
		expires = fmt.Sprintf("%s (%s)", value, t.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf("grants:  %s\nexpires: %s", perms, expires)
}

// plain drops the usage-error wrapper: the form shows only the message.
func plain(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(err.Error())
}

// formTheme builds the form's look from the palette's plain ANSI colours
// only, the same on dark and light terminals (STYLE.md rule 8): isDark is
// ignored, so nothing depends on asking the terminal.
func formTheme(bool) *huh.Styles {
	t := huh.ThemeBase(true)
	t.Focused.Base = t.Focused.Base.BorderForeground(palette.Accent)
	t.Focused.Card = t.Focused.Base
	t.Focused.Title = t.Focused.Title.Foreground(palette.Header).Bold(true)
	t.Focused.NoteTitle = t.Focused.NoteTitle.Foreground(palette.Header).Bold(true)
	t.Focused.Description = t.Focused.Description.Foreground(palette.Dim)
	t.Focused.ErrorIndicator = t.Focused.ErrorIndicator.Foreground(palette.Danger)
	t.Focused.ErrorMessage = t.Focused.ErrorMessage.Foreground(palette.Danger)
	t.Focused.SelectSelector = t.Focused.SelectSelector.Foreground(palette.Accent)
	t.Focused.MultiSelectSelector = t.Focused.MultiSelectSelector.Foreground(palette.Accent)
	t.Focused.NextIndicator = t.Focused.NextIndicator.Foreground(palette.Accent)
	t.Focused.PrevIndicator = t.Focused.PrevIndicator.Foreground(palette.Accent)
	t.Focused.SelectedOption = t.Focused.SelectedOption.Foreground(palette.Good)
	t.Focused.SelectedPrefix = lipgloss.NewStyle().Foreground(palette.Good).SetString("[x] ")
	t.Focused.UnselectedPrefix = lipgloss.NewStyle().SetString("[ ] ")
	t.Focused.FocusedButton = t.Focused.FocusedButton.Foreground(palette.OnAccent).Background(palette.Accent)
	t.Focused.BlurredButton = t.Focused.BlurredButton.Foreground(palette.OnIdle).Background(palette.Idle)
	t.Focused.TextInput.Cursor = t.Focused.TextInput.Cursor.Foreground(palette.Accent)
	t.Focused.TextInput.Placeholder = t.Focused.TextInput.Placeholder.Foreground(palette.Dim)
	t.Focused.TextInput.Prompt = t.Focused.TextInput.Prompt.Foreground(palette.Accent)

	t.Blurred = t.Focused
	t.Blurred.Base = t.Focused.Base.BorderStyle(lipgloss.HiddenBorder())
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.MultiSelectSelector = lipgloss.NewStyle().SetString("  ")
	t.Blurred.NextIndicator = lipgloss.NewStyle()
	t.Blurred.PrevIndicator = lipgloss.NewStyle()

	t.Group.Title = t.Focused.Title
	t.Group.Description = t.Focused.Description
	t.Help.ShortKey = lipgloss.NewStyle().Foreground(palette.Dim)
	t.Help.ShortDesc = lipgloss.NewStyle().Foreground(palette.Dim)
	t.Help.ShortSeparator = lipgloss.NewStyle().Foreground(palette.Dim)
	t.Help.FullKey = lipgloss.NewStyle().Foreground(palette.Dim)
	t.Help.FullDesc = lipgloss.NewStyle().Foreground(palette.Dim)
	t.Help.FullSeparator = lipgloss.NewStyle().Foreground(palette.Dim)
	t.Help.Ellipsis = lipgloss.NewStyle().Foreground(palette.Dim)
	return t
}
