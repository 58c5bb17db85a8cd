package admin

import (
	"errors"
	"io"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/tui/cells"
)

// The admin forms are columns of one-line fields, "标签：值", so that a whole form fits a
// 24-line terminal. huh v1 draws a select's options under its title even when inline, and
// shows validation messages at the bottom of the form, far from the field; choice and
// inlineErr are the two fields that make up for it.

// choice is a one-line select: "角色    ：← 普通客服 →". ←/→ (and ↑/↓, space) step through
// the options, Enter or Tab moves on, like the other fields.
type choice[T comparable] struct {
	key     string
	title   string // padded like the inputs' titles, the prompt after it
	prompt  string
	options []huh.Option[T]
	value   *T
	cur     int
	focused bool
	theme   *huh.Theme
	keys    huh.SelectKeyMap
	width   int
	hint    string // after the value, muted, while focused
}

// newChoice makes a choice bound to value; a value that is none of the options picks the
// first.
func newChoice[T comparable](title, prompt string, value *T, options ...huh.Option[T]) *choice[T] {
	c := &choice[T]{title: title, prompt: prompt, options: options, value: value, keys: huh.NewDefaultKeyMap().Select}
	for i, o := range options {
		if o.Value == *value {
			c.cur = i
		}
	}
	if len(options) > 0 {
		*value = options[c.cur].Value
	}
	return c
}

// withHint sets a few words said after the value while the choice has focus.
func (c *choice[T]) withHint(h string) *choice[T] { c.hint = h; return c }

func (c *choice[T]) step(d int) {
	if n := len(c.options); n > 0 {
		c.cur = (c.cur + d + n) % n
		*c.value = c.options[c.cur].Value
	}
}

func (c *choice[T]) Init() tea.Cmd { return nil }

func (c *choice[T]) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !c.focused {
		return c, nil
	}
	switch {
	case key.Matches(k, c.keys.Prev):
		return c, huh.PrevField
	case key.Matches(k, c.keys.Next, c.keys.Submit):
		return c, huh.NextField
	}
	switch k.String() {
	case "left", "h", "up", "k":
		c.step(-1)
	case "right", "l", "down", "j", " ", "space":
		c.step(1)
	case "home", "g":
		c.step(-c.cur)
	case "end", "G":
		c.step(len(c.options) - 1 - c.cur)
	}
	return c, nil
}

func (c *choice[T]) View() string {
	if c.theme == nil {
		c.theme = huh.ThemeBase()
	}
	st := &c.theme.Blurred
	if c.focused {
		st = &c.theme.Focused
	}
	text := ""
	if len(c.options) > 0 {
		text = c.options[c.cur].Key
	}
	line := st.Title.Render(c.title) + st.TextInput.Prompt.Render(c.prompt)
	if c.focused {
		line += st.PrevIndicator.String() + st.SelectedOption.Render(text) + st.NextIndicator.String()
		if c.hint != "" {
			line += "  " + st.Description.Render(c.hint)
		}
	} else {
		line += st.Option.Render(text)
	}
	w := c.width - st.Base.GetHorizontalFrameSize()
	if w > 0 {
		line = cells.FitStyled(line, w)
	}
	return st.Base.Render(line)
}

func (c *choice[T]) Focus() tea.Cmd { c.focused = true; return nil }
func (c *choice[T]) Blur() tea.Cmd  { c.focused = false; return nil }
func (c *choice[T]) Error() error   { return nil }
func (c *choice[T]) Run() error     { return errors.New("a choice runs inside a form") }
func (c *choice[T]) RunAccessible(io.Writer, io.Reader) error {
	return errors.New("a choice runs inside a form")
}
func (c *choice[T]) Skip() bool { return false }
func (c *choice[T]) Zoom() bool { return false }
func (c *choice[T]) KeyBinds() []key.Binding {
	return []key.Binding{c.keys.Left, c.keys.Right, c.keys.Next, c.keys.Submit, c.keys.Prev}
}
func (c *choice[T]) WithTheme(t *huh.Theme) huh.Field { c.theme = t; return c }
func (c *choice[T]) WithAccessible(bool) huh.Field    { return c }
func (c *choice[T]) WithKeyMap(k *huh.KeyMap) huh.Field {
	c.keys = k.Select
	return c
}
func (c *choice[T]) WithWidth(w int) huh.Field { c.width = w; return c }
func (c *choice[T]) WithHeight(int) huh.Field  { return c }

// WithPosition: Tab moves on except from the last field, where only Enter submits, as in
// huh's own fields.
func (c *choice[T]) WithPosition(p huh.FieldPosition) huh.Field {
	c.keys.Prev.SetEnabled(!p.IsFirst())
	c.keys.Next.SetEnabled(!p.IsLast())
	c.keys.Submit.SetEnabled(p.IsLast())
	return c
}
func (c *choice[T]) GetKey() string { return c.key }
func (c *choice[T]) GetValue() any  { return *c.value }

// inlineErr draws a field's validation message right under it, in the UI language, lined up
// with the value. It is otherwise the field itself.
type inlineErr struct {
	huh.Field
	theme  *huh.Theme
	width  int
	indent int // cells before the value: the padded title and the prompt
}

// inline wraps every field of a form in inlineErr; indent is where values start.
func inline(indent int, fields ...huh.Field) []huh.Field {
	out := make([]huh.Field, len(fields))
	for i, f := range fields {
		out[i] = &inlineErr{Field: f, indent: indent}
	}
	return out
}

func (f *inlineErr) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := f.Field.Update(msg)
	if field, ok := m.(huh.Field); ok {
		f.Field = field
	}
	return f, cmd
}

func (f *inlineErr) View() string {
	v := f.Field.View()
	err := f.Field.Error()
	if err == nil {
		return v
	}
	st := huh.ThemeBase().Focused.ErrorMessage
	if f.theme != nil {
		st = f.theme.Focused.ErrorMessage
	}
	pad := 2 + f.indent // the field's border and padding, then the title
	if f.width-pad < 16 {
		pad = 2
	}
	var lines []string
	for _, l := range wrapText("✗ "+err.Error(), max(1, f.width-pad)) {
		lines = append(lines, strings.Repeat(" ", pad)+st.Render(l))
	}
	return v + "\n" + strings.Join(lines, "\n")
}

func (f *inlineErr) WithTheme(t *huh.Theme) huh.Field {
	f.theme, f.Field = t, f.Field.WithTheme(t)
	return f
}
func (f *inlineErr) WithAccessible(a bool) huh.Field { f.Field = f.Field.WithAccessible(a); return f }
func (f *inlineErr) WithKeyMap(k *huh.KeyMap) huh.Field {
	f.Field = f.Field.WithKeyMap(k)
	return f
}
func (f *inlineErr) WithWidth(w int) huh.Field {
	f.width, f.Field = w, f.Field.WithWidth(w)
	return f
}
func (f *inlineErr) WithHeight(h int) huh.Field { f.Field = f.Field.WithHeight(h); return f }
func (f *inlineErr) WithPosition(p huh.FieldPosition) huh.Field {
	f.Field = f.Field.WithPosition(p)
	return f
}

// closing are the characters a line must not start with: they stay with the word before.
const closing = "。，、；：！？）」』》〉”’.,;:!?)]}…"

// wrapText wraps a sentence of the page's own to w cells: between words, or between any two
// Chinese characters, but never before closing punctuation, so a lone "。" never wraps onto
// a line of its own. A word longer than a line is cut.
func wrapText(s string, w int) []string {
	w = max(1, w)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapPara(para, w)...)
	}
	return out
}

type token struct {
	text  string
	space bool // a space comes before it
}

func tokens(s string) []token {
	var out []token
	space, word := false, false // word: the last token is a run of narrow letters
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space, word = true, false
		case strings.ContainsRune(closing, r) && len(out) > 0 && !space:
			out[len(out)-1].text += string(r)
			word = word && cells.Width(string(r)) < 2
		case cells.Width(string(r)) < 2 && word && !space:
			out[len(out)-1].text += string(r)
		default:
			out = append(out, token{text: string(r), space: space && len(out) > 0})
			space, word = false, cells.Width(string(r)) < 2
		}
	}
	return out
}

func wrapPara(s string, w int) []string {
	var lines []string
	var line strings.Builder
	lw := 0
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lw = 0
	}
	for _, t := range tokens(s) {
		tw := cells.Width(t.text)
		gap := 0
		if t.space && lw > 0 {
			gap = 1
		}
		if lw > 0 && lw+gap+tw > w {
			flush()
			gap = 0
		}
		line.WriteString(strings.Repeat(" ", gap))
		lw += gap
		for _, r := range t.text { // only a word longer than a whole line is cut
			rw := cells.Width(string(r))
			if lw+rw > w && lw > 0 {
				flush()
			}
			line.WriteRune(r)
			lw += rw
		}
	}
	if lw > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// longList keeps a long filterable multi-select (the 34 provinces of 分流区域) scrolled so
// that its cursor and as many rows as fit show. huh pads the list to its full length with
// blank lines, so End jumped to the padding after a filter ("/广东" then End showed nothing
// but blank lines), and a filter typed while scrolled down left the few matches above the
// top. End here walks down to the last match instead, and a filter starts from the top.
type longList struct {
	huh.Field
	n int // the number of options
}

func (f *longList) filtering() bool {
	for _, b := range f.Field.KeyBinds() {
		for _, k := range b.Keys() {
			if k == "/" {
				return !b.Enabled()
			}
		}
	}
	return false
}

func (f *longList) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && !f.filtering() {
		switch k.String() {
		case "end", "G":
			for range f.n {
				f.update(tea.KeyMsg{Type: tea.KeyDown})
			}
			return f, nil
		case "/":
			f.update(tea.KeyMsg{Type: tea.KeyHome})
		}
	}
	return f, f.update(msg)
}

func (f *longList) update(msg tea.Msg) tea.Cmd {
	m, cmd := f.Field.Update(msg)
	if field, ok := m.(huh.Field); ok {
		f.Field = field
	}
	return cmd
}

func (f *longList) WithTheme(t *huh.Theme) huh.Field   { f.Field = f.Field.WithTheme(t); return f }
func (f *longList) WithAccessible(a bool) huh.Field    { f.Field = f.Field.WithAccessible(a); return f }
func (f *longList) WithKeyMap(k *huh.KeyMap) huh.Field { f.Field = f.Field.WithKeyMap(k); return f }
func (f *longList) WithWidth(w int) huh.Field          { f.Field = f.Field.WithWidth(w); return f }
func (f *longList) WithHeight(h int) huh.Field         { f.Field = f.Field.WithHeight(h); return f }
func (f *longList) WithPosition(p huh.FieldPosition) huh.Field {
	f.Field = f.Field.WithPosition(p)
	return f
}
