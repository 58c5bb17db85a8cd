package desk

import (
	"strings"

	"kefu/server/authz"
	"kefu/server/plain"
	"kefu/store"
)

// Roles (权限管理): the built-in roles are fixed; custom roles are copied from another and edited module by module.

// RoleRow is a role with how many agents hold it.
type RoleRow struct {
	store.Role
	Agents int
}

// Roles lists every role; role and agent admins may read them (the agent form offers them).
func (s *AgentSession) Roles() ([]RoleRow, error) {
	if _, _, err := s.authorize(authz.Roles); err != nil {
		if _, _, err := s.authorize(authz.Agents); err != nil {
			return nil, err
		}
	}
	var out []RoleRow
	err := s.d.db.View(func(tx *store.Tx) error {
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		agents, err := tx.Agents()
		if err != nil {
			return err
		}
		for _, r := range roles {
			row := RoleRow{Role: r}
			for _, a := range agents {
				if a.RoleID == r.ID {
					row.Agents++
				}
			}
			out = append(out, row)
		}
		return nil
	})
	return out, err
}

// CreateRole adds a custom role named name, copying the permissions of another role
// (复制角色).
func (s *AgentSession) CreateRole(name string, copyOf uint64) (*store.Role, error) {
	_, mine, err := s.authorize(authz.Roles, authz.EverySite)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := ValidateRoleName(name); err != nil {
		return nil, err
	}
	var role store.Role
	err = s.d.db.Update(func(tx *store.Tx) error {
		from, err := tx.Role(copyOf)
		if err != nil {
			return ErrNoRole
		}
		if !authz.Covers(mine, from) {
			return ErrRoleTooStrong
		}
		if err := roleNameFree(tx, name, 0); err != nil {
			return err
		}
		r := store.Role{Name: name, Perms: map[string]store.Scope{}}
		for m, sc := range from.Perms {
			r.Perms[m] = sc
		}
		if err := tx.CreateRole(&r); err != nil {
			return err
		}
		role = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &role, nil
}

func roleNameFree(tx *store.Tx, name string, except uint64) error {
	roles, err := tx.Roles()
	if err != nil {
		return err
	}
	for _, r := range roles {
		if r.ID != except && strings.EqualFold(r.Name, name) {
			return ErrRoleTaken
		}
	}
	return nil
}

// UpdateRole renames a custom role and sets its permissions, module by module. The change
// applies to its holders from their next action.
func (s *AgentSession) UpdateRole(id uint64, name string, perms map[string]store.Scope) (*store.Role, error) {
	_, mine, err := s.authorize(authz.Roles, authz.EverySite)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if err := ValidateRoleName(name); err != nil {
		return nil, err
	}
	clean := map[string]store.Scope{}
	for m, sc := range perms {
		if !authz.Known(authz.Module(m)) {
			return nil, fieldErr("perms", "admin.err.module", plain.Line(m))
		}
		switch sc {
		case store.ScopeAll, store.ScopeOwn:
			clean[m] = sc
		case store.ScopeNone:
		default:
			return nil, fieldErr("perms", "admin.err.scope")
		}
	}
	if !authz.Covers(mine, &store.Role{Perms: clean}) {
		return nil, ErrRoleTooStrong
	}
	var out store.Role
	err = s.d.db.Update(func(tx *store.Tx) error {
		r, err := tx.Role(id)
		if err != nil {
			return ErrNoRole
		}
		if authz.IsBuiltin(r) {
			return ErrBuiltinRole
		}
		if err := roleNameFree(tx, name, id); err != nil {
			return err
		}
		r.Name, r.Perms = name, clean
		out = *r
		return tx.PutRole(r)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRole removes a custom role nobody holds.
func (s *AgentSession) DeleteRole(id uint64) error {
	if _, _, err := s.authorize(authz.Roles, authz.EverySite); err != nil {
		return err
	}
	return s.d.db.Update(func(tx *store.Tx) error {
		r, err := tx.Role(id)
		if err != nil {
			return ErrNoRole
		}
		if authz.IsBuiltin(r) {
			return ErrBuiltinRole
		}
		agents, err := tx.Agents()
		if err != nil {
			return err
		}
		for _, a := range agents {
			if a.RoleID == id {
				return ErrRoleInUse
			}
		}
		return tx.DeleteRole(id)
	})
}
