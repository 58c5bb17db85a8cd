package admin

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/tui/cells"
	"kefu/tui/theme"
)

// editor is one open form: a huh form embedded in the admin page, never run on its own.
// The values live in the closure of build, so a form refused by the server is built again
// with what was typed and the refusal above it.
type editor struct {
	title  string
	build  func() *huh.Form // the fields, bound to the values being edited
	submit func() tea.Cmd   // the save, run when the form completes; answers with doneMsg
	form   *huh.Form
	err    string // the server's refusal, in the UI language
	saving bool
	w, h   int
	// fit, when set, sizes the form's fields to the height huh gets (a long list taking
	// the lines the other fields leave).
	fit func(h int)
}

// formHeight is the height given to huh: what is left under the title and refusal. Field
// messages show under their fields, inside it.
func (e *editor) formHeight(h int) int { return max(3, h-e.headerLines()) }

func (e *editor) headerLines() int {
	if e.err != "" {
		return 2
	}
	return 1
}

// start (re)builds the form at the last known size and focuses its first field.
func (e *editor) start(st *theme.Styles) tea.Cmd {
	e.form = e.build().WithTheme(st.Huh()).WithKeyMap(formKeys()).WithShowHelp(false).WithShowErrors(false)
	if e.w > 0 {
		e.size()
	}
	e.saving = false
	return e.form.Init()
}

// resize follows the space the page gives the form.
func (e *editor) resize(w, h int) {
	if e.form != nil && (w != e.w || h != e.h) {
		e.w, e.h = w, h
		e.size()
	}
}

func (e *editor) size() {
	if e.fit != nil {
		e.fit(e.formHeight(e.h))
	}
	e.form.WithWidth(e.w).WithHeight(e.formHeight(e.h))
	// huh draws a group from what it laid out at its last update: lay it out again now.
	e.form.Update(relayoutMsg{})
}

// relayoutMsg is a message no field knows; updating a form with it only lays it out again.
type relayoutMsg struct{}

func (e *editor) view(m *Model, w, h int) []string {
	e.resize(w, h)
	lines := []string{m.st.PaneTitle.Render(cells.Cut(e.title, w))}
	if e.err != "" {
		lines = append(lines, m.st.Error.Render(cells.Cut(e.err, w)))
	}
	if e.saving {
		lines = append(lines, m.st.Muted.Render(cells.Cut(m.lang.T("admin.saving"), w)))
		return lines
	}
	if e.form != nil {
		lines = append(lines, splitLines(e.form.View())...)
	}
	return lines
}

// labels pads a form's titles to one width, so its inputs line up.
type labels struct {
	l      i18n.Lang
	w      int
	prompt string
}

func (m *Model) labels(keys ...string) labels {
	w := 0
	for _, k := range keys {
		w = max(w, cells.Width(m.lang.T(k)))
	}
	return labels{l: m.lang, w: w, prompt: m.lang.T("admin.prompt")}
}

// title is a padded title for an input, whose prompt follows.
func (lb labels) title(key string) string { return cells.Fit(lb.l.T(key), lb.w) }

// confirm is a padded title for a confirm, which has no prompt of its own.
func (lb labels) confirm(key string) string { return lb.title(key) + lb.prompt }

// indent is where the values of the form start, for the messages under them.
func (lb labels) indent() int { return lb.w + cells.Width(lb.prompt) }

// input is a one-line text field, "账号    ：value". huh sizes an input's box by its
// character limit, so limit is the room the value needs in cells (twice the characters
// allowed when they may be Chinese), widened to show the placeholder whole. What is too long
// is refused by the validator, which says why under the field.
func (lb labels) input(key string, v *string, limit int, placeholder string) *huh.Input {
	limit = max(limit, cells.Width(lb.prompt)+cells.Width(placeholder)+1)
	return huh.NewInput().Title(lb.title(key)).Prompt(lb.prompt).Inline(true).Value(v).CharLimit(limit).Placeholder(placeholder)
}

// wide is the room, in cells, of a value of n characters that may be Chinese.
func wide(n int) int { return 2 * n }

// choose is a one-line select among options, lined up with the inputs.
func choose[T comparable](lb labels, key string, v *T, options ...huh.Option[T]) *choice[T] {
	return newChoice(lb.title(key), lb.prompt, v, options...)
}

// formKeys are the workbench's form keys with esc left to the page, which cancels the form.
func formKeys() *huh.KeyMap {
	km := theme.FormKeys()
	km.Quit = key.NewBinding(key.WithDisabled())
	return km
}

// fieldWantsEsc reports whether the focused field uses esc itself (a multi-select ending or
// clearing its filter), so that esc does not cancel the whole form.
func (e *editor) fieldWantsEsc() bool {
	if e.form == nil {
		return false
	}
	f := e.form.GetFocusedField()
	if f == nil {
		return false
	}
	esc := tea.KeyMsg{Type: tea.KeyEsc}
	for _, b := range f.KeyBinds() {
		if b.Enabled() && key.Matches(esc, b) {
			return true
		}
	}
	return false
}

// check turns a desk validation function into a huh validator that speaks the UI language.
func (m *Model) check(f func(string) error) func(string) error {
	return func(s string) error {
		if err := f(s); err != nil {
			return errors.New(desk.Explain(err, m.lang))
		}
		return nil
	}
}

// optional accepts an empty value and checks anything else with f.
func optional(f func(string) error) func(string) error {
	return func(s string) error {
		if s == "" {
			return nil
		}
		return f(s)
	}
}
