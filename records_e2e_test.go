package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kefu/server"
	"kefu/server/desk"
	"kefu/server/web/wsclient"
	"kefu/store"
)

// deskSession starts a workbench session of an account through the running server's desk, as
// the workbench does; the block and leave screens drive the same calls.
func deskSession(t *testing.T, k *kefu, account string) *desk.AgentSession {
	t.Helper()
	var id uint64
	must(t, k.srv.DB.View(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin(account)
		if err == nil {
			id = a.ID
		}
		return err
	}))
	as, _, err := k.srv.Desk.StartAgentSession(id)
	must(t, err)
	t.Cleanup(as.Close)
	return as
}

// visitorID finds the stored visitor of a browser on the default site.
func visitorID(t *testing.T, k *kefu, vid string) uint64 {
	t.Helper()
	var id uint64
	must(t, k.srv.DB.View(func(tx *store.Tx) error {
		v, err := tx.VisitorByKey(store.DefaultSiteID, vid)
		if err == nil {
			id = v.ID
		}
		return err
	}))
	return id
}

// refusedHello connects as a browser and says hello; a blocked visitor gets a goodbye, and the
// socket closes without a welcome.
func refusedHello(t *testing.T, k *kefu, vid string) wsclient.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(k.base, "http") + "/ws?site=1"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: map[string][]string{"Origin": {k.base}}})
	must(t, err)
	defer conn.CloseNow()
	hello, _ := json.Marshal(map[string]any{"t": "hello", "vid": vid, "kind": "page", "page": map[string]string{"url": "http://localhost/again", "title": "又来了"}})
	must(t, conn.Write(ctx, websocket.MessageText, hello))
	var frames []wsclient.Frame
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			break
		}
		var f wsclient.Frame
		must(t, json.Unmarshal(data, &f))
		f.Raw = data
		frames = append(frames, f)
	}
	if len(frames) != 1 || frames[0].T != "bye" || frames[0].Code != "blocked" || frames[0].Text == "" {
		var raw []string
		for _, f := range frames {
			raw = append(raw, string(f.Raw))
		}
		t.Fatalf("a blocked visitor's hello got %v, want one bye blocked", raw)
	}
	return frames[0]
}

// TestBlockTakesEffectAndSurvivesRestart: an agent blocks a visitor who is chatting: their
// sockets are told goodbye within a second and they leave the monitor at once (the leave
// grace here is long, so only the block explains it); coming back they are refused politely,
// also after a restart; lifting the block lets them in again.
func TestBlockTakesEffectAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	long := func(c *server.Config) { c.Desk.LeaveGrace = 10 * time.Second }
	k := startKefuWith(t, dir, long)
	ctx := context.Background()
	monitor := k.agent(t, "admin", adminPassword, 120, 40)
	must(t, monitor.WaitFor("访客数 0 人", 5*time.Second))

	page := k.visitor(t, wsclient.Options{URL: "http://localhost/ads", Title: "发广告的访客页"})
	chat := k.visitor(t, wsclient.Options{Vid: page.Vid, Kind: "chat"})
	must(t, chat.SendMessage(ctx, "b-1", "加我微信，低价代开发票"))
	expect(t, chat, "ack", nil)
	bystander := k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "正常访客页"})
	must(t, monitor.WaitFor("发广告的访客页", 2*time.Second))
	must(t, monitor.WaitFor("访客数 2 人", 2*time.Second))

	as := deskSession(t, k, "admin")
	id := visitorID(t, k, page.Vid)
	start := time.Now()
	b, err := as.Block(id, false, "发广告", 0)
	must(t, err)
	for _, v := range []*wsclient.Visitor{page, chat} {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		bye, err := v.ExpectFunc(ctx, "bye", func(f wsclient.Frame) bool { return f.Code == "blocked" })
		cancel()
		if err != nil {
			t.Fatalf("no goodbye within a second: %v", err)
		}
		if !strings.Contains(bye.Text, "抱歉") {
			t.Fatalf("goodbye %s", bye.Raw)
		}
		select {
		case <-v.Done():
		case <-time.After(time.Second):
			t.Fatal("the blocked visitor's socket stays open")
		}
	}
	must(t, monitor.WaitFor("访客数 1 人", time.Second))
	must(t, monitor.WaitGone("发广告的访客页", time.Second))
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the block took %v", took)
	}
	var conv *store.Conversation
	must(t, k.srv.DB.View(func(tx *store.Tx) error {
		convs, err := tx.VisitorConvs(id)
		if err == nil && len(convs) > 0 {
			conv = &convs[len(convs)-1]
		}
		return err
	}))
	if conv == nil || conv.State != store.ConvEnded || conv.EndedBy != string(store.FromSystem) {
		t.Fatalf("the blocked visitor's chat: %+v", conv)
	}

	// Coming back: a polite refusal and nothing else; the monitor never lists them.
	refusedHello(t, k, page.Vid)
	time.Sleep(200 * time.Millisecond)
	if s := monitor.Screen().String(); strings.Contains(s, "又来了") || !strings.Contains(s, "访客数 1 人") {
		t.Fatalf("a refused visitor reached the monitor:\n%s", s)
	}

	// The block survives a restart.
	bystander.Close()
	monitor.Close()
	k.stop()
	k2 := startKefuWith(t, dir, long)
	refusedHello(t, k2, page.Vid)
	monitor2 := k2.agent(t, "admin", adminPassword, 120, 40)
	must(t, monitor2.WaitFor("访客数 0 人", 5*time.Second))

	// Lifting it lets them back in.
	as2 := deskSession(t, k2, "admin")
	must(t, as2.Unblock(b.ID))
	back := k2.visitor(t, wsclient.Options{Vid: page.Vid, URL: "http://localhost/back", Title: "解除后回来了"})
	if back.Welcome.T != "welcome" {
		t.Fatalf("after lifting: %s", back.Welcome.Raw)
	}
	must(t, monitor2.WaitFor("解除后回来了", 2*time.Second))
	if active, err := as2.Blocks(store.DefaultSiteID, true); err != nil || len(active) != 0 {
		t.Fatalf("blocks in force after lifting: %v %v", active, err)
	}
}

// TestLeaveMessageWhenNobodyIsOnline: with no agent at the workbench the widget's leave
// message is stored once (a resend is answered the same), refused when incomplete, and is
// there after a restart for the records center.
func TestLeaveMessageWhenNobodyIsOnline(t *testing.T) {
	dir := t.TempDir()
	k := startKefu(t, dir)
	ctx := context.Background()
	chat := k.visitor(t, wsclient.Options{Kind: "chat"})
	if chat.Welcome.Online {
		t.Fatal("an agent is online")
	}
	text := "想咨询企业版价格，请回电。\n<script>alert(1)</script>\x1b[2J"
	leave := map[string]string{"t": "leave", "cid": "leave-1", "name": "王小明", "phone": "13800138000", "email": "", "qq": "", "text": text}
	must(t, chat.Send(ctx, leave))
	left := expect(t, chat, "left", nil)
	if left.CID != "leave-1" || left.At == 0 {
		t.Fatalf("left %s", left.Raw)
	}
	must(t, chat.Send(ctx, leave)) // the widget resends after a reconnect
	again := expect(t, chat, "left", nil)
	if again.CID != "leave-1" || again.At != left.At {
		t.Fatalf("resent: %s, first %s", again.Raw, left.Raw)
	}
	must(t, chat.Send(ctx, map[string]string{"t": "leave", "cid": "leave-2", "text": "没有联系方式"}))
	if e := expect(t, chat, "error", nil); e.Code != "leave_contact" || !strings.Contains(e.Text, "联系方式") {
		t.Fatalf("incomplete: %s", e.Raw)
	}
	must(t, chat.Send(ctx, map[string]string{"t": "leave", "cid": "leave-3", "qq": "12", "text": "QQ 不对"}))
	if e := expect(t, chat, "error", nil); e.Code != "leave_qq" {
		t.Fatalf("bad QQ: %s", e.Raw)
	}

	chat.Close()
	k.stop()
	k2 := startKefu(t, dir)
	as := deskSession(t, k2, "admin")
	msgs, err := as.LeaveMessages(store.DefaultSiteID, nil)
	must(t, err)
	if len(msgs) != 1 {
		t.Fatalf("%d leave messages stored", len(msgs))
	}
	m := msgs[0]
	if m.Name != "王小明" || m.Phone != "13800138000" || m.Processed || m.Text != "想咨询企业版价格，请回电。\n<script>alert(1)</script>" {
		t.Fatalf("stored %+v", m)
	}
	if n, _ := as.UnprocessedLeaves([]uint64{store.DefaultSiteID}); n != 1 {
		t.Fatalf("unprocessed %d", n)
	}
	_, err = as.MarkProcessed(m.ID, true)
	must(t, err)
	if n, _ := as.UnprocessedLeaves([]uint64{store.DefaultSiteID}); n != 0 {
		t.Fatalf("unprocessed after marking %d", n)
	}
}
