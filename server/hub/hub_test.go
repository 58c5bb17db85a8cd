package hub

import (
	"sync"
	"testing"
	"time"

	"kefu/store"
)

func TestEventsArriveInOrder(t *testing.T) {
	h := New(nil)
	h.PutConv(&ConvView{ID: 1, SiteID: 1, VisitorID: 7, AgentID: 3, Agents: []uint64{3}, State: store.ConvOpen})
	agentSub := h.Subscribe(Filter{AgentID: 3, Sites: []uint64{1}}, 1000)
	visitorSub := h.Subscribe(Filter{VisitorID: 7}, 1000)
	const n = 500
	for i := 1; i <= n; i++ {
		h.PublishMessage(store.Message{ConvID: 1, Seq: uint64(i), Text: "消息"})
	}
	for _, s := range []*Sub{agentSub, visitorSub} {
		for i := 1; i <= n; i++ {
			ev := (<-s.C()).(MessageAdded)
			if ev.M.Seq != uint64(i) {
				t.Fatalf("got seq %d, want %d", ev.M.Seq, i)
			}
		}
	}
}

func TestMessagesReachOnlyParticipants(t *testing.T) {
	h := New(nil)
	h.PutConv(&ConvView{ID: 1, SiteID: 1, VisitorID: 7, AgentID: 3, Agents: []uint64{3}, State: store.ConvOpen})
	other := h.Subscribe(Filter{AgentID: 4, Sites: []uint64{1}}, 10)
	otherVisitor := h.Subscribe(Filter{VisitorID: 8}, 10)
	h.PublishMessage(store.Message{ConvID: 1, Seq: 1})
	select {
	case ev := <-other.C():
		t.Fatalf("non-participant agent got %T", ev)
	case ev := <-otherVisitor.C():
		t.Fatalf("other visitor got %T", ev)
	default:
	}
}

func TestUnsubscribeClosesAndStopsDelivery(t *testing.T) {
	h := New(nil)
	s := h.Subscribe(Filter{AgentID: 1, Sites: []uint64{1}}, 10)
	h.Unsubscribe(s)
	h.Unsubscribe(s) // twice is fine
	if _, ok := <-s.C(); ok {
		t.Fatal("channel not closed")
	}
	h.VisitorJoin(&VisitorView{ID: 1, SiteID: 1}) // must not panic on a closed subscriber
	if st := h.Stats(); st.Subscribers != 0 {
		t.Fatalf("subscribers left: %d", st.Subscribers)
	}
}

func TestSlowSubscriberIsDroppedWithoutStallingOthers(t *testing.T) {
	h := New(nil)
	slow := h.Subscribe(Filter{AgentID: 1, Sites: []uint64{1}}, 4)
	fast := h.Subscribe(Filter{AgentID: 2, Sites: []uint64{1}}, 4)
	var got []uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range fast.C() {
			got = append(got, ev.(VisitorChanged).V.ID)
			if len(got) == 100 {
				return
			}
		}
	}()
	start := time.Now()
	for i := 1; i <= 100; i++ {
		h.VisitorJoin(&VisitorView{ID: uint64(i), SiteID: 1})
		time.Sleep(100 * time.Microsecond) // let the fast reader keep up
	}
	<-done
	if time.Since(start) > 5*time.Second {
		t.Fatal("publishing stalled")
	}
	if !slow.Dropped() {
		t.Fatal("slow subscriber not dropped")
	}
	n := 0
	for range slow.C() {
		n++
	}
	if n != 4 {
		t.Fatalf("slow subscriber kept %d buffered events, want 4 then close", n)
	}
	for i, id := range got {
		if id != uint64(i+1) {
			t.Fatalf("fast subscriber: event %d is visitor %d", i, id)
		}
	}
	if h.Stats().Dropped != 1 {
		t.Fatalf("dropped = %d", h.Stats().Dropped)
	}
}

func TestVisitorLeavesAfterGraceUnlessReconnected(t *testing.T) {
	h := New(nil)
	sub := h.Subscribe(Filter{AgentID: 1, Sites: []uint64{1}}, 100)
	gone := make(chan uint64, 2)
	h.VisitorJoin(&VisitorView{ID: 5, SiteID: 1})
	h.VisitorLeave(5, 30*time.Millisecond, func(v *VisitorView) { gone <- v.ID })
	h.VisitorJoin(&VisitorView{ID: 5, SiteID: 1}) // navigation: back within the grace
	time.Sleep(80 * time.Millisecond)
	if h.Visitor(5) == nil {
		t.Fatal("visitor removed although reconnected")
	}
	h.VisitorLeave(5, 10*time.Millisecond, func(v *VisitorView) { gone <- v.ID })
	select {
	case id := <-gone:
		if id != 5 {
			t.Fatal(id)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("visitor never left")
	}
	if h.Visitor(5) != nil {
		t.Fatal("visitor still online")
	}
	var left bool
	for len(sub.C()) > 0 {
		if _, ok := (<-sub.C()).(VisitorLeft); ok {
			left = true
		}
	}
	if !left {
		t.Fatal("agents not told the visitor left")
	}
}

func TestAgentLoadFollowsConversations(t *testing.T) {
	h := New(nil)
	h.AgentJoin(&AgentView{ID: 3, Name: "小杨"})
	h.PutConv(&ConvView{ID: 1, SiteID: 1, VisitorID: 7, State: store.ConvWaiting})
	if h.Agent(3).Chats != 0 {
		t.Fatal("waiting chat counted")
	}
	h.PutConv(&ConvView{ID: 1, SiteID: 1, VisitorID: 7, AgentID: 3, State: store.ConvOpen})
	h.PutConv(&ConvView{ID: 2, SiteID: 1, VisitorID: 8, AgentID: 3, State: store.ConvOpen})
	if h.Agent(3).Chats != 2 {
		t.Fatalf("load = %d, want 2", h.Agent(3).Chats)
	}
	h.PutConv(&ConvView{ID: 1, SiteID: 1, VisitorID: 7, AgentID: 3, State: store.ConvEnded})
	if h.Agent(3).Chats != 1 || h.Conv(1) != nil {
		t.Fatalf("after end: load %d conv %v", h.Agent(3).Chats, h.Conv(1))
	}
}

func TestConcurrentUseIsRaceFree(t *testing.T) {
	h := New(nil)
	var wg sync.WaitGroup
	for a := uint64(1); a <= 4; a++ {
		wg.Add(1)
		go func(a uint64) {
			defer wg.Done()
			s := h.Subscribe(Filter{AgentID: a, Sites: []uint64{1}}, 8)
			defer h.Unsubscribe(s)
			deadline := time.After(200 * time.Millisecond)
			for {
				select {
				case _, ok := <-s.C():
					if !ok {
						return
					}
				case <-deadline:
					return
				}
			}
		}(a)
	}
	for v := uint64(1); v <= 8; v++ {
		wg.Add(1)
		go func(v uint64) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				h.VisitorJoin(&VisitorView{ID: v, SiteID: 1})
				h.UpdateVisitor(v, func(x *VisitorView) { x.PageViews++ })
				h.VisitorLeave(v, time.Millisecond, nil)
			}
		}(v)
	}
	wg.Wait()
}

func TestSetAgentSitesMovesTheSessionAndResyncs(t *testing.T) {
	h := New(nil)
	h.AgentJoin(&AgentView{ID: 3, Sites: []uint64{1}})
	s := h.Subscribe(Filter{AgentID: 3, Sites: []uint64{1}}, 100)
	h.VisitorJoin(&VisitorView{ID: 20, SiteID: 2})
	h.SetAgentSites(3, []uint64{2}, 7)
	var resync *Resync
	for len(s.C()) > 0 {
		if r, ok := (<-s.C()).(Resync); ok {
			resync = &r
		}
	}
	if resync == nil || len(resync.Snapshot.Visitors) != 1 || resync.Snapshot.Visitors[2].Len() != 1 || resync.Snapshot.Visitors[2].Get(20) == nil {
		t.Fatalf("resync = %+v", resync)
	}
	h.VisitorJoin(&VisitorView{ID: 10, SiteID: 1})
	h.VisitorJoin(&VisitorView{ID: 21, SiteID: 2})
	var got []uint64
	for len(s.C()) > 0 {
		if v, ok := (<-s.C()).(VisitorChanged); ok {
			got = append(got, v.V.ID)
		}
	}
	if len(got) != 1 || got[0] != 21 {
		t.Fatalf("after the move the session heard visitors %v, want [21]", got)
	}
	if a := h.Agent(3); a.MaxChats != 7 || a.Sites[0] != 2 {
		t.Fatalf("agent view %+v", a)
	}
}

// TestAgentsShareTheSiteList: every change hands out the site's whole list with it, the same
// list for every agent; an old list handed out earlier does not change.
func TestAgentsShareTheSiteList(t *testing.T) {
	h := New(nil)
	a := h.Subscribe(Filter{AgentID: 1, Sites: []uint64{1}}, 16)
	b := h.Subscribe(Filter{AgentID: 2, Sites: []uint64{1}}, 16)
	h.VisitorJoin(&VisitorView{ID: 7, SiteID: 1, Name: "王小明"})
	first := (<-a.C()).(VisitorChanged).Site
	h.UpdateVisitor(7, func(v *VisitorView) { v.PageTitle = "价格方案" })
	h.VisitorJoin(&VisitorView{ID: 8, SiteID: 1})
	<-a.C()
	last := (<-a.C()).(VisitorChanged).Site
	<-b.C()
	<-b.C()
	if other := (<-b.C()).(VisitorChanged).Site; other != last {
		t.Fatal("two agents of the site were handed different lists")
	}
	if first.Len() != 1 || first.Get(7).PageTitle != "" {
		t.Fatalf("a list handed out earlier changed: %d visitors, page %q", first.Len(), first.Get(7).PageTitle)
	}
	if last.Len() != 2 || last.Get(7).PageTitle != "价格方案" || last.Get(8) == nil {
		t.Fatalf("the latest list: %d visitors", last.Len())
	}
	h.RemoveVisitor(7)
	left := (<-a.C()).(VisitorLeft)
	if left.Site.Len() != 1 || left.Site.Get(7) != nil || last.Get(7) == nil {
		t.Fatal("leaving changed the wrong list")
	}
	snap := h.SiteVisitors([]uint64{1, 2})
	if snap[1].Len() != 1 || !snap[2].Known() || snap[2].Len() != 0 {
		t.Fatalf("snapshot lists: %d and %d", snap[1].Len(), snap[2].Len())
	}
}

// TestSubscribeFuncDeliversInOrderAndDropsWhenRefused: a subscriber without a channel gets
// every event through its function, in order; the first refusal drops it for good, and
// others go on hearing.
func TestSubscribeFuncDeliversInOrderAndDropsWhenRefused(t *testing.T) {
	h := New(nil)
	h.PutConv(&ConvView{ID: 1, SiteID: 1, VisitorID: 7, AgentID: 3, Agents: []uint64{3}, State: store.ConvOpen})
	var got []uint64
	s := h.SubscribeFunc(Filter{VisitorID: 7}, func(ev Event) bool {
		got = append(got, ev.(MessageAdded).M.Seq)
		return len(got) < 3 // a queue that holds three
	})
	if s.C() != nil {
		t.Fatal("a SubscribeFunc subscriber has a channel")
	}
	other := h.Subscribe(Filter{VisitorID: 7}, 16)
	for i := 1; i <= 5; i++ {
		h.PublishMessage(store.Message{ConvID: 1, Seq: uint64(i), Text: "消息"})
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("delivered %v, want [1 2 3] and then nothing", got)
	}
	if !s.Dropped() {
		t.Fatal("a refusing subscriber was not dropped")
	}
	if n := len(other.C()); n != 5 {
		t.Fatalf("the other subscriber heard %d of 5", n)
	}
	h.Unsubscribe(s) // after a drop: harmless
}
