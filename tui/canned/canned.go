// Package canned is the workbench's canned responses 常用语: the picker the chat page shows
// beside a conversation, which hands a chosen reply's text to the chat input, and the manager
// screen where agents keep their personal replies and admins a site's public ones. It reaches
// the data only through the session's desk.AgentSession, which checks every permission.
package canned

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/cells"
	"kefu/tui/theme"
)

// Context is what the picker and the manager need from the workbench.
type Context struct {
	Styles *theme.Styles
	Lang   i18n.Lang
	Agent  *desk.AgentSession
	SiteID func() uint64 // the site of the active chat (picker) / the chosen site (manager)
	// Account, Host and Port are how this agent reached kefu over SSH, for the commands the
	// manager shows ("" and 0 when not known: the command says where they go).
	Account string
	Host    string
	Port    int
}

// RefreshMsg asks the manager to read the replies again; the workbench sends it when the
// page is shown, so replies added elsewhere (an SSH import, another admin) appear.
type RefreshMsg struct{}

func (c Context) site() uint64 {
	if c.SiteID == nil {
		return 0
	}
	return c.SiteID()
}

// ChosenMsg is what the picker emits when the agent chooses a reply (and it closes): the text
// for the chat input, where the agent may still edit it before sending.
type ChosenMsg struct{ Text string }

// ClosedMsg is what the picker emits when the agent closes it with Esc.
type ClosedMsg struct{}

// Expand turns a leading "/shortcut" typed in the chat input into the reply's text, for the
// chat page to call when the agent presses Tab (or Enter) on such input. A personal reply's
// shortcut wins over a public one's when replies come in CannedReplies' order.
func Expand(replies []store.CannedReply, input string) (string, bool) {
	return desk.ExpandShortcut(replies, input)
}

// loadedMsg carries replies read for a picker or manager (owner), with the result of the
// action that preceded the read, if any.
type loadedMsg struct {
	owner   any
	seq     int
	site    uint64
	replies []store.CannedReply // personal first, then the site's public ones
	readErr error               // reading the site's public replies (the personal ones may still be there)
	mayRead bool                // the site's public replies are readable
	mayEdit bool                // and changeable

	// After an action of the manager:
	action  string // "save", "delete", "move", "import", "" for a plain load
	err     error
	notice  string
	selID   uint64 // the reply to select
	publicT bool   // the reply is public (which tab it is on)
}

// fetch reads what the agent may see of the site's canned replies. It runs in a command,
// never in Update.
func fetch(as *desk.AgentSession, site uint64) loadedMsg {
	var msg loadedMsg
	msg.site = site
	if site != 0 {
		list, err := as.CannedReplies(site)
		if err == nil {
			msg.replies, msg.mayRead = list, true
			msg.mayEdit = as.MayEditCanned(site)
			return msg
		}
		msg.readErr = err
	}
	list, err := as.CannedReplies(0)
	msg.replies = list
	if err != nil {
		msg.readErr = err
	}
	return msg
}

// numberWidth is how many digits the entries' numbers take: "01." up to 99 replies.
func numberWidth(n int) int { return max(2, len(fmt.Sprint(n))) }

// entryLine draws one reply as " 01. 标题 /price — 内容…" in at most w cells, the first cell
// the selection mark. Everything drawn from the reply passes through cells.Safe: it is text
// someone typed.
func entryLine(st *theme.Styles, no, width int, c *store.CannedReply, w int, selected bool) string {
	line := st.Muted.Render(fmt.Sprintf("%0*d.", width, no)) + " "
	title := cells.Safe(c.Title)
	text := cells.Safe(c.Text)
	if title != "" {
		line += st.PaneTitle.Render(title)
		if c.Shortcut != "" && w >= 50 {
			line += " " + st.Accent.Render("/"+cells.Safe(c.Shortcut))
		}
		line += st.Muted.Render(" — ")
	} else if c.Shortcut != "" && w >= 50 {
		line += st.Accent.Render("/"+cells.Safe(c.Shortcut)) + " "
	}
	return mark(st, line+text, w, selected)
}

// mark puts the selection mark before a line of w-1 cells and highlights the selected one;
// the mark shows where a terminal has no colours.
func mark(st *theme.Styles, line string, w int, selected bool) string {
	if !selected {
		return " " + cells.Cut(line, w-1)
	}
	return st.ListActive.Render(cells.FitStyled(">"+cells.Cut(cells.Strip(line), w-1), w))
}

// groupName is how a group is shown: "" is the default group.
func groupName(l i18n.Lang, g string) string {
	if g == "" {
		return l.T("canned.group_default")
	}
	return cells.Safe(g)
}

// explain is a refusal in the agent's language.
func explain(l i18n.Lang, err error) string { return desk.ExplainCanned(err, l) }

// newSearch is a one-line search box styled by the session.
func newSearch(st *theme.Styles, l i18n.Lang) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = l.T("canned.search_hint")
	ti.CharLimit = 50
	ti.PromptStyle = st.Accent
	ti.TextStyle = st.App
	ti.PlaceholderStyle = st.Muted
	ti.CompletionStyle = st.Muted
	ti.Cursor.Style = st.Accent
	ti.Cursor.TextStyle = st.App
	ti.Cursor.SetMode(cursor.CursorStatic) // no blink: a frame every half second per session is waste
	return ti
}

func binding(l i18n.Lang, helpKey, label string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, l.T(helpKey)))
}

// check turns a desk validation into a huh validator speaking the agent's language.
func check(l i18n.Lang, f func(string) error) func(string) error {
	return func(s string) error {
		if err := f(s); err != nil {
			return errors.New(explain(l, err))
		}
		return nil
	}
}

// splitLines splits a rendered block into lines.
func splitLines(s string) []string { return strings.Split(s, "\n") }
