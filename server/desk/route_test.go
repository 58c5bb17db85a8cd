package desk_test

import (
	"fmt"
	"sync"
	"testing"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/store"
)

// online puts an agent at the workbench for the test.
func (f *adminFixture) online(id uint64) *desk.AgentSession {
	f.t.Helper()
	as, _, err := f.desk.StartAgentSession(id)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(as.Close)
	return as
}

// seat changes an agent's distribution on the own site directly in the store.
func (f *adminFixture) seat(id uint64, max int, regions ...string) {
	f.t.Helper()
	err := f.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(id)
		if err != nil {
			return err
		}
		a.Sites = []store.SiteSeat{{SiteID: f.own, AutoAssign: true, MaxChats: max, Regions: regions}}
		return tx.PutAgent(a)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// visitor arrives on the own site from an IP and returns their session.
func (f *adminFixture) visitor(ip string) *desk.VisitorSession {
	f.t.Helper()
	return f.visitorOn(f.own, ip)
}

// visitorOn arrives on a site from an IP and returns their session.
func (f *adminFixture) visitorOn(site uint64, ip string) *desk.VisitorSession {
	f.t.Helper()
	f.n++
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: site, Key: fmt.Sprintf("visitor-key-%08d", f.n), IP: ip,
		Page: desk.Page{URL: "https://shop.example.cn/", Title: "首页"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(vs.Close)
	return vs
}

func (f *adminFixture) conv(vs *desk.VisitorSession) *hub.ConvView {
	f.t.Helper()
	c := f.hub.VisitorConv(vs.ID)
	if c == nil {
		f.t.Fatalf("visitor %d has no conversation", vs.ID)
	}
	return c
}

const (
	ipGuangdong = "113.99.15.142"
	ipBeijing   = "124.127.244.29"
	ipShanghai  = "101.81.49.211"
)

// TestRoutingByRegion: each visitor goes to the agent of their province; a visitor from a
// province nobody covers goes to the least loaded.
func TestRoutingByRegion(t *testing.T) {
	f := newAdminFixture(t)
	gd, bj, sh := f.agent("agent", f.own), f.agent("agent", f.own), f.agent("agent", f.own)
	f.seat(gd, 5, "广东", "广西")
	f.seat(bj, 5, "华北")
	f.seat(sh, 5, "上海")
	for _, id := range []uint64{gd, bj, sh} {
		f.online(id)
	}
	for _, tt := range []struct {
		ip   string
		want uint64
	}{{ipBeijing, bj}, {ipGuangdong, gd}, {ipShanghai, sh}, {ipGuangdong, gd}, {ipBeijing, bj}} {
		vs := f.visitor(tt.ip)
		c, err := vs.RequestChat()
		if err != nil {
			t.Fatal(err)
		}
		if c.State != store.ConvOpen || c.AgentID != tt.want {
			t.Fatalf("visitor from %s: conv %+v, want agent %d", tt.ip, c, tt.want)
		}
	}
	// Nobody covers a visitor with an unknown address: the least loaded (sh, with one chat).
	c, err := f.visitor("10.1.2.3").RequestChat()
	if err != nil || c.AgentID != sh {
		t.Fatalf("unknown region went to %d (%v), want %d", c.AgentID, err, sh)
	}
}

// TestQueue: with every seat full the visitor queues and sees their place, which moves up as
// chats end; a returning visitor goes back to their agent.
func TestQueue(t *testing.T) {
	f := newAdminFixture(t)
	a := f.agent("agent", f.own)
	f.seat(a, 1)
	as := f.online(a)

	first := f.visitor(ipGuangdong)
	c1, _ := first.RequestChat()
	if c1.AgentID != a {
		t.Fatalf("first visitor: %+v", c1)
	}
	second, third := f.visitor(ipBeijing), f.visitor(ipShanghai)
	c2, _ := second.RequestChat()
	c3, _ := third.RequestChat()
	if c2.State != store.ConvQueued || c2.QueuePos != 1 || c3.State != store.ConvQueued || c3.QueuePos != 2 {
		t.Fatalf("queue: %+v %+v", c2, c3)
	}
	if v := f.hub.Visitor(third.ID); v.State != hub.StateQueued {
		t.Fatalf("monitor state of a queued visitor: %s", v.State)
	}
	// The first chat ends: the second visitor is served, the third moves up.
	if err := as.End(c1.ID); err != nil {
		t.Fatal(err)
	}
	if c := f.conv(second); c.State != store.ConvOpen || c.AgentID != a {
		t.Fatalf("second after the first ended: %+v", c)
	}
	if c := f.conv(third); c.State != store.ConvQueued || c.QueuePos != 1 {
		t.Fatalf("third after the first ended: %+v", c)
	}
	// The queued visitor gives up: nobody is left in the queue.
	if err := third.End(); err != nil {
		t.Fatal(err)
	}
	// The first visitor comes back while their agent has a free seat: same agent.
	if err := as.End(f.conv(second).ID); err != nil {
		t.Fatal(err)
	}
	c, err := first.RequestChat()
	if err != nil || c.AgentID != a || c.State != store.ConvOpen {
		t.Fatalf("returning visitor: %+v %v", c, err)
	}
}

// TestWaitingUntilSomeoneCanTake: nobody online, or everybody busy: the request waits; it is
// given out when an agent comes online or back to 在线.
func TestWaitingUntilSomeoneCanTake(t *testing.T) {
	f := newAdminFixture(t)
	a := f.agent("agent", f.own)
	vs := f.visitor(ipBeijing)
	c, _ := vs.RequestChat()
	if c.State != store.ConvWaiting {
		t.Fatalf("nobody online: %+v", c)
	}
	as := f.online(a)
	if c := f.conv(vs); c.State != store.ConvOpen || c.AgentID != a {
		t.Fatalf("after the agent came online: %+v", c)
	}
	as.SetStatus(hub.StatusBusy)
	other := f.visitor(ipGuangdong)
	if c, _ := other.RequestChat(); c.State != store.ConvWaiting {
		t.Fatalf("agent busy: %+v", c)
	}
	as.SetStatus(hub.StatusOnline)
	if c := f.conv(other); c.State != store.ConvOpen || c.AgentID != a {
		t.Fatalf("agent back online: %+v", c)
	}
	// An agent with the seat off or auto-assign off gets nothing automatically.
	b := f.agent("agent", f.own)
	if err := f.db.Update(func(tx *store.Tx) error {
		x, _ := tx.Agent(b)
		x.Seat = false
		return tx.PutAgent(x)
	}); err != nil {
		t.Fatal(err)
	}
	f.online(b)
	as.SetStatus(hub.StatusAway)
	if c, _ := f.visitor(ipShanghai).RequestChat(); c.State != store.ConvWaiting {
		t.Fatalf("only a disabled seat online: %+v", c)
	}
}

// TestNoDoubleAssignment: many visitors ask at once for few seats; every seat is filled once
// and the rest queue with distinct places.
func TestNoDoubleAssignment(t *testing.T) {
	f := newAdminFixture(t)
	a, b := f.agent("agent", f.own), f.agent("agent", f.own)
	f.seat(a, 2)
	f.seat(b, 1)
	f.online(a)
	f.online(b)
	var visitors []*desk.VisitorSession
	for range 8 {
		visitors = append(visitors, f.visitor(ipGuangdong))
	}
	var wg sync.WaitGroup
	for _, vs := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := vs.RequestChat(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	load := map[uint64]int{}
	places := map[int]bool{}
	for _, vs := range visitors {
		c := f.conv(vs)
		switch c.State {
		case store.ConvOpen:
			load[c.AgentID]++
		case store.ConvQueued:
			if places[c.QueuePos] || c.QueuePos < 1 || c.QueuePos > 5 {
				t.Fatalf("queue place %d twice or out of range", c.QueuePos)
			}
			places[c.QueuePos] = true
		default:
			t.Fatalf("conv %+v", c)
		}
	}
	if load[a] != 2 || load[b] != 1 || len(places) != 5 {
		t.Fatalf("load %v, queue places %v", load, places)
	}
	if v := f.hub.Agent(a); v.Chats != 2 {
		t.Fatalf("hub load of a: %d", v.Chats)
	}
}

// TestMaxChatsPerSite: the maximum of concurrent chats is per agent per site (SPEC §7). An
// agent serving two sites, one chat at most on each, takes a chat on each; a colleague of
// the first site only is less loaded and wins ties of load, and once both are full there
// the next visitor queues.
func TestMaxChatsPerSite(t *testing.T) {
	f := newAdminFixture(t)
	both := f.agent("agent", f.own, f.other)
	if err := f.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(both)
		if err != nil {
			return err
		}
		a.Sites = []store.SiteSeat{{SiteID: f.own, AutoAssign: true, MaxChats: 1}, {SiteID: f.other, AutoAssign: true, MaxChats: 1}}
		return tx.PutAgent(a)
	}); err != nil {
		t.Fatal(err)
	}
	f.online(both)

	north, _ := f.visitorOn(f.other, ipBeijing).RequestChat()
	if north.State != store.ConvOpen || north.AgentID != both {
		t.Fatalf("on the other site: %+v", north)
	}
	// Full on the other site, free on this one: not queued.
	south, _ := f.visitorOn(f.own, ipGuangdong).RequestChat()
	if south.State != store.ConvOpen || south.AgentID != both {
		t.Fatalf("a chat on another site filled this one: %+v", south)
	}
	if v := f.hub.Agent(both); v.Chats != 2 {
		t.Fatalf("load on both sites: %d", v.Chats)
	}
	// Full on both sites now.
	if c, _ := f.visitorOn(f.own, ipShanghai).RequestChat(); c.State != store.ConvQueued {
		t.Fatalf("full on this site: %+v", c)
	}
	if c, _ := f.visitorOn(f.other, ipShanghai).RequestChat(); c.State != store.ConvQueued {
		t.Fatalf("full on the other site: %+v", c)
	}
	// A colleague of this site only, with one chat of his own: the queued visitor goes to him
	// when he comes online, and he, less loaded on every site, gets the next one too.
	single := f.agent("agent", f.own)
	f.seat(single, 3)
	f.online(single)
	next, _ := f.visitorOn(f.own, ipShanghai).RequestChat()
	if next.State != store.ConvOpen || next.AgentID != single {
		t.Fatalf("next visitor: %+v, want agent %d", next, single)
	}
}
