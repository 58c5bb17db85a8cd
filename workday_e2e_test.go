package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"kefu/server/desk"
	"kefu/server/web/wsclient"
	"kefu/store"
)

// addAgent creates an agent of the built-in 普通客服 role serving the default site, who takes
// chats by hand (no auto-assign), so tests decide who gets a visitor.
func addAgent(t testing.TB, k *kefu, account, name, password string) {
	t.Helper()
	hash, err := desk.HashPassword(password)
	must(t, err)
	must(t, k.srv.DB.Update(func(tx *store.Tx) error {
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		var roleID uint64
		for _, r := range roles {
			if r.Builtin == "agent" {
				roleID = r.ID
			}
		}
		return tx.CreateAgent(&store.Agent{Account: account, Name: name, Nickname: name, RoleID: roleID, PassHash: hash, Seat: true,
			Sites: []store.SiteSeat{{SiteID: 1, AutoAssign: false, MaxChats: 5}}})
	}))
}

// TestTransferWithNoteAndHistory: agent A transfers a chat to B with a note; B is notified,
// reads the whole history and the note; the visitor sees B's card and never the note.
func TestTransferWithNoteAndHistory(t *testing.T) {
	k := startKefu(t, t.TempDir())
	ctx := context.Background()
	addAgent(t, k, "xiaojuan", "小娟", "juan-123456")
	a := k.agent(t, "admin", adminPassword, 110, 32)
	b := k.agent(t, "xiaojuan", "juan-123456", 110, 32)
	must(t, a.WaitFor("客服(2)", 5*time.Second))
	chat := k.visitor(t, wsclient.Options{Kind: "chat"})
	must(t, chat.SendMessage(ctx, "t-1", "我想了解企业版"))
	// Distributed to A, or waiting for A to take it: either way Ctrl+N goes there and the
	// first reply takes it.
	must(t, a.WaitFor("对话(1)", 3*time.Second))
	must(t, a.Press("ctrl+n"))
	must(t, a.WaitFor("我想了解企业版", 2*time.Second))
	must(t, a.Type("稍等，我请同事为您介绍"))
	must(t, a.Press("enter"))
	expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.Text == "稍等，我请同事为您介绍" })

	must(t, a.Press("ctrl+f"))
	must(t, a.WaitFor("小娟", 2*time.Second))
	must(t, a.Press("enter"))
	must(t, a.Type("客户要企业版报价"))
	must(t, a.Press("enter"))
	must(t, a.WaitFor("已转接给 小娟", 2*time.Second))

	// B is told, with the note, and reads everything.
	must(t, b.WaitFor("转接给您", 3*time.Second))
	must(t, b.WaitFor("客户要企业版报价", time.Second))
	must(t, b.Press("ctrl+o"))
	for _, want := range []string{"我想了解企业版", "稍等，我请同事为您介绍", "已转接给 小娟", "管理员 的转接备注：客户要企业版报价"} {
		must(t, b.WaitFor(want, 2*time.Second))
	}
	// The visitor sees the new agent and never the note.
	moved := expect(t, chat, "conv", func(f wsclient.Frame) bool {
		c := f.ConvInfo()
		return c != nil && c.Agent != nil && c.Agent.Name == "小娟"
	})
	_ = moved
	must(t, b.Type("您好，我是小娟"))
	must(t, b.Press("enter"))
	expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.Text == "您好，我是小娟" })
	for _, f := range chat.Seen() {
		if strings.Contains(string(f.Raw), "客户要企业版报价") {
			t.Fatalf("the visitor received the internal note: %s", f.Raw)
		}
	}
	// A no longer holds the chat.
	must(t, a.WaitFor("暂无对话", 3*time.Second))
}

// TestCardSurvivesRestartAndRatingIsStored: a card saved on a visitor shows on their next
// visit after a restart; a rating after the end is stored with the conversation.
func TestCardSurvivesRestartAndRatingIsStored(t *testing.T) {
	dir := t.TempDir()
	k := startKefu(t, dir)
	ctx := context.Background()
	agent := k.agent(t, "admin", adminPassword, 100, 32)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	page := k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "首页"})
	must(t, agent.WaitFor("首页", 2*time.Second))
	must(t, agent.Type("e"))
	must(t, agent.WaitFor("的访客名片", 2*time.Second))
	time.Sleep(100 * time.Millisecond) // as a person would look before typing
	// huh moves to the next field through a command round trip: let it land before typing on.
	next := func() {
		must(t, agent.Press("enter"))
		time.Sleep(150 * time.Millisecond)
	}
	must(t, agent.Type("王小明"))
	next()
	must(t, agent.Type("13800138000"))
	for i := 0; i < 5; i++ { // through QQ, email, WeChat, company to the notes
		next()
	}
	must(t, agent.Type("老客户，关注价格"))
	must(t, agent.Press("enter")) // Enter on the last field submits
	must(t, agent.WaitFor("已保存 王小明 的名片", 3*time.Second))
	must(t, agent.WaitFor("王小明", time.Second))

	// Chat, end, rate.
	must(t, agent.Press("enter"))
	expect(t, page, "open", nil)
	chat := k.visitor(t, wsclient.Options{Vid: page.Vid, Kind: "chat"})
	conv := chat.Welcome.ConvInfo().ID
	must(t, chat.Send(ctx, map[string]string{"t": "end"}))
	expect(t, chat, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "ended" })
	must(t, chat.Send(ctx, map[string]any{"t": "rate", "conv": conv, "stars": 5, "text": "很专业<b>!</b>"}))
	deadline := time.Now().Add(3 * time.Second)
	for {
		var r *store.Rating
		k.srv.DB.View(func(tx *store.Tx) error {
			if c, err := tx.Conv(conv); err == nil {
				r = c.Rating
			}
			return nil
		})
		if r != nil {
			if r.Stars != 5 || r.Text != "很专业<b>!</b>" {
				t.Fatalf("rating stored as %+v", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("rating not stored")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Restart: the card is there on the next visit.
	chat.Close()
	page.Close()
	agent.Close()
	k.stop()
	k2 := startKefu(t, dir)
	agent2 := k2.agent(t, "admin", adminPassword, 100, 32)
	k2.visitor(t, wsclient.Options{Vid: page.Vid, URL: "http://localhost/", Title: "首页"})
	must(t, agent2.WaitFor("王小明", 3*time.Second))
	must(t, agent2.Type("v"))
	must(t, agent2.WaitFor("13800138000", 2*time.Second))
	must(t, agent2.WaitFor("老客户，关注价格", time.Second))
}

// TestAdminPageInTheWorkbench: the admin sees 管理后台 among the tabs and can open it; an agent
// of the 普通客服 role does not get the tab at all (and the server refuses the actions anyway).
func TestAdminPageInTheWorkbench(t *testing.T) {
	k := startKefu(t, t.TempDir())
	addAgent(t, k, "xiaojuan", "小娟", "juan-123456")
	a := k.agent(t, "admin", adminPassword, 120, 36)
	must(t, a.WaitFor("管理后台", 5*time.Second))
	must(t, a.Press("shift+tab"))
	must(t, a.WaitFor("网站管理", 3*time.Second))
	must(t, a.WaitFor("默认站点", 3*time.Second))
	b := k.agent(t, "xiaojuan", "juan-123456", 120, 36)
	must(t, b.WaitFor("常用语", 5*time.Second))
	if strings.Contains(b.Screen().String(), "管理后台") {
		t.Fatalf("an agent without admin permissions sees the admin tab:\n%s", b.Screen().String())
	}
}

// TestCannedReplyByShortcutOverSSH: an agent types /price and Tab in a chat; the reply's text
// lands in the input to edit, and Enter sends it to the visitor.
func TestCannedReplyByShortcutOverSSH(t *testing.T) {
	k := startKefu(t, t.TempDir())
	ctx := context.Background()
	agent := k.agent(t, "admin", adminPassword, 110, 32)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	var adminID uint64
	k.srv.DB.View(func(tx *store.Tx) error { a, err := tx.AgentByLogin("admin"); adminID = a.ID; return err })
	_, err := k.srv.Desk.CommandSession(adminID).CreateCanned(1, false, desk.CannedInput{Group: "报价", Title: "企业版价格", Text: "企业版每年 3980 元。", Shortcut: "price"})
	must(t, err)
	chat := k.visitor(t, wsclient.Options{Kind: "chat"})
	must(t, chat.SendMessage(ctx, "p-1", "多少钱？"))
	must(t, agent.WaitFor("对话(1)", 3*time.Second))
	must(t, agent.Press("ctrl+n"))
	must(t, agent.WaitFor("多少钱？", 2*time.Second))
	must(t, agent.Type("/price"))
	must(t, agent.Press("tab"))
	must(t, agent.WaitFor("> 企业版每年 3980 元。", 2*time.Second))
	must(t, agent.Type(" 含 10 个座席"))
	must(t, agent.Press("enter"))
	expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.Text == "企业版每年 3980 元。 含 10 个座席" })
}
