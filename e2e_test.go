package main

import (
	"crypto/ed25519"
	"crypto/rand"

	gossh "golang.org/x/crypto/ssh"

	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/server"
	"kefu/server/desk"
	"kefu/server/web/wsclient"
	"kefu/store"
	"kefu/tui"
	"kefu/tui/termtest"
)

const adminPassword = "e2e-secret-密码"

// kefu is a real server on random loopback ports with a temp data dir.
type kefu struct {
	t        testing.TB
	dir      string
	srv      *server.Server
	cancel   context.CancelFunc
	done     chan error
	base     string
	stopOnce sync.Once
}

func startKefu(t testing.TB, dir string) *kefu {
	t.Helper()
	return startKefuWith(t, dir, nil)
}

// startKefuWith starts kefu with a test configuration that change may adjust.
func startKefuWith(t testing.TB, dir string, change func(*server.Config)) *kefu {
	t.Helper()
	cfg := server.Config{
		DataDir: dir, HTTPAddr: "127.0.0.1:0", SSHAddr: "127.0.0.1:0",
		AdminPassword: adminPassword, Workbench: tui.New, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// VisitGap: the test client does not beat like the widget, so a visit lasts only as long
		// as the gap from its arrival; the slice's steps up to the chat window (frames of
		// unattended changes come twice a second) must fit in it, and its restart outlast it.
		Desk: desk.Config{LeaveGrace: 300 * time.Millisecond, VisitGap: 3 * time.Second, InviteTimeout: 2 * time.Second},
	}
	if change != nil {
		change(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &kefu{t: t, dir: dir, srv: srv, cancel: cancel, done: make(chan error, 1), base: "http://" + srv.HTTPAddr()}
	go func() { k.done <- srv.Run(ctx) }()
	t.Cleanup(k.stop)
	return k
}

// stop shuts the server down gracefully and waits for it.
func (k *kefu) stop() {
	k.stopOnce.Do(func() {
		k.cancel()
		select {
		case err := <-k.done:
			if err != nil {
				k.t.Errorf("server stopped with %v", err)
			}
		case <-time.After(15 * time.Second):
			k.t.Error("server did not stop")
		}
	})
}

func (k *kefu) agent(t testing.TB, user, password string, w, h int) *termtest.Client {
	t.Helper()
	c, err := termtest.Dial(termtest.Options{Addr: k.srv.SSHAddr(), User: user, Password: password, Width: w, Height: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (k *kefu) visitor(t testing.TB, o wsclient.Options) *wsclient.Visitor {
	t.Helper()
	o.Base = k.base
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := wsclient.Dial(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// takeByHand turns auto-assign off for every agent, so a visitor's request waits for an agent
// to take it (the distribution engine is tested on its own).
func (k *kefu) takeByHand(t testing.TB) {
	t.Helper()
	must(t, k.srv.DB.Update(func(tx *store.Tx) error {
		agents, err := tx.Agents()
		if err != nil {
			return err
		}
		for i := range agents {
			for j := range agents[i].Sites {
				agents[i].Sites[j].AutoAssign = false
			}
			if err := tx.PutAgent(&agents[i]); err != nil {
				return err
			}
		}
		return nil
	}))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func expect(t testing.TB, v *wsclient.Visitor, typ string, ok func(wsclient.Frame) bool) wsclient.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ok == nil {
		ok = func(wsclient.Frame) bool { return true }
	}
	f, err := v.ExpectFunc(ctx, typ, ok)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFoundationSlice walks the slice of the foundation issue end to end: a visitor appears on
// the agent's screen within a second, the agent opens a chat and both talk; the visitor asks
// for a chat and the agent takes it; either side ends; after a restart the transcript is there
// and the returning visitor is recognised.
func TestFoundationSlice(t *testing.T) {
	dir := t.TempDir()
	k := startKefu(t, dir)
	k.takeByHand(t)
	ctx := context.Background()
	agent := k.agent(t, "admin", adminPassword, 120, 40)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))

	// 1. A visitor opens a page: they are on the monitor within a second.
	page := k.visitor(t, wsclient.Options{URL: "http://localhost/pricing", Title: "价格方案 - 云帆软件", Referrer: ""})
	if page.Welcome.Visit != 1 {
		t.Fatalf("first visit count = %d", page.Welcome.Visit)
	}
	must(t, agent.WaitFor("价格方案 - 云帆软件", time.Second))
	must(t, agent.WaitFor("访客数 1 人", time.Second))
	name := visitorLabel(t, agent.Screen().String())

	// 2. The agent opens a chat (Enter on the selected row); the widget is told to open.
	must(t, agent.Press("enter"))
	open := expect(t, page, "open", nil)
	chat := k.visitor(t, wsclient.Options{Vid: page.Vid, Kind: "chat"})
	if c := chat.Welcome.ConvInfo(); c == nil || c.ID != open.ConvID() || c.State != "open" || c.Agent == nil {
		t.Fatalf("chat window welcome: %s", chat.Welcome.Raw)
	}
	must(t, agent.WaitFor("接入对话", 2*time.Second))
	must(t, agent.Type("您好，请问有什么可以帮您？Hello!"))
	must(t, agent.Press("enter"))
	got := expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.From == "agent" })
	if got.Text != "您好，请问有什么可以帮您？Hello!" || got.At == 0 || got.Seq == 0 {
		t.Fatalf("visitor got %s", got.Raw)
	}
	must(t, chat.SendMessage(ctx, "c-1", "我想咨询价格 price please"))
	ack := expect(t, chat, "ack", nil)
	if ack.CID != "c-1" || ack.Seq != got.Seq+1 {
		t.Fatalf("ack %s after agent seq %d", ack.Raw, got.Seq)
	}
	must(t, agent.WaitFor("我想咨询价格 price please", time.Second))

	// 4a. The visitor ends; the agent sees it.
	must(t, chat.Send(ctx, map[string]string{"t": "end"}))
	expect(t, chat, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "ended" })
	must(t, agent.WaitFor("访客结束了对话", 2*time.Second))
	firstConv := open.ConvID()

	// 3. The visitor asks for a chat from the widget; the agent sees the request and takes it.
	must(t, chat.SendMessage(ctx, "c-2", "还有一个问题"))
	expect(t, chat, "ack", func(f wsclient.Frame) bool { return f.CID == "c-2" })
	must(t, agent.WaitFor("请求对话", 2*time.Second))
	must(t, agent.Press("ctrl+n"))
	must(t, agent.WaitFor("按 Enter 接入", 2*time.Second))
	must(t, agent.Press("enter"))
	taken := expect(t, chat, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "open" })
	if taken.ConvInfo().Agent == nil || taken.ConvInfo().Agent.Name != "管理员" {
		t.Fatalf("visitor does not see who took the chat: %s", taken.Raw)
	}
	must(t, agent.WaitFor("还有一个问题", 2*time.Second))
	must(t, agent.Type("好的"))
	must(t, agent.Press("enter"))
	expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.Text == "好的" })

	// 4b. The agent ends (Ctrl+E twice); the visitor sees it.
	must(t, agent.Press("ctrl+e"))
	must(t, agent.WaitFor("再按一次 Ctrl+E", time.Second))
	must(t, agent.Press("ctrl+e"))
	ended := expect(t, chat, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "ended" })
	if !strings.Contains(string(ended.Raw), `"by":"agent"`) {
		t.Fatalf("ended frame: %s", ended.Raw)
	}
	must(t, agent.WaitFor("管理员 结束了对话", 2*time.Second))

	// 5. Restart: the transcript is there and the returning visitor is recognised.
	chat.Close()
	page.Close()
	agent.Close()
	k.stop()
	time.Sleep(3100 * time.Millisecond) // longer than the test's visit gap
	k2 := startKefu(t, dir)
	agent2 := k2.agent(t, "admin", adminPassword, 120, 40)
	again := k2.visitor(t, wsclient.Options{Vid: page.Vid, URL: "http://localhost/", Title: "云帆软件 首页"})
	if again.Welcome.Visit != 2 {
		t.Fatalf("returning visitor: visit %d, want 2", again.Welcome.Visit)
	}
	must(t, agent2.WaitFor(name, 2*time.Second))
	must(t, agent2.WaitFor("意向", time.Second)) // has chatted before
	chat2 := k2.visitor(t, wsclient.Options{Vid: page.Vid, Kind: "chat"})
	must(t, chat2.Send(ctx, map[string]any{"t": "sync", "conv": firstConv, "after": 0}))
	var texts []string
	for {
		f := expect(t, chat2, "msg", func(f wsclient.Frame) bool { return f.ConvID() == firstConv })
		if f.Event == "ended" {
			break
		}
		if f.From != "system" {
			texts = append(texts, f.Text)
		}
	}
	want := []string{"您好，请问有什么可以帮您？Hello!", "我想咨询价格 price please"}
	if len(texts) < 2 || texts[0] != want[0] || texts[1] != want[1] {
		t.Fatalf("transcript after restart = %q, want %q", texts, want)
	}
}

// visitorLabel finds the visitor's name column (访客N) on the monitor.
func visitorLabel(t testing.TB, screen string) string {
	t.Helper()
	for _, f := range strings.Fields(screen) {
		if strings.HasPrefix(f, "访客") && len(f) > len("访客") && f != "访客数" && f != "访客姓名" {
			return f
		}
	}
	t.Fatalf("no visitor on screen:\n%s", screen)
	return ""
}

// TestSessionWithoutTerminal: a script without a pty gets one clear line, and commands work.
func TestSessionWithoutTerminal(t *testing.T) {
	k := startKefu(t, t.TempDir())
	o := termtest.Options{Addr: k.srv.SSHAddr(), User: "admin", Password: adminPassword}
	_, stderr, code, err := termtest.Run(o, "")
	must(t, err)
	if code == 0 || !strings.Contains(stderr, "工作台需要终端") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("no-pty session: code %d stderr %q", code, stderr)
	}
	out, _, code, err := termtest.Run(o, "whoami --json")
	must(t, err)
	if code != 0 || !strings.Contains(out, `"account": "admin"`) {
		t.Fatalf("whoami: %d %q", code, out)
	}
	_, stderr, code, _ = termtest.Run(o, "frobnicate")
	if code != 2 || !strings.Contains(stderr, "未知命令") {
		t.Fatalf("unknown command: %d %q", code, stderr)
	}
	bad := o
	bad.Password = "wrong"
	if _, _, _, err := termtest.Run(bad, "whoami"); err == nil {
		t.Fatal("wrong password accepted")
	}
}

// TestHostileVisitorTextNeverReachesTheTerminalRaw: escape sequences and control characters a
// visitor sends arrive on the agent's screen as plain text, never as terminal commands.
func TestHostileVisitorTextNeverReachesTheTerminalRaw(t *testing.T) {
	k := startKefu(t, t.TempDir())
	k.takeByHand(t)
	agent := k.agent(t, "admin", adminPassword, 100, 30)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	evil := "\x1b]0;PWNED\x07\x1b[2J\x1b[31m红色\x1b[0m<script>alert(1)</script>\x07"
	chat := k.visitor(t, wsclient.Options{Kind: "chat", Title: "\x1b]2;TITLE\x07页面"})
	must(t, chat.SendMessage(context.Background(), "e-1", evil))
	ack := expect(t, chat, "ack", nil)
	must(t, agent.WaitFor("请求对话", 2*time.Second))
	must(t, agent.Press("ctrl+n"))
	must(t, agent.WaitFor("红色<script>alert(1)</script>", 2*time.Second))
	if title := agent.Screen().Title(); strings.Contains(title, "PWNED") || strings.Contains(title, "TITLE") {
		t.Fatalf("visitor set the terminal title to %q", title)
	}
	if strings.Contains(string(agent.Output()), "PWNED") {
		t.Fatal("the OSC payload reached the terminal")
	}
	// The only bells are the workbench's own notifications (a request), never the visitor's.
	if b := agent.Screen().Bells(); b > 2 {
		t.Fatalf("%d bells rang", b)
	}
	var stored []store.Message
	k.srv.DB.View(func(tx *store.Tx) error {
		stored, _ = tx.Messages(ack.ConvID(), 0, 0)
		return nil
	})
	for _, m := range stored {
		if strings.ContainsAny(m.Text, "\x1b\x07") {
			t.Fatalf("control characters stored: %q", m.Text)
		}
	}
	if len(stored) == 0 {
		t.Fatal("message not stored")
	}
}

// TestPublicKeyLogin: a key registered to an agent logs in as that agent and no other.
func TestPublicKeyLogin(t *testing.T) {
	k := startKefu(t, t.TempDir())
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	must(t, err)
	fp := gossh.FingerprintSHA256(signer.PublicKey())
	must(t, k.srv.DB.Update(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		a.Keys = append(a.Keys, store.AuthorizedKey{Fingerprint: fp, Line: string(gossh.MarshalAuthorizedKey(signer.PublicKey()))})
		if err := tx.PutAgent(a); err != nil {
			return err
		}
		return tx.CreateAgent(&store.Agent{Account: "xiaoyang", Name: "小杨", RoleID: a.RoleID})
	}))
	out, _, code, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "admin", Signer: signer}, "whoami")
	if err != nil || code != 0 || !strings.Contains(out, "admin") {
		t.Fatalf("key login: %v %d %q", err, code, out)
	}
	// The same key does not open another account.
	if _, _, _, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "xiaoyang", Signer: signer}, "whoami"); err == nil {
		t.Fatal("admin's key logged in as xiaoyang")
	}
	// An unknown key is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherSigner, _ := gossh.NewSignerFromKey(other)
	if _, _, _, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "admin", Signer: otherSigner}, "whoami"); err == nil {
		t.Fatal("unknown key accepted")
	}
}
