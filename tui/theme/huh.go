package theme

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
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
func FormKeys() *huh.KeyMap {
	k := huh.NewDefaultKeyMap()
	k.Quit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	k.Text.Editor = key.NewBinding(key.WithDisabled())
	k.Input.AcceptSuggestion = key.NewBinding(key.WithDisabled())
	k.Select.Filter = key.NewBinding(key.WithDisabled())
	return k
}

// Embed makes a huh form safe to run inside a session's program: the session's theme, the
// keys of FormKeys, and finishing or cancelling only changes the form's State instead of
// quitting the whole workbench.
func (s *Styles) Embed(f *huh.Form) *huh.Form {
	f = f.WithTheme(s.Huh()).WithKeyMap(FormKeys()).WithShowHelp(true)
	f.SubmitCmd, f.CancelCmd = nil, nil
	return f
}
