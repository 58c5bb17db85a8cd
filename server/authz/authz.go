// Package authz decides what a member of staff may do. One function, Can, answers every
// question, and every action on the server side asks it: hiding a menu is not security.
package authz

import "kefu/store"

// Module is a permission area of the admin (SPEC §8).
type Module string

// Modules, in the order admin screens list them.
const (
	Workbench Module = "workbench" // 工作台: receive visitors and chat
	Sites     Module = "sites"     // 网站管理
	Agents    Module = "agents"    // 客服管理
	Roles     Module = "roles"     // 权限管理
	Settings  Module = "settings"  // 设置中心
	Monitor   Module = "monitor"   // 客服监控
	Customers Module = "customers" // 客户管理
	Records   Module = "records"   // 记录中心
	Stats     Module = "stats"     // 数据统计
	Robot     Module = "robot"     // 智能机器人
)

// AdminModules are the modules of the admin screens, in menu order.
var AdminModules = []Module{Sites, Agents, Roles, Settings, Monitor, Customers, Records, Stats, Robot}

// Built-in role keys (store.Role.Builtin).
const (
	BuiltinSuper = "super" // 超级管理员
	BuiltinApp   = "app"   // 应用管理员
	BuiltinAgent = "agent" // 普通客服
)

// BuiltinRoles are created on first start in this order and can never be changed or
// deleted. Super admin has everything on all sites; app admin everything but role management;
// an agent only the workbench of their own sites.
func BuiltinRoles() []store.Role {
	all := func(except ...Module) map[string]store.Scope {
		m := map[string]store.Scope{string(Workbench): store.ScopeAll}
	next:
		for _, mod := range AdminModules {
			for _, e := range except {
				if e == mod {
					continue next
				}
			}
			m[string(mod)] = store.ScopeAll
		}
		return m
	}
	return []store.Role{
		{Name: "超级管理员", Builtin: BuiltinSuper, Perms: all()},
		{Name: "应用管理员", Builtin: BuiltinApp, Perms: all(Roles)},
		{Name: "普通客服", Builtin: BuiltinAgent, Perms: map[string]store.Scope{string(Workbench): store.ScopeOwn}},
	}
}

// Can reports whether the agent, holding role, may act in module on site. siteID 0 asks
// about the module in general (may they open it at all).
func Can(a *store.Agent, role *store.Role, m Module, siteID uint64) bool {
	if a == nil || role == nil || a.Disabled {
		return false
	}
	switch role.Perms[string(m)] {
	case store.ScopeAll:
		return true
	case store.ScopeOwn:
		return siteID == 0 || a.Serves(siteID)
	}
	return false
}

// EverySite asks about every site at once, or about a site that does not exist yet (creating
// a site, an agent assigned to no site, a role that applies everywhere): only a permission
// scoped 全部网站 covers it.
const EverySite uint64 = ^uint64(0)

// Modules are every module a role can hold, the workbench first, in the order the role
// editor lists them.
var Modules = append([]Module{Workbench}, AdminModules...)

// Known reports whether m is one of the modules.
func Known(m Module) bool {
	for _, x := range Modules {
		if x == m {
			return true
		}
	}
	return false
}

// IsBuiltin reports whether the role is one of the built-in roles, which nobody may change
// or delete.
func IsBuiltin(r *store.Role) bool { return r != nil && r.Builtin != "" }

// AnyAdmin reports whether the agent's role opens at least one admin module, which is when
// the workbench shows the admin page.
func AnyAdmin(a *store.Agent, role *store.Role) bool {
	for _, m := range AdminModules {
		if Can(a, role, m, 0) {
			return true
		}
	}
	return false
}

// rank orders scopes: none < own sites < all sites.
func rank(s store.Scope) int {
	switch s {
	case store.ScopeAll:
		return 2
	case store.ScopeOwn:
		return 1
	}
	return 0
}

// Covers reports whether holder's permissions include everything target grants, module by
// module and scope by scope. Nobody may create, change or hand out a role that covers more
// than their own, so no permission can be escalated through the admin screens.
func Covers(holder, target *store.Role) bool {
	if holder == nil || target == nil {
		return false
	}
	for m, s := range target.Perms {
		if rank(s) > rank(holder.Perms[m]) {
			return false
		}
	}
	return true
}
