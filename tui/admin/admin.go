// Package admin is the admin page of the workbench (管理后台): 网站管理, 客服管理, 权限管理,
// 设置中心 and 客服分配, each shown to those whose role allows it, every one scoped by the site
// chosen in the site selector. Forms are huh forms embedded in the page; every action goes
// through the session's desk.AgentSession, which checks the permission again on the server.
//
// The workbench's root model owns the page: it hands it every message while it is shown and
// asks Capturing before using keys (tab, esc, digits) for itself.
package admin

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/cells"
	"kefu/tui/theme"
)

// Context is what the admin page needs from the workbench session.
type Context struct {
	Styles *theme.Styles
	Lang   i18n.Lang
	Agent  *desk.AgentSession
	Now    func() time.Time
}

// Visible reports whether the agent's role allows at least one admin module, which is when
// the workbench shows the admin page at all.
func Visible(as *desk.AgentSession) bool {
	a, r, err := as.Agent()
	return err == nil && authz.AnyAdmin(a, r)
}

// section is one screen of the admin page.
type section interface {
	module() authz.Module
	titleKey() string
	load(fresh bool) tea.Cmd    // fetch its data for the chosen site; fresh: even if loaded
	update(msg tea.Msg) tea.Cmd // its own messages
	key(k tea.KeyMsg) tea.Cmd   // keys when no form is open
	view(w, h int) []string     // at most h lines
	helpKeys() []key.Binding    // for the status line
	capturing() bool            // a text input of its own has focus
	stale()                     // the site changed: load again when shown
}

// Model is the admin page of one workbench session.
type Model struct {
	ctx  Context
	st   *theme.Styles
	lang i18n.Lang
	as   *desk.AgentSession
	keys keyMap

	secs []section
	cur  int

	sites  []store.Site // of the site selector
	siteID uint64
	picker *list // the site selector's list when open

	ed      *editor       // the open form
	pending *confirmation // an action waiting for its key to be pressed again
	own     *sshKeys      // the agent's own SSH keys: the whole page of NewOwnKeys

	notice    string
	noticeErr bool
	noticeAt  time.Time
	err       string // why the page cannot show anything
}

// confirmation is a destructive action armed by its key and done by pressing it again.
type confirmation struct {
	key  string
	text string
	do   func() tea.Cmd
}

// Messages of the admin page.
type (
	// sitesMsg: the site selector's sites.
	sitesMsg struct {
		sites []store.Site
		err   error
	}
	// doneMsg: an action finished; ok is the notice to show, reload what to load again.
	doneMsg struct {
		err    error
		ok     string
		reload bool
	}
	// noticeExpiredMsg clears a notice after a while.
	noticeExpiredMsg struct{ at time.Time }
)

// ShownMsg tells the page it is shown again: it reloads what it shows, so changes made
// elsewhere meanwhile (another admin, a script over SSH) appear.
type ShownMsg struct{}

// ClosedMsg is what the page of NewOwnKeys answers when the agent leaves it (Esc).
type ClosedMsg struct{}

// New builds the admin page; Init loads it.
func New(ctx Context) *Model {
	if ctx.Now == nil {
		ctx.Now = time.Now
	}
	m := &Model{ctx: ctx, st: ctx.Styles, lang: ctx.Lang, as: ctx.Agent, keys: newKeyMap(ctx.Lang)}
	for _, s := range []section{newSites(m), newAgents(m), newRoles(m), newSettings(m), newSeats(m)} {
		if m.as.May(s.module(), 0) {
			m.secs = append(m.secs, s)
		}
	}
	return m
}

// NewOwnKeys builds 我的 SSH 公钥, the page where any agent, whatever their role, lists, adds
// and removes their own SSH keys. It is the keys list of 客服管理 on its own, without sites.
func NewOwnKeys(ctx Context) *Model {
	if ctx.Now == nil {
		ctx.Now = time.Now
	}
	m := &Model{ctx: ctx, st: ctx.Styles, lang: ctx.Lang, as: ctx.Agent, keys: newKeyMap(ctx.Lang)}
	account := ""
	if a, _, err := m.as.Agent(); err == nil {
		account = a.Account
	}
	m.own = newSSHKeys(m, m.as.AgentID, account)
	return m
}

// Init loads the site selector, then the first section.
func (m *Model) Init() tea.Cmd {
	if m.own != nil {
		return m.own.load()
	}
	return m.loadSites()
}

func (m *Model) loadSites() tea.Cmd {
	as := m.as
	return func() tea.Msg {
		sites, err := as.AdminSites()
		return sitesMsg{sites: sites, err: err}
	}
}

func (m *Model) section() section {
	if len(m.secs) == 0 {
		return nil
	}
	return m.secs[m.cur]
}

// site is the chosen site, nil before the sites are loaded.
func (m *Model) site() *store.Site {
	for i := range m.sites {
		if m.sites[i].ID == m.siteID {
			return &m.sites[i]
		}
	}
	return nil
}

// Capturing reports whether a form, the site selector, a pending confirmation or a search
// has the keyboard, so the root passes tab, esc, ? and digits through.
func (m *Model) Capturing() bool {
	if m.ed != nil || m.picker != nil || m.pending != nil {
		return true
	}
	if m.own != nil {
		return false
	}
	s := m.section()
	return s != nil && s.capturing()
}

// HelpKeys are the keys that do something now.
func (m *Model) HelpKeys() []key.Binding {
	k := m.keys
	switch {
	case m.ed != nil:
		return []key.Binding{k.FormNext, k.FormPrev, k.FormCancel}
	case m.picker != nil:
		return []key.Binding{k.Up, k.Down, k.Choose, k.Back}
	}
	if m.own != nil {
		return m.own.helpKeys()
	}
	var out []key.Binding
	if s := m.section(); s != nil {
		out = append(out, s.helpKeys()...)
	}
	return append(out, k.NextSection, k.PrevSection, k.Site, k.Reload)
}

// Update handles every message while the page is shown. It never blocks.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sitesMsg:
		return m.sitesLoaded(msg)
	case doneMsg:
		return m.done(msg)
	case openFormMsg:
		return m.open(msg.ed)
	case noticeExpiredMsg:
		if msg.at.Equal(m.noticeAt) {
			m.notice = ""
		}
		return nil
	case ShownMsg:
		if m.own != nil {
			return m.own.load()
		}
		return m.loadSites()
	case tea.KeyMsg:
		return m.key(msg)
	}
	if msg, ok := msg.(keysLoadedMsg); ok && m.own != nil {
		m.own.update(msg)
		return nil
	}
	if m.ed != nil && !isOwn(msg) {
		return m.formUpdate(msg)
	}
	if s := m.section(); s != nil {
		return s.update(msg)
	}
	return nil
}

// isOwn tells the page's own messages from huh's and the text inputs'.
func isOwn(msg tea.Msg) bool {
	switch msg.(type) {
	case sitesMsg, doneMsg, noticeExpiredMsg, sitesLoadedMsg, agentsLoadedMsg, keysLoadedMsg, rolesLoadedMsg,
		settingsLoadedMsg, seatsLoadedMsg, openFormMsg:
		return true
	}
	return false
}

func (m *Model) sitesLoaded(msg sitesMsg) tea.Cmd {
	if msg.err != nil {
		m.err = desk.Explain(msg.err, m.lang)
		return nil
	}
	m.err = ""
	m.sites = msg.sites
	if len(m.sites) == 0 {
		m.err = m.lang.T("admin.no_sites")
		return nil
	}
	if m.site() == nil && len(m.sites) > 0 {
		m.siteID = m.sites[0].ID
		for _, s := range m.sites {
			if s.ID == store.DefaultSiteID {
				m.siteID = s.ID
			}
		}
	}
	return m.enter()
}

// enter loads the current section for the chosen site, again even if it was loaded: what
// it shows may have changed since.
func (m *Model) enter() tea.Cmd {
	if s := m.section(); s != nil && m.siteID != 0 {
		return s.load(true)
	}
	return nil
}

// clearNotice takes down the last notice when the agent moves on, so that "已添加。" does
// not stay over the next screen.
func (m *Model) clearNotice() { m.notice = "" }

// chooseSite switches every section to another site.
func (m *Model) chooseSite(id uint64) tea.Cmd {
	if id == m.siteID {
		return nil
	}
	m.siteID = id
	for _, s := range m.secs {
		s.stale()
	}
	return m.enter()
}

func (m *Model) setNotice(text string, isErr bool) tea.Cmd {
	m.notice, m.noticeErr, m.noticeAt = text, isErr, m.ctx.Now()
	at := m.noticeAt
	return tea.Tick(6*time.Second, func(time.Time) tea.Msg { return noticeExpiredMsg{at: at} })
}

// run is how every action runs: off the Update goroutine, answering with doneMsg.
func (m *Model) run(ok string, reload bool, action func() error) tea.Cmd {
	return func() tea.Msg {
		return doneMsg{err: action(), ok: ok, reload: reload}
	}
}

func (m *Model) done(msg doneMsg) tea.Cmd {
	if m.ed != nil && m.ed.saving {
		if msg.err != nil {
			m.ed.err = desk.Explain(msg.err, m.lang)
			return m.ed.start(m.st)
		}
		m.ed = nil
	}
	var cmds []tea.Cmd
	if msg.err != nil {
		cmds = append(cmds, m.setNotice(desk.Explain(msg.err, m.lang), true))
	} else if msg.ok != "" {
		cmds = append(cmds, m.setNotice(msg.ok, false))
	}
	switch {
	case msg.reload && m.own != nil:
		cmds = append(cmds, m.own.load())
	case msg.reload:
		cmds = append(cmds, m.loadSites())
		for _, s := range m.secs {
			s.stale()
		}
	}
	return tea.Batch(cmds...)
}

// open shows a form.
func (m *Model) open(e *editor) tea.Cmd {
	m.ed = e
	m.pending = nil
	m.clearNotice()
	return e.start(m.st)
}

// openFormMsg opens a form once the data it needs has loaded.
type openFormMsg struct{ ed *editor }

func (m *Model) formUpdate(msg tea.Msg) tea.Cmd {
	e := m.ed
	if e.saving || e.form == nil {
		return nil
	}
	cmd := theme.UpdateForm(e.form, msg)
	switch e.form.State {
	case huh.StateCompleted:
		e.saving = true
		e.err = ""
		return tea.Batch(cmd, e.submit())
	case huh.StateAborted:
		m.ed = nil
		return nil
	}
	return cmd
}

func (m *Model) key(k tea.KeyMsg) tea.Cmd {
	if m.ed != nil {
		if key.Matches(k, m.keys.FormCancel) && !m.ed.saving && !m.ed.fieldWantsEsc() {
			m.ed = nil
			m.clearNotice()
			return nil
		}
		return m.formUpdate(k)
	}
	if m.picker != nil {
		return m.pickerKey(k)
	}
	if p := m.pending; p != nil {
		m.pending = nil
		if k.String() == p.key {
			return p.do()
		}
		if key.Matches(k, m.keys.Back) {
			return nil
		}
	}
	if m.own != nil {
		cmd, back := m.own.key(k)
		if back {
			m.clearNotice()
			return func() tea.Msg { return ClosedMsg{} }
		}
		return cmd
	}
	s := m.section()
	if s != nil && s.capturing() {
		return s.key(k)
	}
	switch {
	case key.Matches(k, m.keys.NextSection) && len(m.secs) > 0:
		m.cur = (m.cur + 1) % len(m.secs)
		m.clearNotice()
		return m.enter()
	case key.Matches(k, m.keys.PrevSection) && len(m.secs) > 0:
		m.cur = (m.cur + len(m.secs) - 1) % len(m.secs)
		m.clearNotice()
		return m.enter()
	case key.Matches(k, m.keys.Site) && len(m.sites) > 0:
		m.clearNotice()
		m.picker = &list{}
		for i, site := range m.sites {
			if site.ID == m.siteID {
				m.picker.cursor = i
			}
		}
		return nil
	case key.Matches(k, m.keys.Reload):
		for _, s := range m.secs {
			s.stale()
		}
		return m.loadSites()
	}
	if s != nil {
		return s.key(k)
	}
	return nil
}

func (m *Model) pickerKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Back):
		m.picker = nil
	case key.Matches(k, m.keys.Choose):
		i := m.picker.cursor
		m.picker = nil
		if i >= 0 && i < len(m.sites) {
			return m.chooseSite(m.sites[i].ID)
		}
	default:
		m.picker.keyMove(k, m.keys, len(m.sites), 5)
	}
	return nil
}

// confirm arms a destructive action: pressing its key again does it.
func (m *Model) confirm(k, text string, do func() tea.Cmd) tea.Cmd {
	m.pending = &confirmation{key: k, text: text, do: do}
	return nil
}

// View draws the page: exactly h lines of at most w cells.
func (m *Model) View(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	var lines []string
	if m.own == nil {
		lines = append(lines, m.header(w))
	}
	top := len(lines)
	bottom := ""
	switch {
	case m.pending != nil:
		bottom = m.st.Notice.Render(cells.Cut(m.pending.text, w))
	case m.notice != "" && m.noticeErr:
		bottom = m.st.Error.Render(cells.Cut(m.notice, w))
	case m.notice != "":
		bottom = m.st.OK.Render(cells.Cut(m.notice, w))
	}
	bodyH := h - top
	if bottom != "" {
		bodyH--
	}
	var body []string
	switch {
	case m.own != nil && m.ed != nil:
		body = m.ed.view(m, w, bodyH)
	case m.own != nil:
		body = m.own.view(w, bodyH)
	case m.err != "":
		body = []string{m.st.Error.Render(cells.Cut(m.err, w))}
	case len(m.secs) == 0:
		body = wrapMuted(m, m.lang.T("admin.none"), w)
	case m.ed != nil:
		body = m.ed.view(m, w, bodyH)
	case m.picker != nil:
		body = m.pickerView(w, bodyH)
	case m.siteID == 0:
		body = []string{m.st.Muted.Render(cells.Cut(m.lang.T("admin.loading"), w))}
	default:
		body = m.section().view(w, bodyH)
	}
	if len(body) > bodyH {
		body = body[:max(0, bodyH)]
	}
	lines = append(lines, body...)
	for len(lines) < top+bodyH {
		lines = append(lines, "")
	}
	if bottom != "" {
		lines = append(lines, bottom)
	}
	return cells.Place(lines, w, h)
}

// header is the section tabs and the chosen site; when the tabs do not fit, only the current
// section with arrows.
func (m *Model) header(w int) string {
	siteName := ""
	if s := m.site(); s != nil {
		siteName = cells.Safe(s.Name)
		if s.Disabled {
			siteName += m.lang.T("admin.site_disabled_mark")
		}
	}
	right := m.st.Muted.Render(m.lang.T("admin.site_label")) + m.st.Accent.Render(siteName)
	var tabs []string
	for i, s := range m.secs {
		title := m.lang.T(s.titleKey())
		if i == m.cur {
			tabs = append(tabs, m.st.TabActive.Render(title))
		} else {
			tabs = append(tabs, m.st.Tab.Render(title))
		}
	}
	left := strings.Join(tabs, "")
	if cells.Width(left)+cells.Width(right)+1 > w {
		left = ""
		if s := m.section(); s != nil {
			left = m.st.TabActive.Render("‹" + m.lang.T(s.titleKey()) + "›")
		}
	}
	if cells.Width(left)+cells.Width(right)+1 > w {
		right = m.st.Accent.Render(cells.Cut(siteName, max(0, w-cells.Width(left)-1)))
	}
	gap := w - cells.Width(left) - cells.Width(right)
	if gap < 1 {
		return cells.FitStyled(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) pickerView(w, h int) []string {
	lines := []string{m.st.PaneTitle.Render(cells.Cut(m.lang.T("admin.pick_site"), w))}
	rows := h - 1
	first := m.picker.window(len(m.sites), rows)
	for i := first; i < len(m.sites) && len(lines) < h; i++ {
		s := m.sites[i]
		text := fmt.Sprintf("%3d  %s", s.ID, cells.Safe(s.Name))
		if s.Disabled {
			text += m.lang.T("admin.site_disabled_mark")
		}
		line := cells.Fit("  "+text, w)
		if i == m.picker.cursor {
			line = m.st.ListActive.Render(cells.Fit("> "+text, w))
		}
		lines = append(lines, line)
	}
	return lines
}

// wrapMuted wraps a sentence of the page's own into muted lines.
func wrapMuted(m *Model, s string, w int) []string {
	var out []string
	for _, l := range wrapText(s, w) {
		out = append(out, m.st.Muted.Render(l))
	}
	return out
}
