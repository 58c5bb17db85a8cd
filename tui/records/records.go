// Package records holds the workbench screens of the blacklist (屏蔽) and of leave messages
// (留言): the dialog that blocks a visitor, the list of blocks with lifting, and the list of
// leave messages with reading and marking them processed. The workbench embeds them; each
// draws into the cells it is given and asks the desk for everything through the agent's
// session, so every permission is checked on the server side.
package records

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/tui/cells"
	"kefu/tui/theme"
)

// Context is what the screens need from the workbench session.
type Context struct {
	Styles *theme.Styles
	Lang   i18n.Lang
	Agent  *desk.AgentSession
	Sites  func() []uint64 // the sites the agent works on
	Now    func() time.Time
}

func (c Context) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c Context) sites() []uint64 {
	if c.Sites == nil {
		return nil
	}
	return c.Sites()
}

// RefreshMsg asks the blocks and leave messages screens to read their lists again; the
// workbench sends it when a "leave" notice arrives or the page is shown.
type RefreshMsg struct{}

// UnprocessedCount is how many leave messages of the sites are waiting to be dealt with, for
// the 留言 tab's badge. It reads the desk's memory, so it may be called on every render.
func UnprocessedCount(as *desk.AgentSession, sites []uint64) int {
	if as == nil {
		return 0
	}
	n, err := as.UnprocessedLeaves(sites)
	if err != nil {
		return 0
	}
	return n
}

// errText words a desk error for the agent.
func errText(l i18n.Lang, err error) string {
	switch {
	case errors.Is(err, desk.ErrForbidden):
		return l.T("records.err.forbidden")
	case errors.Is(err, desk.ErrNoIP):
		return l.T("block.err.no_ip")
	case errors.Is(err, desk.ErrNoVisitor):
		return l.T("block.err.no_visitor")
	case errors.Is(err, desk.ErrNoBlock), errors.Is(err, desk.ErrNoLeave):
		return l.T("records.err.gone")
	}
	return l.T("records.err.failed")
}

// stamp is a time in the list: month-day hour:minute this year, the date otherwise.
func stamp(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	if t.Year() != now.Year() {
		return t.Format("2006-01-02")
	}
	return t.Format("01-02 15:04")
}

// binding is a key with its help text in the session's language; shown is how help writes
// the key.
func binding(l i18n.Lang, help, shown string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(shown, l.T(help)))
}

// list is the cursor and scroll of a screen's list.
type list struct {
	cursor, offset int
}

// move moves the cursor by delta within n items.
func (l *list) move(delta, n int) {
	l.cursor = max(0, min(n-1, l.cursor+delta))
}

// clamp keeps the cursor on an item and visible in rows rows.
func (l *list) clamp(n, rows int) {
	l.cursor = max(0, min(n-1, l.cursor))
	rows = max(1, rows)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+rows {
		l.offset = l.cursor - rows + 1
	}
	l.offset = max(0, min(l.offset, max(0, n-rows)))
}

// keyNav handles the list keys every screen shares; it reports whether k was one.
func (l *list) keyNav(k tea.KeyMsg, n, page int) bool {
	switch k.String() {
	case "up", "k":
		l.move(-1, n)
	case "down", "j":
		l.move(1, n)
	case "pgup":
		l.move(-max(1, page), n)
	case "pgdown":
		l.move(max(1, page), n)
	case "home", "g":
		l.cursor = 0
	case "end", "G":
		l.cursor = max(0, n-1)
	default:
		return false
	}
	return true
}

// column is one column of a table: a title and a width in cells; a width of 0 takes what the
// other columns leave.
type column struct {
	title string
	width int
}

// layout gives the flexible column what the fixed ones leave of w (one space between
// columns), at least min cells.
func layout(cols []column, w, min int) []column {
	out := append([]column(nil), cols...)
	used, flex := 0, -1
	for i, c := range out {
		if i > 0 {
			used++
		}
		if c.width == 0 {
			flex = i
			continue
		}
		used += c.width
	}
	if flex >= 0 {
		out[flex].width = max(min, w-used)
	}
	return out
}

// row lays cells out in the columns; every cell is cut and padded to its width.
func row(cols []column, vals []string) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += " "
		}
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		s += cells.Fit(v, c.width)
	}
	return s
}

func titles(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.title
	}
	return out
}
