package desk_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/store"
)

// clock is a test's settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// recFixture is a desk on a temp store with a settable clock, the default site and a second
// site 华北分站, the admin (every site) and an agent who serves only the default site.
type recFixture struct {
	t     *testing.T
	dir   string
	clock *clock
	db    *store.DB
	hub   *hub.Hub
	desk  *desk.Desk
	admin *desk.AgentSession
	agent uint64 // serves site 1 only, built-in agent role
	north uint64 // the second site
	n     int
}

func newRecFixture(t *testing.T) *recFixture {
	t.Helper()
	f := &recFixture{t: t, dir: t.TempDir(), clock: &clock{t: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)}}
	f.open()
	if _, _, err := f.desk.Bootstrap("pw-123456"); err != nil {
		t.Fatal(err)
	}
	err := f.db.Update(func(tx *store.Tx) error {
		s := &store.Site{Name: "华北分站", Domains: []string{"localhost"}, Secret: "0123456789abcdef"}
		if err := tx.CreateSite(s); err != nil {
			return err
		}
		f.north = s.ID
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		var agentRole uint64
		for _, r := range roles {
			if r.Builtin == authz.BuiltinAgent {
				agentRole = r.ID
			}
		}
		a := &store.Agent{Account: "xiaoyang", Name: "小杨", RoleID: agentRole, Seat: true,
			Sites: []store.SiteSeat{{SiteID: store.DefaultSiteID, MaxChats: 5}}}
		if err := tx.CreateAgent(a); err != nil {
			return err
		}
		f.agent = a.ID
		admin, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		admin.Sites = append(admin.Sites, store.SiteSeat{SiteID: s.ID, MaxChats: 5})
		return tx.PutAgent(admin)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.admin = f.session("admin")
	return f
}

// open opens the store and the desk (again, after restart).
func (f *recFixture) open() {
	f.t.Helper()
	db, err := store.Open(f.dir, store.Options{Now: f.clock.now})
	if err != nil {
		f.t.Fatal(err)
	}
	f.db = db
	f.hub = hub.New(f.clock.now)
	d, err := desk.New(db, f.hub, desk.Config{Now: f.clock.now, LeaveGrace: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.t.Fatal(err)
	}
	f.desk = d
	f.t.Cleanup(func() { d.Close(); db.Close() })
}

// restart closes the desk and the store and opens them again on the same data.
func (f *recFixture) restart() {
	f.t.Helper()
	f.desk.Close()
	if err := f.db.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
	f.admin = f.session("admin")
}

func (f *recFixture) session(login string) *desk.AgentSession {
	f.t.Helper()
	var id uint64
	f.db.View(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin(login)
		if err == nil {
			id = a.ID
		}
		return err
	})
	as, _, err := f.desk.StartAgentSession(id)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(as.Close)
	return as
}

// key makes a new browser visitor id.
func (f *recFixture) key() string {
	f.n++
	return fmt.Sprintf("browser-key-%08d", f.n)
}

func (f *recFixture) arrive(site uint64, key, ip string) (*desk.VisitorSession, error) {
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: site, Key: key, IP: ip, Page: desk.Page{URL: "https://shop.example.cn/", Title: "首页"}})
	if err == nil {
		f.t.Cleanup(vs.Close)
	}
	return vs, err
}

func (f *recFixture) mustArrive(site uint64, key, ip string) *desk.VisitorSession {
	f.t.Helper()
	vs, err := f.arrive(site, key, ip)
	if err != nil {
		f.t.Fatalf("arrive %s from %s: %v", key, ip, err)
	}
	return vs
}

func (f *recFixture) refused(site uint64, key, ip string) {
	f.t.Helper()
	if _, err := f.arrive(site, key, ip); !errors.Is(err, desk.ErrBlocked) {
		f.t.Fatalf("arrive %s from %s on site %d: %v, want ErrBlocked", key, ip, site, err)
	}
}

// gone waits for a visitor to leave the monitor.
func (f *recFixture) gone(visitorID uint64) {
	f.t.Helper()
	deadline := time.Now().Add(time.Second)
	for f.hub.Visitor(visitorID) != nil {
		if time.Now().After(deadline) {
			f.t.Fatalf("visitor %d is still on the monitor", visitorID)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// bye waits for the visitor's connection to be told goodbye.
func bye(t *testing.T, vs *desk.VisitorSession) hub.Bye {
	t.Helper()
	timeout := time.After(time.Second)
	for {
		select {
		case ev, ok := <-vs.Events():
			if !ok {
				t.Fatal("events closed before goodbye")
			}
			if b, ok := ev.(hub.Bye); ok {
				return b
			}
		case <-timeout:
			t.Fatal("no goodbye")
		}
	}
}

const (
	ipSpam  = "113.99.15.142"
	ipOther = "14.150.38.2"
)

// TestBlockByVisitor: the visitor is told goodbye, their chat ends, they leave the monitor at
// once, and they are refused from any address; others from their address are not.
func TestBlockByVisitor(t *testing.T) {
	f := newRecFixture(t)
	key := f.key()
	vs := f.mustArrive(1, key, ipSpam)
	second := f.mustArrive(1, key, ipSpam) // another tab
	c, err := f.admin.OpenChat(vs.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.admin.Block(vs.ID, false, "发广告\x1b[2J<script>", 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.VisitorID != vs.ID || b.VisitorKey != key || b.IP != "" || !b.Until.IsZero() || b.Reason != "发广告<script>" || b.ByName != "管理员" {
		t.Fatalf("block %+v", b)
	}
	if got := bye(t, vs); got.Code != "blocked" || got.Text == "" {
		t.Fatalf("goodbye %+v", got)
	}
	bye(t, second)
	f.gone(vs.ID) // without waiting for the hour of leave grace
	var conv *store.Conversation
	f.db.View(func(tx *store.Tx) error { conv, err = tx.Conv(c.ID); return err })
	if conv.State != store.ConvEnded || conv.EndedBy != string(store.FromSystem) {
		t.Fatalf("the blocked visitor's chat: %+v", conv)
	}
	// The transcript's closing line says the chat ended because the agent blocked the visitor.
	msgs, _, err := f.admin.Transcript(c.ID, 0, 100)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("transcript: %v %v", msgs, err)
	}
	if last := msgs[len(msgs)-1]; last.Event != desk.EventEnded || last.Text != desk.EndedBlocked || last.From != store.FromSystem || last.Name != "管理员" {
		t.Fatalf("closing line %+v", last)
	}
	// The sockets close later; that changes nothing.
	vs.Close()
	second.Close()

	f.refused(1, key, ipSpam)
	f.refused(1, key, ipOther)
	f.mustArrive(1, f.key(), ipSpam) // a block by visitor leaves their address open
	f.mustArrive(f.north, key, ipSpam)
}

// TestBlockByVisitorAndIP: everyone from the address is refused on that site, the visitor from
// any address; other sites are not concerned.
func TestBlockByVisitorAndIP(t *testing.T) {
	f := newRecFixture(t)
	key := f.key()
	vs := f.mustArrive(1, key, ipSpam)
	neighbour := f.mustArrive(1, f.key(), ipSpam)
	bystander := f.mustArrive(1, f.key(), ipOther)
	b, err := f.admin.Block(vs.ID, true, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if b.IP != ipSpam || b.VisitorID != vs.ID {
		t.Fatalf("block %+v", b)
	}
	bye(t, vs)
	bye(t, neighbour) // online from the same address: turned away too
	f.gone(vs.ID)
	f.gone(neighbour.ID)
	if f.hub.Visitor(bystander.ID) == nil {
		t.Fatal("a visitor from another address left the monitor")
	}
	f.refused(1, key, ipOther)
	f.refused(1, f.key(), ipSpam)
	f.mustArrive(1, f.key(), ipOther)
	f.mustArrive(f.north, f.key(), ipSpam)
}

// TestBlockIPOnly: the address is refused, the browser from elsewhere is not.
func TestBlockIPOnly(t *testing.T) {
	f := newRecFixture(t)
	key := f.key()
	vs := f.mustArrive(1, key, ipSpam)
	b, err := f.admin.BlockIP(vs.ID, "攻击", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if b.VisitorID != 0 || b.VisitorKey != "" || b.IP != ipSpam {
		t.Fatalf("block %+v", b)
	}
	bye(t, vs)
	f.refused(1, key, ipSpam)
	f.mustArrive(1, key, ipOther)
}

// TestBlockNeedsAnAddress: blocking by IP a visitor whose address is unknown is refused.
func TestBlockNeedsAnAddress(t *testing.T) {
	f := newRecFixture(t)
	vs := f.mustArrive(1, f.key(), "")
	if _, err := f.admin.Block(vs.ID, true, "", 0); !errors.Is(err, desk.ErrNoIP) {
		t.Fatalf("block by unknown IP: %v", err)
	}
	if _, err := f.admin.Block(99999, false, "", 0); !errors.Is(err, desk.ErrNoVisitor) {
		t.Fatalf("block a visitor that does not exist: %v", err)
	}
	if _, err := f.admin.Block(vs.ID, false, "", -time.Hour); !errors.Is(err, desk.ErrBadDuration) {
		t.Fatalf("negative duration: %v", err)
	}
	if f.hub.Visitor(vs.ID) == nil {
		t.Fatal("a refused block turned the visitor away")
	}
}

// TestBlockExpires: a block for an hour stops applying after the hour by itself.
func TestBlockExpires(t *testing.T) {
	f := newRecFixture(t)
	key := f.key()
	vs := f.mustArrive(1, key, ipSpam)
	if _, err := f.admin.Block(vs.ID, true, "", time.Hour); err != nil {
		t.Fatal(err)
	}
	f.clock.add(59 * time.Minute)
	f.refused(1, key, ipSpam)
	f.clock.add(time.Minute)
	f.mustArrive(1, key, ipSpam)
	active, _ := f.admin.Blocks(1, true)
	all, _ := f.admin.Blocks(1, false)
	if len(active) != 0 || len(all) != 1 {
		t.Fatalf("after expiry: %d active, %d in all", len(active), len(all))
	}
}

// TestUnblockAndRestart: blocks survive a restart; lifting one lets the visitor back in, and
// that too survives a restart.
func TestUnblockAndRestart(t *testing.T) {
	f := newRecFixture(t)
	key, key2 := f.key(), f.key()
	vs := f.mustArrive(1, key, ipSpam)
	vs2 := f.mustArrive(1, key2, ipOther)
	b, err := f.admin.Block(vs.ID, false, "辱骂客服", 0)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := f.admin.Block(vs2.ID, false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	f.restart()
	f.refused(1, key, ipSpam)
	f.refused(1, key2, ipOther)
	if err := f.admin.Unblock(b.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.admin.Unblock(b.ID); err != nil {
		t.Fatalf("lifting twice: %v", err)
	}
	if err := f.admin.Unblock(12345); !errors.Is(err, desk.ErrNoBlock) {
		t.Fatalf("lifting a block that does not exist: %v", err)
	}
	f.mustArrive(1, key, ipSpam)
	f.restart()
	f.mustArrive(1, key, ipSpam)
	f.refused(1, key2, ipOther)
	list, err := f.admin.Blocks(1, false)
	if err != nil || len(list) != 2 || list[0].ID != b2.ID || list[1].Lifted.IsZero() || list[1].LiftedBy == 0 {
		t.Fatalf("blocks: %+v %v", list, err)
	}
	active, _ := f.admin.Blocks(1, true)
	if len(active) != 1 || active[0].ID != b2.ID {
		t.Fatalf("active blocks: %+v", active)
	}
}

// TestBlockPermissionPerSite: an agent blocks and lists on the sites they serve only, and
// lifts nowhere.
func TestBlockPermissionPerSite(t *testing.T) {
	f := newRecFixture(t)
	agent := f.session("xiaoyang")
	mine := f.mustArrive(1, f.key(), ipSpam)
	theirs := f.mustArrive(f.north, f.key(), ipOther)
	if _, err := agent.Block(theirs.ID, false, "", 0); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("block on another site: %v", err)
	}
	if f.hub.Visitor(theirs.ID) == nil {
		t.Fatal("a forbidden block turned the visitor away")
	}
	if _, err := agent.Blocks(f.north, false); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("list another site's blocks: %v", err)
	}
	nb, err := f.admin.Block(theirs.ID, false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.Unblock(nb.ID); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("lift another site's block: %v", err)
	}
	b, err := agent.Block(mine.ID, false, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if list, err := agent.Blocks(1, true); err != nil || len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("own site's blocks: %+v %v", list, err)
	}
	// Lifting is for the site's admins (设置中心): an ordinary agent may block, not lift.
	if agent.MayUnblock(1) || !f.admin.MayUnblock(1) {
		t.Fatalf("MayUnblock: agent %v, admin %v", agent.MayUnblock(1), f.admin.MayUnblock(1))
	}
	if err := agent.Unblock(b.ID); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("an ordinary agent lifts a block: %v", err)
	}
	if list, _ := agent.Blocks(1, true); len(list) != 1 {
		t.Fatal("a refused lift lifted the block")
	}
	if err := f.admin.Unblock(b.ID); err != nil {
		t.Fatal(err)
	}
}

// TestRefusedVisitorLeavesNoTrace: a refused arrival records nothing and shows nothing.
func TestRefusedVisitorLeavesNoTrace(t *testing.T) {
	f := newRecFixture(t)
	vs := f.mustArrive(1, f.key(), ipSpam)
	if _, err := f.admin.Block(vs.ID, true, "", 0); err != nil {
		t.Fatal(err)
	}
	f.gone(vs.ID)
	events := f.admin.Events()
	for len(events) > 0 {
		<-events
	}
	key := f.key()
	f.refused(1, key, ipSpam)
	err := f.db.View(func(tx *store.Tx) error { _, err := tx.VisitorByKey(1, key); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused visitor was stored: %v", err)
	}
	if n := len(f.hub.Visitors([]uint64{1})); n != 0 {
		t.Fatalf("%d visitors on the monitor", n)
	}
	select {
	case ev := <-events:
		t.Fatalf("the agent heard of a refused visitor: %#v", ev)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestBlockWhileArriving: arrivals racing a block either get in and are turned away, or are
// refused; none stays on the monitor.
func TestBlockWhileArriving(t *testing.T) {
	f := newRecFixture(t)
	vs := f.mustArrive(1, f.key(), ipSpam)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		key := f.key()
		go func() {
			defer wg.Done()
			if s, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: key, IP: ipSpam}); err == nil {
				defer s.Close()
			}
		}()
	}
	if _, err := f.admin.Block(vs.ID, true, "", 0); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	deadline := time.Now().Add(time.Second)
	for {
		left := 0
		for _, v := range f.hub.Visitors([]uint64{1}) {
			if v.IP == ipSpam && v.Online {
				left++
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d visitors from the blocked address remain", left)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
