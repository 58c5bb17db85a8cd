package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kefu/server/web/wsclient"
)

// TestAgentReconnectSeesEverything: an agent whose SSH connection dropped sees, on logging back
// in, every message of their open chats, including what arrived while they were away.
func TestAgentReconnectSeesEverything(t *testing.T) {
	k := startKefu(t, t.TempDir())
	k.takeByHand(t)
	ctx := context.Background()
	agent := k.agent(t, "admin", adminPassword, 100, 40)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	chat := k.visitor(t, wsclient.Options{Kind: "chat"})
	must(t, chat.SendMessage(ctx, "r-0", "第一条"))
	must(t, agent.WaitFor("请求对话", 2*time.Second))
	must(t, agent.Press("ctrl+n"))
	must(t, agent.Press("enter"))
	must(t, agent.WaitFor("管理员 接入对话", 2*time.Second))
	agent.Close() // the connection drops
	for i := 1; i <= 5; i++ {
		must(t, chat.SendMessage(ctx, fmt.Sprintf("r-%d", i), fmt.Sprintf("离线时的消息%d", i)))
		expect(t, chat, "ack", func(f wsclient.Frame) bool { return f.CID == fmt.Sprintf("r-%d", i) })
	}
	again := k.agent(t, "admin", adminPassword, 100, 40)
	must(t, again.Press("tab"))
	for i := 1; i <= 5; i++ {
		must(t, again.WaitFor(fmt.Sprintf("离线时的消息%d", i), 3*time.Second))
	}
	must(t, again.WaitFor("第一条", time.Second))
}

// TestVisitorResendsAfterReconnectAndIsStoredOnce: a message resent with the same client id
// after a reconnect is acknowledged with its original seq and stored once; resume sends only
// what the visitor missed.
func TestVisitorResendsAfterReconnectAndIsStoredOnce(t *testing.T) {
	k := startKefu(t, t.TempDir())
	ctx := context.Background()
	chat := k.visitor(t, wsclient.Options{Kind: "chat"})
	must(t, chat.SendMessage(ctx, "same-cid", "只存一次"))
	first := expect(t, chat, "ack", nil)
	chat.Kill()
	again := k.visitor(t, wsclient.Options{Vid: chat.Vid, Kind: "chat", Resume: &[2]uint64{first.ConvID(), first.Seq}})
	must(t, again.SendMessage(ctx, "same-cid", "只存一次"))
	second := expect(t, again, "ack", nil)
	if second.Seq != first.Seq || second.ConvID() != first.ConvID() {
		t.Fatalf("resend acked as %d/%d, first as %d/%d", second.ConvID(), second.Seq, first.ConvID(), first.Seq)
	}
	must(t, again.SendMessage(ctx, "next", "下一条"))
	next := expect(t, again, "ack", func(f wsclient.Frame) bool { return f.CID == "next" })
	if next.Seq != first.Seq+1 {
		t.Fatalf("next seq %d, want %d", next.Seq, first.Seq+1)
	}
	// Resume: a third connection that saw up to first.Seq gets exactly the one after it.
	third := k.visitor(t, wsclient.Options{Vid: chat.Vid, Kind: "chat", Resume: &[2]uint64{first.ConvID(), first.Seq}})
	got := expect(t, third, "msg", nil)
	if got.Seq != next.Seq || got.Text != "下一条" {
		t.Fatalf("resume sent %d %q", got.Seq, got.Text)
	}
	for _, f := range third.Seen() {
		if f.T == "msg" && f.Seq <= first.Seq {
			t.Fatalf("resume repeated seq %d", f.Seq)
		}
	}
}

// TestGracefulShutdownTellsEveryone: on shutdown a visitor's widget is told to reconnect and
// an agent's workbench says why it closes.
func TestGracefulShutdownTellsEveryone(t *testing.T) {
	k := startKefu(t, t.TempDir())
	agent := k.agent(t, "admin", adminPassword, 100, 30)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	page := k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "首页"})
	must(t, agent.WaitFor("访客数 1 人", 2*time.Second))
	go k.stop()
	bye := expect(t, page, "bye", nil)
	if bye.Code != "shutdown" {
		t.Fatalf("bye %s", bye.Raw)
	}
	must(t, agent.WaitFor("服务器正在停止", 5*time.Second))
}
