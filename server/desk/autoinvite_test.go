package desk

import (
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/store"
)

func setAutoInvite(t *testing.T, d *Desk, secs, pages int) {
	t.Helper()
	err := d.db.Update(func(tx *store.Tx) error {
		s, err := tx.Site(1)
		if err != nil {
			return err
		}
		s.Settings.AutoInvite, s.Settings.AutoInviteSecs, s.Settings.AutoInvitePages = true, secs, pages
		s.Settings.InviteText = "您好，需要帮助吗？"
		return tx.PutSite(s)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func adminOnline(t *testing.T, d *Desk) *AgentSession {
	t.Helper()
	var id uint64
	d.db.View(func(tx *store.Tx) error { a, err := tx.AgentByLogin("admin"); id = a.ID; return err })
	as, _, err := d.StartAgentSession(id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(as.Close)
	return as
}

func waitInvite(t *testing.T, vs *VisitorSession, within time.Duration) bool {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-vs.Events():
			if inv, ok := ev.(hub.Invite); ok {
				if inv.Text != "您好，需要帮助吗？" {
					t.Fatalf("invite text %q", inv.Text)
				}
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func TestAutoInviteAfterPages(t *testing.T) {
	d := testDesk(t, time.Now)
	setAutoInvite(t, d, 0, 3)
	adminOnline(t, d)
	vs, _, err := d.Arrive(Arrival{SiteID: 1, Key: "auto-pages-visitor-1", Page: Page{URL: "http://x/1"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	vs.PageView(Page{URL: "http://x/2"})
	if waitInvite(t, vs, 100*time.Millisecond) {
		t.Fatal("invited after 2 pages")
	}
	vs.PageView(Page{URL: "http://x/3"})
	if !waitInvite(t, vs, time.Second) {
		t.Fatal("not invited after 3 pages")
	}
	if got := d.hub.Visitor(vs.ID).State; got != hub.StateInvited {
		t.Fatalf("state %s", got)
	}
	// Accepting routes the visitor like a request: the online admin gets the chat.
	c, err := vs.AnswerInvite(true)
	if err != nil || c == nil || c.State != store.ConvOpen {
		t.Fatalf("accept: %+v %v", c, err)
	}
	// Once per visit.
	vs.End()
	vs.PageView(Page{URL: "http://x/4"})
	if waitInvite(t, vs, 100*time.Millisecond) {
		t.Fatal("invited twice in one visit")
	}
}

func TestAutoInviteAfterSecondsOnlyWithSomeoneOnline(t *testing.T) {
	d := testDesk(t, time.Now)
	setAutoInvite(t, d, 1, 0)
	vs, _, err := d.Arrive(Arrival{SiteID: 1, Key: "auto-secs-visitor-01", Page: Page{URL: "http://x/"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	if waitInvite(t, vs, 1500*time.Millisecond) {
		t.Fatal("invited with no agent online")
	}
	adminOnline(t, d)
	other, _, err := d.Arrive(Arrival{SiteID: 1, Key: "auto-secs-visitor-02", Page: Page{URL: "http://x/"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if !waitInvite(t, other, 3*time.Second) {
		t.Fatal("not invited after the stay time")
	}
}
