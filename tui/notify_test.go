package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

func TestNotificationsFollowTheAgentsSwitches(t *testing.T) {
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	newcomer := &hub.VisitorView{ID: 77, SiteID: 1, Region: "上海市", Source: "百度(客服系统)", VisitStart: fixedNow, LastActive: fixedNow}

	// A visitor enters: a popup, but no bell by default.
	m.Update(eventsMsg{hub.VisitorChanged{V: newcomer}})
	if len(m.toasts) != 1 || m.bell {
		t.Fatalf("enter: %d toasts, bell %v", len(m.toasts), m.bell)
	}
	if view := m.View(); !strings.Contains(view, "访客77 进入网站") {
		t.Fatalf("no popup on screen:\n%s", view)
	}
	// Seen again (a page view): no new popup.
	m.Update(eventsMsg{hub.VisitorChanged{V: newcomer}})
	if len(m.toasts) != 1 {
		t.Fatalf("a known visitor popped up again")
	}

	// The agent switches the request sound off in the settings screen (f3), saved at once.
	m.Update(tea.KeyMsg{Type: tea.KeyF3})
	m.Update(tea.KeyMsg{Type: tea.KeyDown})  // request
	m.Update(tea.KeyMsg{Type: tea.KeyRight}) // sound
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeySpace})
	if cmd == nil {
		t.Fatal("toggle did not save")
	}
	if msg := cmd().(notifySavedMsg); msg.err != nil {
		t.Fatal(msg.err)
	}
	a, _, _ := f.as.Agent()
	if n := a.NotifyFor(store.NotifyRequest); n.Sound || !n.Popup {
		t.Fatalf("stored switch = %+v", n)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})

	// A request: popup without a bell now.
	m.Update(eventsMsg{hub.ConvChanged{C: &hub.ConvView{ID: 9, SiteID: 1, VisitorID: 77, State: store.ConvWaiting}}})
	if m.bell {
		t.Fatal("bell rang although switched off")
	}
	if len(m.toasts) != 2 {
		t.Fatalf("%d toasts", len(m.toasts))
	}
	// Ctrl+O opens the newest popup: the request's chat.
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlO})
	if m.page != pageChats || m.chats.active != 9 {
		t.Fatalf("ctrl+o went to page %d conv %d", m.page, m.chats.active)
	}
	// Popups go away by themselves.
	m.Update(tickMsg(fixedNow.Add(10 * time.Second)))
	if len(m.toasts) != 0 {
		t.Fatalf("%d toasts left after they expired", len(m.toasts))
	}
}

func TestAwayWhenIdleAndBackOnAKey(t *testing.T) {
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	d := &driver{t: t, m: m}
	if m.awayAfter != store.DefaultAwayAfter {
		t.Fatalf("default idle time %d", m.awayAfter)
	}
	d.run(func() tea.Msg { return tickMsg(fixedNow.Add(11 * time.Minute)) }, 0)
	if got := f.hub.Agent(m.me).Status; got != hub.StatusAway {
		t.Fatalf("after 11 idle minutes status is %s", got)
	}
	d.run(listen(m.as.Events(), m.watching), 0)
	d.keys(tea.KeyMsg{Type: tea.KeyDown})
	if got := f.hub.Agent(m.me).Status; got != hub.StatusOnline {
		t.Fatalf("after a key status is %s", got)
	}
	// Set to never in the settings: row below the scenarios.
	d.keys(tea.KeyMsg{Type: tea.KeyF3})
	for range store.NotifyScenarios {
		d.keys(tea.KeyMsg{Type: tea.KeyDown})
	}
	d.keys(tea.KeyMsg{Type: tea.KeyLeft}, tea.KeyMsg{Type: tea.KeyLeft}) // 10 → 5 → never
	if m.awayAfter != 0 {
		t.Fatalf("awayAfter = %d, want never", m.awayAfter)
	}
	a, _, _ := f.as.Agent()
	if a.AwayMinutes() != 0 {
		t.Fatalf("stored away minutes %d", a.AwayMinutes())
	}
}

// TestManyArrivalsMakeOneNotice: a few visitors arriving together get a notice each; a crowd
// (a campaign link, a restart) gets one notice, not a wall of popups and bells.
func TestManyArrivalsMakeOneNotice(t *testing.T) {
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	batch := func(from, n int) eventsMsg {
		var b eventsMsg
		for i := from; i < from+n; i++ {
			b = append(b, hub.VisitorChanged{V: &hub.VisitorView{ID: uint64(i), SiteID: 1, Region: "广东省广州市", VisitStart: fixedNow, LastActive: fixedNow}})
		}
		return b
	}
	m.Update(batch(100, 2))
	if len(m.toasts) != 2 {
		t.Fatalf("two arrivals: %d popups", len(m.toasts))
	}
	m.toasts = nil
	m.Update(batch(200, 40))
	if len(m.toasts) != 1 {
		t.Fatalf("forty arrivals: %d popups", len(m.toasts))
	}
	if got := m.toasts[0].text(); !strings.Contains(got, "40 位访客进入网站") || !strings.Contains(got, "访客239") {
		t.Fatalf("crowd notice %q", got)
	}
	if m.toasts[0].visitorID != 239 {
		t.Fatalf("the notice opens visitor %d", m.toasts[0].visitorID)
	}
}

// TestRingsOfABurstAreOne: a ring while the bell is on adds no second timer (an agent with
// busy chats gets dozens of messages a second); once the bell is off, the next one rings.
func TestRingsOfABurstAreOne(t *testing.T) {
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	if m.ring() == nil || !m.bell {
		t.Fatal("the first ring did not ring")
	}
	if cmd := m.ring(); cmd != nil {
		t.Fatal("a ring while ringing scheduled another bell-off")
	}
	if !strings.Contains(m.render(), "\a") {
		t.Fatal("no BEL in the frame while the bell is on")
	}
	m.Update(bellOffMsg{})
	if m.bell || strings.Contains(m.render(), "\a") {
		t.Fatal("the bell stayed on")
	}
	if m.ring() == nil {
		t.Fatal("a ring after the bell went off did not ring")
	}
}
