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
// are enabled stay as they are.
func translate(k *huh.KeyMap, l i18n.Lang) {
	help := func(b *key.Binding, label, desc string) {
		if label == "" {
			label = b.Help().Key
		}
		b.SetHelp(label, l.T(desc))
	}
	for _, nav := range []struct{ prev, next, submit *key.Binding }{
		{&k.Input.Prev, &k.Input.Next, &k.Input.Submit},
		{&k.Text.Prev, &k.Text.Next, &k.Text.Submit},
		{&k.FilePicker.Prev, &k.FilePicker.Next, &k.FilePicker.Submit},
		{&k.Note.Prev, &k.Note.Next, &k.Note.Submit},
		{&k.Confirm.Prev, &k.Confirm.Next, &k.Confirm.Submit},
		{&k.Select.Prev, &k.Select.Next, &k.Select.Submit},
		{&k.MultiSelect.Prev, &k.MultiSelect.Next, &k.MultiSelect.Submit},
	} {
		help(nav.prev, "", "form.key.prev")
		help(nav.next, "", "form.key.next")
		help(nav.submit, "", "form.key.submit")
	}
	help(&k.Select.Next, "", "form.key.select")
	help(&k.MultiSelect.Next, "", "form.key.confirm")
	help(&k.Text.NewLine, "alt+enter", "form.key.newline")
	help(&k.Input.AcceptSuggestion, "", "form.key.complete")
	for _, s := range []struct{ up, down, filter, setFilter, clearFilter, halfUp, halfDown, top, bottom *key.Binding }{
		{&k.Select.Up, &k.Select.Down, &k.Select.Filter, &k.Select.SetFilter, &k.Select.ClearFilter, &k.Select.HalfPageUp, &k.Select.HalfPageDown, &k.Select.GotoTop, &k.Select.GotoBottom},
		{&k.MultiSelect.Up, &k.MultiSelect.Down, &k.MultiSelect.Filter, &k.MultiSelect.SetFilter, &k.MultiSelect.ClearFilter, &k.MultiSelect.HalfPageUp, &k.MultiSelect.HalfPageDown, &k.MultiSelect.GotoTop, &k.MultiSelect.GotoBottom},
	} {
		help(s.up, "", "form.key.up")
		help(s.down, "", "form.key.down")
		help(s.filter, "", "form.key.filter")
		help(s.setFilter, "", "form.key.set_filter")
		help(s.clearFilter, "", "form.key.clear_filter")
		help(s.halfUp, "", "form.key.half_up")
		help(s.halfDown, "", "form.key.half_down")
		help(s.top, "", "form.key.top")
		help(s.bottom, "", "form.key.bottom")
	}
	help(&k.Select.Left, "", "form.key.left")
	help(&k.Select.Right, "", "form.key.right")
	help(&k.MultiSelect.Toggle, "", "form.key.toggle")
	help(&k.MultiSelect.SelectAll, "", "form.key.select_all")
	help(&k.MultiSelect.SelectNone, "", "form.key.select_none")
	help(&k.Confirm.Toggle, "", "form.key.toggle")
	help(&k.Confirm.Accept, "", "form.key.yes")
	help(&k.Confirm.Reject, "", "form.key.no")
	help(&k.FilePicker.Open, "", "form.key.open")
	help(&k.FilePicker.Close, "", "form.key.close")
	help(&k.FilePicker.Up, "", "form.key.up")
	help(&k.FilePicker.Down, "", "form.key.down")
	help(&k.FilePicker.Back, "", "form.key.back")
	help(&k.FilePicker.Select, "", "form.key.select")
	help(&k.FilePicker.GotoTop, "", "form.key.top")
	help(&k.FilePicker.GotoBottom, "", "form.key.bottom")
	help(&k.FilePicker.PageUp, "", "form.key.page_up")
	help(&k.FilePicker.PageDown, "", "form.key.page_down")
}

// Embed makes a huh form safe to run inside a session's program: the session's theme, the
// keys of FormKeys with help in the session's language, and finishing or cancelling only changes the form's State instead of
// quitting the whole workbench.
func (s *Styles) Embed(f *huh.Form) *huh.Form {
	f = f.WithTheme(s.Huh()).WithKeyMap(FormKeys(s.Lang)).WithShowHelp(true)
	f.SubmitCmd, f.CancelCmd = nil, nil
	return f
}
