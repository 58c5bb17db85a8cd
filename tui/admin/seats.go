package admin

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/geo"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/cells"
)

// seats is 客服分配 for the chosen site: who serves it, in which group, whether they receive
// visitors automatically, from which regions first, and how many chats at once.
type seats struct {
	m      *Model
	list   list
	rows   []desk.AgentRow
	loaded bool
	site   uint64
	err    string
}

type seatsLoadedMsg struct {
	site uint64
	rows []desk.AgentRow
	err  error
}

func newSeats(m *Model) *seats { return &seats{m: m} }

func (s *seats) module() authz.Module { return authz.Settings }
func (s *seats) titleKey() string     { return "admin.sec.distribution" }
func (s *seats) capturing() bool      { return false }
func (s *seats) stale()               { s.loaded = false }

func (s *seats) load(fresh bool) tea.Cmd {
	if s.loaded && s.site == s.m.siteID && !fresh {
		return nil
	}
	as, site := s.m.as, s.m.siteID
	return func() tea.Msg {
		rows, err := as.Seats(site)
		return seatsLoadedMsg{site: site, rows: rows, err: err}
	}
}

func (s *seats) update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(seatsLoadedMsg); ok && msg.site == s.m.siteID {
		var keep uint64
		if sel := s.selected(); sel != nil {
			keep = sel.ID
		}
		s.loaded, s.site, s.rows, s.err = true, msg.site, byGroup(msg.rows), ""
		if msg.err != nil {
			s.err = desk.Explain(msg.err, s.m.lang)
		}
		for i, r := range s.rows {
			if r.ID == keep {
				s.list.cursor = i
			}
		}
		s.list.clamp(len(s.rows))
	}
	return nil
}

func (s *seats) selected() *desk.AgentRow {
	if s.list.cursor >= 0 && s.list.cursor < len(s.rows) {
		return &s.rows[s.list.cursor]
	}
	return nil
}

func (s *seats) helpKeys() []key.Binding {
	k := s.m.keys
	return []key.Binding{k.Edit, k.Move, k.New, k.Delete}
}

// seatOf is the agent's seat on the site listed.
func seatOf(r desk.AgentRow) store.SiteSeat {
	if r.SiteSeat != nil {
		return *r.SiteSeat
	}
	return store.SiteSeat{}
}

// byGroup sorts the seats by group (分组), named groups first in name order, then those in
// no group; within a group by account.
func byGroup(rows []desk.AgentRow) []desk.AgentRow {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := seatOf(rows[i]).Group, seatOf(rows[j]).Group
		switch {
		case a != b && (a == "" || b == ""):
			return b == ""
		case a != b:
			return a < b
		}
		return rows[i].Account < rows[j].Account
	})
	return rows
}

// groups are the site's groups, as its seats name them, in order.
func (s *seats) groups() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s.rows {
		if g := seatOf(r).Group; g != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

func (s *seats) key(k tea.KeyMsg) tea.Cmd {
	m := s.m
	if s.list.keyMove(k, m.keys, len(s.rows), 5) {
		return nil
	}
	sel := s.selected()
	switch {
	case key.Matches(k, m.keys.Edit) && sel != nil:
		return m.open(s.form(*sel))
	case key.Matches(k, m.keys.Move) && sel != nil:
		if groups := s.groups(); len(groups) == 0 || len(groups) == 1 && groups[0] == seatOf(*sel).Group {
			return m.setNotice(m.lang.T("admin.no_other_group"), false)
		}
		return m.open(s.moveForm(*sel))
	case key.Matches(k, m.keys.New):
		return s.assign()
	case key.Matches(k, m.keys.Delete) && sel != nil:
		id, site, as := sel.ID, m.siteID, m.as
		return m.confirm("x", m.lang.T("admin.confirm_remove_seat", cells.Safe(sel.Account)), func() tea.Cmd {
			return m.run(m.lang.T("admin.deleted"), true, func() error { return as.RemoveSeat(id, site) })
		})
	}
	return nil
}

// assign offers the agents who do not serve the site yet.
func (s *seats) assign() tea.Cmd {
	m := s.m
	as, site := m.as, m.siteID
	return func() tea.Msg {
		all, err := as.ListAgents(0, "")
		if err != nil {
			return doneMsg{err: err}
		}
		var free []desk.AgentRow
		for _, a := range all {
			if !a.Serves(site) && !a.Disabled {
				free = append(free, a)
			}
		}
		if len(free) == 0 {
			return doneMsg{ok: m.lang.T("admin.no_unassigned")}
		}
		return openFormMsg{ed: s.assignForm(free)}
	}
}

func (s *seats) assignForm(free []desk.AgentRow) *editor {
	m := s.m
	l := m.lang
	var opts []huh.Option[uint64]
	for _, a := range free {
		opts = append(opts, huh.NewOption(cells.Safe(a.Account+" "+a.Name), a.ID))
	}
	chosen := free[0].ID
	siteName := ""
	if site := m.site(); site != nil {
		siteName = cells.Safe(site.Name)
	}
	as, site := m.as, m.siteID
	return &editor{
		title: l.T("admin.form.assign", siteName),
		build: func() *huh.Form {
			return huh.NewForm(huh.NewGroup(
				huh.NewSelect[uint64]().Title(l.T("admin.f.assign_agent")).Options(opts...).Value(&chosen).Height(min(len(opts)+2, 10)),
			))
		},
		submit: func() tea.Cmd {
			return m.run(l.T("admin.saved"), true, func() error {
				return as.SetSeat(chosen, store.SiteSeat{SiteID: site, AutoAssign: true, MaxChats: 5})
			})
		},
	}
}

// regionOptions are the areas (each standing for all its provinces) and the provinces of
// SPEC §7, for the 分流区域 multi-select.
func regionOptions(m *Model) []huh.Option[string] {
	var out []huh.Option[string]
	for _, a := range geo.Areas {
		if len(a.Provinces) == 0 {
			out = append(out, huh.NewOption(regionName(m, a.Name), a.Name))
			continue
		}
		out = append(out, huh.NewOption(m.lang.T("admin.area_all", regionName(m, a.Name)), "area:"+a.Name))
		for _, p := range a.Provinces {
			out = append(out, huh.NewOption("  "+regionName(m, p), p))
		}
	}
	return out
}

// regionName shows an area or a province in the UI language; what is stored and routed on
// stays the Chinese short name.
func regionName(m *Model, name string) string {
	if m.lang != i18n.EN {
		return name
	}
	for _, a := range geo.Areas {
		if a.Name == name {
			return a.NameEN
		}
	}
	return geo.ProvinceEN(name)
}

// pickRegions turns stored regions into the multi-select's values: an area whose provinces
// are all there is picked as the area.
func pickRegions(regions []string) []string {
	has := map[string]bool{}
	for _, r := range regions {
		has[r] = true
	}
	var out []string
	for _, a := range geo.Areas {
		all := len(a.Provinces) > 0
		for _, p := range a.Provinces {
			all = all && has[p]
		}
		switch {
		case all || has[a.Name] && len(a.Provinces) > 0:
			out = append(out, "area:"+a.Name)
		case has[a.Name]:
			out = append(out, a.Name)
		default:
			for _, p := range a.Provinces {
				if has[p] {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// storeRegions turns the multi-select's values into provinces (and 海外) to store.
func storeRegions(picked []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, v := range picked {
		name, isArea := strings.CutPrefix(v, "area:")
		if !isArea {
			add(v)
			continue
		}
		for _, a := range geo.Areas {
			if a.Name == name {
				for _, p := range a.Provinces {
					add(p)
				}
			}
		}
	}
	return out
}

// regionsText shows regions compactly: whole areas by name, else provinces.
func regionsText(m *Model, regions []string) string {
	if len(regions) == 0 {
		return m.lang.T("admin.any_region")
	}
	var parts []string
	for _, v := range pickRegions(regions) {
		parts = append(parts, regionName(m, strings.TrimPrefix(v, "area:")))
	}
	return strings.Join(parts, m.lang.T("admin.list_sep"))
}

func (s *seats) form(row desk.AgentRow) *editor {
	m := s.m
	l := m.lang
	seat := store.SiteSeat{SiteID: m.siteID, AutoAssign: true}
	if row.SiteSeat != nil {
		seat = *row.SiteSeat
	}
	regions := pickRegions(seat.Regions)
	maxChats := fmt.Sprint(seat.MaxChats)
	as, id := m.as, row.ID
	var ms *huh.MultiSelect[string]
	return &editor{
		title: l.T("admin.form.seat", cells.Safe(row.Account+" "+row.Name)),
		build: func() *huh.Form {
			lb := m.labels("admin.f.group", "admin.f.auto_assign", "admin.f.max_chats")
			ms = huh.NewMultiSelect[string]().Title(l.T("admin.f.regions")).Description(l.T("admin.f.regions_hint")).
				Options(regionOptions(m)...).Value(&regions).Filterable(true).Height(10)
			return huh.NewForm(huh.NewGroup(inline(lb.indent(),
				lb.input("admin.f.group", &seat.Group, wide(20), l.T("admin.f.group_hint")).Validate(m.check(desk.ValidateShort("group", 20))),
				huh.NewConfirm().Title(lb.confirm("admin.f.auto_assign")).Inline(true).WithButtonAlignment(lipgloss.Left).Affirmative(l.T("admin.on")).Negative(l.T("admin.off")).
					Value(&seat.AutoAssign),
				lb.input("admin.f.max_chats", &maxChats, 2, l.T("admin.f.max_chats_hint")).Validate(m.check(desk.ValidateCount("max_chats", 0, desk.MaxMaxChats))),
				&longList{Field: ms, n: len(regionOptions(m))},
			)...))
		},
		// The regions take every line the three fields above leave, less one for a message.
		fit: func(h int) {
			if ms != nil {
				ms.Height(max(5, h-4))
			}
		},
		submit: func() tea.Cmd {
			out := seat
			out.MaxChats, _ = desk.Atoi(maxChats)
			out.Regions = storeRegions(regions)
			return m.run(l.T("admin.saved"), true, func() error { return as.SetSeat(id, out) })
		},
	}
}

// moveForm moves an agent to another of the site's groups (移动到).
func (s *seats) moveForm(row desk.AgentRow) *editor {
	m := s.m
	l := m.lang
	seat := seatOf(row)
	seat.SiteID = m.siteID
	group := seat.Group
	opts := []huh.Option[string]{huh.NewOption(l.T("admin.no_group"), "")}
	for _, g := range s.groups() {
		opts = append(opts, huh.NewOption(cells.Safe(g), g))
	}
	as, id := m.as, row.ID
	return &editor{
		title: l.T("admin.form.move", cells.Safe(row.Account+" "+row.Name)),
		build: func() *huh.Form {
			lb := m.labels("admin.f.move_to")
			return huh.NewForm(huh.NewGroup(inline(lb.indent(),
				choose(lb, "admin.f.move_to", &group, opts...),
			)...))
		},
		submit: func() tea.Cmd {
			out := seat
			out.Group = group
			name := group
			if name == "" {
				name = l.T("admin.no_group")
			}
			return m.run(l.T("admin.moved", cells.Safe(row.Account), cells.Safe(name)), true, func() error { return as.SetSeat(id, out) })
		},
	}
}

func (s *seats) view(w, h int) []string {
	m := s.m
	l := m.lang
	switch {
	case s.err != "":
		return []string{m.st.Error.Render(cells.Cut(s.err, w))}
	case !s.loaded:
		return []string{m.st.Muted.Render(cells.Cut(l.T("admin.loading"), w))}
	}
	cols := []column{
		{title: l.T("admin.col.group"), min: 6, max: 10, prio: 2},
		{title: l.T("admin.col.account"), min: 6, max: 14, prio: 1},
		{title: l.T("admin.col.name"), min: 6, max: 10, prio: 4},
		{title: l.T("admin.col.nickname"), min: 6, max: 10, prio: 7},
		{title: l.T("admin.col.auto"), min: 8, max: 8, prio: 5},
		{title: l.T("admin.col.regions"), min: 8, max: 40, prio: 3},
		{title: l.T("admin.col.max"), min: 8, max: 9, prio: 6, right: true},
		{title: l.T("admin.col.online"), min: 4, max: 6, prio: 8},
	}
	var rows [][]string
	for _, r := range s.rows {
		seat := seatOf(r)
		group := seat.Group
		if group == "" {
			group = "-"
		}
		auto := l.T("admin.off")
		if seat.AutoAssign {
			auto = l.T("admin.on")
		}
		maxText := l.T("admin.unlimited")
		if seat.MaxChats > 0 {
			maxText = fmt.Sprint(seat.MaxChats)
		}
		rows = append(rows, []string{group, r.Account, r.Name, r.Nickname, auto, regionsText(m, seat.Regions), maxText, onlineText(m, r)})
	}
	hint := wrapMuted(m, l.T("admin.seats_hint"), w)
	out := m.table(cols, rows, &s.list, w, max(2, h-len(hint)))
	for _, line := range hint {
		if len(out) < h {
			out = append(out, line)
		}
	}
	return out
}
