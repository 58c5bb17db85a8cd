package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"kefu/server/web/wsclient"
	"kefu/store"
)

// settingsOf decodes the settings of a welcome or settings frame.
func settingsOf(t *testing.T, f wsclient.Frame) (s struct {
	CustomURL string   `json:"custom_url"`
	PreChat   []string `json:"pre_chat"`
}) {
	t.Helper()
	var frame struct {
		Settings *json.RawMessage `json:"settings"`
	}
	if err := json.Unmarshal(f.Raw, &frame); err != nil || frame.Settings == nil {
		t.Fatalf("no settings in %s", f.Raw)
	}
	must(t, json.Unmarshal(*frame.Settings, &s))
	return s
}

// TestPreChatDetailsReachTheAgent: an admin asks visitors for their name and phone before a
// chat while a chat window is open; the window hears it at once, with the custom chat URL.
// The visitor gives them and asks for a chat; the agent sees the name on the monitor and the
// details in the card. A card the agent then edits is not overwritten by a second form.
func TestPreChatDetailsReachTheAgent(t *testing.T) {
	k := startKefu(t, t.TempDir())
	k.takeByHand(t)
	ctx := context.Background()
	agent := k.agent(t, "admin", adminPassword, 120, 32)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))

	chat := k.visitor(t, wsclient.Options{Kind: "chat", Title: "在线客服"})
	if s := settingsOf(t, chat.Welcome); s.PreChat == nil || len(s.PreChat) != 0 || s.CustomURL != "" {
		t.Fatalf("welcome of a site asking nothing: %s", chat.Welcome.Raw)
	}
	must(t, agent.WaitFor("访客数 1 人", 2*time.Second))

	super := k.srv.Desk.CommandSession(agentID(t, k, "admin"))
	site, err := super.SiteSettings(1)
	must(t, err)
	st := site.Settings
	st.PreChat = []string{"name", "phone"}
	st.CustomURL = "https://chat.customer.cn/chat"
	_, err = super.SaveSiteSettings(1, st)
	must(t, err)
	live := settingsOf(t, expect(t, chat, "settings", nil))
	if strings.Join(live.PreChat, ",") != "name,phone" || live.CustomURL != "https://chat.customer.cn/chat" {
		t.Fatalf("live settings: %+v", live)
	}

	// The form, then the chat request, as the chat window sends them. Hostile bytes are
	// cleaned; the QQ, which the site does not ask for, is dropped.
	must(t, chat.Send(ctx, map[string]string{"t": "prechat", "name": "\x1b]0;PWNED\x07王小明", "phone": "138 0013 8000", "qq": "10001"}))
	must(t, chat.Send(ctx, map[string]string{"t": "chat"}))
	expect(t, chat, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "waiting" })
	must(t, agent.WaitFor("王小明", 2*time.Second))
	must(t, agent.WaitFor("请求对话", 2*time.Second))
	if strings.Contains(string(agent.Output()), "PWNED") {
		t.Fatal("the OSC payload reached the terminal")
	}
	id := visitorID(t, k, chat.Vid)
	if c := storedCard(t, k, id); c != (store.Card{Name: "王小明", Phone: "138 0013 8000"}) {
		t.Fatalf("card after the form: %+v", c)
	}

	// The agent opens the card (e), sees the details and renames the visitor.
	must(t, agent.Type("e"))
	must(t, agent.WaitFor("王小明 的访客名片", 2*time.Second))
	must(t, agent.WaitFor("138 0013 8000", time.Second))
	time.Sleep(100 * time.Millisecond)
	must(t, agent.Press("ctrl+u"))
	must(t, agent.Type("王经理"))
	for i := 0; i < 6; i++ { // through phone, QQ, email, WeChat, company to the notes
		must(t, agent.Press("enter"))
		time.Sleep(150 * time.Millisecond)
	}
	must(t, agent.Type("企业版客户"))
	must(t, agent.Press("enter"))
	must(t, agent.WaitFor("已保存 王经理 的名片", 3*time.Second))

	// A second form (another tab, a script) changes nothing the agent's card holds.
	must(t, chat.Send(ctx, map[string]string{"t": "prechat", "name": "冒名顶替", "phone": "13900000000"}))
	must(t, chat.SendMessage(ctx, "p-1", "您好，我想咨询企业版"))
	expect(t, chat, "ack", func(f wsclient.Frame) bool { return f.CID == "p-1" }) // frames are handled in order
	if c := storedCard(t, k, id); c != (store.Card{Name: "王经理", Phone: "138 0013 8000", Notes: "企业版客户"}) {
		t.Fatalf("card after a second form: %+v", c)
	}
	must(t, agent.WaitFor("王经理", time.Second))
	if strings.Contains(agent.Screen().String(), "冒名顶替") {
		t.Fatalf("the second form renamed the visitor:\n%s", agent.Screen().String())
	}

	// A malformed form is refused in the visitor's language, and stores nothing.
	must(t, chat.Send(ctx, map[string]string{"t": "prechat", "phone": "call me maybe"}))
	if e := expect(t, chat, "error", nil); e.Code != "prechat_phone" || e.Text == "" {
		t.Fatalf("refusal %s", e.Raw)
	}
}

func storedCard(t *testing.T, k *kefu, visitorID uint64) store.Card {
	t.Helper()
	var c store.Card
	must(t, k.srv.DB.View(func(tx *store.Tx) error {
		v, err := tx.Visitor(visitorID)
		if err == nil {
			c = v.Card
		}
		return err
	}))
	return c
}
