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
