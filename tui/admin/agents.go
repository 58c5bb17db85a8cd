package admin

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/tui/cells"
)

// agents is 客服管理: the agents of the chosen site, searchable by account, name or nickname;
// add, edit, disable, and each one's SSH keys.
type agents struct {
	m      *Model
	list   list
	rows   []desk.AgentRow
	roles  []desk.RoleRow
	loaded bool
	site   uint64
	err    string

	search    textinput.Model
	searching bool

	keys *sshKeys // the SSH keys of the selected agent, when shown
}

type agentsLoadedMsg struct {
	site  uint64
	rows  []desk.AgentRow
	roles []desk.RoleRow
	err   error
}

func newAgents(m *Model) *agents {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = m.lang.T("admin.search_hint")
	ti.CharLimit = 40
	ti.PromptStyle = m.st.Accent
	ti.TextStyle = m.st.Row
	ti.PlaceholderStyle = m.st.Muted
	ti.Cursor.Style = m.st.Accent
	ti.Cursor.TextStyle = m.st.Row
	return &agents{m: m, search: ti}
}

func (a *agents) module() authz.Module { return authz.Agents }
func (a *agents) titleKey() string     { return "module.agents" }
func (a *agents) capturing() bool      { return a.searching || a.keys != nil }
func (a *agents) stale()               { a.loaded = false }

func (a *agents) load(fresh bool) tea.Cmd {
	if a.loaded && a.site == a.m.siteID && !fresh {
		return nil
	}
	as, site, q := a.m.as, a.m.siteID, a.search.Value()
	return func() tea.Msg {
		rows, err := as.ListAgents(site, q)
		if err != nil {
			return agentsLoadedMsg{site: site, err: err}
		}
		roles, err := as.Roles()
		return agentsLoadedMsg{site: site, rows: rows, roles: roles, err: err}
	}
}

func (a *agents) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case agentsLoadedMsg:
		if msg.site != a.m.siteID {
			return nil
		}
		a.loaded, a.site, a.rows, a.roles, a.err = true, msg.site, msg.rows, msg.roles, ""
		if msg.err != nil {
			a.err = desk.Explain(msg.err, a.m.lang)
		}
		a.list.clamp(len(a.rows))
		if a.keys != nil {
			return a.keys.load()
		}
	case keysLoadedMsg:
		if a.keys != nil {
			a.keys.update(msg)
		}
	default:
		if a.searching {
			var cmd tea.Cmd
			a.search, cmd = a.search.Update(msg)
			return cmd
		}
	}
	return nil
}

func (a *agents) selected() *desk.AgentRow {
	if a.list.cursor >= 0 && a.list.cursor < len(a.rows) {
		return &a.rows[a.list.cursor]
	}
	return nil
}

func (a *agents) helpKeys() []key.Binding {
	k := a.m.keys
	switch {
	case a.searching:
		return []key.Binding{k.Choose, k.Back}
	case a.keys != nil:
		return a.keys.helpKeys()
	}
	return []key.Binding{k.New, k.Edit, k.Keys, k.Search, k.Toggle}
}

func (a *agents) key(k tea.KeyMsg) tea.Cmd {
	m := a.m
	switch {
	case a.searching:
		return a.searchKey(k)
	case a.keys != nil:
		cmd, back := a.keys.key(k)
		if back {
			a.keys = nil
			m.clearNotice()
		}
		return cmd
	}
	if a.list.keyMove(k, m.keys, len(a.rows), 5) {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Search):
		a.searching = true
		return a.search.Focus()
	case key.Matches(k, m.keys.Back) && a.search.Value() != "":
		a.search.SetValue("")
		a.loaded = false
		return a.load(true)
	case key.Matches(k, m.keys.New) && a.loaded: // the form offers the roles loaded with the list
		return m.open(a.form(nil))
	case key.Matches(k, m.keys.Edit):
		if r := a.selected(); r != nil {
			return m.open(a.form(r))
		}
	case key.Matches(k, m.keys.Keys):
		if r := a.selected(); r != nil {
			a.keys = newSSHKeys(m, r.ID, r.Account)
			m.clearNotice()
			return a.keys.load()
		}
	case key.Matches(k, m.keys.Toggle):
		r := a.selected()
		if r == nil {
			return nil
		}
		id, disable, name := r.ID, !r.Disabled, cells.Safe(r.Account)
		text, ok := m.lang.T("admin.confirm_disable_agent", name), m.lang.T("admin.agent_disabled", name)
		if !disable {
			text, ok = m.lang.T("admin.confirm_enable", name), m.lang.T("admin.enabled_done", name)
		}
		as := m.as
		return m.confirm("d", text, func() tea.Cmd {
			return m.run(ok, true, func() error { return as.SetAgentDisabled(id, disable) })
		})
	}
	return nil
}

func (a *agents) searchKey(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "enter":
		a.searching = false
		a.search.Blur()
		a.loaded = false
		return a.load(true)
	case "esc":
		a.searching = false
		a.search.Blur()
		a.search.SetValue("")
		a.loaded = false
		return a.load(true)
	}
	var cmd tea.Cmd
	a.search, cmd = a.search.Update(k)
	return cmd
}

// form is the add (row nil) or edit form of an agent: 基本信息 and the public card.
func (a *agents) form(row *desk.AgentRow) *editor {
	m := a.m
	l := m.lang
	in := desk.AgentInput{Seat: true}
	var confirm string
	siteName := ""
	if site := m.site(); site != nil {
		siteName = cells.Safe(site.Name)
	}
	title := l.T("admin.form.new_agent", siteName)
	var id uint64
	if row != nil {
		id = row.ID
		in = desk.AgentInput{Account: row.Account, Name: row.Name, Nickname: row.Nickname, RoleID: row.RoleID, Gender: row.Gender,
			Phone: row.Phone, Email: row.Email, WorkNo: row.WorkNo, QQ: row.QQ, WeChat: row.WeChat, Seat: row.Seat}
		title = l.T("admin.form.edit_agent", cells.Safe(row.Account))
	}
	var roleOpts []huh.Option[uint64]
	for _, r := range a.roles {
		roleOpts = append(roleOpts, huh.NewOption(roleName(m, r.Role), r.ID))
		if in.RoleID == 0 && r.Builtin == authz.BuiltinAgent {
			in.RoleID = r.ID
		}
	}
	if len(roleOpts) == 0 {
		roleOpts = append(roleOpts, huh.NewOption(l.T("admin.no_roles"), uint64(0)))
	}
	pwCheck := m.check(desk.ValidatePassword)
	pwHint := l.T("admin.f.password_hint")
	if row != nil {
		pwCheck = optional(pwCheck)
		pwHint = l.T("admin.f.password_keep")
	}
	as, site := m.as, m.siteID
	return &editor{
		title: title,
		build: func() *huh.Form {
			lb := m.labels("admin.f.account", "admin.f.name", "admin.f.nickname", "admin.f.role", "admin.f.gender", "admin.f.phone", "admin.f.email",
				"admin.f.password", "admin.f.password2", "admin.f.work_no", "admin.f.qq", "admin.f.wechat", "admin.f.seat")
			return huh.NewForm(huh.NewGroup(inline(lb.indent(),
				lb.input("admin.f.account", &in.Account, 32, l.T("admin.f.account_hint")).Validate(m.check(desk.ValidateAccount)),
				lb.input("admin.f.name", &in.Name, wide(desk.MaxNameRunes), l.T("admin.f.name_hint")).Validate(m.check(desk.ValidateName)),
				lb.input("admin.f.nickname", &in.Nickname, wide(desk.MaxNameRunes), l.T("admin.f.nickname_hint")).Validate(m.check(desk.ValidateNickname)),
				choose(lb, "admin.f.role", &in.RoleID, roleOpts...),
				choose(lb, "admin.f.gender", &in.Gender, huh.NewOption(l.T("admin.f.gender_none"), ""),
					huh.NewOption(l.T("admin.f.male"), "male"), huh.NewOption(l.T("admin.f.female"), "female")),
				lb.input("admin.f.phone", &in.Phone, 20, l.T("admin.f.login_hint")).Validate(m.check(desk.ValidatePhone)),
				lb.input("admin.f.email", &in.Email, 100, l.T("admin.f.login_hint")).Validate(m.check(desk.ValidateEmail)),
				lb.input("admin.f.password", &in.Password, desk.MaxPassword, pwHint).EchoMode(huh.EchoModePassword).Validate(pwCheck),
				lb.input("admin.f.password2", &confirm, desk.MaxPassword, "").EchoMode(huh.EchoModePassword).Validate(func(s string) error {
					if s != in.Password {
						return fmt.Errorf("%s", l.T("admin.err.confirm_password"))
					}
					return nil
				}),
				lb.input("admin.f.work_no", &in.WorkNo, wide(20), "").Validate(m.check(desk.ValidateShort("work_no", 20))),
				lb.input("admin.f.qq", &in.QQ, 12, "").Validate(m.check(desk.ValidateQQ)),
				lb.input("admin.f.wechat", &in.WeChat, 30, "").Validate(m.check(desk.ValidateShort("wechat", 30))),
				huh.NewConfirm().Title(lb.confirm("admin.f.seat")).Inline(true).WithButtonAlignment(lipgloss.Left).
					Affirmative(l.T("admin.enabled")).Negative(l.T("admin.disabled")).Value(&in.Seat),
			)...))
		},
		submit: func() tea.Cmd {
			in := in
			if row == nil {
				return m.run(l.T("admin.created"), true, func() error { _, err := as.CreateAgent(site, in); return err })
			}
			return m.run(l.T("admin.saved"), true, func() error { _, err := as.UpdateAgent(id, in); return err })
		},
	}
}

func (a *agents) view(w, h int) []string {
	m := a.m
	l := m.lang
	if a.keys != nil {
		return a.keys.view(w, h)
	}
	var out []string
	if a.searching || a.search.Value() != "" {
		a.search.Width = max(1, w-cells.Width(a.search.Prompt)-1)
		out = append(out, cells.FitStyled(a.search.View(), w))
		h--
	}
	switch {
	case a.err != "":
		return append(out, m.st.Error.Render(cells.Cut(a.err, w)))
	case !a.loaded:
		return append(out, m.st.Muted.Render(cells.Cut(l.T("admin.loading"), w)))
	case len(a.rows) == 0 && a.search.Value() != "":
		return append(out, m.st.Muted.Render(cells.Cut(l.T("admin.no_match", cells.Safe(a.search.Value())), w)))
	}
	cols := []column{
		{title: l.T("admin.col.account"), min: 6, max: 16, prio: 1},
		{title: l.T("admin.col.name"), min: 6, max: 12, prio: 2},
		{title: l.T("admin.col.nickname"), min: 6, max: 12, prio: 5},
		{title: l.T("admin.col.role"), min: 8, max: 12, prio: 4},
		{title: l.T("admin.col.phone"), min: 11, max: 14, prio: 8},
		{title: l.T("admin.col.work_no"), min: 4, max: 8, prio: 9},
		{title: l.T("admin.col.seat"), min: 4, max: 8, prio: 6},
		{title: l.T("admin.col.state"), min: 4, max: 8, prio: 3},
		{title: l.T("admin.col.online"), min: 4, max: 6, prio: 7},
	}
	var rows [][]string
	for _, r := range a.rows {
		state := l.T("admin.enabled")
		if r.Disabled {
			state = l.T("admin.disabled")
		}
		seat := l.T("admin.seat_on")
		if !r.Seat {
			seat = l.T("admin.seat_off")
		}
		rows = append(rows, []string{r.Account, r.Name, r.Nickname, roleNameOf(m, r.RoleName, r.RoleID, a.roles), r.Phone, r.WorkNo, seat, state, onlineText(m, r)})
	}
	return append(out, m.table(cols, rows, &a.list, w, h)...)
}

func onlineText(m *Model, r desk.AgentRow) string {
	if !r.Online {
		return "-"
	}
	switch r.Status {
	case hub.StatusBusy, hub.StatusAway:
		return m.lang.T("status." + string(r.Status))
	}
	return m.lang.T("status.online")
}
