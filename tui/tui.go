// Package tui is the agent's workbench: a Bubble Tea program per SSH session with the visitor
// monitor, the chats and (by permission) the admin screens. It talks to the rest of kefu only
// through the session's desk.AgentSession and the hub events it delivers.
package tui

import (
	"iter"
	"kefu/tui/canned"
	"kefu/tui/cells"
	"kefu/tui/records"
	"kefu/tui/theme"
	"strings"
	"sync/atomic"

	"crypto/rand"
	"encoding/hex"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/sshd"
	"kefu/store"
	"kefu/tui/admin"
)

// New builds the workbench model of one SSH session; sshd calls it.
func New(ws sshd.WorkbenchSession) tea.Model {
	st := theme.New(ws.Renderer)
	st.Lang = ws.Lang
	m := &Model{
		st:       st,
		keys:     NewKeyMap(ws.Lang),
		lang:     ws.Lang,
		as:       ws.Agent,
		me:       ws.Agent.AgentID,
		watching: new(atomic.Uint64),
		width:    ws.Width,
		height:   ws.Height,

		account: ws.Account,
		host:    ws.Host,
		port:    ws.Port,
		now:     time.Now(),
		live:    newLive(),
	}
	if ws.Screen != nil {
		m.screen, m.forceFrame = ws.Screen, true // the first frame is painted on the first message
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
		m.awayAfter = a.AwayMinutes()
	}
	m.lastKey = m.now
	m.monitor = newMonitor(m)
	m.chats = newChats(m)
	m.newScreens()
	// 我的 SSH 公钥, opened with K from the F3 settings: every agent's own keys.
	m.screens[pageOwnKeys] = admin.NewOwnKeys(admin.Context{Styles: m.st, Lang: m.lang, Agent: m.as, Now: func() time.Time { return m.now }})
	return m
}

// page is a screen of the workbench.
type page int

const (
	pageMonitor page = iota
	pageChats
	pageColleagues
	pageLeaves
	pageBlocks
	pageCanned
	pageAdmin
	pageOwnKeys // 我的 SSH 公钥: not a tab, opened from the F3 settings
)

// Model is the root of one session's workbench.
type Model struct {
	st   *theme.Styles
	keys KeyMap
	lang i18n.Lang
	as   *desk.AgentSession
	me   uint64
	// watching is the chat on the agent's screen (0: none), for listen, which runs on
	// another goroutine: that chat's messages are handed over at once, others' gathered.
	watching *atomic.Uint64

	// account, host and port: how this agent reaches kefu over SSH (scp commands).
	account string
	host    string
	port    int

	width, height int
	now           time.Time
	page          page
	live          *live
	monitor       *monitor
	chats         *chats
	detail        *detail // the visitor detail screen, when open
	card          *cardDialog
	transfer      *transferDialog
	blockDlg      *records.BlockDialog
	common        *commonFiles
	screens       map[page]screen // pages built in their own packages
	picker        *canned.Picker  // canned replies beside the chat
	recordsCtx    records.Context
	leaveCount    int // unprocessed leave messages, for the tab badge
	settings      *notifySettings
	notify        map[string]store.Notify // the agent's notification switches
	awayAfter     int                     // idle minutes before away, 0 never
	lastKey       time.Time
	autoAway      bool // the idle timer set the agent away
	toasts        []toast

	showHelp   bool
	helpScroll int
	notice     string
	noticeErr  bool
	noticeAt   time.Time
	quitArmed  time.Time
	ended      string // why the session is closing, shown before quit
	frameCache
	bell bool // the next frames ring the terminal bell

	numberNames map[uint64]string
	arrivals    []*hub.VisitorView // visitors who came in the batch being applied
	keysFrom    page               // the page 我的 SSH 公钥 returns to
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
	return tea.Batch(listen(m.as.Events(), m.watching), tick(), m.chats.loadAll(), m.initScreens(), func() tea.Msg { return frameMsg{} })
}

// listen waits for the next hub events and hands them over in one batch, so a burst costs one
// update. Only one listen runs at a time, which keeps the hub's order.
//
// What the agent waits for (a message, a chat changing hands, a notice) goes at once. The
// steady stream of visitors' views — every visitor of the agent's sites reads pages and
// chats — is gathered for up to gatherFor first: a busy site's hundreds of changes a second
// then wake the workbench a couple of dozen times, not hundreds (with a hundred agents,
// the difference between idle cores and the chats themselves waiting for one).
func listen(ch <-chan hub.Event, watching *atomic.Uint64) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return feedClosedMsg{}
		}
		batch := eventsMsg{ev}
		var timeout <-chan time.Time
		if !urgent(ev, watching.Load()) {
			t := time.NewTimer(gatherFor)
			defer t.Stop()
			timeout = t.C
		}
		for len(batch) < 512 {
			var ev hub.Event
			var ok bool
			select {
			case ev, ok = <-ch:
			default: // nothing more queued: wait for company only while gathering
				if timeout == nil {
					return batch
				}
				select {
				case ev, ok = <-ch:
				case <-timeout:
					return batch
				}
			}
			if !ok {
				return batch
			}
			batch = append(batch, ev)
			if urgent(ev, watching.Load()) {
				timeout = nil
			}
		}
		return batch
	}
}

// gatherFor is how long visitors' changes and other chats' messages wait for company before
// they are applied. They are drawn at most every frameEvery anyway, so a sixth of a second
// is not seen; at the target load (100 agents with 25 busy chats each) 40 ms woke each
// workbench 25 times a second, and 150 ms took the chats' p99 latency 45 → 32 ms and the
// server's CPU 57 → 54% of a core (3-run medians).
const gatherFor = 150 * time.Millisecond

// urgent reports whether an event is one the agent may be waiting for: a message or typing in
// the chat on screen, a chat changing hands, a notice. A message in another chat changes a
// count in the list, which is redrawn a few times a second at most anyway; an agent with 25
// busy chats gets 50 of those a second.
func urgent(ev hub.Event, watching uint64) bool {
	switch e := ev.(type) {
	case hub.VisitorChanged, hub.VisitorLeft, hub.AgentChanged, hub.AgentLeft:
		return false
	case hub.MessageAdded:
		return e.M.ConvID == watching
	case hub.Typing:
		return e.ConvID == watching
	}
	return true
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles a message; it never blocks (slow work runs as commands). When the frame it
// leads to is held back (see View), a frameMsg is scheduled so it is drawn soon after.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.update(msg)
	if !m.quiet {
		m.stale = true
	}
	if m.page == pageChats {
		m.watching.Store(m.chats.active)
	} else {
		m.watching.Store(0)
	}
	m.quiet = false
	m.present()
	return m, tea.Batch(cmd, m.frameLater())
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tickMsg:
		m.now = time.Time(msg)
		toasts, notice := len(m.toasts), m.notice
		if m.notice != "" && m.now.Sub(m.noticeAt) > 8*time.Second {
			m.notice = ""
		}
		m.expireToasts()
		// Clocks show on the monitor (stay time) and the detail; elsewhere a second passing
		// changes nothing unless a popup or notice went away.
		m.quiet = m.page != pageMonitor && m.detail == nil && len(m.toasts) == toasts && m.notice == notice
		return m, tea.Batch(tick(), m.checkIdle())
	case frameMsg:
		m.frameDue = false
		return m, nil
	case eventsMsg:
		cmds := []tea.Cmd{listen(m.as.Events(), m.watching)}
		visible := false
		for _, ev := range msg {
			visible = visible || m.shows(ev)
			if e, ok := ev.(hub.MessageAdded); ok && m.page == pageChats && m.chats.active == e.M.ConvID {
				// What the agent is waiting for is drawn at once, not at the next frame.
				m.forceFrame = true
			}
			cmds = append(cmds, m.apply(ev))
		}
		cmds = append(cmds, m.arrived())
		m.quiet = !visible
		return m, tea.Batch(cmds...)
	case feedClosedMsg:
		// The hub dropped us for falling behind: start again from a fresh snapshot.
		m.live = newLive()
		m.live.load(m.as.Resubscribe())
		m.monitor.invalidate()
		return m, tea.Batch(listen(m.as.Events(), m.watching), m.chats.loadAll())
	case noticeMsg:
		m.setNotice(msg.text, msg.err)
		return m, nil
	case notifySavedMsg:
		if msg.err != nil {
			m.setNotice(m.lang.T("err.failed", ""), true)
		}
		return m, nil
	case cardLoadedMsg:
		if m.card != nil && m.card.visitorID == msg.visitorID {
			if msg.err != nil {
				m.card = nil
				m.setNotice(m.lang.T("err."+errKey(msg.err), ""), true)
				return m, nil
			}
			return m, m.card.start(msg.card)
		}
		return m, nil
	case cardSavedMsg:
		return m, m.cardSaved(msg)
	case commonFilesMsg:
		if m.common != nil {
			m.common.list, m.common.err, m.common.loaded = msg.list, msg.err, true
		}
		return m, nil
	case fileSentMsg:
		if msg.err != nil {
			m.setNotice(m.fileRefusal(msg.err), true)
		} else {
			m.setNotice(m.lang.T("common.sent", cells.Safe(msg.name)), false)
		}
		return m, nil
	case transferredMsg:
		if msg.err != nil {
			m.setNotice(m.lang.T("err."+errKey(msg.err), ""), true)
		} else {
			m.setNotice(m.lang.T("transfer.done", cells.Safe(msg.to)), false)
		}
		return m, nil
	case detailLoadedMsg:
		if m.detail != nil && m.detail.visitorID == msg.visitorID {
			m.detail.d, m.detail.err = msg.d, msg.err
		}
		return m, nil
	case admin.ClosedMsg: // 我的 SSH 公钥 closed: back to the settings it was opened from
		m.page, m.settings = m.keysFrom, &notifySettings{}
		return m, nil
	case sshd.ShutdownMsg:
		m.ended = m.lang.T("wb.shutdown")
		return m, tea.Sequence(tea.Tick(300*time.Millisecond, func(time.Time) tea.Msg { return nil }), tea.Quit)
	case tea.KeyMsg:
		m.forceFrame, m.keyAt = true, time.Now()
		return m, tea.Batch(m.activity(), m.key(msg))
	}
	if m.card != nil {
		// The form's own messages (cursor blink, validation) go to it.
		if cmd := m.card.update(msg); cmd != nil {
			return m, cmd
		}
	}
	cmd, took := m.screenMsg(msg)
	if took {
		return m, cmd
	}
	return m, tea.Batch(cmd, m.chats.update(msg))
}

// EndReason says why the workbench closed when it was not the agent's choice (the server
// stops, the account was disabled); sshd prints it after the screen is restored.
func (m *Model) EndReason() string { return m.ended }

// apply folds one hub event into the live state and the pages.
func (m *Model) apply(ev hub.Event) tea.Cmd {
	switch e := ev.(type) {
	case hub.VisitorChanged:
		old := m.live.visitor(e.V.ID)
		known := old != nil
		m.live.putVisitor(e.V, e.Site)
		m.chats.seen(e.V.ID)
		m.monitor.changed(old, e.V)
		if known && old.PageViews != e.V.PageViews && m.page == pageChats && m.chats.sideShown(m.width) {
			if t := m.chats.ts[m.chats.active]; t != nil && t.conv.VisitorID == e.V.ID {
				return m.chats.loadDetail(e.V.ID) // the trail beside the chat grows
			}
		}
		if !known {
			m.arrivals = append(m.arrivals, e.V) // told about after the batch (arrived)
		}
	case hub.VisitorLeft:
		if v := m.live.visitor(e.ID); v != nil && m.chats.hasVisitor(e.ID) {
			m.chats.lastView[e.ID] = v
		}
		m.live.dropVisitor(e.SiteID, e.ID, e.Site)
		m.chats.seen(e.ID)
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
	case hub.Resync:
		// An admin changed the sites this agent serves.
		m.live = newLive()
		m.live.load(e.Snapshot)
		m.monitor.invalidate()
		var cmds []tea.Cmd
		for _, c := range e.Snapshot.Convs {
			cmds = append(cmds, m.chats.convChanged(c))
		}
		return tea.Batch(cmds...)
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
		// The chat joins the list; the agent goes there when they choose (ctrl+o), never
		// in the middle of typing something else.
		text := m.lang.T("notice.invite_accepted", name)
		if !m.popsUp(store.NotifyRequest) {
			m.setNotice(text, false)
		}
		return m.alert(store.NotifyRequest, said(text), n.VisitorID, n.ConvID)
	case "request":
		// The distribution engine gave this agent a visitor.
		return m.alert(store.NotifyRequest, said(m.lang.T("notice.request", name)), n.VisitorID, n.ConvID)
	case "leave":
		m.setNotice(m.lang.T("notice.leave", name, cells.Cut(cells.Safe(n.Text), 30)), false)
		return tea.Batch(m.refreshLeaveCount(), m.screens[pageLeaves].Update(records.RefreshMsg{}))
	case "transfer":
		return m.alert(store.NotifyTransfer, said(m.lang.T("toast.transfer", cells.Safe(n.From), name, cells.Safe(n.Text))), n.VisitorID, n.ConvID)
	default:
		if n.Text != "" {
			m.setNotice(cells.Safe(n.Text), false)
		}
	}
	return nil
}

func (m *Model) setNotice(text string, isErr bool) {
	m.notice, m.noticeErr, m.noticeAt = text, isErr, m.now
	m.stale = true
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
		m.helpKey(k)
		return nil
	}
	if k.String() == "ctrl+o" {
		return m.openToast()
	}
	if m.card != nil {
		return m.card.update(k)
	}
	if m.blockDlg != nil {
		return m.blockDlg.Update(k)
	}
	if m.common != nil {
		return m.common.key(k)
	}
	if sc := m.screens[m.page]; sc != nil && sc.Capturing() {
		return sc.Update(k)
	}
	if m.page == pageChats && m.picker.IsOpen() && k.String() != "ctrl+r" && k.String() != "tab" && k.String() != "shift+tab" {
		return m.picker.Update(k)
	}
	if m.transfer != nil {
		return m.transfer.key(k)
	}
	if m.settings != nil && k.String() == "K" {
		m.settings, m.keysFrom, m.page = nil, m.page, pageOwnKeys
		return m.screens[pageOwnKeys].Update(admin.ShownMsg{})
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
	typing := m.page == pageChats || m.monitor.filtering || m.screens[m.page] != nil
	switch {
	case k.String() == "f1" || (!typing && k.String() == "?"):
		m.showHelp, m.helpScroll = true, 0
		return nil
	case k.String() == "tab" && m.page == pageChats && strings.HasPrefix(m.chats.input.Value(), "/"):
		// Tab completes a "/shortcut" into its canned reply.
		return m.chats.expandShortcut()
	case k.String() == "tab":
		return m.stepPage(1)
	case k.String() == "shift+tab":
		return m.stepPage(-1)
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
	if sc := m.screens[m.page]; sc != nil {
		return sc.Update(k)
	}
	return nil
}

func (m *Model) pageEntered() tea.Cmd {
	switch m.page {
	case pageChats:
		return m.chats.markRead()
	case pageLeaves:
		return tea.Batch(m.refreshLeaveCount(), m.screens[pageLeaves].Update(records.RefreshMsg{}))
	case pageBlocks:
		return m.screens[pageBlocks].Update(records.RefreshMsg{})
	case pageAdmin:
		return m.screens[pageAdmin].Update(admin.ShownMsg{}) // changes made meanwhile show
	case pageCanned:
		return m.screens[pageCanned].Update(canned.RefreshMsg{})
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

// arrived raises the "visitor enters the site" notice for the visitors who came in the last
// batch of events: one notice each for a few, one notice for them all when many come at once
// (a campaign link, a restart), rather than a wall of popups and bells.
func (m *Model) arrived() tea.Cmd {
	vs := m.arrivals
	m.arrivals = m.arrivals[:0]
	if len(vs) > maxArrivalNotices {
		v := vs[len(vs)-1]
		return m.alert(store.NotifyEnter, said(m.lang.T("toast.enter_many", len(vs), m.nameOf(v), cells.Safe(v.Region))), v.ID, 0)
	}
	var cmds []tea.Cmd
	for _, v := range vs {
		cmds = append(cmds, m.alert(store.NotifyEnter, said(m.lang.T("toast.enter", m.nameOf(v), cells.Safe(v.Region), sourceCell(m, v))), v.ID, 0))
	}
	return tea.Batch(cmds...)
}

// maxArrivalNotices is how many visitors arriving together get a notice each.
const maxArrivalNotices = 3

// visitorName is how the workbench names a visitor: card or member name, else their number.
func (m *Model) visitorName(id uint64) string {
	if v := m.live.visitor(id); v != nil {
		return m.nameOf(v)
	}
	if d := m.chats.details[id]; d != nil && d.Visitor.Card.Name != "" {
		return cells.Safe(d.Visitor.Card.Name)
	}
	return m.numberName(id)
}

func (m *Model) nameOf(v *hub.VisitorView) string {
	if v.Name != "" {
		return cells.Safe(v.Name)
	}
	return m.numberName(v.ID)
}

// numberName is a visitor's name when they have none (访客12), kept: every list line and
// header asks for it on every frame.
func (m *Model) numberName(id uint64) string {
	if n, ok := m.numberNames[id]; ok {
		return n
	}
	if m.numberNames == nil || len(m.numberNames) > 4096 {
		m.numberNames = map[uint64]string{}
	}
	n := m.lang.T("visitor.number", id)
	m.numberNames[id] = n
	return n
}

// live is the session's view of the hub's state, changed only in Update. The visitor lists
// are the hub's own immutable ones (hub.Visitors), shared with every other workbench of the
// site; conversations and agents are few and copied.
type live struct {
	sites  map[uint64]hub.Visitors // by site
	convs  map[uint64]*hub.ConvView
	agents map[uint64]*hub.AgentView
}

func newLive() *live {
	return &live{sites: map[uint64]hub.Visitors{}, convs: map[uint64]*hub.ConvView{}, agents: map[uint64]*hub.AgentView{}}
}

// load starts again from a snapshot.
func (l *live) load(s hub.Snapshot) {
	clear(l.sites)
	for site, vs := range s.Visitors {
		l.sites[site] = vs
	}
	clear(l.convs)
	for _, c := range s.Convs {
		l.convs[c.ID] = c
	}
	clear(l.agents)
	for _, a := range s.Agents {
		l.agents[a.ID] = a
	}
}

// visitor is an online visitor's view, or nil.
func (l *live) visitor(id uint64) *hub.VisitorView {
	for _, vs := range l.sites {
		if v := vs.Get(id); v != nil {
			return v
		}
	}
	return nil
}

// visitors yields every online visitor of the agent's sites.
func (l *live) visitors() iter.Seq[*hub.VisitorView] {
	return func(yield func(*hub.VisitorView) bool) {
		for _, vs := range l.sites {
			for v := range vs.All() {
				if !yield(v) {
					return
				}
			}
		}
	}
}

// visitorCount is how many visitors are online on the agent's sites.
func (l *live) visitorCount() int {
	n := 0
	for _, vs := range l.sites {
		n += vs.Len()
	}
	return n
}

// putVisitor takes a visitor's new view with the site's list that has it (from the event), or
// puts it in the list the session has when the event carries none.
func (l *live) putVisitor(v *hub.VisitorView, site hub.Visitors) {
	if !site.Known() {
		site = l.sites[v.SiteID].With(v)
	}
	l.sites[v.SiteID] = site
}

// dropVisitor is putVisitor for a visitor who left.
func (l *live) dropVisitor(siteID, id uint64, site hub.Visitors) {
	if site.Known() {
		l.sites[siteID] = site
		return
	}
	for sid, vs := range l.sites {
		if vs.Get(id) != nil {
			l.sites[sid] = vs.Without(id)
		}
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
