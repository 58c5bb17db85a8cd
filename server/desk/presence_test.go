package desk_test

import (
	"testing"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/store"
)

// presenceNotices drains a visitor's feed and returns the online notices in it, in order.
func presenceNotices(vs *desk.VisitorSession) []bool {
	var out []bool
	for {
		select {
		case ev := <-vs.Events():
			if n, ok := ev.(hub.SiteOnline); ok {
				out = append(out, n.Online)
			}
		default:
			return out
		}
	}
}

// TestChatPagesHearWhenTheSiteGoesOnlineOrOffline: open pages of a site are told when its
// first agent comes to the workbench and when its last one leaves — once, and only for their
// site — so the chat window can offer a chat or the leave-message form without a reload.
func TestChatPagesHearWhenTheSiteGoesOnlineOrOffline(t *testing.T) {
	f := newAdminFixture(t)
	a, b := f.agent("agent", f.own), f.agent("agent", f.own)
	elsewhere := f.agent("agent", f.other)
	vs := f.visitor(ipGuangdong)
	other := f.visitorOn(f.other, ipBeijing)
	presenceNotices(other)

	asA, _, err := f.desk.StartAgentSession(a)
	if err != nil {
		t.Fatal(err)
	}
	if got := presenceNotices(vs); len(got) != 1 || !got[0] {
		t.Fatalf("when the first agent came online the page heard %v", got)
	}
	if got := presenceNotices(other); len(got) != 0 {
		t.Fatalf("a page of another site heard %v", got)
	}
	asB, _, err := f.desk.StartAgentSession(b)
	if err != nil {
		t.Fatal(err)
	}
	asElsewhere := f.online(elsewhere)
	if got := presenceNotices(vs); len(got) != 0 {
		t.Fatalf("a second agent, and one of another site, told the page %v", got)
	}
	if got := presenceNotices(other); len(got) != 1 || !got[0] {
		t.Fatalf("the other site's page heard %v when its agent came", got)
	}
	asA.Close()
	if got := presenceNotices(vs); len(got) != 0 {
		t.Fatalf("an agent left while another stays, and the page heard %v", got)
	}
	asB.Close()
	if got := presenceNotices(vs); len(got) != 1 || got[0] {
		t.Fatalf("when the last agent left the page heard %v", got)
	}
	asElsewhere.Close()
	if got := presenceNotices(other); len(got) != 1 || got[0] {
		t.Fatalf("the other site's page heard %v when its agent left", got)
	}
}

// typingIn drains an agent's feed and reports the typing previews of a conversation.
func typingIn(as *desk.AgentSession, convID uint64) []string {
	var out []string
	for {
		select {
		case ev := <-as.Events():
			if ty, ok := ev.(hub.Typing); ok && ty.ConvID == convID {
				out = append(out, ty.Text)
			}
		default:
			return out
		}
	}
}

// TestAgentsOfTheSiteSeeTheTypingOfAWaitingRequest: while a request waits, every agent of the
// site sees what the visitor is typing (they may read the request before taking it); agents
// of other sites do not; once taken, only the agent serving sees it.
func TestAgentsOfTheSiteSeeTheTypingOfAWaitingRequest(t *testing.T) {
	f := newAdminFixture(t)
	a, b := f.agent("agent", f.own), f.agent("agent", f.own)
	asA, asB := f.online(a), f.online(b)
	asA.SetStatus(hub.StatusBusy) // nobody takes requests by themselves: the request waits
	asB.SetStatus(hub.StatusBusy)
	asElsewhere := f.online(f.agent("agent", f.other))
	vs := f.visitor(ipGuangdong)
	c, err := vs.RequestChat()
	if err != nil {
		t.Fatal(err)
	}
	if c.State != store.ConvWaiting {
		t.Fatalf("the request is %s, want waiting", c.State)
	}
	typingIn(asA, c.ID)
	typingIn(asB, c.ID)
	vs.Typing("请问这款\x1b[31m包邮吗")
	for name, as := range map[string]*desk.AgentSession{"A": asA, "B": asB} {
		if got := typingIn(as, c.ID); len(got) != 1 || got[0] != "请问这款包邮吗" {
			t.Errorf("agent %s saw the waiting request's typing as %q", name, got)
		}
	}
	if got := typingIn(asElsewhere, c.ID); len(got) != 0 {
		t.Errorf("an agent of another site saw %q", got)
	}
	if _, err := asA.Accept(c.ID); err != nil {
		t.Fatal(err)
	}
	vs.Typing("包邮到广州吗")
	if got := typingIn(asA, c.ID); len(got) != 1 || got[0] != "包邮到广州吗" {
		t.Errorf("the agent serving saw %q", got)
	}
	if got := typingIn(asB, c.ID); len(got) != 0 {
		t.Errorf("a colleague saw the typing of a chat they do not serve: %q", got)
	}
}
