package canned

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/theme"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is a real desk with canned replies: Chinese, long, mixed widths, and hostile text
// stored behind the desk's back (as an old database or a bug might have it).
type fixture struct {
	t     *testing.T
	db    *store.DB
	desk  *desk.Desk
	admin *desk.AgentSession
	agent *desk.AgentSession // 普通客服 of the default site
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	f := &fixture{t: t, db: db, desk: d}
	// What Bootstrap makes, without its bcrypt (the default site, the roles, an admin), and a
	// plain agent.
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.CreateSite(&store.Site{Name: "默认站点"}); err != nil {
			return err
		}
		roleOf := map[string]uint64{}
		for _, r := range authz.BuiltinRoles() {
			if err := tx.CreateRole(&r); err != nil {
				return err
			}
			roleOf[r.Builtin] = r.ID
		}
		admin := &store.Agent{Account: "admin", Name: "管理员", RoleID: roleOf[authz.BuiltinSuper]}
		if err := tx.CreateAgent(admin); err != nil {
			return err
		}
		a := &store.Agent{Account: "xiaoyang", Name: "小杨", RoleID: roleOf[authz.BuiltinAgent], Sites: []store.SiteSeat{{SiteID: store.DefaultSiteID}}}
		if err := tx.CreateAgent(a); err != nil {
			return err
		}
		f.admin, f.agent = d.CommandSession(admin.ID), d.CommandSession(a.ID)
		mine := []store.CannedReply{
			{AgentID: admin.ID, Title: "问候", Text: "您好！我是客服小杨，很高兴为您服务。请问有什么可以帮您？", Shortcut: "hi"},
			{AgentID: admin.ID, Text: "好的，稍等，我帮您查一下。"},
		}
		public := []store.CannedReply{
			{SiteID: 1, Group: "售前", Title: "价格", Text: "企业版每年 3980 元，含 10 个客服座席；旗舰版每年 6980 元，不限座席。", Shortcut: "price"},
			{SiteID: 1, Group: "售前", Title: "一个非常非常长的标题用来测试显示宽度截断是否正确处理中文与English混排的情况",
				Text: "第一行说明\n第二行：ＡＢＣ全角字母、emoji 😀 和 half-width ｶﾀｶﾅ 混在一起。", Shortcut: "long-title_01"},
			{SiteID: 1, Group: "售后", Title: "\x1b]0;PWNED\x07<script>退款</script>", Text: "\x1b[2J\x1b[31m七个工作日内\x1b[0m退回原账户。\x07\r\n谢谢", Shortcut: "refund"},
			{SiteID: 1, Group: "售后", Title: "Refund policy", Text: "Full refund within 7 days 七天无理由退款"},
		}
		if err := tx.AddCanned(mine); err != nil {
			return err
		}
		return tx.AddCanned(public)
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) ctx(as *desk.AgentSession, l i18n.Lang) Context {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	r.SetHasDarkBackground(true)
	account := "admin"
	if a, _, err := as.Agent(); err == nil {
		account = a.Account
	}
	return Context{Styles: theme.New(r), Lang: l, Agent: as, SiteID: func() uint64 { return store.DefaultSiteID },
		Account: account, Host: "kf.example.cn", Port: 2222}
}

// pump runs cmd and every command that follows from it, handing their messages to update,
// and returns the messages. Cursor blinks are skipped.
func pump(update func(tea.Msg) tea.Cmd, cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	cmdType := reflect.TypeOf(tea.Cmd(nil))
	for n := 0; len(queue) > 0 && n < 500; n++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil || strings.Contains(runtime.FuncForPC(reflect.ValueOf(c).Pointer()).Name(), "bubbles/cursor.") {
			continue // a cursor blink: it waits half a second to say so
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(5 * time.Second):
			continue
		}
		if msg == nil {
			continue
		}
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
			for i := 0; i < v.Len(); i++ {
				queue = append(queue, v.Index(i).Interface().(tea.Cmd))
			}
			continue
		}
		out = append(out, msg)
		queue = append(queue, update(msg))
	}
	return out
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "ctrl+e":
		return tea.KeyMsg{Type: tea.KeyCtrlE}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "[", "]":
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys (each a key name or a string typed rune by rune) and returns the messages
// that came of them.
func press(update func(tea.Msg) tea.Cmd, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		if len([]rune(k)) > 1 && keyMsg(k).Type == tea.KeyRunes {
			for _, r := range k {
				out = append(out, pump(update, update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))...)
			}
			continue
		}
		out = append(out, pump(update, update(keyMsg(k)))...)
	}
	return out
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
		t.Fatalf("%v (run go test ./tui/canned -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./tui/canned -update rewrites it):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// checkFrame asserts the view is exactly h lines of at most w cells, with nothing hostile.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d:\n%s", len(lines), h, view)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide (want ≤ %d): %q", i, lw, w, l)
		}
	}
	if strings.ContainsAny(view, "\x1b\x07\r") || strings.Contains(view, "PWNED") {
		t.Errorf("escape, bell or payload in the view: %q", view)
	}
}

var sizes = []struct{ w, h int }{{120, 40}, {80, 24}, {40, 20}}

func TestPickerGolden(t *testing.T) {
	f := newFixture(t)
	for _, sz := range sizes {
		p := NewPicker(f.ctx(f.admin, i18n.ZH))
		pump(p.Update, p.Open())
		view := p.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h)
		golden(t, fmt.Sprintf("picker-%dx%d", sz.w, sz.h), view)
	}
	// Searching, in English, in a short panel that must scroll to the selection.
	p := NewPicker(f.ctx(f.admin, i18n.EN))
	pump(p.Update, p.Open())
	press(p.Update, "re", "down")
	view := p.View(40, 7)
	checkFrame(t, view, 40, 7)
	golden(t, "picker-search-en-40x7", view)
}

func TestPickerChooses(t *testing.T) {
	f := newFixture(t)
	p := NewPicker(f.ctx(f.admin, i18n.ZH))
	if p.IsOpen() {
		t.Fatal("a new picker is open")
	}
	pump(p.Update, p.Open())
	if !p.IsOpen() || len(p.Replies()) != 6 {
		t.Fatalf("open: %v, %d replies", p.IsOpen(), len(p.Replies()))
	}
	chosen := func(msgs []tea.Msg) string {
		for _, m := range msgs {
			if c, ok := m.(ChosenMsg); ok {
				return c.Text
			}
		}
		return "<none>"
	}
	// Type into the search, move down, Enter.
	msgs := press(p.Update, "价格", "enter")
	if got := chosen(msgs); !strings.HasPrefix(got, "企业版每年 3980 元") {
		t.Fatalf("search 价格 + enter chose %q", got)
	}
	if p.IsOpen() {
		t.Fatal("the picker stays open after choosing")
	}
	// By number: "04" of six replies chooses the fourth at once.
	pump(p.Update, p.Open())
	if got := chosen(press(p.Update, "04")); !strings.HasPrefix(got, "第一行说明\n第二行") {
		t.Fatalf("04 chose %q", got)
	}
	// One digit selects, Enter chooses.
	pump(p.Update, p.Open())
	if got := chosen(press(p.Update, "2", "enter")); got != "好的，稍等，我帮您查一下。" {
		t.Fatalf("2 + enter chose %q", got)
	}
	// ↓ moves, case-insensitive English search, and the stored hostile text is handed over
	// as stored (the chat input and the desk clean it again on send).
	pump(p.Update, p.Open())
	if got := chosen(press(p.Update, "REFUND", "down", "enter")); got != "Full refund within 7 days 七天无理由退款" {
		t.Fatalf("REFUND ↓ enter chose %q", got)
	}
	// Esc closes with ClosedMsg and chooses nothing.
	pump(p.Update, p.Open())
	msgs = press(p.Update, "xyz", "esc")
	if len(msgs) != 1 || msgs[0] != (ClosedMsg{}) || p.IsOpen() {
		t.Fatalf("esc: %v, open %v", msgs, p.IsOpen())
	}
	// Closed, it ignores keys.
	if cmd := p.Update(keyMsg("enter")); cmd != nil {
		t.Fatal("a closed picker handled a key")
	}
	// No match: Enter does nothing.
	pump(p.Update, p.Open())
	if msgs := press(p.Update, "没有这个词", "enter"); len(msgs) != 0 || !p.IsOpen() {
		t.Fatalf("enter on no match: %v", msgs)
	}
	if !strings.Contains(p.View(60, 10), "没有匹配“没有这个词”的常用语") {
		t.Fatalf("no-match view:\n%s", p.View(60, 10))
	}
}

func TestPickerStaleLoadAndOtherSites(t *testing.T) {
	f := newFixture(t)
	site := store.DefaultSiteID
	ctx := f.ctx(f.agent, i18n.ZH)
	ctx.SiteID = func() uint64 { return site }
	p := NewPicker(ctx)
	stale := p.Open()
	fresh := p.Load()
	pump(p.Update, fresh)
	if len(p.Replies()) != 4 {
		t.Fatalf("小杨 sees %d replies of the default site, want its 4 public ones", len(p.Replies()))
	}
	// A slower, older load does not overwrite the newer one.
	site = 99
	pump(p.Update, stale)
	if len(p.Replies()) != 4 {
		t.Fatalf("a stale load replaced the replies: %d", len(p.Replies()))
	}
	// A site the agent may not work on: their own replies only, and the refusal said.
	pump(p.Update, p.Open())
	if len(p.Replies()) != 0 || !strings.Contains(p.View(60, 10), "没有权限") {
		t.Fatalf("forbidden site:\n%s", p.View(60, 10))
	}
}

func TestExpand(t *testing.T) {
	f := newFixture(t)
	p := NewPicker(f.ctx(f.admin, i18n.ZH))
	pump(p.Update, p.Load())
	if p.IsOpen() {
		t.Fatal("Load opened the picker")
	}
	for in, want := range map[string]string{
		"/price":       "企业版每年 3980 元，含 10 个客服座席；旗舰版每年 6980 元，不限座席。",
		"/HI 欢迎":       "您好！我是客服小杨，很高兴为您服务。请问有什么可以帮您？ 欢迎",
		"/nothing":     "",
		"hello /price": "",
	} {
		got, ok := Expand(p.Replies(), in)
		if ok != (want != "") || (ok && got != want) {
			t.Errorf("Expand(%q) = %q, %v", in, got, ok)
		}
		if g2, ok2 := p.Expand(in); g2 != got || ok2 != ok {
			t.Errorf("Picker.Expand(%q) differs", in)
		}
	}
}

func TestManagerGolden(t *testing.T) {
	f := newFixture(t)
	for _, sz := range sizes {
		m := NewManager(f.ctx(f.admin, i18n.ZH))
		pump(m.Update, m.Init())
		press(m.Update, "right", "down")
		view := m.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h)
		golden(t, fmt.Sprintf("manager-%dx%d", sz.w, sz.h), view)
	}
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	m.View(80, 24)
	press(m.Update, "right", "down", "e")
	view := m.View(80, 24)
	checkFrame(t, view, 80, 24)
	golden(t, "manager-form-80x24", view)

	m = NewManager(f.ctx(f.agent, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "i")
	view = m.View(40, 20)
	checkFrame(t, view, 40, 20)
	golden(t, "manager-import-40x20", view)

	// The admin pastes into the public replies: one good row, one too long, one hostile.
	m = NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "right", "i")
	paste(m, "分组,标题,内容,快捷键\n售前,试用,可以免费试用 15 天,trial\n售前,"+strings.Repeat("长", 51)+",x,\n\x1b]0;PWNED\x07售后,退款,已退,refund\n")
	for _, sz := range []struct{ w, h int }{{80, 24}, {40, 20}} {
		view = m.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h)
		golden(t, fmt.Sprintf("manager-import-public-%dx%d", sz.w, sz.h), view)
	}
}

// paste hands text to the manager as a terminal's bracketed paste does, and runs what follows.
func paste(m *Manager, text string) []tea.Msg {
	return pump(m.Update, m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true}))
}

// TestManagerRefreshes: replies imported over SSH meanwhile show when the page is shown again
// (RefreshMsg) or on r, with the selection kept.
func TestManagerRefreshes(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "right", "down")
	sel := m.selected().ID
	if !strings.Contains(m.View(80, 24), "公共常用语(4)") {
		t.Fatalf("before:\n%s", m.View(80, 24))
	}
	// What `ssh … canned import --site 1 < 常用语.csv` does.
	if n, err := f.admin.ImportCannedCSV(store.DefaultSiteID, false, strings.NewReader("分组,内容\n售后,发票三个工作日内寄出\n")); err != nil || n != 1 {
		t.Fatalf("import: %d %v", n, err)
	}
	if !strings.Contains(m.View(80, 24), "公共常用语(4)") {
		t.Fatal("the manager read the replies by itself")
	}
	pump(m.Update, m.Update(RefreshMsg{}))
	if view := m.View(80, 24); !strings.Contains(view, "公共常用语(5)") || !strings.Contains(view, "发票三个工作日内寄出") {
		t.Fatalf("after RefreshMsg:\n%s", view)
	}
	if c := m.selected(); c == nil || c.ID != sel {
		t.Fatalf("the selection moved: %+v", c)
	}
	if _, err := f.admin.CreateCanned(0, true, desk.CannedInput{Text: "另一处添加的个人常用语"}); err != nil {
		t.Fatal(err)
	}
	press(m.Update, "r")
	if view := m.View(80, 24); !strings.Contains(view, "我的常用语(3)") {
		t.Fatalf("after r:\n%s", view)
	}
}

// TestManagerOrdersGroups: [ and ] move the selected reply's group among the groups, stored,
// so the picker and every other session show the same order; agents may order their own
// groups only.
func TestManagerOrdersGroups(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "right", "down", "down") // 03., the first of 售后
	groups := func() string {
		list, _ := f.admin.CannedReplies(store.DefaultSiteID)
		var public []store.CannedReply
		for _, c := range list {
			if !c.Personal() {
				public = append(public, c)
			}
		}
		return strings.Join(store.CannedGroups(public), ",")
	}
	if g := groups(); g != "售前,售后" {
		t.Fatalf("groups before: %s", g)
	}
	press(m.Update, "[")
	if g := groups(); g != "售后,售前" {
		t.Fatalf("groups after [: %s", g)
	}
	view := m.View(80, 24)
	if i, j := strings.Index(view, "▾ 售后"), strings.Index(view, "▾ 售前"); i < 0 || j < 0 || i > j {
		t.Fatalf("the screen does not show 售后 first:\n%s", view)
	}
	if c := m.selected(); c == nil || c.Group != "售后" || m.sel != 0 {
		t.Fatalf("the moved group's reply is not selected: %+v at %d", c, m.sel)
	}
	// The picker reads the same order.
	p := NewPicker(f.ctx(f.admin, i18n.ZH))
	pump(p.Update, p.Open())
	if pv := p.View(80, 24); strings.Index(pv, "售后") > strings.Index(pv, "售前") {
		t.Fatalf("the picker keeps the old order:\n%s", pv)
	}
	press(m.Update, "]")
	if g := groups(); g != "售前,售后" {
		t.Fatalf("groups after ]: %s", g)
	}
	// An agent: public groups are read-only, their own groups are theirs.
	a := NewManager(f.ctx(f.agent, i18n.ZH))
	pump(a.Update, a.Init())
	press(a.Update, "right", "down", "down", "[")
	if !a.noticeErr || groups() != "售前,售后" {
		t.Fatalf("an agent moved a public group: %q, %s", a.notice, groups())
	}
	for _, g := range []string{"问候", "结束语"} {
		if _, err := f.agent.CreateCanned(0, true, desk.CannedInput{Group: g, Text: g + "：您好"}); err != nil {
			t.Fatal(err)
		}
	}
	press(a.Update, "left", "r", "down", "[")
	mine, _ := f.agent.CannedReplies(0)
	if len(mine) != 2 || mine[0].Group != "结束语" {
		t.Fatalf("the agent's groups: %+v", mine)
	}
}

// TestManagerImportsPastedCSV: i opens the paste form for the tab's replies; while pasting it
// says how many would come in or which lines are wrong, in Chinese; Ctrl+S imports all or
// nothing; the SSH command shown is the one this session can run.
func TestManagerImportsPastedCSV(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "i")
	if m.mode != modeImport || !m.Capturing() {
		t.Fatal("i does not open the import form")
	}
	view := m.View(80, 24)
	checkFrame(t, view, 80, 24)
	for _, want := range []string{"导入常用语 → 我的常用语", "ssh -p 2222 admin@kf.example.cn canned import --personal < 常用语.csv", "Ctrl+S 导入"} {
		if !strings.Contains(view, want) {
			t.Fatalf("the form lacks %q:\n%s", want, view)
		}
	}
	press(m.Update, "ctrl+s")
	if m.mode != modeImport || !strings.Contains(m.View(80, 24), "还没有粘贴内容") {
		t.Fatalf("ctrl+s on nothing:\n%s", m.View(80, 24))
	}
	// Bad rows: each named by its line, and nothing stored on Ctrl+S.
	paste(m, "分组,标题,内容,快捷键\n常用,发货,下单后 48 小时内发货。,ship\n常用,,,\n常用,运费,满 99 包邮,ship\n")
	view = m.View(80, 24)
	for _, want := range []string{"第 3 行：内容不能为空", "第 4 行：快捷键 /ship 与第 2 行重复"} {
		if !strings.Contains(view, want) {
			t.Fatalf("the verdict lacks %q:\n%s", want, view)
		}
	}
	press(m.Update, "ctrl+s")
	if mine, _ := f.admin.CannedReplies(0); len(mine) != 2 || m.mode != modeImport {
		t.Fatalf("a refused paste: %d replies, mode %d", len(mine), m.mode)
	}
	// Fixed (the bad lines cleared), it says how many and imports them.
	press(m.Update, "ctrl+u", "backspace", "ctrl+u", "backspace", "ctrl+u")
	paste(m, "常用,运费,满 99 包邮,free")
	if view := m.View(80, 24); !strings.Contains(view, "可导入 2 条常用语") {
		t.Fatalf("after the fix:\n%s\n%q", view, m.imp.area.Value())
	}
	press(m.Update, "ctrl+s")
	if m.mode != modeList || m.notice != "已导入 2 条常用语" {
		t.Fatalf("after import: mode %d, notice %q\n%s", m.mode, m.notice, m.View(80, 24))
	}
	if !strings.Contains(m.View(80, 24), "我的常用语(4)") {
		t.Fatalf("the tab does not count the imported replies:\n%s", m.View(80, 24))
	}
	mine, _ := f.admin.CannedReplies(0)
	if len(mine) != 4 || mine[2].Group != "常用" || mine[2].Shortcut != "ship" || mine[3].Text != "满 99 包邮" {
		t.Fatalf("stored %+v", mine)
	}
	// Public replies for the admin: the command names the site; Esc leaves, storing nothing.
	press(m.Update, "right", "i")
	if view := m.View(80, 24); !strings.Contains(view, "canned import --site 1 < 常用语.csv") || !strings.Contains(view, "公共常用语（网站 1）") {
		t.Fatalf("public import form:\n%s", view)
	}
	paste(m, "内容\n好的\n")
	press(m.Update, "esc")
	if public, _ := f.admin.CannedReplies(store.DefaultSiteID); len(public) != 8 || m.mode != modeList {
		t.Fatalf("esc imported: %d", len(public))
	}
	// An agent cannot import into the public replies.
	a := NewManager(f.ctx(f.agent, i18n.ZH))
	pump(a.Update, a.Init())
	press(a.Update, "right", "i")
	if a.mode != modeList || !a.noticeErr {
		t.Fatalf("an agent opened the public import: mode %d %q", a.mode, a.notice)
	}
}

// TestImportCheckSurvivesCursorKeys: keys that only move the cursor while the pasted text is
// being checked neither start the check again nor make its answer stale.
func TestImportCheckSurvivesCursorKeys(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "i")
	check := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("内容\n好的\n谢谢\n"), Paste: true})
	if check == nil {
		t.Fatal("a paste asks for no check")
	}
	for _, k := range []string{"up", "left", "up"} {
		m.Update(keyMsg(k)) // what these answer is the textarea's own; the check is already asked
	}
	pump(m.Update, check)
	if view := m.View(80, 24); !strings.Contains(view, "可导入 2 条常用语") {
		t.Fatalf("the check's answer is lost after cursor keys:\n%s", view)
	}
}

func TestManagerEdits(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	m.View(80, 24)
	if m.Capturing() {
		t.Fatal("the list captures keys")
	}
	// Add a personal reply through the form: group, title, text, shortcut.
	press(m.Update, "a")
	if !m.Capturing() || m.mode != modeForm {
		t.Fatal("a does not open the form")
	}
	// ctrl+e in the text field must not start an editor on the server.
	press(m.Update, "enter", "enter")
	for _, msg := range press(m.Update, "ctrl+e") {
		if reflect.TypeOf(msg).String() == "tea.execMsg" {
			t.Fatal("ctrl+e runs an external editor")
		}
	}
	press(m.Update, "shift+tab")
	m.form = nil // start over with the keys a person uses
	m.mode = modeList
	press(m.Update, "a", "常用", "enter", "发货时间", "enter", "下单后 48 小时内发货。", "enter", "/Ship", "enter")
	if m.mode != modeList || m.notice != "已保存「发货时间」" {
		t.Fatalf("after save: mode %d, notice %q, form error %q\n%s", m.mode, m.notice, m.formErr, m.View(80, 24))
	}
	mine, _ := f.admin.CannedReplies(0)
	var ship *store.CannedReply
	for i := range mine {
		if mine[i].Title == "发货时间" {
			ship = &mine[i]
		}
	}
	if ship == nil || ship.Group != "常用" || ship.Shortcut != "ship" || ship.Text != "下单后 48 小时内发货。" {
		t.Fatalf("stored %+v", ship)
	}
	if c := m.selected(); c == nil || c.ID != ship.ID {
		t.Fatalf("the new reply is not selected: %+v", c)
	}
	// A shortcut taken: the form comes back with the refusal and what was typed.
	press(m.Update, "a", "enter", "再来一条", "enter", "内容", "enter", "ship", "enter")
	if m.mode != modeForm || !strings.Contains(m.formErr, "/ship") || m.in.Title != "再来一条" {
		t.Fatalf("taken shortcut: mode %d, error %q, title %q", m.mode, m.formErr, m.in.Title)
	}
	if view := m.View(80, 24); !strings.Contains(view, "快捷键 /ship 已被使用") {
		t.Fatalf("refusal not shown:\n%s", view)
	}
	press(m.Update, "esc")
	if m.mode != modeList || m.Capturing() {
		t.Fatal("esc does not close the form")
	}
	// A validation error keeps the form on its field.
	press(m.Update, "a", "enter", strings.Repeat("长", 51))
	if m.in.Title != strings.Repeat("长", 50) { // the field's limit stops the 51st
		t.Fatalf("title field took %d characters", len([]rune(m.in.Title)))
	}
	press(m.Update, "esc")

	// Move the new reply up within its group? It is alone in 常用; move the first of the
	// default group down instead.
	press(m.Update, "up", "up", "up")
	first := m.selected()
	press(m.Update, "J")
	if c := m.selected(); c == nil || c.ID != first.ID || m.sel != 1 {
		t.Fatalf("after J the moved reply is not selected at 1: %+v sel %d", c, m.sel)
	}
	// Delete with confirmation: n keeps, y deletes.
	press(m.Update, "d")
	if !strings.Contains(m.View(80, 24), "删除「") {
		t.Fatalf("no question:\n%s", m.View(80, 24))
	}
	press(m.Update, "n")
	if n, _ := f.admin.CannedReplies(0); len(n) != 3 {
		t.Fatalf("n deleted: %d left", len(n))
	}
	press(m.Update, "d", "y")
	if n, _ := f.admin.CannedReplies(0); len(n) != 2 {
		t.Fatalf("y did not delete: %d left", len(n))
	}
	// Search narrows the list; Esc clears it.
	press(m.Update, "/", "发货")
	if len(m.shown()) != 1 || !m.Capturing() {
		t.Fatalf("search 发货 shows %d", len(m.shown()))
	}
	press(m.Update, "esc")
	if len(m.shown()) != 2 || m.Capturing() {
		t.Fatalf("after esc %d shown", len(m.shown()))
	}
	// Public replies: the admin edits one.
	press(m.Update, "right", "e", "enter", "ctrl+u", "报价", "enter", "enter", "enter")
	public, _ := f.admin.CannedReplies(store.DefaultSiteID)
	found := false
	for _, c := range public {
		found = found || (c.Title == "报价" && c.SiteID == store.DefaultSiteID)
	}
	if !found {
		t.Fatalf("public reply not renamed:\n%s", m.View(80, 24))
	}
}

func TestManagerReadOnlyForAgents(t *testing.T) {
	f := newFixture(t)
	m := NewManager(f.ctx(f.agent, i18n.ZH))
	pump(m.Update, m.Init())
	press(m.Update, "right")
	if m.tab != tabPublic || len(m.shown()) != 4 {
		t.Fatalf("agent's public tab: %d shown", len(m.shown()))
	}
	for _, k := range []string{"a", "e", "d", "J"} {
		press(m.Update, k)
		if m.mode != modeList || !m.noticeErr {
			t.Fatalf("%s on a read-only tab: mode %d notice %q", k, m.mode, m.notice)
		}
	}
	view := m.View(80, 24)
	checkFrame(t, view, 80, 24)
	if !strings.Contains(view, "只读") {
		t.Fatalf("read-only not said:\n%s", view)
	}
	view = m.View(40, 20) // the refusal wraps on a phone instead of being cut
	checkFrame(t, view, 40, 20)
	if !strings.Contains(view, "中心权限") {
		t.Fatalf("the refusal is cut at 40 columns:\n%s", view)
	}
	// Their own tab is theirs.
	press(m.Update, "left", "a", "enter", "我的", "enter", "我自己的常用语", "enter", "enter")
	mine, _ := f.agent.CannedReplies(0)
	if len(mine) != 1 || mine[0].Title != "我的" {
		t.Fatalf("agent's own reply: %+v", mine)
	}
}

// TestViewsFitAnySize: every view is exactly h lines of at most w cells, however small.
func TestViewsFitAnySize(t *testing.T) {
	f := newFixture(t)
	p := NewPicker(f.ctx(f.admin, i18n.ZH))
	pump(p.Update, p.Open())
	m := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(m.Update, m.Init())
	form := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(form.Update, form.Init())
	press(form.Update, "a")
	imp := NewManager(f.ctx(f.admin, i18n.ZH))
	pump(imp.Update, imp.Init())
	press(imp.Update, "i")
	paste(imp, "分组,标题,内容,快捷键\n售前,试用,可以免费试用 15 天，"+strings.Repeat("很长的内容", 30)+",trial\n售前,坏,,\n,,,坏快捷键\n")
	for w := 1; w <= 130; w += 7 {
		for h := 1; h <= 30; h += 3 {
			checkFrame(t, p.View(w, h), w, h)
			checkFrame(t, m.View(w, h), w, h)
			checkFrame(t, form.View(w, h), w, h)
			checkFrame(t, imp.View(w, h), w, h)
		}
	}
}

// TestPastedCSV: what a paste puts in the import form: escape sequences gone, and cells copied
// from Excel (tab-separated) turned into CSV, quoting what needs it.
func TestPastedCSV(t *testing.T) {
	for in, want := range map[string]string{
		"分组,内容\r\n售前,\x1b]0;PWNED\x07您好\x1b[31m！\r\n":       "分组,内容\n售前,您好！\n",
		"分组\t标题\t内容\n售前\t价格\t企业版每年 3980 元，含 10 个座席,旗舰版另议\n": "分组,标题,内容\n售前,价格,\"企业版每年 3980 元，含 10 个座席,旗舰版另议\"\n",
		"内容\t快捷键\n\"第一行\n第二行\"\thi\n":                       "内容,快捷键\n\"第一行\n第二行\",hi\n",
		"group,text\nA\tB,x\n": "group,text\nA B,x\n",
	} {
		if got := pastedCSV(in); got != want {
			t.Errorf("pastedCSV(%q) = %q, want %q", in, got, want)
		}
	}
}
