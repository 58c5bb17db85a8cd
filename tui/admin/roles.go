package admin

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/cells"
)

// roles is 权限管理: the built-in roles (不可删改) and custom ones, each with its permissions
// module by module; add by copying a role, edit, delete.
type roles struct {
	m      *Model
	list   list
	rows   []desk.RoleRow
	loaded bool
	err    string
	edit   bool // may add, change and delete roles (roles of all sites)
}

type rolesLoadedMsg struct {
	rows []desk.RoleRow
	edit bool
	err  error
}

func newRoles(m *Model) *roles { return &roles{m: m} }

func (r *roles) module() authz.Module { return authz.Roles }
func (r *roles) titleKey() string     { return "module.roles" }
func (r *roles) capturing() bool      { return false }
func (r *roles) stale()               { r.loaded = false }

func (r *roles) load(fresh bool) tea.Cmd {
	if r.loaded && !fresh {
		return nil
	}
	as := r.m.as
	return func() tea.Msg {
		rows, err := as.Roles()
		return rolesLoadedMsg{rows: rows, edit: as.May(authz.Roles, authz.EverySite), err: err}
	}
}

func (r *roles) update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(rolesLoadedMsg); ok {
		r.loaded, r.rows, r.edit, r.err = true, msg.rows, msg.edit, ""
		if msg.err != nil {
			r.err = desk.Explain(msg.err, r.m.lang)
		}
		r.list.clamp(len(r.rows))
	}
	return nil
}

func (r *roles) selected() *desk.RoleRow {
	if r.list.cursor >= 0 && r.list.cursor < len(r.rows) {
		return &r.rows[r.list.cursor]
	}
	return nil
}

func (r *roles) helpKeys() []key.Binding {
	k := r.m.keys
	return []key.Binding{k.New, k.Edit, k.Delete}
}

func (r *roles) key(k tea.KeyMsg) tea.Cmd {
	m := r.m
	if r.list.keyMove(k, m.keys, len(r.rows), 5) {
		return nil
	}
	sel := r.selected()
	if !r.loaded {
		return nil // what the role may do is known once the list has loaded
	}
	if !r.edit && (key.Matches(k, m.keys.New) || key.Matches(k, m.keys.Edit) || key.Matches(k, m.keys.Delete)) {
		return m.setNotice(desk.Explain(desk.ErrForbidden, m.lang), true)
	}
	switch {
	case key.Matches(k, m.keys.New):
		return m.open(r.newForm())
	case key.Matches(k, m.keys.Edit) && sel != nil:
		if authz.IsBuiltin(&sel.Role) {
			return m.setNotice(desk.Explain(desk.ErrBuiltinRole, m.lang), true)
		}
		return m.open(r.editForm(sel.Role))
	case key.Matches(k, m.keys.Delete) && sel != nil:
		if authz.IsBuiltin(&sel.Role) {
			return m.setNotice(desk.Explain(desk.ErrBuiltinRole, m.lang), true)
		}
		id, as := sel.ID, m.as
		return m.confirm("x", m.lang.T("admin.confirm_delete_role", cells.Safe(sel.Name)), func() tea.Cmd {
			return m.run(m.lang.T("admin.deleted"), true, func() error { return as.DeleteRole(id) })
		})
	}
	return nil
}

// newForm creates a role named by the admin from a copy of another (复制角色).
func (r *roles) newForm() *editor {
	m := r.m
	l := m.lang
	var name string
	var from uint64
	var opts []huh.Option[uint64]
	for _, row := range r.rows {
		opts = append(opts, huh.NewOption(roleName(m, row.Role), row.ID))
		if from == 0 || row.Builtin == authz.BuiltinAgent {
			from = row.ID
		}
	}
	as := m.as
	return &editor{
		title: l.T("admin.form.new_role"),
		build: func() *huh.Form {
			lb := m.labels("admin.f.role_name", "admin.f.copy_role")
			return huh.NewForm(huh.NewGroup(inline(lb.indent(),
				lb.input("admin.f.role_name", &name, wide(desk.MaxRoleNameRunes), l.T("admin.f.role_name_hint")).Validate(m.check(desk.ValidateRoleName)),
				choose(lb, "admin.f.copy_role", &from, opts...).withHint(l.T("admin.f.copy_role_hint")),
			)...))
		},
		submit: func() tea.Cmd {
			return m.run(l.T("admin.created"), true, func() error { _, err := as.CreateRole(name, from); return err })
		},
	}
}

// editForm renames a custom role and sets each module's scope.
func (r *roles) editForm(role store.Role) *editor {
	m := r.m
	l := m.lang
	name := role.Name
	scopes := make([]store.Scope, len(authz.Modules))
	for i, mod := range authz.Modules {
		scopes[i] = role.Perms[string(mod)]
	}
	as, id := m.as, role.ID
	return &editor{
		title: l.T("admin.form.edit_role", cells.Safe(role.Name)),
		build: func() *huh.Form {
			keys := []string{"admin.f.role_name"}
			for _, mod := range authz.Modules {
				keys = append(keys, "module."+string(mod))
			}
			lb := m.labels(keys...)
			fields := []huh.Field{
				lb.input("admin.f.role_name", &name, wide(desk.MaxRoleNameRunes), l.T("admin.f.role_name_hint")).Validate(m.check(desk.ValidateRoleName)),
			}
			for i, mod := range authz.Modules {
				fields = append(fields, choose(lb, "module."+string(mod), &scopes[i],
					huh.NewOption(l.T("admin.scope.none"), store.ScopeNone),
					huh.NewOption(l.T("admin.scope.all"), store.ScopeAll),
					huh.NewOption(l.T("admin.scope.own"), store.ScopeOwn),
				))
			}
			return huh.NewForm(huh.NewGroup(inline(lb.indent(), fields...)...))
		},
		submit: func() tea.Cmd {
			perms := map[string]store.Scope{}
			for i, mod := range authz.Modules {
				if scopes[i] != store.ScopeNone {
					perms[string(mod)] = scopes[i]
				}
			}
			return m.run(l.T("admin.saved"), true, func() error { _, err := as.UpdateRole(id, name, perms); return err })
		},
	}
}

func scopeText(m *Model, s store.Scope) string {
	switch s {
	case store.ScopeAll:
		return m.lang.T("admin.scope.all")
	case store.ScopeOwn:
		return m.lang.T("admin.scope.own")
	}
	return m.lang.T("admin.scope.none")
}

func (r *roles) view(w, h int) []string {
	m := r.m
	l := m.lang
	if r.err != "" {
		return []string{m.st.Error.Render(cells.Cut(r.err, w))}
	}
	if !r.loaded {
		return []string{m.st.Muted.Render(cells.Cut(l.T("admin.loading"), w))}
	}
	cols := []column{
		{title: l.T("admin.col.role_name"), min: 8, max: 16, prio: 1},
		{title: l.T("admin.col.kind"), min: 6, max: 18, prio: 2},
		{title: l.T("admin.col.holders"), min: 6, max: 6, prio: 3, right: true},
	}
	var rows [][]string
	for _, row := range r.rows {
		kind := l.T("admin.role_custom")
		if row.Builtin != "" {
			kind = l.T("admin.role_builtin")
		}
		rows = append(rows, []string{roleName(m, row.Role), kind, fmt.Sprint(row.Agents)})
	}
	// The permissions of the selected role, beside the list when wide, under it otherwise.
	var perms []string
	if sel := r.selected(); sel != nil {
		for _, mod := range authz.Modules {
			perms = append(perms, cells.Fit(l.T("module."+string(mod)), 10)+" "+scopeText(m, sel.Perms[string(mod)]))
		}
	}
	if w >= 80 {
		lw := min(50, w*55/100)
		left := m.table(cols, rows, &r.list, lw, h)
		out := make([]string, 0, h)
		for i := 0; i < h && (i < len(left) || i < len(perms)+1); i++ {
			line := ""
			if i < len(left) {
				line = left[i]
			}
			line = cells.FitStyled(line, lw) + "  "
			switch {
			case i == 0:
				line += m.st.TableHeader.Render(l.T("admin.perms_title"))
			case i-1 < len(perms):
				line += perms[i-1]
			}
			out = append(out, line)
		}
		return out
	}
	tableH := min(len(rows)+1, max(3, h-len(perms)-2))
	out := m.table(cols, rows, &r.list, w, tableH)
	if h-len(out) >= 3 {
		out = append(out, m.st.TableHeader.Render(cells.Cut(l.T("admin.perms_title"), w)))
		for _, p := range perms {
			if len(out) >= h {
				break
			}
			out = append(out, p)
		}
	}
	return out
}

// roleName is how a role is shown: a built-in role in the UI language (its stored name stays
// Chinese), a custom role as its admin named it.
func roleName(m *Model, r store.Role) string {
	if r.Builtin != "" {
		if k := "admin.role." + r.Builtin; i18n.Has(k) {
			return m.lang.T(k)
		}
	}
	return cells.Safe(r.Name)
}

// roleNameOf is roleName for an agent's role, found among the roles by id.
func roleNameOf(m *Model, name string, id uint64, roles []desk.RoleRow) string {
	for _, r := range roles {
		if r.ID == id {
			return roleName(m, r.Role)
		}
	}
	return name
}
