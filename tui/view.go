package tui

import (
	"kefu/tui/cells"
	"strconv"

	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
)

// ring sounds the terminal bell once: the next frames carry a BEL, then a moment later it is
// taken out again. Drawing it as part of the view keeps it from ever landing inside another
// escape sequence. A ring while the bell is on is the same ring: an agent with 25 busy chats
// gets 50 messages a second, and one bell (and one timer) per burst says it all.
func (m *Model) ring() tea.Cmd {
	if m.bell {
		return nil
	}
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
	toasts := m.toastLines(w)
	// The frame is copied once, here; it is tens of kilobytes several times a second.
	size := len(top) + 1 + len(body) + 1 + len(status) + 1
	for _, t := range toasts {
		size += 1 + len(t)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(top)
	b.WriteByte('\n')
	b.WriteString(body)
	for _, t := range toasts {
		b.WriteByte('\n')
		b.WriteString(t)
	}
	b.WriteByte('\n')
	b.WriteString(status)
	if m.bell {
		b.WriteByte('\a')
	}
	return b.String()
}

// tab is one entry of the top bar.
type tab struct {
	page         page
	label, short string
	badge        int // unread or waiting things, shown as ●N
}

// attention is how much a chat asks of the agent: its unread messages, or one for a request
// nobody has taken whose messages are not counted yet. A request with a message is one
// thing to do, not two.
func (t *transcript) attention() int {
	if t.unread == 0 && t.conv.AgentID == 0 && !t.ended {
		return 1
	}
	return t.unread
}

// tabs are the workbench's pages as the top bar shows them.
func (m *Model) tabs() []tab {
	badge := 0
	for _, t := range m.chats.ts {
		badge += t.attention()
	}
	chats := m.lang.T("tab.chats")
	if n := len(m.chats.order); n > 0 {
		chats += fmt.Sprintf("(%d)", n)
	}
	tabs := []tab{
		{page: pageMonitor, label: m.lang.T("tab.monitor"), short: m.lang.T("tab.monitor_short")},
		{page: pageChats, label: chats, short: chats, badge: badge},
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
// labels shorten, the name and the brand go, then the quiet tabs at the end (still reached
// with tab; "…" says some are hidden). The status dot always stays.
// topBar is drawTopBar, drawn again only when what it shows changed (styling each tab is
// most of what it costs, and it is on every frame).
func (m *Model) topBar(w int) string {
	tabs := m.tabs()
	var k strings.Builder
	fmt.Fprint(&k, w, m.page, m.myStatus())
	if a := m.live.agents[m.me]; a != nil {
		k.WriteString(a.Name)
	}
	for _, t := range tabs {
		fmt.Fprint(&k, "|", t.page, t.label, t.short, t.badge)
	}
	return m.drawn.top.get(k.String(), func() string { return m.drawTopBar(w, tabs) })
}

func (m *Model) drawTopBar(w int, tabs []tab) string {
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
	render := func(short, brand bool, hide int) string {
		var parts []string
		active, inactive := m.st.P.TabActive, m.st.P.Tab
		sep := ""
		if short { // phone widths: no padding, one space between tabs
			active, inactive, sep = m.st.P.TabActiveShort, m.st.P.TabShort, " "
		}
		shown := tabs
		if hide > 0 {
			shown = nil
			for i := len(tabs) - 1; i >= 0; i-- {
				t := tabs[i]
				if hide > 0 && t.page != m.page && t.page != pageMonitor && t.page != pageChats && t.badge == 0 {
					hide--
					continue
				}
				shown = append([]tab{t}, shown...)
			}
		}
		for _, t := range shown {
			label := t.label
			if short {
				label = t.short
			}
			cell := inactive.Render(label)
			if t.page == m.page {
				cell = active.Render(label)
			}
			if t.badge > 0 {
				cell += m.st.P.Badge.Render("●" + strconv.Itoa(t.badge))
			}
			parts = append(parts, cell)
		}
		left := strings.Join(parts, sep)
		if len(shown) < len(tabs) {
			left += sep + m.st.Muted.Render("…")
		}
		if brand {
			left = m.st.Brand.Render(m.lang.T("wb.brand")) + " " + left
		}
		return left
	}
	word := st.Render("●" + m.lang.T("status."+string(status)))
	dot := st.Render("●")
	type try struct {
		short, brand bool
		right        string
	}
	tries := []try{
		{false, true, me + word},
		{false, true, me + dot}, // the agent's name before the word of their status
		{false, true, word},
		{false, true, dot},
		{true, false, word},
		{true, false, dot},
	}
	for _, t := range tries {
		left := render(t.short, t.brand, 0)
		if gap := w - cells.Width(left) - cells.Width(t.right); gap >= 1 {
			return left + strings.Repeat(" ", gap) + t.right
		}
	}
	for hide := 1; hide <= len(tabs); hide++ {
		left := render(true, false, hide)
		if gap := w - cells.Width(left) - cells.Width(dot); gap >= 1 {
			return left + strings.Repeat(" ", gap) + dot
		}
	}
	left := cells.FitStyled(render(true, false, len(tabs)), max(0, w-cells.Width(dot)-1))
	return left + " " + dot
}

// bottomKeys are the keys of what is in front of the agent now, for the bottom line; help
// says whether f1 opens the help from there.
func (m *Model) bottomKeys() (keys []key.Binding, help bool) {
	k := m.keys
	switch {
	case m.showHelp:
		return []key.Binding{k.HelpScroll, k.HelpClose}, false
	case m.card != nil:
		return []key.Binding{k.FormNext, k.FormPrev, k.FormLine, k.Cancel}, false
	case m.blockDlg != nil:
		return m.blockDialogKeys(), false
	case m.common != nil:
		return []key.Binding{k.Select, k.SendFile, k.Cancel}, false
	case m.transfer != nil:
		if m.transfer.noting {
			return []key.Binding{k.Transfer2, k.Back}, false
		}
		return []key.Binding{k.Select, k.Next, k.Cancel}, false
	case m.settings != nil:
		return []key.Binding{k.Select, k.Toggle, k.Cancel, k.Choice, k.OwnKeys}, false // K: 我的 SSH 公钥
	case m.detail != nil:
		return []key.Binding{k.Scroll, k.Back, k.PageUp, k.PageDown}, false
	}
	switch m.page {
	case pageMonitor:
		return []key.Binding{k.Chat, k.Invite, k.Detail, k.Card, k.Filter, k.Sort, k.NextPage}, true
	case pageColleagues:
		return []key.Binding{k.NextPage, k.Status}, true
	case pageChats:
		if m.picker.IsOpen() {
			return m.picker.HelpKeys(), false
		}
		if m.width < narrowWidth && m.chats.listMode && len(m.chats.order) > 0 {
			return []key.Binding{k.ListMove, k.OpenChat, k.NextChat, k.NextPage}, true
		}
		return []key.Binding{k.Send, k.NextChat, k.Canned, k.Transfer, k.EndChat, k.NextPage}, true
	}
	if sc := m.screens[m.page]; sc != nil {
		if sc.Capturing() {
			return sc.HelpKeys(), false
		}
		return append(sc.HelpKeys(), k.NextPage), true
	}
	return nil, true
}

// blockDialogKeys are the keys of the block dialog (屏蔽), a form of choices.
func (m *Model) blockDialogKeys() []key.Binding {
	k := m.keys
	return []key.Binding{k.Choice, key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", m.lang.T("key.form_next"))), k.Confirm, k.Cancel}
}

// statusLine shows the latest notice, else the keys of what is in front of the agent; where
// the help opens, "f1 帮助" always shows, last.
func (m *Model) statusLine(w int) string {
	if m.notice != "" {
		if m.noticeErr {
			return m.st.Error.Render(cells.Cut(m.notice, w))
		}
		return m.st.Notice.Render(cells.Cut(m.notice, w))
	}
	keys, help := m.bottomKeys()
	var k strings.Builder
	fmt.Fprint(&k, w, help)
	for _, b := range keys {
		k.WriteString("|" + b.Help().Key + "\x00" + b.Help().Desc)
	}
	return m.drawn.keys.get(k.String(), func() string { return m.keysLine(keys, help, w) })
}

// drawnLines keeps the last top bar and key line with what they were drawn from.
type drawnLines struct {
	top, keys drawnLine
}

type drawnLine struct{ key, line string }

// get is the line drawn for key, drawn again only when key changed.
func (l *drawnLine) get(key string, draw func() string) string {
	if l.key != key || l.line == "" {
		l.key, l.line = key, draw()
	}
	return l.line
}

// keysLine is the key hints of the bottom line.
func (m *Model) keysLine(keys []key.Binding, help bool, w int) string {
	part := func(b key.Binding) string {
		return m.st.P.HelpKey.Render(b.Help().Key) + " " + m.st.P.HelpDesc.Render(b.Help().Desc)
	}
	tail, used := "", 0
	if help {
		tail = part(m.keys.Help)
		used = cells.Width(tail)
	}
	var parts []string
	for _, b := range keys {
		p := part(b)
		if used+cells.Width(p)+2 > w {
			continue // a shorter one further on may still fit
		}
		parts = append(parts, p)
		used += cells.Width(p) + 2
	}
	if tail != "" {
		parts = append(parts, tail)
	}
	return cells.Cut(strings.Join(parts, "  "), w)
}

// helpGroup is one titled block of the help screen.
type helpGroup struct {
	title string
	keys  []key.Binding
}

// fullHelper is a screen that can list all its keys, not only those of its present state.
type fullHelper interface {
	FullHelpKeys() []key.Binding
}

// helpGroups are every key of every page and dialog, grouped as the agent meets them.
func (m *Model) helpGroups() []helpGroup {
	k := m.keys
	l := m.lang
	screenKeys := func(p page, extra ...key.Binding) []key.Binding {
		sc := m.screens[p]
		if sc == nil {
			return nil
		}
		var keys []key.Binding
		if f, ok := sc.(fullHelper); ok {
			keys = f.FullHelpKeys()
		} else {
			keys = sc.HelpKeys()
		}
		return append(keys, extra...)
	}
	back := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.T("key.back")))
	groups := []helpGroup{
		{l.T("help.global"), []key.Binding{k.NextPage, k.PrevPage, k.NextChat, k.OpenPopup, k.Status, k.Settings, k.Help, k.Quit}},
		{l.T("help.monitor"), []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Chat, k.Invite, k.Detail, k.Card, k.Block, k.Filter, k.Sort, k.SortRv}},
		{l.T("help.chats"), []key.Binding{k.Send, k.Newline, k.NextChat, k.PrevChat, k.ScrollUp, k.ScrollDown, k.Canned, k.Shortcut, k.CommonFiles, k.Trail, k.ChatCard, k.Transfer, k.ChatBlock, k.EndChat, k.Back}},
		{l.T("help.chat_list"), []key.Binding{k.ListMove, k.OpenChat, k.NextChat, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", l.T("key.back_to_list")))}},
		{l.T("help.picker"), m.picker.HelpKeys()},
		{l.T("help.common"), []key.Binding{k.Select, k.SendFile, k.Cancel}},
		{l.T("help.transfer"), []key.Binding{k.Select, k.Next, k.Transfer2, k.Cancel}},
		{l.T("help.card"), []key.Binding{k.FormNext, k.FormPrev, k.FormLine, k.Cancel}},
		{l.T("help.detail"), []key.Binding{k.Scroll, k.PageUp, k.PageDown, k.Home, k.Back}},
		{l.T("help.settings"), []key.Binding{k.Settings, k.Select, k.Choice, k.Toggle, k.OwnKeys, k.Cancel}},
		{l.T("help.leaves"), screenKeys(pageLeaves, back)},
		{l.T("help.blocks"), screenKeys(pageBlocks)},
		{l.T("help.block_dialog"), m.blockDialogKeys()},
		{l.T("help.canned"), screenKeys(pageCanned)},
	}
	if keys := screenKeys(pageAdmin); keys != nil {
		groups = append(groups, helpGroup{l.T("help.admin"), keys})
	}
	return append(groups, helpGroup{l.T("help.help"), []key.Binding{k.HelpScroll, k.HelpClose}})
}

// helpKey scrolls the help screen; any other key closes it.
func (m *Model) helpKey(k tea.KeyMsg) {
	page := max(1, m.bodyHeight()-2)
	switch k.String() {
	case "up", "k":
		m.helpScroll = max(0, m.helpScroll-1)
	case "down", "j":
		m.helpScroll++
	case "pgup":
		m.helpScroll = max(0, m.helpScroll-page)
	case "pgdown", " ":
		m.helpScroll += page
	case "home", "g":
		m.helpScroll = 0
	case "end", "G":
		m.helpScroll = 1 << 20
	default:
		m.showHelp = false
	}
}

// helpLabel is how the help names a binding's keys in w cells: all of them when they are
// few and fit, else the one its help names.
func (m *Model) helpLabel(b key.Binding, w int) string {
	if keys := b.Keys(); len(keys) > 1 && len(keys) <= 3 {
		named := make([]string, len(keys))
		for i, k := range keys {
			named[i] = k
			if k == " " {
				named[i] = m.lang.T("key.space")
			}
		}
		if all := strings.Join(named, "/"); cells.Width(all) <= w {
			return all
		}
	}
	return b.Help().Key
}

// helpBlock lays out one group in w cells: its title, then each key and what it does,
// wrapped under itself when long.
func (m *Model) helpBlock(g helpGroup, w int) []string {
	keyW := 16
	if w < 50 {
		keyW = 12
	}
	lines := []string{m.st.Accent.Render(cells.Cut(g.title, w))}
	seen := map[string]bool{}
	for _, b := range g.keys {
		if !b.Enabled() || b.Help().Desc == "" {
			continue
		}
		label := m.helpLabel(b, keyW)
		if seen[label+b.Help().Desc] {
			continue
		}
		seen[label+b.Help().Desc] = true
		descW := max(1, w-keyW-3)
		for i, d := range cells.Wrap(b.Help().Desc, descW) {
			lead := strings.Repeat(" ", keyW)
			if i == 0 {
				lead = cells.Fit(label, keyW)
			}
			lines = append(lines, "  "+m.st.HelpKey.Render(lead)+" "+m.st.HelpDesc.Render(d))
		}
	}
	return lines
}

// helpView lists every key, grouped, in as many columns as the width holds (a group is never
// split between columns), and scrolls when it is longer than the screen.
func (m *Model) helpView(w, h int) string {
	cols := 1
	switch {
	case w >= 120:
		cols = 3
	case w >= 80:
		cols = 2
	}
	colW := w / cols
	var blocks [][]string
	total := 0
	for _, g := range m.helpGroups() {
		b := append(m.helpBlock(g, colW-1), "")
		blocks = append(blocks, b)
		total += len(b)
	}
	// Fill the columns in order, moving on once a column holds its share.
	target := (total + cols - 1) / cols
	columns := make([][]string, cols)
	c := 0
	for _, b := range blocks {
		if c < cols-1 && len(columns[c]) > 0 && len(columns[c])+len(b) > target {
			c++
		}
		columns[c] = append(columns[c], b...)
	}
	rows := 0
	for _, col := range columns {
		rows = max(rows, len(col))
	}
	var body []string
	for i := 0; i < rows; i++ {
		var line strings.Builder
		for j, col := range columns {
			cell := ""
			if i < len(col) {
				cell = col[i]
			}
			if j < cols-1 {
				cell = cells.FitStyled(cell, colW)
			}
			line.WriteString(cell)
		}
		body = append(body, line.String())
	}
	bodyH := max(1, h-1)
	m.helpScroll = max(0, min(m.helpScroll, len(body)-bodyH))
	title := m.st.PaneTitle.Render(m.lang.T("help.title"))
	if len(body) > bodyH {
		title += m.st.Muted.Render("  " + m.lang.T("help.position", m.helpScroll+1, min(len(body), m.helpScroll+bodyH), len(body)))
	}
	lines := append([]string{cells.Cut(title, w)}, body[m.helpScroll:]...)
	return cells.Place(lines, w, h)
}
