package main

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"kefu/server"
	"kefu/server/desk"
	"kefu/server/web/wsclient"
	"kefu/tui/termtest"
)

const wechatAndroid = "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"

// TestVisitorShowsUpExactlyAsTheyCame: a visitor from a Baidu search with a keyword, in
// WeChat, from a Guangdong IP behind a trusted proxy, appears so on the agent's monitor.
func TestVisitorShowsUpExactlyAsTheyCame(t *testing.T) {
	k := startKefuWith(t, t.TempDir(), func(c *server.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	agent := k.agent(t, "admin", adminPassword, 160, 30)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	h := http.Header{}
	h.Set("X-Forwarded-For", "113.99.15.142")
	k.visitor(t, wsclient.Options{
		URL: "http://localhost/?p=pricing", Title: "价格方案 - 云帆软件",
		Referrer:  "https://www.baidu.com/s?ie=utf-8&wd=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D%E7%B3%BB%E7%BB%9F",
		UserAgent: wechatAndroid, Header: h,
	})
	for _, want := range []string{"微信", "广东省广州市(113.99.15.142)", "百度(在线客服系统)", "价格方案 - 云帆软件", "浏览中", "新"} {
		must(t, agent.WaitFor(want, 2*time.Second))
	}
	// The forwarded address is believed only from a trusted proxy: an untrusted server keeps
	// the peer address.
	k2 := startKefu(t, t.TempDir())
	agent2 := k2.agent(t, "admin", adminPassword, 160, 30)
	k2.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "首页", Header: h})
	must(t, agent2.WaitFor("(127.0.0.1)", 2*time.Second))
	if strings.Contains(agent2.Screen().String(), "113.99.15.142") {
		t.Fatal("X-Forwarded-For believed from an untrusted peer")
	}
}

// TestInviteAcceptedAndDeclined: the agent invites (i); the visitor's page gets the invite;
// accepting opens a chat with that agent; declining and a timeout are shown to the agent and
// the state goes back to browsing.
func TestInviteAcceptedAndDeclined(t *testing.T) {
	k := startKefu(t, t.TempDir())
	ctx := context.Background()
	agent := k.agent(t, "admin", adminPassword, 120, 30)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	page := k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "云帆软件 首页"})
	must(t, agent.WaitFor("云帆软件 首页", 2*time.Second))

	// Decline.
	must(t, agent.Type("i"))
	inv := expect(t, page, "invite", nil)
	if inv.Text == "" {
		t.Fatalf("invite without text: %s", inv.Raw)
	}
	must(t, agent.WaitFor("已邀请", 2*time.Second))
	must(t, page.Send(ctx, map[string]any{"t": "invite", "accept": false}))
	must(t, agent.WaitFor("拒绝了邀请", 2*time.Second))
	must(t, agent.WaitFor("浏览中", 2*time.Second))

	// Timeout (the test server's invite lapses after 2 s).
	must(t, agent.Type("i"))
	expect(t, page, "invite", nil)
	expect(t, page, "invite_off", nil)
	must(t, agent.WaitFor("没有回应邀请", 2*time.Second))

	// Accept: a chat opens with this agent.
	must(t, agent.Type("i"))
	expect(t, page, "invite", nil)
	must(t, page.Send(ctx, map[string]any{"t": "invite", "accept": true}))
	open := expect(t, page, "open", nil)
	chat := k.visitor(t, wsclient.Options{Vid: page.Vid, Kind: "chat"})
	if c := chat.Welcome.ConvInfo(); c == nil || c.ID != open.ConvID() || c.State != "open" || c.Agent == nil || c.Agent.Name != "管理员" {
		t.Fatalf("after accepting: %s", chat.Welcome.Raw)
	}
	must(t, agent.WaitFor("接受了邀请", 2*time.Second))
	// A popup, not a switch: the agent opens the chat when they choose.
	if strings.Contains(agent.Screen().String(), "管理员 接入对话") {
		t.Fatalf("the accepted invitation switched the agent's screen:\n%s", agent.Screen())
	}
	must(t, agent.Press("ctrl+o"))
	must(t, agent.WaitFor("管理员 接入对话", 2*time.Second))
}

// TestClosedTabLeavesTheMonitor: a tab that closes, cleanly or not, leaves the monitor within
// seconds; a navigation (reconnect within the grace) does not flicker.
func TestClosedTabLeavesTheMonitor(t *testing.T) {
	k := startKefu(t, t.TempDir())
	agent := k.agent(t, "admin", adminPassword, 120, 30)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	a := k.visitor(t, wsclient.Options{URL: "http://localhost/a", Title: "甲页面"})
	b := k.visitor(t, wsclient.Options{URL: "http://localhost/b", Title: "乙页面"})
	must(t, agent.WaitFor("访客数 2 人", 2*time.Second))
	a.Close() // the tab closed
	b.Kill()  // the browser crashed: no close handshake
	must(t, agent.WaitFor("访客数 0 人", 3*time.Second))

	// A navigation: the page reconnects within the grace and the visitor stays listed.
	c := k.visitor(t, wsclient.Options{URL: "http://localhost/c", Title: "丙页面"})
	must(t, agent.WaitFor("丙页面", 2*time.Second))
	c.Close()
	k.visitor(t, wsclient.Options{Vid: c.Vid, URL: "http://localhost/d", Title: "丁页面"})
	must(t, agent.WaitFor("丁页面", 2*time.Second))
	time.Sleep(600 * time.Millisecond) // longer than the test grace
	must(t, agent.WaitFor("访客数 1 人", time.Second))
}

// TestSignedMemberIsShownAndForgedOneIsNot: a member identity signed with the site's secret
// shows the visitor as a member with their name; a forged one is ignored.
func TestSignedMemberIsShownAndForgedOneIsNot(t *testing.T) {
	k := startKefu(t, t.TempDir())
	agent := k.agent(t, "admin", adminPassword, 120, 30)
	must(t, agent.WaitFor("访客数 0 人", 5*time.Second))
	site, err := k.srv.Desk.Site(1)
	must(t, err)
	ts := time.Now().Unix()
	k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "会员中心", Member: map[string]any{
		"id": "m-1001", "name": "王小明", "ts": ts, "sig": desk.SignMember(site.Secret, "m-1001", "王小明", ts)}})
	must(t, agent.WaitFor("王小明", 2*time.Second))
	must(t, agent.WaitFor("会员", time.Second))
	k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "伪造页", Member: map[string]any{
		"id": "m-1", "name": "冒充的管理员", "ts": ts, "sig": desk.SignMember("guessed-secret", "m-1", "冒充的管理员", ts)}})
	must(t, agent.WaitFor("伪造页", 2*time.Second))
	if strings.Contains(agent.Screen().String(), "冒充的管理员") {
		t.Fatal("a forged member identity was believed")
	}
}

// TestNoColorIsRespected: with NO_COLOR set by the client, the workbench draws no colours, and
// the visitor types still read (新/旧/意向/会员 are words, not colours).
func TestNoColorIsRespected(t *testing.T) {
	k := startKefu(t, t.TempDir())
	c, err := termtest.Dial(termtest.Options{Addr: k.srv.SSHAddr(), User: "admin", Password: adminPassword, Width: 100, Height: 30,
		Env: map[string]string{"NO_COLOR": "1"}})
	must(t, err)
	defer c.Close()
	k.visitor(t, wsclient.Options{URL: "http://localhost/", Title: "首页"})
	must(t, c.WaitFor("首页", 5*time.Second))
	must(t, c.WaitFor("新", time.Second))
	for _, sgr := range []string{"\x1b[38;", "\x1b[48;", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[34m"} {
		if strings.Contains(string(c.Output()), sgr) {
			t.Fatalf("colour sequence %q drawn with NO_COLOR set", sgr)
		}
	}
	// Without NO_COLOR the same screen has colour: the check above means something.
	plain := k.agent(t, "admin", adminPassword, 100, 30)
	must(t, plain.WaitFor("首页", 5*time.Second))
	if !strings.Contains(string(plain.Output()), "\x1b[38;") {
		t.Fatal("no colour drawn even without NO_COLOR")
	}
}
