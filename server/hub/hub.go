// Package hub is the one place that knows who is online and what is happening: visitors on
// the sites, agents at their workbenches, conversations in progress. It keeps immutable
// snapshots (views) of each and fans every change out to subscribers.
//
// A subscriber (an agent's SSH session, a visitor's websocket) gets one buffered channel and
// reads it from one goroutine, so events arrive in the order the hub made them. A subscriber
// that stops reading is dropped — its channel is closed — rather than allowed to stall
// everybody else; it then reconnects or reloads.
//
// The hub does no I/O and never calls out while holding its lock, except non-blocking channel
// sends, so it is safe to call from store commit callbacks.
package hub

import (
	"sort"
	"sync"
	"time"

	"kefu/store"
)

// Hub holds live state. The zero value is not usable; call New.
type Hub struct {
	mu       sync.Mutex
	now      func() time.Time
	visitors map[uint64]*visitor
	sites    map[uint64]Visitors // each site's online visitors, as handed to its agents
	convs    map[uint64]*ConvView
	byVConv  map[uint64]uint64 // visitor id → their conversation not ended
	agents   map[uint64]*agent

	bySite    map[uint64]map[*Sub]struct{}
	byAgent   map[uint64]map[*Sub]struct{}
	byVisitor map[uint64]map[*Sub]struct{}
	allAgents map[*Sub]struct{}
	// bySiteVisitors: every visitor connection of a site.
	bySiteVisitors map[uint64]map[*Sub]struct{}

	dropped uint64
}

type visitor struct {
	view    *VisitorView
	conns   int
	gen     uint64 // bumped on every join, so a stale leave timer does nothing
	leaving bool   // the page sent its unload beacon
}

// leavingGrace replaces the grace of VisitorLeave after an unload beacon.
const leavingGrace = 1500 * time.Millisecond

type agent struct {
	view     *AgentView
	sessions int
}

// New returns an empty hub.
func New(now func() time.Time) *Hub {
	if now == nil {
		now = time.Now
	}
	return &Hub{
		now:       now,
		visitors:  map[uint64]*visitor{},
		sites:     map[uint64]Visitors{},
		convs:     map[uint64]*ConvView{},
		byVConv:   map[uint64]uint64{},
		agents:    map[uint64]*agent{},
		bySite:    map[uint64]map[*Sub]struct{}{},
		byAgent:   map[uint64]map[*Sub]struct{}{},
		byVisitor: map[uint64]map[*Sub]struct{}{},
		allAgents: map[*Sub]struct{}{},

		bySiteVisitors: map[uint64]map[*Sub]struct{}{},
	}
}

// VisitorJoin records one more connection of a visitor and publishes its view. It returns
// true when the visitor was not online before.
func (h *Hub) VisitorJoin(v *VisitorView) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.visitors[v.ID]
	first := st == nil || st.conns == 0
	if st == nil {
		st = &visitor{}
		h.visitors[v.ID] = st
	}
	st.conns++
	st.gen++
	st.leaving = false
	v.Online = true
	st.view = v
	h.publishSite(v.SiteID, VisitorChanged{V: v, Site: h.putLocked(v)})
	return first
}

// VisitorLeave records that a connection of the visitor closed. When it was the last one the
// visitor is removed after grace (a page navigation reconnects well within it) and gone is
// called, outside the hub's lock, with the last view.
func (h *Hub) VisitorLeave(id uint64, grace time.Duration, gone func(last *VisitorView)) {
	h.mu.Lock()
	st := h.visitors[id]
	if st == nil || st.conns == 0 {
		h.mu.Unlock()
		return
	}
	st.conns--
	if st.conns > 0 {
		h.mu.Unlock()
		return
	}
	gen := st.gen
	if st.leaving && grace > leavingGrace {
		grace = leavingGrace
	}
	h.mu.Unlock()
	time.AfterFunc(grace, func() {
		h.mu.Lock()
		st := h.visitors[id]
		if st == nil || st.conns > 0 || st.gen != gen {
			h.mu.Unlock()
			return
		}
		delete(h.visitors, id)
		last := st.view
		h.publishSite(last.SiteID, VisitorLeft{ID: id, SiteID: last.SiteID, Site: h.dropLocked(last)})
		h.mu.Unlock()
		if gone != nil {
			gone(last)
		}
	})
}

// RemoveVisitor takes a visitor off the monitor now, however many connections are still
// closing (a block). It returns the last view, or nil if they were not online.
func (h *Hub) RemoveVisitor(id uint64) *VisitorView {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.visitors[id]
	if st == nil {
		return nil
	}
	delete(h.visitors, id)
	h.publishSite(st.view.SiteID, VisitorLeft{ID: id, SiteID: st.view.SiteID, Site: h.dropLocked(st.view)})
	return st.view
}

// MarkLeaving notes a visitor's unload beacon: when their last connection closes they leave
// after a short grace.
func (h *Hub) MarkLeaving(id uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.visitors[id]; st != nil {
		st.leaving = true
	}
}

// UpdateVisitor replaces an online visitor's view with change(copy of the current view) and
// publishes it. It returns the new view, or nil if the visitor is not online.
func (h *Hub) UpdateVisitor(id uint64, change func(v *VisitorView)) *VisitorView {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.visitors[id]
	if st == nil {
		return nil
	}
	nv := *st.view
	change(&nv)
	st.view = &nv
	h.publishSite(nv.SiteID, VisitorChanged{V: &nv, Site: h.putLocked(&nv)})
	return &nv
}

// Visitor returns the visitor's view if online.
func (h *Hub) Visitor(id uint64) *VisitorView {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.visitors[id]; st != nil {
		return st.view
	}
	return nil
}

// Visitors returns the views of everyone online on the sites, by visit start.
func (h *Hub) Visitors(sites []uint64) []*VisitorView {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.visitorsLocked(sites)
}

// putLocked puts a visitor's new view in their site's list and returns the new list.
func (h *Hub) putLocked(v *VisitorView) Visitors {
	s := h.sites[v.SiteID].With(v)
	h.sites[v.SiteID] = s
	return s
}

// dropLocked takes a visitor out of their site's list and returns the new list.
func (h *Hub) dropLocked(v *VisitorView) Visitors {
	s := h.sites[v.SiteID].Without(v.ID)
	if s.Len() == 0 {
		delete(h.sites, v.SiteID)
	} else {
		h.sites[v.SiteID] = s
	}
	return s
}

// SiteVisitors returns each site's list of online visitors.
func (h *Hub) SiteVisitors(sites []uint64) map[uint64]Visitors {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.siteVisitorsLocked(sites)
}

func (h *Hub) siteVisitorsLocked(sites []uint64) map[uint64]Visitors {
	out := make(map[uint64]Visitors, len(sites))
	for _, id := range sites {
		s := h.sites[id]
		if !s.Known() {
			s = Visitors{}.Without(0) // an empty list, known to come from the hub
		}
		out[id] = s
	}
	return out
}

func (h *Hub) visitorsLocked(sites []uint64) []*VisitorView {
	var out []*VisitorView
	for _, st := range h.visitors {
		if containsID(sites, st.view.SiteID) {
			out = append(out, st.view)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Disconnect tells every connection of a visitor to close (blocked, or replaced).
func (h *Hub) Disconnect(visitorID uint64, code, text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishVisitor(visitorID, Bye{Code: code, Text: text})
}

// PutConv stores a conversation's view and publishes it to the site's agents and the
// visitor. An ended conversation is forgotten after being published.
func (h *Hub) PutConv(c *ConvView) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.convs[c.ID]
	if c.State == store.ConvEnded {
		delete(h.convs, c.ID)
		if h.byVConv[c.VisitorID] == c.ID {
			delete(h.byVConv, c.VisitorID)
		}
	} else {
		h.convs[c.ID] = c
		h.byVConv[c.VisitorID] = c.ID
	}
	ev := ConvChanged{C: c}
	h.publishSite(c.SiteID, ev)
	h.publishVisitor(c.VisitorID, ev)
	// Participants who don't serve the site (rare: a transfer across sites) still hear of it.
	for _, a := range c.Agents {
		for s := range h.byAgent[a] {
			if !containsID(s.filter.Sites, c.SiteID) {
				s.send(ev)
			}
		}
	}
	h.recountLoad(old, c)
}

// Conv returns a conversation's view if it has not ended.
func (h *Hub) Conv(id uint64) *ConvView {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.convs[id]
}

// Convs returns the conversations of the sites that have not ended, oldest first.
func (h *Hub) Convs(sites []uint64) []*ConvView {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.convsLocked(sites)
}

func (h *Hub) convsLocked(sites []uint64) []*ConvView {
	var out []*ConvView
	for _, c := range h.convs {
		if containsID(sites, c.SiteID) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// VisitorConv returns the visitor's conversation that has not ended, if any.
func (h *Hub) VisitorConv(visitorID uint64) *ConvView {
	h.mu.Lock()
	defer h.mu.Unlock()
	if id, ok := h.byVConv[visitorID]; ok {
		return h.convs[id]
	}
	return nil
}

// PublishMessage delivers a stored message to the visitor and to every agent of the
// conversation. The store calls it after commit, in commit order.
func (h *Hub) PublishMessage(m store.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.convs[m.ConvID]
	if c == nil {
		return
	}
	// Boxed once: each publish call would copy the message into an interface of its own.
	var ev Event = MessageAdded{M: m, SiteID: c.SiteID, VisitorID: c.VisitorID}
	h.publishVisitor(c.VisitorID, ev)
	if c.AgentID == 0 {
		// A request nobody has taken: every agent of the site may read it before taking it.
		h.publishSite(c.SiteID, ev)
		return
	}
	for _, a := range c.Agents {
		h.publishAgent(a, ev)
	}
}

// Typing passes the visitor's typing preview to the conversation's current agent once the
// chat is open, and, like its messages, to every agent of the site while nobody has taken
// the request.
func (h *Hub) Typing(convID uint64, text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.convs[convID]
	switch {
	case c == nil:
	case c.AgentID == 0:
		h.publishSite(c.SiteID, Typing{ConvID: convID, Text: text})
	case c.State == store.ConvOpen:
		h.publishAgent(c.AgentID, Typing{ConvID: convID, Text: text})
	}
}

// ToVisitor sends an event to every connection of a visitor.
func (h *Hub) ToVisitor(visitorID uint64, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishVisitor(visitorID, ev)
}

// ToSiteVisitors sends an event to every visitor connection of a site.
func (h *Hub) ToSiteVisitors(siteID uint64, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.bySiteVisitors[siteID] {
		s.send(ev)
	}
}

// ToAgent sends an event to every session of an agent.
func (h *Hub) ToAgent(agentID uint64, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishAgent(agentID, ev)
}

// AgentJoin records one more workbench session of an agent and publishes the view.
func (h *Hub) AgentJoin(a *AgentView) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.agents[a.ID]
	if st == nil {
		st = &agent{}
		h.agents[a.ID] = st
	}
	st.sessions++
	nv := *a
	nv.Chats = h.loadLocked(a.ID)
	st.view = &nv
	h.publishAgents(AgentChanged{A: &nv})
}

// AgentLeave records that a session of the agent ended; with the last one the agent is
// offline.
func (h *Hub) AgentLeave(id uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.agents[id]
	if st == nil {
		return
	}
	st.sessions--
	if st.sessions > 0 {
		return
	}
	delete(h.agents, id)
	h.publishAgents(AgentLeft{ID: id})
}

// UpdateAgent changes an online agent's view (status, name) and publishes it.
func (h *Hub) UpdateAgent(id uint64, change func(a *AgentView)) *AgentView {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.agents[id]
	if st == nil {
		return nil
	}
	nv := *st.view
	change(&nv)
	st.view = &nv
	h.publishAgents(AgentChanged{A: &nv})
	return &nv
}

// Agent returns an online agent's view.
func (h *Hub) Agent(id uint64) *AgentView {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.agents[id]; st != nil {
		return st.view
	}
	return nil
}

// Agents returns every online agent, by id.
func (h *Hub) Agents() []*AgentView {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.agentsLocked()
}

func (h *Hub) agentsLocked() []*AgentView {
	out := make([]*AgentView, 0, len(h.agents))
	for _, st := range h.agents {
		out = append(out, st.view)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Stats are counts for the console and the load tool.
type Stats struct {
	Visitors, Agents, Convs, Subscribers int
	Dropped                              uint64
}

// Stats counts what the hub holds.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := len(h.allAgents)
	for _, m := range h.byVisitor {
		subs += len(m)
	}
	return Stats{Visitors: len(h.visitors), Agents: len(h.agents), Convs: len(h.convs), Subscribers: subs, Dropped: h.dropped}
}

// loadLocked counts the open conversations an agent is serving.
func (h *Hub) loadLocked(agentID uint64) int {
	n := 0
	for _, c := range h.convs {
		if c.AgentID == agentID && c.State == store.ConvOpen {
			n++
		}
	}
	return n
}

// recountLoad keeps AgentView.Chats right when a conversation changes hands or state.
func (h *Hub) recountLoad(old, c *ConvView) {
	touched := map[uint64]bool{}
	if old != nil && old.AgentID != 0 {
		touched[old.AgentID] = true
	}
	if c.AgentID != 0 {
		touched[c.AgentID] = true
	}
	for id := range touched {
		st := h.agents[id]
		if st == nil {
			continue
		}
		if n := h.loadLocked(id); n != st.view.Chats {
			nv := *st.view
			nv.Chats = n
			st.view = &nv
			h.publishAgents(AgentChanged{A: &nv})
		}
	}
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
