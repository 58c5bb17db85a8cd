package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"kefu/server"
	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/web/wsclient"
	"kefu/store"
	"kefu/tui/termtest"
)

// IPs the offline region database places in three provinces.
const (
	ipGuangdong = "113.99.15.142"
	ipBeijing   = "124.127.244.29"
	ipShanghai  = "101.81.49.211"
)

// startAdminKefu is kefu behind a trusted proxy on 127.0.0.1, so visitors can say where
// they are from with X-Forwarded-For.
func startAdminKefu(t *testing.T) *kefu {
	t.Helper()
	return startKefuWith(t, t.TempDir(), func(c *server.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
}

// adminRun runs a command over SSH without a terminal, as a script would.
func adminRun(t *testing.T, o termtest.Options, command string) (stdout, stderr string, code int) {
	t.Helper()
	out, errOut, code, err := termtest.Run(o, command)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	return out, errOut, code
}

// adminJSON runs a --json command that must succeed and decodes its output.
func adminJSON(t *testing.T, o termtest.Options, command string, v any) {
	t.Helper()
	out, errOut, code := adminRun(t, o, command+" --json")
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", command, code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s: %v in %q", command, err, out)
	}
}

// adminKey registers a fresh SSH key to the account and returns how to log in with it:
// scripts log in with keys, and a key costs no bcrypt (slow under the race detector).
func adminKey(t *testing.T, k *kefu, account string) termtest.Options {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	must(t, err)
	_, err = k.srv.Desk.CommandSession(agentID(t, k, account)).AddKey(0, string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
	must(t, err)
	return termtest.Options{Addr: k.srv.SSHAddr(), User: account, Signer: signer}
}

func fromProvince(ip string) wsclient.Options {
	return wsclient.Options{Kind: "chat", Header: http.Header{"X-Forwarded-For": {ip}}}
}

// TestAdminSlice walks issue 5 end to end, through the front doors only: an admin scripts a
// new site and two agents on it over SSH, and adds a third agent and the third region through
// the admin forms of a real workbench over an SSH pty; the three agents log in and receive the
// new site's visitors of their provinces; full seats queue visitors, who see their place move
// up; the site's settings reach open widgets; a custom role without 记录中心 is refused that
// module by the server over SSH; a disabled agent's workbench closes.
func TestAdminSlice(t *testing.T) {
	k := startAdminKefu(t)
	ctx := context.Background()
	as := adminKey(t, k, "admin")

	// 1. Scripts over SSH: a new site, two agents on it, the roles.
	var site struct {
		ID    uint64 `json:"id"`
		Name  string `json:"name"`
		Embed string `json:"embed"`
	}
	adminJSON(t, as, `site add "云帆华南站 <b>" --domains shop.example.cn,*.example.cn`, &site)
	if site.ID < 2 || site.Name != "云帆华南站 <b>" || !strings.Contains(site.Embed, "<script src=") || !strings.Contains(site.Embed, "site="+strconv.FormatUint(site.ID, 10)) {
		t.Fatalf("site add: %+v", site)
	}
	if _, errOut, code := adminRun(t, as, `site add "云帆华南站 <B>"`); code != 1 || !strings.Contains(errOut, "已有同名的网站") {
		t.Fatalf("a second site of the name: %d %q", code, errOut)
	}
	out, _, code := adminRun(t, as, "site list")
	if code != 0 || !strings.Contains(out, "云帆华南站") || !strings.Contains(out, "默认站点") {
		t.Fatalf("site list: %d %q", code, out)
	}
	sid := strconv.FormatUint(site.ID, 10)
	var gd, bj struct {
		ID      uint64 `json:"id"`
		Account string `json:"account"`
		Role    string `json:"role"`
	}
	adminJSON(t, as, "agent add gd_kefu --name 广东客服 --nickname 小粤 --password gdpass01 --gender 男 --site "+sid, &gd)
	adminJSON(t, as, "agent add bj_kefu --name 北京客服 --nickname 小京 --password bjpass01 --site "+sid+" --role 普通客服", &bj)
	if gd.Account != "gd_kefu" || gd.Role != "普通客服" || bj.ID == 0 {
		t.Fatalf("agent add: %+v %+v", gd, bj)
	}
	gdPw := termtest.Options{Addr: k.srv.SSHAddr(), User: "gd_kefu", Password: "gdpass01"}
	out, _, code = adminRun(t, as, "role list")
	for _, want := range []string{"超级管理员", "应用管理员", "普通客服", "内置"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("role list lacks %s: %q", want, out)
		}
	}
	out, _, _ = adminRun(t, as, "help")
	for _, cmd := range []string{"site list", "site add", "agent list", "agent add", "agent disable", "role list", "keys add", "keys list", "keys remove", "records list"} {
		if !strings.Contains(out, cmd) {
			t.Fatalf("help does not list %q:\n%s", cmd, out)
		}
	}
	// Usage mistakes exit 2, refusals 1, each with one clear line.
	if _, errOut, code := adminRun(t, as, "agent add"); code != 2 || !strings.Contains(errOut, "用法：agent add") {
		t.Fatalf("usage: %d %q", code, errOut)
	}
	if _, errOut, code := adminRun(t, as, "agent add gd_kefu --name 重名 --password whatever1"); code != 1 ||
		!strings.Contains(errOut, "已被其他客服使用") {
		t.Fatalf("duplicate account: %d %q", code, errOut)
	}
	if _, errOut, code := adminRun(t, as, "agent add x --name 短 --password 123"); code != 1 || !strings.Contains(errOut, "账号为") {
		t.Fatalf("bad input: %d %q", code, errOut)
	}
	if _, errOut, code := adminRun(t, as, "agent add waixing --name 外星人 --password alien001 --gender alien"); code != 1 || !strings.Contains(errOut, "性别只能是") {
		t.Fatalf("--gender alien: %d %q", code, errOut)
	}
	if _, errOut, code := adminRun(t, gdPw, "site add 偷偷建站"); code != 1 || !strings.Contains(errOut, "没有这项权限") {
		t.Fatalf("普通客服 adds a site: %d %q", code, errOut)
	}
	var listed []struct {
		Account string `json:"account"`
	}
	adminJSON(t, as, "agent list --site "+sid+" 客服", &listed)
	if len(listed) != 2 {
		t.Fatalf("agent list --site %s 客服: %+v", sid, listed)
	}

	// Self-service SSH keys: the new agent registers a key and logs in with it.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " 广东的笔记本"
	if out, errOut, code := adminRun(t, gdPw, "keys add "+line); code != 0 || !strings.Contains(out, "SHA256:") {
		t.Fatalf("keys add: %d %q %q", code, out, errOut)
	}
	keyOut, _, code, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "gd_kefu", Signer: signer}, "whoami")
	if err != nil || code != 0 || !strings.Contains(keyOut, "gd_kefu") {
		t.Fatalf("key login: %v %d %q", err, code, keyOut)
	}
	var keys []store.AuthorizedKey
	adminJSON(t, as, "keys list --agent gd_kefu", &keys)
	if len(keys) != 1 || keys[0].Comment != "广东的笔记本" {
		t.Fatalf("keys list: %+v", keys)
	}

	// 2. The admin forms in the admin's own workbench, over SSH with a pty: on the new site,
	// a third agent, typed as fast as the keys go.
	wb := k.agent(t, "admin", adminPassword, 80, 24)
	must(t, wb.WaitFor("访客数", 5*time.Second))
	must(t, wb.Press("shift+tab")) // 管理后台 is the last tab
	must(t, wb.WaitFor("网站管理", 2*time.Second))
	must(t, wb.WaitFor("云帆华南站", 2*time.Second))
	must(t, wb.Type("w"))
	must(t, wb.WaitFor("选择网站", 2*time.Second))
	must(t, wb.Press("down", "enter"))
	must(t, wb.WaitFor("网站：云帆华南站", 2*time.Second))
	must(t, wb.Press("right"))
	must(t, wb.WaitFor("bj_kefu", 2*time.Second))
	must(t, wb.Type("n"))
	must(t, wb.WaitFor("添加客服 · 云帆华南站", 2*time.Second))
	for _, field := range []string{"sh_kefu", "上海客服", "小沪", "", "", "", "", "shpass01", "shpass01", "0021", "", "", ""} {
		if field != "" {
			must(t, wb.Type(field))
		}
		must(t, wb.Press("enter"))
	}
	must(t, wb.WaitFor("已添加", 5*time.Second))
	must(t, wb.WaitFor("sh_kefu", 2*time.Second))
	sh := agentID(t, k, "sh_kefu")
	shAgent, _ := k.srv.Desk.Agent(sh)
	if shAgent == nil || shAgent.Name != "上海客服" || shAgent.Nickname != "小沪" || shAgent.WorkNo != "0021" || !shAgent.Serves(site.ID) || shAgent.Serves(store.DefaultSiteID) {
		t.Fatalf("the agent typed into the form: %+v", shAgent)
	}

	// 3. Distribution on the new site: 广东 and 北京 by the desk, 上海 through the seat form.
	super := k.srv.Desk.CommandSession(agentID(t, k, "admin"))
	must(t, super.SetSeat(gd.ID, store.SiteSeat{SiteID: site.ID, AutoAssign: true, Regions: []string{"广东"}, MaxChats: 1}))
	must(t, super.SetSeat(bj.ID, store.SiteSeat{SiteID: site.ID, AutoAssign: true, Regions: []string{"北京", "天津"}, MaxChats: 1}))
	must(t, wb.Press("left"))
	must(t, wb.WaitFor("域名：shop.example.cn", 2*time.Second))
	must(t, wb.Press("left")) // 客服分配, the last section
	must(t, wb.WaitFor("分流区域", 2*time.Second))
	must(t, wb.WaitFor("sh_kefu", 2*time.Second))
	must(t, wb.Press("end", "enter")) // sh_kefu is the last row: no group, accounts in order
	must(t, wb.WaitFor("客服分配 · sh_kefu", 2*time.Second))
	must(t, wb.Press("enter", "enter", "backspace")) // group, auto-assign, then max chats 5 → 1
	must(t, wb.Type("1"))
	must(t, wb.Press("enter"))
	must(t, wb.Type("/")) // the filter opens where the title was
	must(t, wb.WaitGone("分流区域", 2*time.Second))
	must(t, wb.Type("上海"))
	must(t, wb.Press("enter", "space", "enter"))
	must(t, wb.WaitFor("已保存", 5*time.Second))
	shAgent, _ = k.srv.Desk.Agent(sh)
	if len(shAgent.Sites) != 1 || shAgent.Sites[0].SiteID != site.ID || len(shAgent.Sites[0].Regions) != 1 || shAgent.Sites[0].Regions[0] != "上海" || shAgent.Sites[0].MaxChats != 1 {
		t.Fatalf("seat of sh_kefu after the form: %+v", shAgent.Sites)
	}

	agents := map[string]*termtest.Client{
		"gd": k.agent(t, "gd_kefu", "gdpass01", 100, 30),
		"bj": k.agent(t, "bj_kefu", "bjpass01", 100, 30),
		"sh": k.agent(t, "sh_kefu", "shpass01", 100, 30),
	}
	for _, a := range agents {
		must(t, a.WaitFor("访客数", 5*time.Second))
	}
	// The new site's pages are on its domains; a page elsewhere may not open its chat.
	onSite := func(ip string) wsclient.Options {
		o := fromProvince(ip)
		o.Site, o.Origin = site.ID, "https://shop.example.cn"
		return o
	}
	{
		o := onSite(ipBeijing)
		o.Base, o.Origin = k.base, "https://evil.example.com"
		dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		if v, err := wsclient.Dial(dctx, o); err == nil {
			v.Close()
			t.Fatal("a page outside the site's domains opened its chat")
		}
		cancel()
	}
	names := map[string]string{"gd": "小粤", "bj": "小京", "sh": "小沪"}
	ids := map[string]uint64{"gd": gd.ID, "bj": bj.ID, "sh": sh}
	visitors := map[string]*wsclient.Visitor{}
	for _, v := range []struct{ who, ip, text string }{
		{"bj", ipBeijing, "北京的访客想问价格"},
		{"gd", ipGuangdong, "广东的访客想了解产品"},
		{"sh", ipShanghai, "上海的访客需要发票"},
	} {
		chat := k.visitor(t, onSite(v.ip))
		must(t, chat.SendMessage(ctx, "m-"+v.who, v.text))
		open := expect(t, chat, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "open" })
		if a := open.ConvInfo().Agent; a == nil || a.Name != names[v.who] {
			t.Fatalf("visitor from %s served by %s, want %s", v.ip, open.Raw, names[v.who])
		}
		if c := k.srv.Hub.Conv(open.ConvID()); c == nil || c.AgentID != ids[v.who] || c.SiteID != site.ID {
			t.Fatalf("visitor from %s: hub conv %+v", v.ip, c)
		}
		visitors[v.who] = chat
		// The agent of that region has the chat and its message.
		must(t, agents[v.who].Press("tab"))
		must(t, agents[v.who].WaitFor(v.text, 3*time.Second))
	}

	// 4. Every seat is full: the next visitors queue and see their place move up live.
	q1 := k.visitor(t, onSite(ipGuangdong))
	must(t, q1.SendMessage(ctx, "q1", "排队的第一位"))
	f1 := expect(t, q1, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "queued" })
	q2 := k.visitor(t, onSite(ipBeijing))
	must(t, q2.SendMessage(ctx, "q2", "排队的第二位"))
	f2 := expect(t, q2, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "queued" })
	if f1.Pos != 1 || f2.Pos != 2 {
		t.Fatalf("queue places %d and %d, want 1 and 2", f1.Pos, f2.Pos)
	}
	// The Beijing visitor leaves: the first in the queue (from 广东, but 广东's seat is full)
	// goes to the free Beijing agent, and the second moves up to first.
	must(t, visitors["bj"].Send(ctx, map[string]string{"t": "end"}))
	taken := expect(t, q1, "conv", func(f wsclient.Frame) bool { return f.ConvInfo() != nil && f.ConvInfo().State == "open" })
	if taken.ConvInfo().Agent == nil || taken.ConvInfo().Agent.Name != "小京" {
		t.Fatalf("first in the queue went to %s", taken.Raw)
	}
	expect(t, q2, "conv", func(f wsclient.Frame) bool {
		return f.ConvInfo() != nil && f.ConvInfo().State == "queued" && f.Pos == 1
	})

	// 5. Settings reach open widgets without a reload.
	widget := k.visitor(t, wsclient.Options{Site: site.ID, Origin: "https://www.example.cn", URL: "https://www.example.cn/pricing", Title: "价格"})
	if _, err := super.SaveSiteSettings(site.ID, store.SiteSettings{ChatTitle: "云帆华南在线客服", Color: "#ff6600", IconText: "问我们", IconPos: desk.IconLeft}); err != nil {
		t.Fatal(err)
	}
	set := expect(t, widget, "settings", nil)
	if !strings.Contains(string(set.Raw), "云帆华南在线客服") || !strings.Contains(string(set.Raw), `"icon_pos":"left"`) {
		t.Fatalf("settings frame %s", set.Raw)
	}

	// 6. A custom role without 记录中心 is refused it by the server, through the SSH front
	// door; it keeps its other modules, and the admin is not refused.
	role, err := super.CreateRole("无记录管理员", roleID(t, k, authz.BuiltinApp))
	must(t, err)
	perms := map[string]store.Scope{}
	for m, s := range role.Perms {
		if m != string(authz.Records) {
			perms[m] = s
		}
	}
	_, err = super.UpdateRole(role.ID, role.Name, perms)
	must(t, err)
	adminJSON(t, as, "agent add norec --name 无记录 --password norec001 --role 无记录管理员 --site "+sid, &struct{}{})
	norec := adminKey(t, k, "norec")
	if _, errOut, code := adminRun(t, norec, "records list --site "+sid); code != 1 || !strings.Contains(errOut, "您的角色没有这项权限") {
		t.Fatalf("role without 记录中心 lists records: %d %q", code, errOut)
	}
	if out, errOut, code := adminRun(t, norec, "site list"); code != 0 || !strings.Contains(out, "云帆华南站") {
		t.Fatalf("the same role loses its other modules: %d %q %q", code, out, errOut)
	}
	var recs []store.Conversation
	adminJSON(t, as, "records list --site "+sid, &recs)
	if len(recs) < 5 {
		t.Fatalf("admin's records of the new site: %d", len(recs))
	}
	for _, c := range recs {
		if c.SiteID != site.ID {
			t.Fatalf("records of site %s list a conversation of site %d", sid, c.SiteID)
		}
	}

	// 7. Disabling an agent ends their workbench and their logins; the admin's list shows it
	// when the admin page is shown again.
	if out, errOut, code := adminRun(t, as, "agent disable sh_kefu"); code != 0 || !strings.Contains(out, "已停用客服 sh_kefu") {
		t.Fatalf("agent disable: %d %q %q", code, out, errOut)
	}
	select {
	case <-waitDone(agents["sh"]):
	case <-time.After(5 * time.Second):
		t.Fatal("the disabled agent's workbench is still open")
	}
	if _, _, _, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "sh_kefu", Password: "shpass01"}, "whoami"); err == nil {
		t.Fatal("a disabled agent logged in")
	}
	must(t, wb.Press("tab", "shift+tab")) // away from the admin page and back
	must(t, wb.Press("right", "right"))   // 网站管理 → 客服管理
	must(t, wb.WaitForFunc("sh_kefu shown disabled", func(screen string) bool {
		for _, l := range strings.Split(screen, "\n") {
			if strings.Contains(l, "sh_kefu") && strings.Contains(l, "停用") {
				return true
			}
		}
		return false
	}, 3*time.Second))
}

// waitDone closes when the client's session has ended.
func waitDone(c *termtest.Client) <-chan struct{} {
	ch := make(chan struct{})
	go func() { c.Wait(); close(ch) }()
	return ch
}

func agentID(t *testing.T, k *kefu, account string) uint64 {
	t.Helper()
	var id uint64
	must(t, k.srv.DB.View(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin(account)
		if err == nil {
			id = a.ID
		}
		return err
	}))
	return id
}

func roleID(t *testing.T, k *kefu, builtin string) uint64 {
	t.Helper()
	var id uint64
	must(t, k.srv.DB.View(func(tx *store.Tx) error {
		roles, err := tx.Roles()
		for _, r := range roles {
			if r.Builtin == builtin {
				id = r.ID
			}
		}
		return err
	}))
	return id
}
