package tui

import (
	"github.com/charmbracelet/bubbles/key"

	"kefu/server/i18n"
)

// KeyMap is every key of the workbench; `f1`/`?` shows them.
type KeyMap struct {
	NextPage key.Binding
	PrevPage key.Binding
	Help     key.Binding
	Quit     key.Binding

	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Home     key.Binding
	End      key.Binding

	Chat   key.Binding
	Invite key.Binding
	Detail key.Binding
	Filter key.Binding
	Sort   key.Binding
	SortRv key.Binding
	Status key.Binding

	OpenPopup key.Binding
	Settings  key.Binding

	Send       key.Binding
	Newline    key.Binding
	NextChat   key.Binding
	PrevChat   key.Binding
	EndChat    key.Binding
	ScrollUp   key.Binding
	ScrollDown key.Binding
	Trail      key.Binding
	ChatCard   key.Binding
	Transfer   key.Binding
	Back       key.Binding
	Card       key.Binding
	Block      key.Binding
	ChatBlock  key.Binding
	Canned     key.Binding
	Shortcut   key.Binding

	CommonFiles key.Binding
}

// NewKeyMap builds the key map with help texts in the session's language.
func NewKeyMap(l i18n.Lang) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], l.T(help)))
	}
	return KeyMap{
		NextPage: b("key.next_page", "tab"),
		PrevPage: b("key.prev_page", "shift+tab"),
		Help:     b("key.help", "f1", "?"),
		Quit:     b("key.quit", "ctrl+c"),

		Up:       b("key.up", "up", "k"),
		Down:     b("key.down", "down", "j"),
		PageUp:   b("key.page_up", "pgup"),
		PageDown: b("key.page_down", "pgdown"),
		Home:     b("key.home", "home", "g"),
		End:      b("key.end", "end", "G"),

		Chat:   b("key.chat", "enter", "c"),
		Invite: b("key.invite", "i"),
		Detail: b("key.detail", "v"),
		Filter: b("key.filter", "/"),
		Sort:   b("key.sort", "s"),
		SortRv: b("key.sort_reverse", "S"),
		Status: b("key.status", "f2"),

		OpenPopup: b("key.open_popup", "ctrl+o"),
		Settings:  b("key.settings", "f3"),

		Send:       b("key.send", "enter"),
		Newline:    b("key.newline", "alt+enter", "ctrl+j"),
		NextChat:   b("key.next_chat", "ctrl+n"),
		PrevChat:   b("key.prev_chat", "ctrl+p"),
		EndChat:    b("key.end_chat", "ctrl+e"),
		ScrollUp:   b("key.scroll_up", "pgup"),
		ScrollDown: b("key.scroll_down", "pgdown"),
		Trail:      b("key.trail", "ctrl+t"),
		ChatCard:   b("key.card", "ctrl+g"),
		Transfer:   b("key.transfer", "ctrl+f"),
		Card:       b("key.card", "e"),
		Block:      b("key.block", "b"),
		ChatBlock:  b("key.block", "ctrl+b"),
		Canned:     b("key.canned", "ctrl+r"),
		Shortcut:   b("key.shortcut", "/…+tab"),

		CommonFiles: b("key.common_files", "ctrl+l"),
		Back:        b("key.back", "esc"),
	}
}
