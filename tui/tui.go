// Package tui is the agent's workbench: a Bubble Tea program per SSH session with the visitor
// monitor, the chats and (by permission) the admin screens. It talks to the rest of kefu only
// through the session's desk.AgentSession and the hub events it delivers.
package tui

import (
	"kefu/tui/cells"
	"kefu/tui/theme"

	"crypto/rand"
	"encoding/hex"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/sshd"
	"kefu/store"
)

// New builds the workbench model of one SSH session; sshd calls it.
func New(ws sshd.WorkbenchSession) tea.Model {
	st := theme.New(ws.Renderer)
	m := &Model{
		st:     st,
		keys:   NewKeyMap(ws.Lang),
		lang:   ws.Lang,
		as:     ws.Agent,
		me:     ws.Agent.AgentID,
		width:  ws.Width,
		height: ws.Height,
		now:    time.Now(),
		live:   newLive(),
	}
	if m.width <= 0 {
		m.width = 80
	}
	if m.height <= 0 {
		m.height = 24
	}
	m.live.load(ws.Snapshot)
	m.notify = map[string]store.Notify{}
	if a, _, err := ws.Agent.Agent(); err == nil {
		for k, v := range a.Notify {
			m.notify[k] = v
		}
	}
	m.monitor = newMonitor(m)
	m.chats = newChats(m)
	return m
}

// page is a screen of the workbench.
type page int

const (
	pageMonitor page = iota
	pageChats
	pageCount
)

// Model is the root of one session's workbench.
type Model struct {
	st   *theme.Styles
	keys KeyMap
	lang i18n.Lang
	as   *desk.AgentSession
	me   uint64

	width, height int
	now           time.Time
	page          page
	live          *live
	monitor       *monitor
	chats         *chats
	detail        *detail // the visitor detail screen, when open
	settings      *notifySettings
	notify        map[string]store.Notify // the agent's notification switches
	toasts        []toast

	showHelp  bool
	notice    string
	noticeErr bool
	noticeAt  time.Time
	quitArmed time.Time
	ended     string // why the session is closing, shown before quit
	bell      bool   // the next frames ring the terminal bell
}

// Messages of the workbench.
type (
	eventsMsg     []hub.Event
	feedClosedMsg struct{}
	tickMsg       time.Time
	noticeMsg     struct {
		text string
		err  bool
	}
)

// Init starts the event feed and the clock.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(listen(m.as.Events()), tick(), m.chats.loadAll())
}

// listen waits for the next hub events and hands them over in one batch, so a burst costs one
// render. Only one listen runs at a time, which keeps the hub's order.
func listen(ch <-chan hub.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return feedClosedMsg{}
		}
		batch := eventsMsg{ev}
		for len(batch) < 512 {
			select {
			case ev, ok := <-ch:
				if !ok {
					return batch
				}
				batch = append(batch, ev)
			default:
				return batch
			}
		}
		return batch
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles a message; it never blocks (slow work runs as commands).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tickMsg:
		m.now = time.Time(msg)
		if m.notice != "" && m.now.Sub(m.noticeAt) > 8*time.Second {
			m.notice = ""
		}
		m.expireToasts()
		return m, tick()
	case eventsMsg:
		cmds := []tea.Cmd{listen(m.as.Events())}
		for _, ev := range msg {
			cmds = append(cmds, m.apply(ev))
		}
		return m, tea.Batch(cmds...)
	case feedClosedMsg:
		// The hub dropped us for falling behind: start again from a fresh snapshot.
		m.live = newLive()
		m.live.load(m.as.Resubscribe())
		m.monitor.invalidate()
		return m, tea.Batch(listen(m.as.Events()), m.chats.loadAll())
	case noticeMsg:
		m.setNotice(msg.text, msg.err)
		return m, nil
	case notifySavedMsg:
		if msg.err != nil {
			m.setNotice(m.lang.T("err.failed", ""), true)
		}
		return m, nil
	case detailLoadedMsg:
		if m.detail != nil && m.detail.visitorID == msg.visitorID {
			m.detail.d, m.detail.err = msg.d, msg.err
		}
		return m, nil
	case sshd.ShutdownMsg:
		m.ended = m.lang.T("wb.shutdown")
		return m, tea.Sequence(tea.Tick(300*time.Millisecond, func(time.Time) tea.Msg { return nil }), tea.Quit)
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, m.chats.update(msg)
}

// EndReason says why the workbench closed when it was not the agent's choice (the server
// stops, the account was disabled); sshd prints it after the screen is restored.
func (m *Model) EndReason() string { return m.ended }

// apply folds one hub event into the live state and the pages.
func (m *Model) apply(ev hub.Event) tea.Cmd {
	switch e := ev.(type) {
	case hub.VisitorChanged:
		_, known := m.live.visitors[e.V.ID]
		m.live.visitors[e.V.ID] = e.V
		m.monitor.invalidate()
		if !known {
			return m.alert(store.NotifyEnter, m.lang.T("toast.enter", m.nameOf(e.V), cells.Safe(e.V.Region), sourceCell(m, e.V)), e.V.ID, 0)
		}
	case hub.VisitorLeft:
		delete(m.live.visitors, e.ID)
		m.monitor.invalidate()
	case hub.AgentChanged:
		m.live.agents[e.A.ID] = e.A
	case hub.AgentLeft:
		delete(m.live.agents, e.ID)
	case hub.ConvChanged:
		m.live.setConv(e.C)
		m.monitor.invalidate()
		return m.chats.convChanged(e.C)
	case hub.MessageAdded:
		return m.chats.messageAdded(e.M)
	case hub.Typing:
		m.chats.typing[e.ConvID] = e.Text
	case hub.Notice:
		return m.onNotice(e)
	case hub.Bye:
		m.ended = cells.Safe(e.Text)
		return tea.Quit
	}
	return nil
}

// onNotice shows a colleague's or the system's notice.
func (m *Model) onNotice(n hub.Notice) tea.Cmd {
	name := m.visitorName(n.VisitorID)
	switch n.Kind {
	case "invite_declined":
		m.setNotice(m.lang.T("notice.invite_declined", name), false)
	case "invite_timeout":
		m.setNotice(m.lang.T("notice.invite_timeout", name), false)
	case "invite_accepted":
		m.setNotice(m.lang.T("notice.invite_accepted", name), false)
		m.chats.activate(n.ConvID)
		m.page = pageChats
	default:
		if n.Text != "" {
			m.setNotice(cells.Safe(n.Text), false)
		}
	}
	return nil
}

func (m *Model) setNotice(text string, isErr bool) {
	m.notice, m.noticeErr, m.noticeAt = text, isErr, m.now
}

// key handles global keys, then gives the key to the page.
func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	if k.String() == "ctrl+c" {
		if !m.quitArmed.IsZero() && m.now.Sub(m.quitArmed) < 3*time.Second {
			return tea.Quit
		}
		m.quitArmed = m.now
		m.setNotice(m.lang.T("wb.quit_again"), false)
		return nil
	}
	if m.showHelp {
		m.showHelp = false
		return nil
	}
	if k.String() == "ctrl+o" {
		return m.openToast()
	}
	if m.settings != nil {
		return m.settingsKey(k)
	}
	if k.String() == "f3" {
		m.settings = &notifySettings{}
		return nil
	}
	if m.detail != nil {
		return m.detail.key(k)
	}
	typing := m.page == pageChats || m.monitor.filtering
	switch {
	case k.String() == "f1" || (!typing && k.String() == "?"):
		m.showHelp = true
		return nil
	case k.String() == "tab":
		m.page = (m.page + 1) % pageCount
		return m.pageEntered()
	case k.String() == "shift+tab":
		m.page = (m.page + pageCount - 1) % pageCount
		return m.pageEntered()
	case k.String() == "f2":
		return m.cycleStatus()
	case k.String() == "ctrl+n":
		if m.chats.next() {
			m.page = pageChats
			return m.chats.markRead()
		}
		return nil
	}
	switch m.page {
	case pageMonitor:
		return m.monitor.key(k)
	case pageChats:
		return m.chats.key(k)
	}
	return nil
}

func (m *Model) pageEntered() tea.Cmd {
	if m.page == pageChats {
		return m.chats.markRead()
	}
	return nil
}

// cycleStatus moves the agent's status 在线 → 忙碌 → 离开 → 在线.
func (m *Model) cycleStatus() tea.Cmd {
	next := hub.StatusOnline
	switch m.myStatus() {
	case hub.StatusOnline:
		next = hub.StatusBusy
	case hub.StatusBusy:
		next = hub.StatusAway
	}
	as := m.as
	return func() tea.Msg {
		as.SetStatus(next)
		return nil
	}
}

func (m *Model) myStatus() hub.AgentStatus {
	if a := m.live.agents[m.me]; a != nil {
		return a.Status
	}
	return hub.StatusOnline
}

// visitorName is how the workbench names a visitor: card or member name, else their number.
func (m *Model) visitorName(id uint64) string {
	if v := m.live.visitors[id]; v != nil {
		return m.nameOf(v)
	}
	if d := m.chats.details[id]; d != nil && d.Visitor.Card.Name != "" {
		return cells.Safe(d.Visitor.Card.Name)
	}
	return m.lang.T("visitor.number", id)
}

func (m *Model) nameOf(v *hub.VisitorView) string {
	if v.Name != "" {
		return cells.Safe(v.Name)
	}
	return m.lang.T("visitor.number", v.ID)
}

// live is the session's copy of the hub's state, changed only in Update.
type live struct {
	visitors map[uint64]*hub.VisitorView
	convs    map[uint64]*hub.ConvView
	agents   map[uint64]*hub.AgentView
}

func newLive() *live {
	return &live{visitors: map[uint64]*hub.VisitorView{}, convs: map[uint64]*hub.ConvView{}, agents: map[uint64]*hub.AgentView{}}
}

func (l *live) load(s hub.Snapshot) {
	for _, v := range s.Visitors {
		l.visitors[v.ID] = v
	}
	for _, c := range s.Convs {
		l.convs[c.ID] = c
	}
	for _, a := range s.Agents {
		l.agents[a.ID] = a
	}
}

func (l *live) setConv(c *hub.ConvView) {
	if c.State == store.ConvEnded {
		delete(l.convs, c.ID)
		return
	}
	l.convs[c.ID] = c
}

// newCID makes a client id for a message this session sends, so a retry is stored once.
func newCID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "a-" + hex.EncodeToString(b)
}
