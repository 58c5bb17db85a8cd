package admin_test

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"golang.org/x/crypto/bcrypt"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/admin"
	"kefu/tui/admin/admintest"
	"kefu/tui/theme"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var fixedNow = time.Date(2026, 11, 24, 15, 21, 5, 0, time.FixedZone("CST", 8*3600))

// fixture is a real desk with a Chinese scene: three sites, agents with long names, a custom
// role, distribution with regions.
type fixture struct {
	t     *testing.T
	db    *store.DB
	desk  *desk.Desk
	admin uint64
	roles map[string]uint64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if _, _, err := d.Bootstrap("pw-123456"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, desk: d, roles: map[string]uint64{}}
	err = db.Update(func(tx *store.Tx) error {
		site, err := tx.Site(store.DefaultSiteID)
		if err != nil {
			return err
		}
		site.Secret = "k3f9-default-secret-0001"
		site.Settings = store.SiteSettings{ChatTitle: "云帆软件在线客服", Welcome: "您好，欢迎咨询云帆软件！请问有什么可以帮您？", Color: "#1677ff",
			IconText: "在线咨询", InviteText: "您好，有什么可以帮您的吗？", AutoInvite: true, AutoInviteSecs: 30, PreChat: []string{"name", "phone"}}
		if err := tx.PutSite(site); err != nil {
			return err
		}
		for _, s := range []store.Site{
			{Name: "云帆软件官网（华南区域旗舰站点）", Domains: []string{"yunfan.example.cn", "*.yunfan.example.cn"}, Secret: "k3f9-south-secret-000002"},
			{Name: "华北分站", Domains: []string{"bj.example.cn"}, Secret: "k3f9-north-secret-000003", Disabled: true},
		} {
			s := s
			if err := tx.CreateSite(&s); err != nil {
				return err
			}
		}
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		for _, r := range roles {
			f.roles[r.Builtin] = r.ID
		}
		custom := &store.Role{Name: "天助客服", Perms: map[string]store.Scope{"workbench": "own", "records": "own", "customers": "own"}}
		if err := tx.CreateRole(custom); err != nil {
			return err
		}
		f.roles["custom"] = custom.ID
		admin, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		f.admin = admin.ID
		admin.Sites[0].Group = "客服部"
		if err := tx.PutAgent(admin); err != nil {
			return err
		}
		for _, a := range []store.Agent{
			{Account: "39493", Name: "张三", Nickname: "小张", RoleID: f.roles["agent"], Phone: "13500000000", WorkNo: "0001", Seat: true,
				Sites: []store.SiteSeat{{SiteID: 1, Group: "客服部", AutoAssign: true, Regions: []string{"北京", "天津", "河北", "山西", "内蒙古", "广东"}, MaxChats: 8}}},
			{Account: "39494", Name: "小李", Nickname: "小李", RoleID: f.roles["custom"], Seat: true,
				Sites: []store.SiteSeat{{SiteID: 1, Group: "售后", AutoAssign: false, MaxChats: 0}}},
			{Account: "chunyu", Name: "丁会义（超长的客服姓名）", Nickname: "丁丁", RoleID: f.roles["app"], Email: "chunyu@example.cn", Seat: false, Disabled: true,
				Sites: []store.SiteSeat{{SiteID: 1, AutoAssign: true, Regions: []string{"海外", "上海"}, MaxChats: 3}}},
		} {
			a := a
			if err := tx.CreateAgent(&a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) page(lang i18n.Lang, w, h int) *admintest.Driver {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	r.SetHasDarkBackground(true)
	m := admin.New(admin.Context{Styles: theme.New(r), Lang: lang, Agent: f.desk.CommandSession(f.admin), Now: func() time.Time { return fixedNow }})
	d := admintest.New(m, w, h)
	d.Settle(50 * time.Millisecond)
	return d
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui/admin -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./tui/admin -update rewrites it):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// checkFrame: exactly h lines, none wider than w.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide (max %d): %q", i, n, w, l)
		}
	}
}

var sizes = [][2]int{{120, 40}, {80, 24}, {40, 20}}

// TestScreens draws every admin screen at the three sizes the workbench supports.
func TestScreens(t *testing.T) {
	f := newFixture(t)
	screens := []struct {
		name string
		keys []string
		want string
	}{
		{"sites", nil, "云帆软件"},
		{"agents", []string{"right"}, "39493"},
		{"agent-form", []string{"right", "n"}, "添加客服"},
		{"roles", []string{"right", "right"}, "天助客服"},
		{"settings", []string{"right", "right", "right"}, "欢迎语"},
		{"seats", []string{"left"}, "39493"},
		{"seat-form", []string{"left", "down", "enter"}, "分流区域"},
		{"role-form", []string{"right", "right", "end", "enter"}, "修改角色"},
		{"key-form", []string{"right", "K", "n"}, "SSH 公钥"},
	}
	for _, sc := range screens {
		for _, sz := range sizes {
			w, h := sz[0], sz[1]
			name := fmt.Sprintf("%s-%dx%d", sc.name, w, h)
			t.Run(name, func(t *testing.T) {
				d := f.page(i18n.ZH, w, h)
				d.Press(sc.keys...)
				if err := d.WaitFor(sc.want, 2*time.Second); err != nil {
					t.Fatal(err)
				}
				view := d.M.View(w, h)
				checkFrame(t, view, w, h)
				golden(t, name, ansi.Strip(view))
			})
		}
	}
	// English: built-in roles and regions translated, columns whole at 80.
	for _, sc := range []struct {
		name string
		w, h int
		keys []string
		want string
	}{
		{"agents-en-120x40", 120, 40, []string{"right"}, "Account"},
		{"agents-en-80x24", 80, 24, []string{"right"}, "Account"},
		{"seats-en-80x24", 80, 24, []string{"left"}, "Regions"},
		{"role-form-en-80x24", 80, 24, []string{"right", "right", "end", "enter"}, "Edit the role"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			d := f.page(i18n.EN, sc.w, sc.h)
			d.Press(sc.keys...)
			if err := d.WaitFor(sc.want, 2*time.Second); err != nil {
				t.Fatal(err)
			}
			view := d.M.View(sc.w, sc.h)
			checkFrame(t, view, sc.w, sc.h)
			golden(t, sc.name, ansi.Strip(view))
		})
	}
}

// TestAddAgentThroughTheForm: typing into the form creates the agent; a refusal of the server
// (the account is taken) shows above the form, which keeps what was typed.
func TestAddAgentThroughTheForm(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 80, 24)
	d.Press("right", "n")
	if err := d.WaitFor("添加客服", time.Second); err != nil {
		t.Fatal(err)
	}
	if !d.M.Capturing() {
		t.Fatal("an open form does not capture the keyboard")
	}
	// Invalid input is explained next to the field, in Chinese, and the form stays there.
	d.Type("张 三")
	d.Press("enter")
	if err := d.WaitFor("账号为 2-32 位字母", time.Second); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		d.Press("backspace")
	}
	d.Type("39493") // taken: the server refuses
	d.Press("enter")
	d.Type("王小五")
	d.Press("enter")
	d.Type("小五")
	d.Press("enter", "enter", "enter", "enter", "enter") // role, gender, phone, e-mail
	d.Type("12345")
	d.Press("enter")
	if err := d.WaitFor("密码为 6-20 个字符", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Type("6")
	d.Press("enter")
	d.Type("123457")
	d.Press("enter")
	if err := d.WaitFor("两次输入的密码不一致", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("backspace")
	d.Type("6")
	d.Press("enter", "enter", "enter", "enter", "enter") // password 2, work no, QQ, WeChat, seat
	if err := d.WaitFor("账号、手机或邮箱已被其他客服使用", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// Fix the account: everything else is still there.
	for range 5 {
		d.Press("backspace")
	}
	d.Type("wangxw")
	for range 12 {
		d.Press("enter")
	}
	d.Press("enter")
	if err := d.WaitFor("已添加", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	var a *store.Agent
	f.db.View(func(tx *store.Tx) error { a, _ = tx.AgentByLogin("wangxw"); return nil })
	if a == nil || a.Name != "王小五" || a.Nickname != "小五" || !a.Serves(store.DefaultSiteID) || a.RoleID != f.roles["agent"] || !a.Seat {
		t.Fatalf("stored agent %+v", a)
	}
	if bcrypt.CompareHashAndPassword(a.PassHash, []byte("123456")) != nil {
		t.Fatal("the new agent's password is not the one typed")
	}
	if err := d.WaitFor("wangxw", time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestHiddenAndRefused: a role without admin modules sees no admin page; a role with some
// sees only those.
func TestHiddenAndRefused(t *testing.T) {
	f := newFixture(t)
	var agentID, customID uint64
	f.db.View(func(tx *store.Tx) error {
		a, _ := tx.AgentByLogin("39493")
		c, _ := tx.AgentByLogin("39494")
		agentID, customID = a.ID, c.ID
		return nil
	})
	if admin.Visible(f.desk.CommandSession(agentID)) {
		t.Fatal("普通客服 sees the admin page")
	}
	if !admin.Visible(f.desk.CommandSession(customID)) || !admin.Visible(f.desk.CommandSession(f.admin)) {
		t.Fatal("admin page hidden from a role that has admin modules")
	}
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	m := admin.New(admin.Context{Styles: theme.New(r), Lang: i18n.ZH, Agent: f.desk.CommandSession(customID)})
	d := admintest.New(m, 80, 24)
	d.Settle(50 * time.Millisecond)
	if v := d.View(); strings.Contains(v, "网站管理") || strings.Contains(v, "客服管理") {
		t.Fatalf("天助客服 sees modules it does not have:\n%s", v)
	}
	if !f.desk.CommandSession(customID).May(authz.Records, 1) {
		t.Fatal("天助客服 should have 记录中心 on its site")
	}
}

// TestSourcesUseKnownKeys: every catalog key the admin page names exists, so no screen ever
// shows a bare key.
func TestSourcesUseKnownKeys(t *testing.T) {
	re := regexp.MustCompile(`"((?:admin|module|cmd)\.[a-z_.]+[a-z_])"`)
	files, _ := filepath.Glob("*.go")
	desk, _ := filepath.Glob("../../server/desk/admin*.go")
	files = append(append(files, desk...), "../../server/sshd/admin.go", "../../server/desk/route.go")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if !i18n.Has(m[1]) {
				t.Errorf("%s: catalog has no %q", file, m[1])
			}
		}
	}
}

// TestSearchKeysAndConfirm: the agent search narrows the list; the keys of an agent are
// listed, added and removed (with a second press to confirm); disabling asks twice too.
func TestSearchKeysAndConfirm(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 100, 30)
	d.Press("right")
	if err := d.WaitFor("39494", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("/")
	if !d.M.Capturing() {
		t.Fatal("the search box does not capture the keyboard")
	}
	d.Type("小张")
	d.Press("enter")
	if err := d.WaitFor("39493", time.Second); err != nil {
		t.Fatal(err)
	}
	if v := d.View(); strings.Contains(v, "39494") || strings.Contains(v, "chunyu") {
		t.Fatalf("search 小张 still lists others:\n%s", v)
	}
	// SSH keys of 39493: none, then one.
	d.Press("K")
	if err := d.WaitFor("还没有登记 SSH 公钥", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("n")
	var zhang *store.Agent
	f.db.View(func(tx *store.Tx) error { zhang, _ = tx.AgentByLogin("39493"); return nil })
	f.addAndRemoveKey(t, d, zhang.ID)
	d.Press("esc", "esc") // back to the list, then clear the search
	if err := d.WaitFor("chunyu", time.Second); err != nil {
		t.Fatal(err)
	}
	// Disable 39494 (second row): armed by d, done by d again.
	d.Press("down", "down", "d")
	if err := d.WaitFor("再按一次 d 停用客服 39494", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("d")
	if err := d.WaitFor("已停用客服 39494", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	var a *store.Agent
	f.db.View(func(tx *store.Tx) error { a, _ = tx.AgentByLogin("39494"); return nil })
	if a == nil || !a.Disabled {
		t.Fatalf("39494 not disabled: %+v", a)
	}
}
