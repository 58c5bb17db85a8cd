package desk

import (
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/store"
)

// TestDisablingAnAgentHandsTheirChatsOn: a disabled agent's open chats go back to the queue
// and, with a colleague online, to that colleague; the visitor is never left alone.
func TestDisablingAnAgentHandsTheirChatsOn(t *testing.T) {
	d := testDesk(t, time.Now)
	admin := adminOnline(t, d)
	var roleID uint64
	d.db.View(func(tx *store.Tx) error {
		roles, _ := tx.Roles()
		for _, r := range roles {
			if r.Builtin == "agent" {
				roleID = r.ID
			}
		}
		return nil
	})
	b := &store.Agent{Account: "xiaojuan", Name: "小娟", RoleID: roleID, Seat: true, Sites: []store.SiteSeat{{SiteID: 1, AutoAssign: false}}}
	if err := d.db.Update(func(tx *store.Tx) error { return tx.CreateAgent(b) }); err != nil {
		t.Fatal(err)
	}
	bs, _, err := d.StartAgentSession(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	vs, _, err := d.Arrive(Arrival{SiteID: 1, Key: "release-visitor-0001", Page: Page{URL: "http://x/"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	c, err := bs.OpenChat(vs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.SetAgentDisabled(b.ID, true); err != nil {
		t.Fatal(err)
	}
	got := d.hub.Conv(c.ID)
	if got == nil || got.AgentID != admin.AgentID || got.State != store.ConvOpen {
		t.Fatalf("after disabling the agent the chat is %+v; want it served by the admin", got)
	}
	if v := d.hub.Visitor(vs.ID); v.State != hub.StateChatting || v.AgentID != admin.AgentID {
		t.Fatalf("visitor row %+v", v)
	}
}
