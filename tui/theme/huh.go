package theme

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"kefu/server/i18n"
)

// Huh is the form theme of a session: huh's base theme rebuilt on the session's renderer, so
// a form in the workbench follows the agent's terminal (colour profile, NO_COLOR) like every
// other screen. Every form embedded in the workbench uses it.
func (s *Styles) Huh() *huh.Theme {
	n := s.r.NewStyle
	accent, muted := s.Accent.GetForeground(), s.Muted.GetForeground()
	red, green := s.Error.GetForeground(), s.OK.GetForeground()

	var t huh.Theme
	t.Form.Base = n()
	t.Group.Base = n()
	t.FieldSeparator = n().SetString("\n")
	button := n().MarginRight(1)

	f := &t.Focused
	f.Base = n().PaddingLeft(1).BorderStyle(lipgloss.ThickBorder()).BorderLeft(true).BorderForeground(accent)
	f.Card = f.Base
	f.Title = n().Foreground(accent).Bold(true)
	f.NoteTitle = n().Foreground(accent).Bold(true)
	f.Description = n().Foreground(muted)
	f.ErrorIndicator = n().Foreground(red).SetString(" *")
	f.ErrorMessage = n().Foreground(red)
	f.SelectSelector = n().Foreground(accent).SetString("> ")
	f.Option = n()
	f.NextIndicator = n().Foreground(accent).MarginLeft(1).SetString("→")
	f.PrevIndicator = n().Foreground(accent).MarginRight(1).SetString("←")
	f.Directory = n().Foreground(accent)
	f.File = n()
	f.MultiSelectSelector = n().Foreground(accent).SetString("> ")
	f.SelectedOption = n().Foreground(green)
	f.SelectedPrefix = n().Foreground(green).SetString("[x] ")
	f.UnselectedOption = n()
	f.UnselectedPrefix = n().Foreground(muted).SetString("[ ] ")
	// Brackets show the chosen button on terminals without colour too.
	f.FocusedButton = button.Bold(true).Foreground(accent).Transform(func(s string) string { return "[" + s + "]" })
	f.BlurredButton = button.Foreground(muted).Transform(func(s string) string { return " " + s + " " })
	f.Next = f.FocusedButton
	f.TextInput.Cursor = n().Foreground(accent)
	f.TextInput.CursorText = n()
	f.TextInput.Placeholder = n().Foreground(muted)
	f.TextInput.Prompt = n().Foreground(accent)
	f.TextInput.Text = n()

	t.Blurred = t.Focused
	t.Blurred.Base = n().PaddingLeft(1).BorderStyle(lipgloss.HiddenBorder()).BorderLeft(true)
	t.Blurred.Card = t.Blurred.Base
	t.Blurred.Title = n().Bold(true)
	t.Blurred.MultiSelectSelector = n().SetString("  ")
	t.Blurred.SelectSelector = n().SetString("  ")
	t.Blurred.NextIndicator = n()
	t.Blurred.PrevIndicator = n()

	t.Group.Title = f.Title
	t.Group.Description = f.Description

	h := help.New().Styles
	h.ShortKey, h.FullKey = s.HelpKey, s.HelpKey
	h.ShortDesc, h.FullDesc = s.HelpDesc, s.HelpDesc
	h.ShortSeparator, h.FullSeparator, h.Ellipsis = s.Muted, s.Muted, s.Muted
	t.Help = h
	return &t
}

// FormKeys are huh's keys for a form inside a session: Esc cancels (Ctrl+C belongs to the
// workbench); the text field's "open $EDITOR" is off, since it would start an editor on the
// server, not on the agent's machine; no suggestions and no filtering in single selects,
// whose few options need none (multi-selects, like the 34 provinces of a region, keep "/").
// The keys' help reads in lang (the first one given), Chinese when none is.
func FormKeys(lang ...i18n.Lang) *huh.KeyMap {
	l := i18n.ZH
	if len(lang) > 0 {
		l = lang[0]
	}
	k := huh.NewDefaultKeyMap()
	k.Quit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.T("form.key.cancel")))
	k.Text.Editor = key.NewBinding(key.WithDisabled())
	k.Input.AcceptSuggestion = key.NewBinding(key.WithDisabled())
	k.Select.Filter = key.NewBinding(key.WithDisabled())
	translate(k, l)
	return k
}

// translate puts huh's key help through the catalog; the keys themselves and whether they
// are enabled stay as they are. Each text is given once with every binding that shows it.
func translate(k *huh.KeyMap, l i18n.Lang) {
	help := func(desc string, bindings ...*key.Binding) {
		for _, b := range bindings {
			b.SetHelp(b.Help().Key, l.T(desc))
		}
	}
	help("form.key.prev", &k.Input.Prev, &k.Text.Prev, &k.FilePicker.Prev, &k.Note.Prev, &k.Confirm.Prev, &k.Select.Prev, &k.MultiSelect.Prev)
	help("form.key.next", &k.Input.Next, &k.Text.Next, &k.FilePicker.Next, &k.Note.Next, &k.Confirm.Next)
	help("form.key.submit", &k.Input.Submit, &k.Text.Submit, &k.FilePicker.Submit, &k.Note.Submit, &k.Confirm.Submit, &k.Select.Submit, &k.MultiSelect.Submit)
	help("form.key.select", &k.Select.Next, &k.FilePicker.Select)
	help("form.key.confirm", &k.MultiSelect.Next)
	k.Text.NewLine.SetHelp("alt+enter", l.T("form.key.newline"))
	help("form.key.complete", &k.Input.AcceptSuggestion)
	help("form.key.up", &k.Select.Up, &k.MultiSelect.Up, &k.FilePicker.Up)
	help("form.key.down", &k.Select.Down, &k.MultiSelect.Down, &k.FilePicker.Down)
	help("form.key.filter", &k.Select.Filter, &k.MultiSelect.Filter)
	help("form.key.set_filter", &k.Select.SetFilter, &k.MultiSelect.SetFilter)
	help("form.key.clear_filter", &k.Select.ClearFilter, &k.MultiSelect.ClearFilter)
	help("form.key.half_up", &k.Select.HalfPageUp, &k.MultiSelect.HalfPageUp)
	help("form.key.half_down", &k.Select.HalfPageDown, &k.MultiSelect.HalfPageDown)
	help("form.key.top", &k.Select.GotoTop, &k.MultiSelect.GotoTop, &k.FilePicker.GotoTop)
	help("form.key.bottom", &k.Select.GotoBottom, &k.MultiSelect.GotoBottom, &k.FilePicker.GotoBottom)
	help("form.key.left", &k.Select.Left)
	help("form.key.right", &k.Select.Right)
	help("form.key.toggle", &k.MultiSelect.Toggle, &k.Confirm.Toggle)
	help("form.key.select_all", &k.MultiSelect.SelectAll)
	help("form.key.select_none", &k.MultiSelect.SelectNone)
	help("form.key.yes", &k.Confirm.Accept)
	help("form.key.no", &k.Confirm.Reject)
	help("form.key.open", &k.FilePicker.Open)
	help("form.key.close", &k.FilePicker.Close)
	help("form.key.back", &k.FilePicker.Back)
	help("form.key.page_up", &k.FilePicker.PageUp)
	help("form.key.page_down", &k.FilePicker.PageDown)
}

// Embed makes a huh form safe to run inside a session's program: the session's theme, the
// keys of FormKeys with help in the session's language, and finishing or cancelling only changes the form's State instead of
// quitting the whole workbench.
func (s *Styles) Embed(f *huh.Form) *huh.Form {
	f = f.WithTheme(s.Huh()).WithKeyMap(FormKeys(s.Lang)).WithShowHelp(true)
	f.SubmitCmd, f.CancelCmd = nil, nil
	return f
}
