package tui

import (
	"kefu/tui/cells"

	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
)

// ring sounds the terminal bell once: the next frames carry a BEL, then a moment later it is
// taken out again. Drawing it as part of the view keeps it from ever landing inside another
// escape sequence.
func (m *Model) ring() tea.Cmd {
	m.bell = true
	return tea.Tick(150*time.Millisecond, func(time.Time) tea.Msg { return bellOffMsg{} })
}

// bodyHeight is the height left for a page between the top bar and the status line.
func (m *Model) bodyHeight() int { return max(1, m.height-2-len(m.toasts)) }

// View draws the whole screen.
func (m *Model) View() string {
	if m.ended != "" {
		return m.ended + "\n"
	}
	w, h := m.width, m.height
	if w < 20 || h < 6 {
		return cells.Cut(m.lang.T("wb.too_small"), w)
	}
	top := m.topBar(w)
	var body string
	switch {
	case m.showHelp:
		body = m.helpView(w, m.bodyHeight())
	case m.settings != nil:
		body = m.settingsView(w, m.bodyHeight())
	case m.detail != nil:
		body = m.detail.view(w, m.bodyHeight())
	case m.page == pageMonitor:
		body = m.monitor.view(w, m.bodyHeight())
	default:
		body = m.chats.view(w, m.bodyHeight())
	}
	status := m.statusLine(w)
	if m.bell {
		status += "\a"
	}
	if toasts := m.toastLines(w); len(toasts) > 0 {
		body += "\n" + strings.Join(toasts, "\n")
	}
	return top + "\n" + body + "\n" + status
}

// topBar: brand, tabs with counts, and the agent with their status.
func (m *Model) topBar(w int) string {
	unread, waiting := 0, 0
	for _, t := range m.chats.ts {
		unread += t.unread
		if t.conv.AgentID == 0 && !t.ended {
			waiting++
		}
	}
	chatLabel := m.lang.T("tab.chats")
	if n := len(m.chats.order); n > 0 {
		chatLabel += fmt.Sprintf("(%d)", n)
	}
	tabs := []string{m.lang.T("tab.monitor"), chatLabel}
	var parts []string
	for i, t := range tabs {
		if page(i) == m.page {
			parts = append(parts, m.st.TabActive.Render(t))
		} else {
			parts = append(parts, m.st.Tab.Render(t))
		}
		if page(i) == pageChats && unread+waiting > 0 {
			parts = append(parts, m.st.Badge.Render(fmt.Sprintf("●%d", unread+waiting)))
		}
	}
	left := m.st.Brand.Render(m.lang.T("wb.brand")) + " " + strings.Join(parts, "")
	me := ""
	if a := m.live.agents[m.me]; a != nil {
		me = cells.Safe(a.Name) + " "
	}
	status := m.myStatus()
	st := m.st.StatusOn
	switch status {
	case hub.StatusBusy:
		st = m.st.StatusBusy
	case hub.StatusAway:
		st = m.st.StatusAway
	}
	right := me + st.Render("●"+m.lang.T("status."+string(status)))
	if cells.Width(left)+cells.Width(right)+1 > w {
		right = st.Render("●")
	}
	if cells.Width(left)+cells.Width(right)+1 > w {
		return cells.FitStyled(left, w)
	}
	return left + strings.Repeat(" ", w-cells.Width(left)-cells.Width(right)) + right
}

// statusLine shows the latest notice, else the keys of the page.
func (m *Model) statusLine(w int) string {
	if m.notice != "" {
		if m.noticeErr {
			return m.st.Error.Render(cells.Cut(m.notice, w))
		}
		return m.st.Notice.Render(cells.Cut(m.notice, w))
	}
	var keys []key.Binding
	k := m.keys
	switch m.page {
	case pageMonitor:
		keys = []key.Binding{k.Chat, k.Invite, k.Detail, k.Filter, k.Sort, k.NextPage, k.Help}
	default:
		keys = []key.Binding{k.Send, k.NextChat, k.EndChat, k.NextPage, k.Help}
	}
	var parts []string
	used := 0
	for _, b := range keys {
		part := m.st.HelpKey.Render(b.Help().Key) + " " + m.st.HelpDesc.Render(b.Help().Desc)
		if used+cells.Width(part)+2 > w {
			break
		}
		parts = append(parts, part)
		used += cells.Width(part) + 2
	}
	return strings.Join(parts, "  ")
}

// helpView lists every key.
func (m *Model) helpView(w, h int) string {
	k := m.keys
	groups := []struct {
		title string
		keys  []key.Binding
	}{
		{m.lang.T("help.global"), []key.Binding{k.NextPage, k.PrevPage, k.NextChat, k.OpenPopup, k.Status, k.Settings, k.Help, k.Quit}},
		{m.lang.T("help.monitor"), []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Chat, k.Invite, k.Detail, k.Filter, k.Sort, k.SortRv}},
		{m.lang.T("help.chats"), []key.Binding{k.Send, k.Newline, k.NextChat, k.PrevChat, k.ScrollUp, k.ScrollDown, k.Trail, k.EndChat, k.Back}},
	}
	lines := []string{m.st.PaneTitle.Render(m.lang.T("help.title"))}
	for _, g := range groups {
		lines = append(lines, "", m.st.Accent.Render(g.title))
		for _, b := range g.keys {
			keys := strings.Join(b.Keys(), "/")
			lines = append(lines, "  "+m.st.HelpKey.Render(cells.Fit(keys, 16))+" "+m.st.HelpDesc.Render(b.Help().Desc))
		}
	}
	lines = append(lines, "", m.st.Muted.Render(m.lang.T("help.close")))
	// Two columns when the screen is wide and short.
	if len(lines) > h && w >= 80 {
		half := (len(lines) + 1) / 2
		var out []string
		for i := 0; i < half; i++ {
			l := cells.FitStyled(lines[i], w/2)
			if i+half < len(lines) {
				l += lines[i+half]
			}
			out = append(out, l)
		}
		lines = out
	}
	return cells.Place(lines, w, h)
}
