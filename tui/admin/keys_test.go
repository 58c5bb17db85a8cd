package admin_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/admin"
	"kefu/tui/admin/admintest"
	"kefu/tui/theme"
)

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl 张三的电脑"

// TestOwnKeys: an ordinary agent (普通客服), who has no admin page, lists, adds and removes
// their own SSH keys on 我的 SSH 公钥; Esc leaves it with ClosedMsg.
func TestOwnKeys(t *testing.T) {
	f := newFixture(t)
	var me *store.Agent
	f.db.View(func(tx *store.Tx) error { me, _ = tx.AgentByLogin("39493"); return nil })
	as := f.desk.CommandSession(me.ID)
	if admin.Visible(as) {
		t.Fatal("普通客服 sees the admin page: the test needs one who does not")
	}
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	m := admin.NewOwnKeys(admin.Context{Styles: theme.New(r), Lang: i18n.ZH, Agent: as, Now: func() time.Time { return fixedNow }})
	d := admintest.New(m, 80, 22)
	if err := d.WaitFor("我的 SSH 公钥 · 39493", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitFor("还没有登记 SSH 公钥", time.Second); err != nil {
		t.Fatal(err)
	}
	if m.Capturing() {
		t.Fatal("the list captures the keyboard: tab and F1 would not reach the workbench")
	}
	d.Press("n")
	if err := d.WaitFor("添加我的 SSH 公钥", time.Second); err != nil {
		t.Fatal(err)
	}
	if !m.Capturing() {
		t.Fatal("the form does not capture the keyboard")
	}
	d.Type("ssh-rsa 不是公钥")
	d.Press("enter")
	if err := d.WaitFor("不是有效的 SSH 公钥", time.Second); err != nil {
		t.Fatal(err)
	}
	for range len([]rune("ssh-rsa 不是公钥")) {
		d.Press("backspace")
	}
	f.addAndRemoveKey(t, d, me.ID)
	if cmd := m.Update(admintest.Key("esc")); cmd == nil {
		t.Fatal("esc does not close the page")
	} else if _, ok := cmd().(admin.ClosedMsg); !ok {
		t.Fatal("esc answers something else than ClosedMsg")
	}
}

// addAndRemoveKey types testKey into the open add-key form of agent id's keys list, then
// removes the key again with x pressed twice, checking the list, the notice and the store.
func (f *fixture) addAndRemoveKey(t *testing.T, d *admintest.Driver, id uint64) {
	t.Helper()
	stored := func() []store.AuthorizedKey {
		var keys []store.AuthorizedKey
		f.db.View(func(tx *store.Tx) error { a, _ := tx.Agent(id); keys = a.Keys; return nil })
		return keys
	}
	d.Type(testKey)
	d.Press("enter")
	if err := d.WaitFor("张三的电脑", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitFor("已添加公钥", time.Second); err != nil {
		t.Fatal(err)
	}
	if keys := stored(); len(keys) != 1 || keys[0].Comment != "张三的电脑" {
		t.Fatalf("stored keys %+v", keys)
	}
	d.Press("x")
	if err := d.WaitFor("再按一次 x 删除公钥", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("x")
	if err := d.WaitFor("还没有登记 SSH 公钥", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if keys := stored(); len(keys) != 0 {
		t.Fatalf("key not removed: %+v", keys)
	}
}

// TestGroups: the seats are shown and sorted by group (分组); m moves an agent to another of
// the site's groups by picking it.
func TestGroups(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 80, 24)
	d.Press("left")
	if err := d.WaitFor("39493", time.Second); err != nil {
		t.Fatal(err)
	}
	v := d.View()
	_, sh := lineWith(v, "售后")
	_, kf := lineWith(v, "客服部")
	_, none := lineWith(v, "chunyu")
	if sh < 0 || kf < 0 || !(sh < kf && kf < none) {
		t.Fatalf("seats not sorted by group (售后 %d, 客服部 %d, none %d):\n%s", sh, kf, none, v)
	}
	// chunyu (no group, the last row) to 售后.
	d.Press("end", "m")
	if err := d.WaitFor("移动分组 · chunyu", time.Second); err != nil {
		t.Fatal(err)
	}
	if l, _ := lineWith(d.View(), "移动到"); !strings.Contains(l, "（不分组）") {
		t.Fatalf("move form starts elsewhere: %q", l)
	}
	d.Press("right")
	if l, _ := lineWith(d.View(), "移动到"); !strings.Contains(l, "售后") {
		t.Fatalf("→ does not pick 售后: %q", l)
	}
	d.Press("enter")
	if err := d.WaitFor("已将 chunyu 移动到 售后", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	var a *store.Agent
	f.db.View(func(tx *store.Tx) error { a, _ = tx.AgentByLogin("chunyu"); return nil })
	if len(a.Sites) != 1 || a.Sites[0].Group != "售后" || a.Sites[0].MaxChats != 3 || len(a.Sites[0].Regions) != 2 {
		t.Fatalf("chunyu's seat after the move: %+v", a.Sites)
	}
	for deadline := time.Now().Add(2 * time.Second); ; d.Settle(20 * time.Millisecond) {
		if l, _ := lineWith(d.View(), "chunyu"); strings.HasPrefix(l, "售后") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the list does not show chunyu in 售后: %q", l)
		}
	}
}

// TestRegionFilterKeepsMatchesInView: after a filter, End goes to the last match with the
// others still above it, not to the blank end of the list.
func TestRegionFilterKeepsMatchesInView(t *testing.T) {
	f := newFixture(t)
	for _, sz := range [][2]int{{80, 22}, {40, 18}} {
		d := f.page(i18n.ZH, sz[0], sz[1])
		d.Press("left", "down", "enter")
		if err := d.WaitFor("分流区域", time.Second); err != nil {
			t.Fatal(err)
		}
		d.Press("enter", "enter", "enter", "end", "/") // scrolled down first
		d.Type("东")
		d.Press("enter", "end")
		v := d.View()
		for _, want := range []string{"东北（全部）", "华东（全部）", "山东", "> [x]   广东"} {
			if !strings.Contains(v, want) {
				t.Fatalf("%dx%d: %q scrolled out of view:\n%s", sz[0], sz[1], want, v)
			}
		}
	}
}
