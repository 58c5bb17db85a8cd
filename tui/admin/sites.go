package admin

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
)

// sites is 网站管理: the sites with their domains, secret and embed code; add, edit, disable.
type sites struct {
	m      *Model
	list   list
	rows   []store.Site
	loaded bool
	err    string
	create bool // may add sites (an admin of all sites)
}

type sitesLoadedMsg struct {
	sites  []store.Site
	create bool
	err    error
}

func newSites(m *Model) *sites { return &sites{m: m} }

func (s *sites) module() authz.Module { return authz.Sites }
func (s *sites) titleKey() string     { return "module.sites" }
func (s *sites) capturing() bool      { return false }
func (s *sites) stale()               { s.loaded = false }

func (s *sites) load(fresh bool) tea.Cmd {
	if s.loaded && !fresh {
		return nil
	}
	as := s.m.as
	return func() tea.Msg {
		rows, err := as.Sites()
		return sitesLoadedMsg{sites: rows, create: as.May(authz.Sites, authz.EverySite), err: err}
	}
}

func (s *sites) update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(sitesLoadedMsg); ok {
		s.loaded, s.rows, s.create, s.err = true, msg.sites, msg.create, ""
		if msg.err != nil {
			s.err = desk.Explain(msg.err, s.m.lang)
		}
		// Start on the chosen site.
		for i, r := range s.rows {
			if r.ID == s.m.siteID && s.list.cursor == 0 {
				s.list.cursor = i
			}
		}
	}
	return nil
}

func (s *sites) selected() *store.Site {
	if s.list.cursor >= 0 && s.list.cursor < len(s.rows) {
		return &s.rows[s.list.cursor]
	}
	return nil
}

func (s *sites) helpKeys() []key.Binding {
	k := s.m.keys
	return []key.Binding{k.New, k.Edit, k.Toggle}
}

func (s *sites) key(k tea.KeyMsg) tea.Cmd {
	m := s.m
	if s.list.keyMove(k, m.keys, len(s.rows), 5) {
		return nil
	}
	if !s.loaded {
		return nil // whether the agent may add sites is known once the list has loaded
	}
	switch {
	case key.Matches(k, m.keys.New):
		if !s.create {
			return m.setNotice(desk.Explain(desk.ErrForbidden, m.lang), true)
		}
		return m.open(s.form(nil))
	case key.Matches(k, m.keys.Edit):
		if site := s.selected(); site != nil {
			return m.open(s.form(site))
		}
	case key.Matches(k, m.keys.Toggle):
		site := s.selected()
		if site == nil {
			return nil
		}
		id, disable, name := site.ID, !site.Disabled, cells.Safe(site.Name)
		text, ok := m.lang.T("admin.confirm_disable_site", name), m.lang.T("admin.site_disabled", name)
		if !disable {
			text, ok = m.lang.T("admin.confirm_enable", name), m.lang.T("admin.enabled_done", name)
		}
		as := m.as
		return m.confirm("d", text, func() tea.Cmd {
			return m.run(ok, true, func() error { return as.SetSiteDisabled(id, disable) })
		})
	}
	return nil
}

// form is the add (site nil) or edit form of a site.
func (s *sites) form(site *store.Site) *editor {
	m := s.m
	l := m.lang
	var name, domains, secret string
	title := l.T("admin.form.new_site")
	secretHint := l.T("admin.f.secret_new")
	var id uint64
	if site != nil {
		id, name, domains = site.ID, site.Name, strings.Join(site.Domains, ", ")
		title = l.T("admin.form.edit_site", cells.Safe(site.Name))
		secretHint = l.T("admin.f.secret_keep")
	}
	as := m.as
	return &editor{
		title: title,
		build: func() *huh.Form {
			lb := m.labels("admin.f.site_name", "admin.f.domains", "admin.f.secret")
			return huh.NewForm(huh.NewGroup(inline(lb.indent(),
				lb.input("admin.f.site_name", &name, wide(desk.MaxSiteNameRunes), l.T("admin.f.site_name_hint")).Validate(m.check(desk.ValidateSiteName)),
				lb.input("admin.f.domains", &domains, 2000, l.T("admin.f.domains_hint")).Validate(m.check(desk.ValidateDomains)),
				lb.input("admin.f.secret", &secret, 128, secretHint).Validate(m.check(desk.ValidateSecret)),
			)...))
		},
		submit: func() tea.Cmd {
			in := desk.SiteInput{Name: name, Domains: []string{domains}, Secret: secret}
			if site == nil {
				return m.run(l.T("admin.created"), true, func() error { _, err := as.CreateSite(in); return err })
			}
			return m.run(l.T("admin.saved"), true, func() error { _, err := as.UpdateSite(id, in); return err })
		},
	}
}

func (s *sites) view(w, h int) []string {
	m := s.m
	l := m.lang
	if s.err != "" {
		return []string{m.st.Error.Render(cells.Cut(s.err, w))}
	}
	if !s.loaded {
		return []string{m.st.Muted.Render(cells.Cut(l.T("admin.loading"), w))}
	}
	cols := []column{
		{title: "ID", min: 3, max: 5, prio: 3, right: true},
		{title: l.T("admin.col.site_name"), min: 8, max: 24, prio: 1},
		{title: l.T("admin.col.domains"), min: 10, max: 60, prio: 4},
		{title: l.T("admin.col.state"), min: 4, max: 8, prio: 2},
	}
	var rows [][]string
	for _, r := range s.rows {
		state := l.T("admin.enabled")
		if r.Disabled {
			state = l.T("admin.disabled")
		}
		rows = append(rows, []string{fmt.Sprint(r.ID), r.Name, strings.Join(r.Domains, ", "), state})
	}
	detail := s.detail(w)
	tableH := h
	if h-len(detail)-1 >= min(len(rows)+1, 4) {
		tableH = h - len(detail) - 1
	} else {
		detail = nil
	}
	out := m.table(cols, rows, &s.list, w, min(tableH, len(rows)+1))
	if detail != nil {
		for len(out) < tableH {
			out = append(out, "")
		}
		out = append(out, m.st.Muted.Render(strings.Repeat("─", w)))
		out = append(out, detail...)
	}
	return out
}

// detail is what the selected site says in full: domains, secret, embed code. The embed code
// is one line when it fits; on a narrow terminal the tag is broken at its spaces so that the
// address stays whole on a line of its own, and the script command that prints it in one
// piece is named.
func (s *sites) detail(w int) []string {
	site := s.selected()
	if site == nil {
		return nil
	}
	m := s.m
	l := m.lang
	var out []string
	add := func(label, value string) {
		for i, line := range cells.Wrap(cells.Safe(value), max(1, w-cells.Width(label))) {
			if i == 0 {
				out = append(out, m.st.Muted.Render(label)+line)
			} else {
				out = append(out, strings.Repeat(" ", cells.Width(label))+line)
			}
		}
	}
	add(l.T("admin.detail.domains"), strings.Join(site.Domains, ", "))
	add(l.T("admin.detail.secret"), site.Secret)
	out = append(out, wrapMuted(m, l.T("admin.detail.embed"), w)...)
	code := m.ctx.Agent.EmbedCode(site.ID)
	if cells.Width(code) <= w {
		return append(out, m.st.Accent.Render(code))
	}
	for _, part := range embedLines(code) {
		for _, line := range cells.Wrap(part, w) {
			out = append(out, m.st.Accent.Render(line))
		}
	}
	return append(out, wrapMuted(m, l.T("admin.detail.embed_json", m.as.SSHPort()), w)...)
}

// embedLines breaks the embed tag so that its address stands alone on the middle line:
// `<script async src=`, `"https://…"`, `></script>`. HTML allows the spaces (or line ends)
// around the =, so the three lines pasted together are still the same tag.
func embedLines(code string) []string {
	i := strings.Index(code, `src="`)
	if i < 0 {
		return strings.Fields(code)
	}
	j := strings.Index(code[i+5:], `"`)
	if j < 0 {
		return strings.Fields(code)
	}
	url := code[i+5 : i+5+j]
	open := strings.TrimSpace(code[:i])
	attrs, ok := strings.CutSuffix(strings.TrimSpace(code[i+5+j+1:]), "></script>")
	if !ok {
		return strings.Fields(code)
	}
	if attrs = strings.TrimSpace(attrs); attrs != "" {
		open += " " + attrs
	}
	return []string{open + " src=", `"` + url + `"`, "></script>"}
}
