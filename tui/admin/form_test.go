package admin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/admin"
	"kefu/tui/admin/admintest"
)

// lineWith is the first line of the view that contains s, and its index (-1: none).
func lineWith(view, s string) (string, int) {
	for i, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l, i
		}
	}
	return "", -1
}

// TestTypeAheadGoesToTheNextField: keys typed right after Enter, before the program has run
// any command, land in the next field; the last Enter submits in the same burst.
func TestTypeAheadGoesToTheNextField(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 80, 24)
	d.Press("n")
	if err := d.WaitFor("添加网站", time.Second); err != nil {
		t.Fatal(err)
	}
	k := admintest.Key
	d.Burst(admintest.Runes("云帆"), admintest.Runes("商城"), k("enter"), admintest.Runes("shop.example.cn"), k("enter"), admintest.Runes("s3cret-0123456789abc"))
	v := d.View()
	for _, want := range []string{"网站名称：云帆商城 ", "域名    ：shop.example.cn ", "密钥    ：s3cret-0123456789abc"} {
		if !strings.Contains(v, want) {
			t.Fatalf("after a burst of keys the form does not show %q:\n%s", want, v)
		}
	}
	// Enter on the last field submits, even with more keys right behind it.
	d.Burst(k("enter"), k("down"))
	if err := d.WaitFor("已添加", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	var sites []store.Site
	f.db.View(func(tx *store.Tx) error { sites, _ = tx.Sites(); return nil })
	last := sites[len(sites)-1]
	if last.Name != "云帆商城" || len(last.Domains) != 1 || last.Domains[0] != "shop.example.cn" || last.Secret != "s3cret-0123456789abc" {
		t.Fatalf("stored site %+v", last)
	}
}

// TestFieldsOnOneLineAndMessagesBesideThem: selects are one line like inputs, the role editor
// fits a 24-line terminal (22 lines under the workbench's bars) without scrolling, values are
// not cut, and a field's message shows right under it.
func TestFieldsOnOneLineAndMessagesBesideThem(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 80, 22)
	d.Press("right", "n")
	if err := d.WaitFor("添加客服", time.Second); err != nil {
		t.Fatal(err)
	}
	v := d.View()
	for _, want := range []string{"角色    ：普通客服", "性别    ：不填", "密码    ：6-20 个字符，不能包含空格", "座席状态："} {
		if !strings.Contains(v, want) {
			t.Errorf("agent form lacks %q:\n%s", want, v)
		}
	}
	// A bad account: the message is on the line under 账号, not at the bottom.
	d.Type("张 三")
	d.Press("enter")
	v = d.View()
	_, at := lineWith(v, "账号    ：")
	msg, mi := lineWith(v, "账号为 2-32 位字母")
	if at < 0 || mi != at+1 || !strings.HasPrefix(strings.TrimSpace(msg), "✗") {
		t.Fatalf("the account's message is not under it (field line %d, message line %d):\n%s", at, mi, v)
	}
	// The next key takes the message away; the role select steps with ←/→ on its line.
	for range 3 {
		d.Press("backspace")
	}
	d.Type("wang")
	if strings.Contains(d.View(), "账号为 2-32") {
		t.Fatal("the message stays after the field changed")
	}
	d.Press("enter")
	d.Type("王五")
	d.Press("enter", "enter", "right")
	if l, _ := lineWith(d.View(), "角色    ："); !strings.Contains(l, "天助客服") && !strings.Contains(l, "应用管理员") && !strings.Contains(l, "超级管理员") {
		t.Fatalf("→ did not change the role: %q", l)
	}
	d.Press("esc")

	// The role editor: name and every module on one screen; the name shows 20 characters.
	d.Press("right", "down", "down", "down", "enter")
	if err := d.WaitFor("修改角色 天助客服", time.Second); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		d.Press("backspace")
	}
	d.Type("华南区域售后服务与客户关系管理专员小组")
	v = d.View()
	for _, mod := range []string{"工作台", "网站管理", "记录中心", "智能机器人", "华南区域售后服务与客户关系管理专员小组"} {
		if !strings.Contains(v, mod) {
			t.Errorf("role editor at 80×22 does not show %q:\n%s", mod, v)
		}
	}
	if l, _ := lineWith(v, "记录中心"); !strings.Contains(l, "所在网站") {
		t.Errorf("记录中心 and its scope are not on one line: %q", l)
	}
	d.Press("esc")

	// The copy-role value is lined up with the name, not indented under a title.
	d.Press("n")
	if err := d.WaitFor("添加角色", time.Second); err != nil {
		t.Fatal(err)
	}
	if l, _ := lineWith(d.View(), "复制角色"); !strings.Contains(l, "复制角色：普通客服") {
		t.Errorf("复制角色 line: %q", l)
	}
}

// TestAutoInviteNeedsAMoment: auto-invite on with 0 seconds and 0 pages is refused at the
// pages field, before anything is sent.
func TestAutoInviteNeedsAMoment(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 80, 30)
	d.Press("right", "right", "right", "enter")
	if err := d.WaitFor("设置中心 · 默认站点", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("tab", "enter") // invite text, auto-invite (on)
	d.Press("backspace", "backspace")
	d.Type("0")
	d.Press("enter", "backspace")
	d.Type("0")
	d.Press("enter")
	v := d.View()
	_, at := lineWith(v, "浏览页数")
	_, mi := lineWith(v, "开启自动邀请时")
	if at < 0 || mi != at+1 {
		t.Fatalf("no message under 浏览页数 (lines %d, %d):\n%s", at, mi, v)
	}
	if strings.Contains(v, "保存中") {
		t.Fatal("the form was sent")
	}
	// Two pages is a moment: the form moves on.
	d.Press("backspace")
	d.Type("2")
	d.Press("enter")
	if strings.Contains(d.View(), "开启自动邀请时") {
		t.Fatalf("still refused:\n%s", d.View())
	}
}

// TestNoticesAndRefresh: a notice does not follow the admin into the next form or section;
// the page shows changes made meanwhile (a script disabling an agent) when shown again.
func TestNoticesAndRefresh(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 80, 24)
	d.Press("d")
	d.Press("d") // the default site: refused
	if err := d.WaitFor("默认站点不能停用或删除", time.Second); err != nil {
		t.Fatal(err)
	}
	d.Press("n")
	if err := d.WaitFor("添加网站", time.Second); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.View(), "默认站点不能停用") {
		t.Fatalf("the old notice is over the form:\n%s", d.View())
	}
	d.Press("esc", "right")
	if err := d.WaitFor("39494", time.Second); err != nil {
		t.Fatal(err)
	}
	var id uint64
	f.db.View(func(tx *store.Tx) error { a, _ := tx.AgentByLogin("39494"); id = a.ID; return nil })
	if err := f.desk.CommandSession(f.admin).SetAgentDisabled(id, true); err != nil {
		t.Fatal(err)
	}
	d.Send(admin.ShownMsg{})
	if err := d.WaitFor("39494", time.Second); err != nil {
		t.Fatal(err)
	}
	l, _ := lineWith(d.View(), "39494")
	if !strings.Contains(l, "停用 停用") && !strings.Contains(l, "启用 停用") {
		t.Fatalf("the list did not reload on show: %q", l)
	}
}

// TestSitesNarrowAndPicker: at 40 columns the embed tag is broken at its spaces with the
// address on its own line, the sentence before it wraps instead of being cut, and the
// script command is named; the site selector shows the site IDs.
func TestSitesNarrowAndPicker(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.ZH, 50, 30)
	if err := d.WaitFor("嵌入代码", time.Second); err != nil {
		t.Fatal(err)
	}
	v := d.View()
	lines := strings.Split(v, "\n")
	var got []string
	for _, l := range lines {
		got = append(got, strings.TrimSpace(l))
	}
	joined := strings.Join(got, "\n")
	if !strings.Contains(joined, "<script async src=\n\"https://kefu.example.com/widget.js?site=1\"\n></script>") {
		t.Fatalf("the embed tag is not broken around its address:\n%s", v)
	}
	if !strings.Contains(joined, "site list --json") || !strings.Contains(joined, "之前）：") {
		t.Fatalf("no script hint or a cut sentence:\n%s", v)
	}
	d.Press("w")
	if err := d.WaitFor("选择网站", time.Second); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1  默认站点", "2  云帆软件官网", "3  华北分站"} {
		if !strings.Contains(d.View(), want) {
			t.Fatalf("the site selector does not show %q:\n%s", want, d.View())
		}
	}
}

// TestEnglishScreens: at 80 columns the columns show their words whole; built-in roles and
// regions are in English, custom names as typed.
func TestEnglishScreens(t *testing.T) {
	f := newFixture(t)
	d := f.page(i18n.EN, 80, 24)
	d.Press("right")
	if err := d.WaitFor("Account", time.Second); err != nil {
		t.Fatal(err)
	}
	v := d.View()
	for _, want := range []string{"State", "enabled", "disabled", "Super admin", "App admin", "天助客服"} {
		if !strings.Contains(v, want) {
			t.Errorf("agents in English at 80 lack %q:\n%s", want, v)
		}
	}
	d.Press("left", "left")
	if err := d.WaitFor("Regions", time.Second); err != nil {
		t.Fatal(err)
	}
	v = d.View()
	for _, want := range []string{"Max chats", "North China", "Guangdong", "Shanghai, Overseas"} {
		if !strings.Contains(v, want) {
			t.Errorf("distribution in English at 80 lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "华北") || strings.Contains(v, "…") && strings.Contains(v, "Max cha…") {
		t.Errorf("Chinese region names or cut titles in English:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %d cells wide", w)
		}
	}
}
