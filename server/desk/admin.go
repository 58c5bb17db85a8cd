package desk

import (
	"kefu/server/authz"
	"kefu/store"
)

// The admin actions (管理后台): sites, agents and their keys, roles, site settings and the
// distribution seats. Each is a method of AgentSession and starts by asking authz.Can, with
// the acting agent and role as stored at that moment, whether the module may be used on the
// site concerned; nothing relies on a menu being hidden.

// CommandSession is a session for an agent who runs commands over SSH without a terminal:
// the same actions and checks as the workbench, without going online. Close is not needed.
func (d *Desk) CommandSession(agentID uint64) *AgentSession {
	s := &AgentSession{d: d, AgentID: agentID}
	s.once.Do(func() {}) // nothing to undo on Close
	return s
}

// authorize checks that the acting agent may use the module on every one of the sites and
// returns them with their role as stored now.
func (s *AgentSession) authorize(m authz.Module, sites ...uint64) (*store.Agent, *store.Role, error) {
	a, r, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return nil, nil, err
	}
	if len(sites) == 0 {
		sites = []uint64{0}
	}
	for _, site := range sites {
		if !authz.Can(a, r, m, site) {
			return nil, nil, ErrForbidden
		}
	}
	return a, r, nil
}

// May reports whether the session's agent may use the module on the site (0: anywhere).
// Screens use it to decide what to show; the actions check again themselves.
func (s *AgentSession) May(m authz.Module, siteID uint64) bool {
	_, _, err := s.authorize(m, siteID)
	return err == nil
}
