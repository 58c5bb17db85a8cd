package hub

// Filter says what a subscriber hears. An agent's session sets AgentID and the sites the
// agent serves; a visitor's connection sets VisitorID.
type Filter struct {
	AgentID   uint64
	Sites     []uint64
	VisitorID uint64
	// VisitorSite is the site of a visitor's connection, for site-wide notices to visitors
	// (settings changed).
	VisitorSite uint64
}

// Sub is one subscriber. Read C from a single goroutine until it is closed, or, for a
// subscriber made with SubscribeFunc, take the events its function is given.
type Sub struct {
	h       *Hub
	ch      chan Event
	deliver func(Event) bool
	filter  Filter
	closed  bool // guarded by h.mu
	dropped bool // guarded by h.mu
}

// DefaultBuffer is how many events a subscriber may fall behind before it is dropped.
const DefaultBuffer = 256

// C is the subscriber's event channel; it is closed on Unsubscribe or when the subscriber is
// dropped for not reading. A SubscribeFunc subscriber has none (nil).
func (s *Sub) C() <-chan Event { return s.ch }

// Dropped reports whether the hub closed the channel because the subscriber fell behind.
func (s *Sub) Dropped() bool {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	return s.dropped
}

// Snapshot is the live state a new agent session starts from.
type Snapshot struct {
	Visitors map[uint64]Visitors // by site
	Convs    []*ConvView
	Agents   []*AgentView
}

// Subscribe registers a subscriber with a channel of buf events (DefaultBuffer if 0).
func (h *Hub) Subscribe(f Filter, buf int) *Sub {
	s, _ := h.SubscribeSnapshot(f, buf)
	return s
}

// SubscribeFunc registers a subscriber without a channel: deliver is called with each event,
// in order, with the hub's lock held, so it must only take the event and return (queue it,
// wake a writer); it returns false when it cannot keep up, and the subscriber is dropped. A
// visitor's socket subscribes so: no goroutine per visitor waits on a channel.
func (h *Hub) SubscribeFunc(f Filter, deliver func(Event) bool) *Sub {
	s := &Sub{h: h, deliver: deliver, filter: f}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.addLocked(s)
	return s
}

// SubscribeSnapshot registers a subscriber and returns the state it starts from, taken
// atomically with the registration so no event falls between the two.
func (h *Hub) SubscribeSnapshot(f Filter, buf int) (*Sub, Snapshot) {
	if buf <= 0 {
		buf = DefaultBuffer
	}
	s := &Sub{h: h, ch: make(chan Event, buf), filter: f}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.addLocked(s)
	var snap Snapshot
	if f.AgentID != 0 {
		snap = Snapshot{Visitors: h.siteVisitorsLocked(f.Sites), Convs: h.convsLocked(f.Sites), Agents: h.agentsLocked()}
	}
	return s, snap
}

func (h *Hub) addLocked(s *Sub) {
	f := s.filter
	for _, site := range f.Sites {
		addSub(h.bySite, site, s)
	}
	if f.AgentID != 0 {
		addSub(h.byAgent, f.AgentID, s)
		h.allAgents[s] = struct{}{}
	}
	if f.VisitorID != 0 {
		addSub(h.byVisitor, f.VisitorID, s)
	}
	if f.VisitorSite != 0 {
		addSub(h.bySiteVisitors, f.VisitorSite, s)
	}
}

// Unsubscribe removes the subscriber and closes its channel. Safe to call more than once and
// after a drop; call it in a defer when the session ends.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
}

func (h *Hub) removeLocked(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	for _, site := range s.filter.Sites {
		delSub(h.bySite, site, s)
	}
	if s.filter.AgentID != 0 {
		delSub(h.byAgent, s.filter.AgentID, s)
		delete(h.allAgents, s)
	}
	if s.filter.VisitorID != 0 {
		delSub(h.byVisitor, s.filter.VisitorID, s)
	}
	if s.filter.VisitorSite != 0 {
		delSub(h.bySiteVisitors, s.filter.VisitorSite, s)
	}
	if s.ch != nil {
		close(s.ch)
	}
}

// send delivers without blocking; a full channel means the reader is stuck, so it is dropped.
// Called with h.mu held.
func (s *Sub) send(ev Event) {
	if s.closed {
		return
	}
	if s.deliver != nil {
		if !s.deliver(ev) {
			s.dropped = true
			s.h.dropped++
			s.h.removeLocked(s)
		}
		return
	}
	select {
	case s.ch <- ev:
	default:
		s.dropped = true
		s.h.dropped++
		s.h.removeLocked(s)
	}
}

func (h *Hub) publishSite(site uint64, ev Event) {
	for s := range h.bySite[site] {
		s.send(ev)
	}
}

func (h *Hub) publishAgent(agentID uint64, ev Event) {
	for s := range h.byAgent[agentID] {
		s.send(ev)
	}
}

func (h *Hub) publishVisitor(visitorID uint64, ev Event) {
	for s := range h.byVisitor[visitorID] {
		s.send(ev)
	}
}

func (h *Hub) publishAgents(ev Event) {
	for s := range h.allAgents {
		s.send(ev)
	}
}

func addSub(m map[uint64]map[*Sub]struct{}, k uint64, s *Sub) {
	set := m[k]
	if set == nil {
		set = map[*Sub]struct{}{}
		m[k] = set
	}
	set[s] = struct{}{}
}

func delSub(m map[uint64]map[*Sub]struct{}, k uint64, s *Sub) {
	if set := m[k]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

// SetAgentSites moves an online agent's sessions to a new set of sites (an admin changed their
// seats): each session's subscription is re-indexed and told to reload from a fresh snapshot,
// and colleagues see the agent's new sites and maximum.
func (h *Hub) SetAgentSites(agentID uint64, sites []uint64, maxChats int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.byAgent[agentID] {
		for _, site := range s.filter.Sites {
			delSub(h.bySite, site, s)
		}
		s.filter.Sites = append([]uint64(nil), sites...)
		for _, site := range s.filter.Sites {
			addSub(h.bySite, site, s)
		}
		s.send(Resync{Snapshot: Snapshot{Visitors: h.siteVisitorsLocked(sites), Convs: h.convsLocked(sites), Agents: h.agentsLocked()}})
	}
	if st := h.agents[agentID]; st != nil {
		nv := *st.view
		nv.Sites, nv.MaxChats = append([]uint64(nil), sites...), maxChats
		st.view = &nv
		h.publishAgents(AgentChanged{A: &nv})
	}
}
