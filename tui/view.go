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
func (m *Model) render() string {
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
	case m.card != nil:
		body = m.card.view(w, m.bodyHeight())
	case m.blockDlg != nil:
		body = m.blockDlg.View(w, m.bodyHeight())
	case m.common != nil:
		body = m.common.view(w, m.bodyHeight())
	case m.transfer != nil:
		body = m.transfer.view(w, m.bodyHeight())
	case m.settings != nil:
		body = m.settingsView(w, m.bodyHeight())
	case m.detail != nil:
		body = m.detail.view(w, m.bodyHeight())
	case m.page == pageMonitor:
		body = m.monitor.view(w, m.bodyHeight())
	case m.page == pageColleagues:
		body = m.colleaguesView(w, m.bodyHeight())
	case m.screens[m.page] != nil:
		body = m.screens[m.page].View(w, m.bodyHeight())
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

// tab is one entry of the top bar.
type tab struct {
	page         page
	label, short string
	badge        int // unread or waiting things, shown as ●N
}

// tabs are the workbench's pages as the top bar shows them.
func (m *Model) tabs() []tab {
	unread, waiting := 0, 0
	for _, t := range m.chats.ts {
		unread += t.unread
		if t.conv.AgentID == 0 && !t.ended {
			waiting++
		}
	}
	chats := m.lang.T("tab.chats")
	if n := len(m.chats.order); n > 0 {
		chats += fmt.Sprintf("(%d)", n)
	}
	tabs := []tab{
		{page: pageMonitor, label: m.lang.T("tab.monitor"), short: m.lang.T("tab.monitor_short")},
		{page: pageChats, label: chats, short: m.lang.T("tab.chats"), badge: unread + waiting},
		{page: pageColleagues, label: m.lang.T("tab.colleagues", len(m.live.agents)), short: m.lang.T("tab.colleagues_short")},
		{page: pageLeaves, label: m.lang.T("tab.leaves"), short: m.lang.T("tab.leaves"), badge: m.leaveCount},
		{page: pageBlocks, label: m.lang.T("tab.blocks"), short: m.lang.T("tab.blocks")},
		{page: pageCanned, label: m.lang.T("tab.canned"), short: m.lang.T("tab.canned_short")},
	}
	if m.screens[pageAdmin] != nil {
		tabs = append(tabs, tab{page: pageAdmin, label: m.lang.T("tab.admin"), short: m.lang.T("tab.admin_short")})
	}
	return tabs
}

// topBar: brand, tabs with counts, and the agent with their status; at narrow widths the
// labels shorten and the name goes, most important last.
func (m *Model) topBar(w int) string {
	status := m.myStatus()
	st := m.st.StatusOn
	switch status {
	case hub.StatusBusy:
		st = m.st.StatusBusy
	case hub.StatusAway:
		st = m.st.StatusAway
	}
	me := ""
	if a := m.live.agents[m.me]; a != nil {
		me = cells.Safe(a.Name) + " "
	}
	render := func(short, brand bool) string {
		var parts []string
		active, inactive := m.st.TabActive, m.st.Tab
		if short { // phone widths: no padding, one space between tabs
			active, inactive = active.Padding(0).MarginRight(1), inactive.Padding(0).MarginRight(1)
		}
		for _, t := range m.tabs() {
			label := t.label
			if short {
				label = t.short
			}
			if t.page == m.page {
				parts = append(parts, active.Render(label))
			} else {
				parts = append(parts, inactive.Render(label))
			}
			if t.badge > 0 {
				parts = append(parts, m.st.Badge.Render(fmt.Sprintf("●%d", t.badge)))
			}
		}
		left := strings.Join(parts, "")
		if brand {
			left = m.st.Brand.Render(m.lang.T("wb.brand")) + " " + left
		}
		return left
	}
	for _, try := range []struct {
		short, brand bool
		right        string
	}{
		{false, true, me + st.Render("●"+m.lang.T("status."+string(status)))},
		{false, true, st.Render("●" + m.lang.T("status."+string(status)))},
		{false, true, st.Render("●")},
		{true, false, st.Render("●")},
	} {
		left := render(try.short, try.brand)
		if gap := w - cells.Width(left) - cells.Width(try.right); gap >= 1 {
			return left + strings.Repeat(" ", gap) + try.right
		}
	}
	return cells.FitStyled(render(true, false), w)
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
		keys = []key.Binding{k.Chat, k.Invite, k.Detail, k.Card, k.Filter, k.Sort, k.NextPage, k.Help}
	case pageColleagues:
		keys = []key.Binding{k.NextPage, k.Status, k.Help}
	case pageChats:
		keys = []key.Binding{k.Send, k.NextChat, k.Canned, k.Transfer, k.EndChat, k.NextPage, k.Help}
	default:
		if sc := m.screens[m.page]; sc != nil {
			keys = append(sc.HelpKeys(), k.NextPage, k.Help)
		}
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
		{m.lang.T("help.monitor"), []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Chat, k.Invite, k.Detail, k.Card, k.Block, k.Filter, k.Sort, k.SortRv}},
		{m.lang.T("help.chats"), []key.Binding{k.Send, k.Newline, k.NextChat, k.PrevChat, k.ScrollUp, k.ScrollDown, k.Canned, k.Shortcut, k.CommonFiles, k.Trail, k.ChatCard, k.Transfer, k.ChatBlock, k.EndChat, k.Back}},
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
