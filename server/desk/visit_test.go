package desk

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/store"
)

// visitDesk is a desk on a test clock whose visitors leave the hub 10 ms after their last
// connection closes, so a navigation can be a full leave and return.
func visitDesk(t *testing.T, c *clock) *Desk {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(db, hub.New(nil), Config{Now: c.now, LeaveGrace: 10 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		time.Sleep(30 * time.Millisecond) // let leave timers finish before the store closes
		d.Close()
		db.Close()
	})
	if _, _, err := d.Bootstrap("right-password"); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *Desk) storedVisitor(t *testing.T, id uint64) store.Visitor {
	t.Helper()
	var v store.Visitor
	err := d.db.View(func(tx *store.Tx) error {
		sv, err := tx.Visitor(id)
		if err == nil {
			v = *sv
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// leaveFully closes the connection and waits until the visitor has left the monitor, as a
// page navigation slower than the grace does.
func (d *Desk) leaveFully(t *testing.T, vs *VisitorSession) {
	t.Helper()
	vs.Close()
	deadline := time.Now().Add(2 * time.Second)
	for d.hub.Visitor(vs.ID) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the visitor did not leave the monitor")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func arrivePage(t *testing.T, d *Desk, key, url string) (*VisitorSession, Welcome) {
	t.Helper()
	vs, w, err := d.Arrive(Arrival{SiteID: 1, Key: key, Page: Page{URL: url, Title: "产品介绍"}, IP: "113.99.15.142"})
	if err != nil {
		t.Fatal(err)
	}
	return vs, w
}

// TestHeartbeatsKeepAReadersVisit: a visitor who reads one page for 40 minutes (longer than
// the 30-minute visit gap) with the page beating every 20 s, then clicks a link, is still on
// visit 1 with the stay time counted from the start; one who was silent as long starts visit
// 2. The beats are stored at most once a minute.
func TestHeartbeatsKeepAReadersVisit(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.Local)}
	d := visitDesk(t, c)
	start := c.now()
	reader, _ := arrivePage(t, d, "reader-visitor-00001", "https://shop.example.cn/手册")
	silent, _ := arrivePage(t, d, "silent-visitor-00001", "https://shop.example.cn/手册")

	c.add(20 * time.Second)
	if err := reader.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	if got := d.storedVisitor(t, reader.ID).LastSeen; !got.Equal(start) {
		t.Fatalf("a beat 20 s after arriving was stored (last seen %v): every beat is a write", got)
	}
	for i := 0; i < 2; i++ {
		c.add(20 * time.Second)
		reader.Heartbeat()
	}
	if got := d.storedVisitor(t, reader.ID).LastSeen; !got.Equal(start.Add(time.Minute)) {
		t.Fatalf("after a minute of beats last seen is %v, want %v", got, start.Add(time.Minute))
	}
	for i := 0; i < 3*39; i++ { // 39 more minutes
		c.add(20 * time.Second)
		reader.Heartbeat()
	}

	// A click on a link: the next page connects, the old one's socket closes.
	next, w := arrivePage(t, d, "reader-visitor-00001", "https://shop.example.cn/价格")
	defer next.Close()
	reader.Close()
	if w.Visits != 1 {
		t.Fatalf("the reader is on visit %d after clicking a link, want 1", w.Visits)
	}
	if v := d.storedVisitor(t, reader.ID); !v.VisitStart.Equal(start) {
		t.Fatalf("the reader's visit restarted at %v, want %v", v.VisitStart, start)
	}
	if view := d.hub.Visitor(reader.ID); view == nil || !view.VisitStart.Equal(start) || view.PageViews != 2 {
		t.Fatalf("monitor row %+v: want the visit from %v with 2 pages", view, start)
	}
	other, w := arrivePage(t, d, "silent-visitor-00001", "https://shop.example.cn/价格")
	defer other.Close()
	silent.Close()
	if w.Visits != 2 {
		t.Fatalf("a visitor silent for 40 minutes is on visit %d, want 2", w.Visits)
	}
}

// TestPageViewsCountTheVisitAcrossReconnects: every navigation reconnects the websocket, and
// the monitor, the visitor detail and auto-invite's "after N pages" count the pages of the
// visit from the store, not from the connection.
func TestPageViewsCountTheVisitAcrossReconnects(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.Local)}
	d := visitDesk(t, c)
	setAutoInvite(t, d, 0, 4)
	adminOnline(t, d)
	const key = "paging-visitor-00001"
	for i, page := range []string{"首页", "产品", "价格"} {
		vs, _ := arrivePage(t, d, key, "https://shop.example.cn/"+page)
		if got := d.hub.Visitor(vs.ID).PageViews; got != i+1 {
			t.Fatalf("after %d pages (each a new connection) the monitor counts %d", i+1, got)
		}
		if waitInvite(t, vs, 20*time.Millisecond) {
			t.Fatalf("invited after %d pages; the site invites after 4", i+1)
		}
		c.add(time.Minute)
		d.leaveFully(t, vs)
	}
	// The chat page is no page of the site.
	chat, _, err := d.Arrive(Arrival{SiteID: 1, Key: key, Chat: true, IP: "113.99.15.142"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.hub.Visitor(chat.ID).PageViews; got != 3 {
		t.Fatalf("the chat page counted as a page: %d", got)
	}
	// A fourth page, by SPA navigation in a tab: the invite comes.
	tab, _ := arrivePage(t, d, key, "https://shop.example.cn/价格")
	if got := d.hub.Visitor(tab.ID).PageViews; got != 4 {
		t.Fatalf("with a second tab open the monitor counts %d pages, want 4", got)
	}
	if !waitInvite(t, tab, time.Second) {
		t.Fatal("not invited after 4 pages over 4 connections")
	}
	tab.PageView(Page{URL: "https://shop.example.cn/下单"})
	as := adminOnline(t, d)
	detail, err := as.Visitor(tab.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if detail.View.PageViews != 5 || len(detail.Trail) != 5 {
		t.Fatalf("detail: %d pages in this visit, trail of %d; want 5 and 5", detail.View.PageViews, len(detail.Trail))
	}
	tab.Close()
	d.leaveFully(t, chat)

	// A new visit counts from 1 again.
	c.add(31 * time.Minute)
	vs, w := arrivePage(t, d, key, "https://shop.example.cn/")
	if w.Visits != 2 || d.hub.Visitor(vs.ID).PageViews != 1 {
		t.Fatalf("visit %d with %d pages, want visit 2 with 1", w.Visits, d.hub.Visitor(vs.ID).PageViews)
	}
	vs.Close()
}

// TestPageViewsOfAVisitStoredBeforeTheCount: a visit in progress when kefu was upgraded has
// no stored count; its trail gives it.
func TestPageViewsOfAVisitStoredBeforeTheCount(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.Local)}
	d := visitDesk(t, c)
	vs, _ := arrivePage(t, d, "legacy-visitor-00001", "https://shop.example.cn/")
	vs.PageView(Page{URL: "https://shop.example.cn/产品"})
	d.leaveFully(t, vs)
	err := d.db.Update(func(tx *store.Tx) error {
		v, err := tx.Visitor(vs.ID)
		if err != nil {
			return err
		}
		v.Pages = 0 // as written by a kefu without the count
		return tx.PutVisitor(v)
	})
	if err != nil {
		t.Fatal(err)
	}
	vs, _ = arrivePage(t, d, "legacy-visitor-00001", "https://shop.example.cn/价格")
	defer vs.Close()
	if got := d.hub.Visitor(vs.ID).PageViews; got != 3 {
		t.Fatalf("%d pages, want 3 (2 in the trail and this one)", got)
	}
}
