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
	OwnKeys   key.Binding // K in the settings: the agent's own SSH keys

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

	// The chat list on narrow screens (list mode).
	ListMove key.Binding
	OpenChat key.Binding

	// Dialogs and screens over the page: each shows its own keys in the bottom line.
	Select     key.Binding // ↑↓ in a list of choices
	Scroll     key.Binding // ↑↓ in a text
	Next       key.Binding // enter: the next step
	Confirm    key.Binding // enter: do it
	Cancel     key.Binding // esc
	FormNext   key.Binding
	FormPrev   key.Binding
	FormLine   key.Binding
	Choice     key.Binding // ←→ in a setting or a dialog's choice
	Toggle     key.Binding
	SendFile   key.Binding
	Transfer2  key.Binding // enter with the note typed: transfer
	HelpScroll key.Binding
	HelpClose  key.Binding
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
		OwnKeys:   b("key.own_keys", "K"),

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

		ListMove: key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑↓", l.T("key.list_move"))),
		OpenChat: b("key.open_chat", "enter"),

		Select:     key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑↓", l.T("key.select"))),
		Scroll:     key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑↓", l.T("key.scroll"))),
		Next:       b("key.next_step", "enter"),
		Confirm:    b("key.confirm", "enter"),
		Cancel:     b("key.cancel", "esc"),
		FormNext:   b("key.form_next", "enter", "tab"),
		FormPrev:   b("key.form_prev", "shift+tab"),
		FormLine:   b("key.newline", "alt+enter", "ctrl+j"),
		Choice:     key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←→", l.T("key.choice"))),
		Toggle:     key.NewBinding(key.WithKeys(" "), key.WithHelp(l.T("key.space"), l.T("key.toggle"))),
		SendFile:   b("key.send_link", "enter"),
		Transfer2:  b("key.transfer_now", "enter"),
		HelpScroll: key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑↓ pgup/pgdn", l.T("key.scroll"))),
		HelpClose:  b("key.help_close", "esc", "q", "f1", "?"),
	}
}
