package desk

import (
	"golang.org/x/time/rate"

	"fmt"
	"sync"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/store"
)

// AgentSession is one workbench session of a logged-in agent. Every action it offers checks,
// on the server side, that the agent may take it.
type AgentSession struct {
	d       *Desk
	AgentID uint64
	sub     *hub.Sub
	once    sync.Once
	sends   *rate.Limiter // messages, like a visitor's
}

// agentBuffer is how far a workbench may fall behind the hub before it is dropped and
// reloads: it hears every visitor of its sites, so bursts are larger than a visitor's.
const agentBuffer = 2048

// StartAgentSession puts the agent online and subscribes the session to the sites they
// serve. It returns the live state to start from.
func (d *Desk) StartAgentSession(agentID uint64) (*AgentSession, hub.Snapshot, error) {
	a, role, err := d.agentRole(agentID)
	if err != nil {
		return nil, hub.Snapshot{}, err
	}
	if !authz.Can(a, role, authz.Workbench, 0) {
		return nil, hub.Snapshot{}, ErrForbidden
	}
	sites := d.workbenchSites(a, role)
	view := &hub.AgentView{ID: a.ID, Account: a.Account, Name: a.DisplayName(), WorkNo: a.WorkNo, Status: hub.StatusOnline, Sites: sites,
		MaxChats: maxChats(a)}
	d.hub.AgentJoin(view)
	d.presenceChanged(sites)
	sub, snap := d.hub.SubscribeSnapshot(hub.Filter{AgentID: a.ID, Sites: sites}, agentBuffer)
	d.advance() // someone may be waiting for this agent
	return &AgentSession{d: d, AgentID: a.ID, sub: sub, sends: rate.NewLimiter(5, 20)}, snap, nil
}

// seatsChanged brings an online agent's workbench up to date after their sites or seats
// changed: their sessions now watch the new sites and reload, and colleagues see the new
// maximum.
func (d *Desk) seatsChanged(agentID uint64) {
	if d.hub.Agent(agentID) == nil {
		return
	}
	a, r, err := d.agentRole(agentID)
	if err != nil {
		return
	}
	var was []uint64
	if v := d.hub.Agent(agentID); v != nil {
		was = v.Sites
	}
	sites := d.workbenchSites(a, r)
	d.hub.SetAgentSites(agentID, sites, maxChats(a))
	d.presenceChanged(append(append([]uint64(nil), was...), sites...))
}

func maxChats(a *store.Agent) int {
	n := 0
	for _, s := range a.Sites {
		n = max(n, s.MaxChats)
	}
	return n
}

// workbenchSites are the sites whose visitors the agent sees: every site for a role with
// workbench scope "all", else the sites they serve.
func (d *Desk) workbenchSites(a *store.Agent, role *store.Role) []uint64 {
	var out []uint64
	if role.Perms[string(authz.Workbench)] == store.ScopeAll {
		d.db.View(func(tx *store.Tx) error {
			sites, err := tx.Sites()
			for _, s := range sites {
				if !s.Disabled {
					out = append(out, s.ID)
				}
			}
			return err
		})
		return out
	}
	for _, s := range a.Sites {
		out = append(out, s.SiteID)
	}
	return out
}

func (d *Desk) agentRole(agentID uint64) (*store.Agent, *store.Role, error) {
	var a *store.Agent
	var r *store.Role
	err := d.db.View(func(tx *store.Tx) (err error) {
		a, r, err = d.agentRoleTx(tx, agentID)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("agent %d: %w", agentID, err)
	}
	return a, r, nil
}

// can checks a permission for this session's agent as stored now, so a role change takes
// effect on the agent's next action.
func (s *AgentSession) can(m authz.Module, siteID uint64) error {
	a, r, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return err
	}
	if !authz.Can(a, r, m, siteID) {
		return ErrForbidden
	}
	return nil
}

// Events is the session's live feed; it closes when the session is dropped or closed.
func (s *AgentSession) Events() <-chan hub.Event { return s.sub.C() }

// Dropped reports whether the hub dropped the session's feed for falling behind.
func (s *AgentSession) Dropped() bool { return s.sub.Dropped() }

// Resubscribe replaces a dropped feed with a fresh one and returns the state to reload from.
func (s *AgentSession) Resubscribe() hub.Snapshot {
	a, r, err := s.d.agentRole(s.AgentID)
	var sites []uint64
	if err == nil {
		sites = s.d.workbenchSites(a, r)
	}
	s.d.hub.Unsubscribe(s.sub)
	sub, snap := s.d.hub.SubscribeSnapshot(hub.Filter{AgentID: s.AgentID, Sites: sites}, agentBuffer)
	s.sub = sub
	return snap
}

// Close ends the session; with the agent's last session they go offline.
func (s *AgentSession) Close() {
	s.once.Do(func() {
		s.d.hub.Unsubscribe(s.sub)
		var sites []uint64
		if v := s.d.hub.Agent(s.AgentID); v != nil {
			sites = v.Sites
		}
		s.d.hub.AgentLeave(s.AgentID)
		s.d.presenceChanged(sites)
		s.d.advance()
	})
}

// OpenChat starts a chat with an online visitor (对话), or takes their waiting request.
func (s *AgentSession) OpenChat(visitorID uint64) (*hub.ConvView, error) {
	v := s.d.hub.Visitor(visitorID)
	if v == nil {
		return nil, ErrVisitorGone
	}
	if err := s.can(authz.Workbench, v.SiteID); err != nil {
		return nil, err
	}
	d := s.d
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	if c := d.hub.VisitorConv(visitorID); c != nil {
		switch {
		case c.State == store.ConvOpen && c.AgentID == s.AgentID:
			return c, nil
		case c.State == store.ConvOpen:
			return nil, ErrNotYours
		}
		return d.assignLocked(c, s.AgentID)
	}
	d.dropInviteLocked(visitorID)
	c, err := d.createConv(visitorID, v.SiteID, s.AgentID)
	if err != nil {
		return nil, err
	}
	d.hub.ToVisitor(visitorID, hub.OpenChat{ConvID: c.ID})
	return c, nil
}

// Accept takes a waiting or queued conversation.
func (s *AgentSession) Accept(convID uint64) (*hub.ConvView, error) {
	c := s.d.hub.Conv(convID)
	if c == nil {
		return nil, ErrNoConv
	}
	if err := s.can(authz.Workbench, c.SiteID); err != nil {
		return nil, err
	}
	return s.d.accept(convID, s.AgentID)
}

// Send stores the agent's message in a conversation they serve and returns it once durable.
func (s *AgentSession) Send(convID uint64, cid, text string) (store.Message, error) {
	if !s.sends.Allow() {
		return store.Message{}, ErrRate
	}
	c := s.d.hub.Conv(convID)
	if c == nil {
		return store.Message{}, ErrNoConv
	}
	if c.AgentID != s.AgentID {
		return store.Message{}, ErrNotYours
	}
	if err := s.can(authz.Workbench, c.SiteID); err != nil {
		return store.Message{}, err
	}
	text, err := cleanMessage(text)
	if err != nil {
		return store.Message{}, err
	}
	return s.d.appendMessage(store.Message{ConvID: convID, CID: cid, From: store.FromAgent, AgentID: s.AgentID, Name: s.d.agentName(s.AgentID), Text: text})
}

// End ends a conversation the agent serves (or a waiting one they decline to keep open).
func (s *AgentSession) End(convID uint64) error {
	c := s.d.hub.Conv(convID)
	if c == nil {
		return ErrNoConv
	}
	if err := s.can(authz.Workbench, c.SiteID); err != nil {
		return err
	}
	return s.d.endConv(convID, store.FromAgent, s.AgentID)
}

// Invite invites an online visitor to chat (邀请).
func (s *AgentSession) Invite(visitorID uint64) error {
	v := s.d.hub.Visitor(visitorID)
	if v == nil {
		return ErrVisitorGone
	}
	if err := s.can(authz.Workbench, v.SiteID); err != nil {
		return err
	}
	return s.d.invite(visitorID, s.AgentID)
}

// Transcript returns a conversation's messages after a seq, for a conversation on a site the
// agent may work on.
func (s *AgentSession) Transcript(convID, after uint64, limit int) ([]store.Message, *store.Conversation, error) {
	var msgs []store.Message
	var conv *store.Conversation
	err := s.d.db.View(func(tx *store.Tx) error {
		var err error
		if conv, err = tx.Conv(convID); err != nil {
			return ErrNoConv
		}
		msgs, err = tx.Messages(convID, after, limit)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if err := s.can(authz.Workbench, conv.SiteID); err != nil {
		return nil, nil, err
	}
	return msgs, conv, nil
}

// VisitorDetail is what the workbench shows about one visitor.
type VisitorDetail struct {
	Visitor store.Visitor
	View    *hub.VisitorView // the live row if online, else one built from the store
	Trail   []store.PageView
	Convs   []store.Conversation
}

// Visitor reads a visitor with their trail, for an agent of the visitor's site.
func (s *AgentSession) Visitor(visitorID uint64, trail int) (*VisitorDetail, error) {
	var out VisitorDetail
	err := s.d.db.View(func(tx *store.Tx) error {
		v, err := tx.Visitor(visitorID)
		if err != nil {
			return err
		}
		out.Visitor = *v
		if out.Trail, err = tx.Trail(visitorID, trail); err != nil {
			return err
		}
		out.Convs, err = tx.VisitorConvs(visitorID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.can(authz.Workbench, out.Visitor.SiteID); err != nil {
		return nil, err
	}
	if out.View = s.d.hub.Visitor(visitorID); out.View == nil {
		out.View = s.d.visitorView(&out.Visitor)
	}
	return &out, nil
}

// SetStatus changes the agent's status (在线/忙碌/离开).
func (s *AgentSession) SetStatus(st hub.AgentStatus) {
	s.d.hub.UpdateAgent(s.AgentID, func(a *hub.AgentView) { a.Status = st })
	s.d.advance()
}

// EmbedCode is a site's embed line (嵌入代码) with kefu's public address.
func (s *AgentSession) EmbedCode(siteID uint64) string { return s.d.EmbedCode(siteID) }

// Agent returns the session's agent as stored.
func (s *AgentSession) Agent() (*store.Agent, *store.Role, error) { return s.d.agentRole(s.AgentID) }
