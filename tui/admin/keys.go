package admin

import (
	"github.com/charmbracelet/bubbles/key"

	"kefu/server/i18n"
)

// keyMap is every key of the admin page; the root shows them in its status line and help.
type keyMap struct {
	PrevSection key.Binding
	NextSection key.Binding
	Site        key.Binding
	Reload      key.Binding

	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Home     key.Binding
	End      key.Binding

	New    key.Binding
	Edit   key.Binding
	Toggle key.Binding
	Delete key.Binding
	Keys   key.Binding
	Move   key.Binding
	Search key.Binding
	Back   key.Binding
	Choose key.Binding

	FormNext   key.Binding
	FormPrev   key.Binding
	FormCancel key.Binding
}

func newKeyMap(l i18n.Lang) keyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], l.T(help)))
	}
	return keyMap{
		PrevSection: b("admin.key.prev_section", "left"),
		NextSection: b("admin.key.next_section", "right"),
		Site:        b("admin.key.site", "w"),
		Reload:      b("admin.key.reload", "r"),

		Up:       b("key.up", "up", "k"),
		Down:     b("key.down", "down", "j"),
		PageUp:   b("key.page_up", "pgup"),
		PageDown: b("key.page_down", "pgdown"),
		Home:     b("key.home", "home", "g"),
		End:      b("key.end", "end", "G"),

		New:    b("admin.key.new", "n"),
		Edit:   b("admin.key.edit", "e", "enter"), // "e" in the footer: short enough for K and / at 40 columns
		Toggle: b("admin.key.toggle", "d"),
		Delete: b("admin.key.delete", "x"),
		Keys:   b("admin.key.keys", "K"),
		Move:   b("admin.key.move", "m"),
		Search: b("admin.key.search", "/"),
		Back:   b("admin.key.back", "esc"),
		Choose: b("admin.key.choose", "enter"),

		FormNext:   b("admin.key.form_next", "enter", "tab"),
		FormPrev:   b("admin.key.form_prev", "shift+tab"),
		FormCancel: b("admin.key.form_cancel", "esc"),
	}
}
