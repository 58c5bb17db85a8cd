package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/store"
	"kefu/tui/admin"
	"kefu/tui/canned"
	"kefu/tui/cells"
	"kefu/tui/records"
)

// screen is a page built in its own package (leave messages, blocks, canned replies, admin):
// the root gives it every message while it is shown, and all keys while it captures them.
type screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	View(w, h int) string
	Capturing() bool
	HelpKeys() []key.Binding
}

// mySites are the sites the agent works on, as the hub knows them.
func (m *Model) mySites() []uint64 {
	if a := m.live.agents[m.me]; a != nil {
		return a.Sites
	}
	return nil
}

// activeSite is the site of the active chat, else the agent's first site.
func (m *Model) activeSite() uint64 {
	if t := m.chats.ts[m.chats.active]; t != nil {
		return t.conv.SiteID
	}
	if sites := m.mySites(); len(sites) > 0 {
		return sites[0]
	}
	return store.DefaultSiteID
}

// newScreens builds the pages that live in their own packages.
func (m *Model) newScreens() {
	rctx := records.Context{Styles: m.st, Lang: m.lang, Agent: m.as, Sites: m.mySites, Now: func() time.Time { return m.now }}
	cctx := canned.Context{Styles: m.st, Lang: m.lang, Agent: m.as, SiteID: m.activeSite, Account: m.account, Host: m.host, Port: m.port}
	m.screens = map[page]screen{
		pageLeaves: records.NewLeaveMessages(rctx),
		pageBlocks: records.NewBlocks(rctx),
		pageCanned: canned.NewManager(cctx),
	}
	m.picker = canned.NewPicker(cctx)
	m.recordsCtx = rctx
	if admin.Visible(m.as) {
		m.screens[pageAdmin] = admin.New(admin.Context{Styles: m.st, Lang: m.lang, Agent: m.as, Now: func() time.Time { return m.now }})
	}
}

// pages are the pages this session shows, in tab order (the admin page only to those whose
// role opens it).
func (m *Model) pages() []page {
	out := []page{pageMonitor, pageChats, pageColleagues, pageLeaves, pageBlocks, pageCanned}
	if m.screens[pageAdmin] != nil {
		out = append(out, pageAdmin)
	}
	return out
}

// stepPage moves to the next (dir 1) or previous (-1) page.
func (m *Model) stepPage(dir int) tea.Cmd {
	ps := m.pages()
	i := 0
	for j, p := range ps {
		if p == m.page {
			i = j
		}
	}
	m.page = ps[(i+dir+len(ps))%len(ps)]
	return m.pageEntered()
}

// initScreens starts the screens and the picker's replies (for /shortcut expansion).
func (m *Model) initScreens() tea.Cmd {
	cmds := []tea.Cmd{m.picker.Load(), m.refreshLeaveCount()}
	for _, s := range m.screens {
		cmds = append(cmds, s.Init())
	}
	return tea.Batch(cmds...)
}

type leaveCountMsg int

// refreshLeaveCount reads how many leave messages wait, for the tab's badge.
func (m *Model) refreshLeaveCount() tea.Cmd {
	as, sites := m.as, m.mySites()
	return func() tea.Msg { return leaveCountMsg(records.UnprocessedCount(as, sites)) }
}

// openBlock shows the dialog that blocks a visitor (屏蔽).
func (m *Model) openBlock(visitorID uint64) tea.Cmd {
	ip := ""
	if v := m.live.visitor(visitorID); v != nil {
		ip = v.IP
	} else if d := m.chats.details[visitorID]; d != nil {
		ip = d.Visitor.IP
	}
	m.blockDlg = records.NewBlockDialog(m.recordsCtx, visitorID, m.visitorName(visitorID), cells.Safe(ip))
	return m.blockDlg.Init()
}

// screenMsg routes the messages of the embedded screens and dialogs; it reports whether it
// took the message.
func (m *Model) screenMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case leaveCountMsg:
		m.leaveCount = int(msg)
		return nil, true
	case records.BlockDoneMsg:
		m.blockDlg = nil
		if msg.Err != nil {
			m.setNotice(m.lang.T("err.failed", ""), true)
		} else if msg.Block != nil {
			m.setNotice(m.lang.T("block.done", cells.Safe(msg.Block.Name)), false)
		}
		return m.screens[pageBlocks].Update(records.RefreshMsg{}), true
	case records.DialogClosedMsg:
		m.blockDlg = nil
		return nil, true
	case canned.ChosenMsg:
		m.chats.input.SetValue(msg.Text)
		m.chats.input.CursorEnd()
		m.page = pageChats
		return m.chats.input.Focus(), true
	case canned.ClosedMsg:
		return m.chats.input.Focus(), true
	}
	// Everything else: the screens' own load results and timers.
	var cmds []tea.Cmd
	if m.blockDlg != nil {
		cmds = append(cmds, m.blockDlg.Update(msg))
	}
	cmds = append(cmds, m.picker.Update(msg))
	for _, s := range m.screens {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...), false
}
