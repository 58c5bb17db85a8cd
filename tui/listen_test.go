package tui

import (
	"sync/atomic"
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/store"
)

// TestListenGathersVisitorsButNotMessages: visitors' changes and other chats' messages are
// gathered into one batch for a moment; a message in the chat on screen goes at once, and
// takes what was gathered with it.
func TestListenGathersVisitorsButNotMessages(t *testing.T) {
	ch := make(chan hub.Event, 16)
	watching := new(atomic.Uint64)
	watching.Store(1)
	cmd := listen(ch, watching)

	// A message alone is handed over at once.
	ch <- hub.MessageAdded{M: store.Message{ConvID: 1, Seq: 1, Text: "你好"}}
	start := time.Now()
	if b := cmd().(eventsMsg); len(b) != 1 {
		t.Fatalf("batch of %d", len(b))
	}
	if d := time.Since(start); d >= gatherFor {
		t.Errorf("a message waited %v", d)
	}

	// Visitors' changes arriving close together make one batch.
	go func() {
		for i := 1; i <= 3; i++ {
			ch <- hub.VisitorChanged{V: &hub.VisitorView{ID: uint64(i), SiteID: 1}}
			time.Sleep(gatherFor / 8)
		}
	}()
	if b := cmd().(eventsMsg); len(b) != 3 {
		t.Fatalf("three visitor changes came in %d", len(b))
	}

	// A message cuts the gathering short.
	ch <- hub.VisitorChanged{V: &hub.VisitorView{ID: 9, SiteID: 1}}
	go func() {
		time.Sleep(gatherFor / 8)
		ch <- hub.MessageAdded{M: store.Message{ConvID: 1, Seq: 2, Text: "在吗"}}
	}()
	start = time.Now()
	b := cmd().(eventsMsg)
	if len(b) != 2 {
		t.Fatalf("batch of %d", len(b))
	}
	if _, ok := b[1].(hub.MessageAdded); !ok {
		t.Fatalf("order lost: %T last", b[1])
	}
	if d := time.Since(start); d >= gatherFor {
		t.Errorf("the message waited for the gathering: %v", d)
	}

	// Messages in chats not on screen wait for company like visitors' changes; the one on
	// screen ends the wait.
	go func() {
		ch <- hub.MessageAdded{M: store.Message{ConvID: 2, Seq: 1, Text: "别的对话"}}
		time.Sleep(gatherFor / 8)
		ch <- hub.MessageAdded{M: store.Message{ConvID: 3, Seq: 1, Text: "又一个"}}
	}()
	start = time.Now()
	if b := cmd().(eventsMsg); len(b) != 2 {
		t.Fatalf("two background messages came in a batch of %d", len(b))
	}
	if d := time.Since(start); d < gatherFor/2 {
		t.Errorf("background messages were handed over after %v, without gathering", d)
	}
	watching.Store(2) // the agent opened chat 2
	ch <- hub.MessageAdded{M: store.Message{ConvID: 2, Seq: 2, Text: "现在在屏幕上"}}
	start = time.Now()
	if b := cmd().(eventsMsg); len(b) != 1 {
		t.Fatalf("batch of %d", len(b))
	}
	if d := time.Since(start); d >= gatherFor {
		t.Errorf("the message on screen waited %v", d)
	}

	close(ch)
	if _, ok := cmd().(feedClosedMsg); !ok {
		t.Fatal("a closed feed is not reported")
	}
}
