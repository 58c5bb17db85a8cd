package tui

import (
	"strings"
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/server/i18n"
)

// TestFramesAreCappedButNeverLost: a burst of events draws at most one frame per frameEvery,
// and the last state is always drawn (a frameMsg is scheduled for it).
func TestFramesAreCappedButNeverLost(t *testing.T) {
	frameEvery = time.Hour // nothing but keys and frameMsg draws
	defer func() { frameEvery = 0 }()
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	first := m.View()
	_, cmd := m.Update(eventsMsg{hub.VisitorChanged{V: &hub.VisitorView{ID: 42, SiteID: 1, PageTitle: "新页面", VisitStart: fixedNow, LastActive: fixedNow}}})
	if m.View() != first {
		t.Fatal("an event redrew inside the frame interval")
	}
	if cmd == nil {
		t.Fatal("no frame scheduled for the held-back change")
	}
	m.forceFrame = true // what the scheduled frameMsg's Update leads to once the interval passed
	if !strings.Contains(m.View(), "新页面") {
		t.Fatal("the held-back change was never drawn")
	}

	// On the chat page a visitor who is not in the agent's chats changes nothing visible:
	// no frame is even scheduled.
	frameEvery = time.Millisecond
	m.page = pageChats
	m.forceFrame, m.frameDue = true, false
	m.View()
	_, cmd = m.Update(eventsMsg{hub.VisitorChanged{V: &hub.VisitorView{ID: 42, SiteID: 1, PageTitle: "又一页", VisitStart: fixedNow, LastActive: fixedNow}}})
	if m.stale || m.frameDue {
		t.Fatal("an invisible change made the frame stale")
	}
}

// TestFramesKeepUpWhileTyping: right after a key, what follows (a transcript loading, a
// reply) draws within frameActive, not at the slow pace of unattended changes.
func TestFramesKeepUpWhileTyping(t *testing.T) {
	frameEvery = time.Hour
	defer func() { frameEvery = 0 }()
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	m.View()
	m.lastFrame = time.Now().Add(-time.Second) // longer ago than frameActive
	m.Update(eventsMsg{hub.VisitorChanged{V: &hub.VisitorView{ID: 42, SiteID: 1, PageTitle: "无人看时", VisitStart: fixedNow, LastActive: fixedNow}}})
	if strings.Contains(m.View(), "无人看时") {
		t.Fatal("an unattended change drew before frameEvery")
	}
	m.keyAt = time.Now()
	m.Update(eventsMsg{hub.VisitorChanged{V: &hub.VisitorView{ID: 43, SiteID: 1, PageTitle: "正在打字", VisitStart: fixedNow, LastActive: fixedNow}}})
	if !strings.Contains(m.View(), "正在打字") {
		t.Fatal("a change right after a key waited for frameEvery")
	}
}
