package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

// chatScene puts n visitors on the site, each in a chat: the first mine of them ours, the
// rest requests nobody has taken yet, created a minute apart (the last is the newest).
func (f *fixture) chatScene(n, mine int) {
	me := f.as.AgentID
	regions := []string{"广东省广州市", "北京市", "上海市", "浙江省杭州市"}
	for i := 1; i <= n; i++ {
		f.hub.VisitorJoin(&hub.VisitorView{ID: uint64(i), SiteID: 1, Kind: hub.KindReturning, Channel: "pc", Visits: 2, Chats: 1,
			IP: "113.99.15.142", Region: regions[i%len(regions)], Source: "百度(在线客服系统)", PageTitle: "在线客服系统 产品介绍",
			VisitStart: fixedNow.Add(-time.Hour), LastActive: fixedNow, State: hub.StateChatting, Online: true})
		c := &hub.ConvView{ID: uint64(i), SiteID: 1, VisitorID: uint64(i), State: store.ConvWaiting, Created: fixedNow.Add(time.Duration(i) * time.Minute)}
		if i <= mine {
			c.AgentID, c.Agents, c.State, c.Accepted = me, []uint64{me}, store.ConvOpen, fixedNow
		}
		f.hub.PutConv(c)
	}
}

// keyOf is the key message of a key as Bubble Tea names it ("ctrl+n", "pgup", "f3"…); a
// single character, or a name Bubble Tea does not know, is typed.
func keyOf(s string) tea.KeyMsg {
	if utf8.RuneCountInString(s) > 1 {
		for t := tea.KeyType(-128); t < 128; t++ {
			if k := (tea.Key{Type: t}); k.String() == s {
				return tea.KeyMsg(k)
			}
		}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyOf(k))
	}
}

func typeInto(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// lastLine is the bottom line of a view.
func lastLine(view string) string {
	lines := strings.Split(view, "\n")
	return lines[len(lines)-1]
}

// TestDraftsStayWithTheirChat: what the agent types for one visitor stays with that visitor
// when they switch chats, and comes back when they return; an accepted invitation pops up
// instead of switching the chat under their fingers.
func TestDraftsStayWithTheirChat(t *testing.T) {
	f := newFixture(t)
	f.chatScene(3, 3)
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	m.chats.activate(1)
	typeInto(m, "您好，企业版的报价")
	press(m, "ctrl+p") // to chat 3
	if m.chats.active == 1 {
		t.Fatal("ctrl+p did not switch")
	}
	if got := m.chats.input.Value(); got != "" {
		t.Fatalf("the draft for 访客1 moved to chat %d: %q", m.chats.active, got)
	}
	typeInto(m, "稍等")
	other := m.chats.active
	m.chats.activate(1)
	if got := m.chats.input.Value(); got != "您好，企业版的报价" {
		t.Fatalf("back in chat 1 the input is %q", got)
	}
	if !strings.Contains(m.View(), "您好，企业版的报价") {
		t.Fatalf("the draft is not on screen:\n%s", m.View())
	}
	m.chats.activate(other)
	if got := m.chats.input.Value(); got != "稍等" {
		t.Fatalf("chat %d's draft is %q", other, got)
	}

	// An invitation accepted meanwhile: the chat joins the list, a popup tells, the agent
	// stays where they type.
	f.hub.VisitorJoin(&hub.VisitorView{ID: 40, SiteID: 1, Region: "江苏省苏州市", VisitStart: fixedNow, LastActive: fixedNow, Online: true})
	conv := &hub.ConvView{ID: 40, SiteID: 1, VisitorID: 40, AgentID: m.me, Agents: []uint64{m.me}, State: store.ConvOpen, Created: fixedNow}
	m.Update(eventsMsg{hub.ConvChanged{C: conv}, hub.Notice{Kind: "invite_accepted", ConvID: 40, VisitorID: 40}})
	if m.chats.active != other || m.chats.input.Value() != "稍等" {
		t.Fatalf("the accepted invitation switched to chat %d, input %q", m.chats.active, m.chats.input.Value())
	}
	if view := m.View(); !strings.Contains(view, "访客40 接受了邀请") || !strings.Contains(view, "Ctrl+O") {
		t.Fatalf("no popup for the accepted invitation:\n%s", view)
	}
	press(m, "ctrl+o")
	if m.chats.active != 40 || m.chats.input.Value() != "" {
		t.Fatalf("ctrl+o opened chat %d with input %q", m.chats.active, m.chats.input.Value())
	}
	m.chats.activate(other)
	if m.chats.input.Value() != "稍等" {
		t.Fatalf("after ctrl+o and back the draft is %q", m.chats.input.Value())
	}
}

// TestChatListScrollsToTheActiveChat: 30 chats at 80×24 do not fit; wherever ctrl+n goes the
// active chat is on screen, and the list says how many more are above and below.
func TestChatListScrollsToTheActiveChat(t *testing.T) {
	f := newFixture(t)
	f.chatScene(30, 30)
	for _, sz := range []struct{ w, h int }{{80, 24}, {40, 20}} {
		m := f.model(sz.w, sz.h, i18n.ZH)
		m.page = pageChats
		m.chats.listMode = true
		for i := 0; i < 30; i++ {
			if sz.w < narrowWidth {
				press(m, "down")
			} else {
				press(m, "ctrl+n")
			}
			view := m.View()
			checkFrame(t, view, sz.w, sz.h)
			name := fmt.Sprintf("访客%d ", m.chats.active)
			if !strings.Contains(view, name) {
				t.Fatalf("%dx%d: active chat %d is off screen:\n%s", sz.w, sz.h, m.chats.active, view)
			}
		}
		m.chats.activate(30)
		m.View()
		m.chats.activate(5)
		m.chats.listMode = true
		view := m.View()
		if !strings.Contains(view, "↑ 还有") || !strings.Contains(view, "↓ 还有") {
			t.Fatalf("%dx%d: no hint of more chats above and below:\n%s", sz.w, sz.h, view)
		}
	}
}

// TestSystemLinesWrap: a long transfer note is read in full at 80 and 40 columns.
func TestSystemLinesWrap(t *testing.T) {
	f := newFixture(t)
	f.chatScene(1, 1)
	note := "客户要企业版报价，已发送产品资料和案例，请重点介绍私有化部署与数据安全方案，明天下午三点前回电"
	msgs := []store.Message{
		{ConvID: 1, Seq: 1, From: store.FromVisitor, Text: "你好", At: fixedNow},
		{ConvID: 1, Seq: 2, From: store.FromSystem, Event: desk.EventTransferNote, Name: "小娟", Text: note, At: fixedNow, Internal: true},
	}
	for _, w := range []int{80, 40} {
		m := f.model(w, 24, i18n.ZH)
		m.page = pageChats
		m.chats.update(transcriptMsg{conv: 1, msgs: msgs})
		view := m.View()
		checkFrame(t, view, w, 24)
		joined := ""
		for _, l := range strings.Split(view, "\n") {
			if i := strings.Index(l, "│"); i >= 0 && w >= narrowWidth {
				l = l[i+len("│"):]
			}
			joined += strings.ReplaceAll(l, " ", "")
		}
		if !strings.Contains(joined, "小娟的转接备注："+note) {
			t.Fatalf("at %d columns the note is not whole:\n%s", w, view)
		}
	}
}

// TestPageUpInAShortChat: paging up a chat shorter than the screen keeps it in place (it
// used to scroll above the first line and crash the frame).
func TestPageUpInAShortChat(t *testing.T) {
	f := newFixture(t)
	f.chatScene(1, 1)
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	m.chats.update(transcriptMsg{conv: 1, msgs: []store.Message{{ConvID: 1, Seq: 1, From: store.FromVisitor, Text: "你好，在吗", At: fixedNow}}})
	press(m, "pgup", "pgup")
	view := m.View()
	checkFrame(t, view, 100, 30)
	if !strings.Contains(view, "你好，在吗") || m.chats.ts[1].scroll != 0 {
		t.Fatalf("scroll %d after pgup in a short chat:\n%s", m.chats.ts[1].scroll, view)
	}
}

// TestInputHintFollowsTheChat: the empty input's hint, kept between frames, is the request's
// on a request and the usual one on the agent's own chat, goes while something is typed and
// comes back when it is deleted, and follows the width.
func TestInputHintFollowsTheChat(t *testing.T) {
	f := newFixture(t)
	f.chatScene(2, 1) // 1 is ours, 2 a request
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	start := func(key string) string { return string([]rune(m.lang.T(key))[:6]) }
	own, take := start("chat.input_hint"), start("chat.take_hint")
	if v := m.View(); !strings.Contains(v, own) || strings.Contains(v, take) {
		t.Fatalf("own chat without its hint:\n%s", v)
	}
	m.chats.activate(2)
	if v := m.View(); !strings.Contains(v, take) {
		t.Fatalf("request without the take hint:\n%s", v)
	}
	typeInto(m, "好")
	if v := m.View(); strings.Contains(v, take) || !strings.Contains(v, "> 好") {
		t.Fatalf("the hint stayed under what is typed:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyBackspace})
	if v := m.View(); !strings.Contains(v, take) {
		t.Fatalf("the hint did not come back:\n%s", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 70, Height: 30})
	checkFrame(t, m.View(), 70, 30)
}

// TestUnreadIsCountedOnce: a visitor's message counts and alerts once, whether the
// transcript holding it or its event arrives first; the tab counts a request with a message
// as one thing to do.
func TestUnreadIsCountedOnce(t *testing.T) {
	f := newFixture(t)
	f.chatScene(1, 1)
	m := f.model(100, 30, i18n.ZH) // on the monitor: nothing is read
	first := store.Message{ConvID: 2, Seq: 1, From: store.FromVisitor, Text: "请问有人吗", At: fixedNow}

	// A new request whose transcript (with its first message) lands before the message's
	// event.
	f.hub.VisitorJoin(&hub.VisitorView{ID: 2, SiteID: 1, Region: "北京市", VisitStart: fixedNow, LastActive: fixedNow, Online: true})
	m.Update(eventsMsg{hub.ConvChanged{C: &hub.ConvView{ID: 2, SiteID: 1, VisitorID: 2, State: store.ConvWaiting, Created: fixedNow}}})
	m.chats.update(transcriptMsg{conv: 2, msgs: []store.Message{first}})
	toasts := len(m.toasts)
	m.Update(eventsMsg{hub.MessageAdded{M: first, SiteID: 1}})
	if got := m.chats.ts[2].unread; got != 1 {
		t.Fatalf("unread = %d after the first message, want 1", got)
	}
	if len(m.toasts) != toasts+1 || !strings.Contains(m.toasts[len(m.toasts)-1].text(), "请问有人吗") {
		t.Fatalf("no message popup: %+v", m.toasts)
	}
	m.Update(eventsMsg{hub.MessageAdded{M: first, SiteID: 1}}) // seen again (a resync)
	if got := m.chats.ts[2].unread; got != 1 {
		t.Fatalf("unread = %d after the same message twice", got)
	}
	// The tab: one request with one message is one thing.
	if bar := strings.Split(m.View(), "\n")[0]; !strings.Contains(bar, "对话(2) ●1") {
		t.Fatalf("top bar %q, want 对话(2) ●1", bar)
	}
	// In my own chat: messages arriving in order count one each.
	for seq := uint64(1); seq <= 3; seq++ {
		m.Update(eventsMsg{hub.MessageAdded{M: store.Message{ConvID: 1, Seq: seq, From: store.FromVisitor, Text: fmt.Sprintf("第%d条", seq), At: fixedNow}}})
	}
	if got := m.chats.ts[1].unread; got != 3 {
		t.Fatalf("unread in chat 1 = %d, want 3", got)
	}
	if bar := strings.Split(m.View(), "\n")[0]; !strings.Contains(bar, "●4") {
		t.Fatalf("top bar %q, want ●4", bar)
	}
	// Reading the chat clears it; a message while reading does not count.
	m.page = pageChats
	m.chats.activate(1)
	m.chats.markRead()
	m.Update(eventsMsg{hub.MessageAdded{M: store.Message{ConvID: 1, Seq: 4, From: store.FromVisitor, Text: "好的", At: fixedNow}}})
	if got := m.chats.ts[1].unread; got != 0 {
		t.Fatalf("unread while reading = %d", got)
	}
}

// TestNewestRequestStandsOut: of the requests waiting, the newest one reads 新请求.
func TestNewestRequestStandsOut(t *testing.T) {
	f := newFixture(t)
	f.chatScene(4, 1) // 1 mine, 2–4 requests; 4 is the newest
	m := f.model(80, 24, i18n.ZH)
	m.page = pageChats
	view := m.View()
	lines := strings.Split(view, "\n")
	find := func(name string) string {
		for _, l := range lines {
			if strings.Contains(l, name) {
				return l[:strings.Index(l, "│")]
			}
		}
		t.Fatalf("%s not listed:\n%s", name, view)
		return ""
	}
	if l := find("访客4 "); !strings.Contains(l, "新请求") {
		t.Errorf("the newest request is not highlighted: %q", l)
	}
	for _, name := range []string{"访客2 ", "访客3 "} {
		if l := find(name); strings.Contains(l, "新请求") || !strings.Contains(l, "请求") {
			t.Errorf("an older request reads %q", l)
		}
	}
}

// TestNarrowListMovesRowByRow: at 40 columns the arrows go to the next row, ctrl+n to the
// next chat that needs the agent; the bottom line names the list's keys.
func TestNarrowListMovesRowByRow(t *testing.T) {
	f := newFixture(t)
	f.chatScene(4, 3) // 1–3 mine, nothing unread; 4 a request
	m := f.model(40, 20, i18n.ZH)
	m.page = pageChats
	m.chats.activate(1)
	press(m, "esc") // the list
	if !m.chats.listMode {
		t.Fatal("esc did not show the list")
	}
	press(m, "down")
	if m.chats.active != 2 || !m.chats.listMode {
		t.Fatalf("↓ went to chat %d (list mode %v), want 2", m.chats.active, m.chats.listMode)
	}
	press(m, "up", "up")
	if m.chats.active != 1 {
		t.Fatalf("↑ at the top went to %d", m.chats.active)
	}
	bottom := lastLine(m.View())
	if strings.Contains(bottom, "发送") || !strings.Contains(bottom, "打开对话") || !strings.Contains(bottom, "f1 帮助") {
		t.Fatalf("list-mode bottom line: %q", bottom)
	}
	press(m, "ctrl+n")
	if m.chats.active != 4 {
		t.Fatalf("ctrl+n went to %d, want the request 4", m.chats.active)
	}
}

// TestTopBarAtPhoneWidth: at 40 columns the chats tab keeps its count and badge, a space
// parts the badge from the next tab, and the agent's status dot stays at the end.
func TestTopBarAtPhoneWidth(t *testing.T) {
	f := newFixture(t)
	f.chatScene(3, 1)
	m := f.model(40, 20, i18n.ZH)
	bar := strings.Split(m.View(), "\n")[0]
	if !strings.Contains(bar, "对话(3)●2 ") {
		t.Errorf("chats tab at 40 columns: %q", bar)
	}
	if !strings.HasSuffix(strings.TrimRight(bar, " "), "●") && !strings.HasSuffix(strings.TrimRight(bar, " "), "●在线") {
		t.Errorf("no status dot at the end: %q", bar)
	}
	checkFrame(t, m.View(), 40, 20)
}

// TestBottomLineAndHelp: the bottom line offers f1 帮助 at 80 and 40 columns; the help
// scrolls, keeps each group in one column, lists the keys of every screen (the picker's
// numbers included), and fits the screen.
func TestBottomLineAndHelp(t *testing.T) {
	f := newFixture(t)
	f.chatScene(2, 1)
	for _, sz := range []struct{ w, h int }{{120, 40}, {80, 24}, {40, 20}} {
		for _, p := range []page{pageMonitor, pageChats} {
			m := f.model(sz.w, sz.h, i18n.ZH)
			m.page = p
			if bottom := lastLine(m.View()); !strings.Contains(bottom, "f1 帮助") {
				t.Errorf("%dx%d page %d: bottom line %q lacks f1 帮助", sz.w, sz.h, p, bottom)
			}
		}
		m := f.model(sz.w, sz.h, i18n.ZH)
		m.page = pageChats
		press(m, "f1")
		if !m.showHelp {
			t.Fatal("f1 did not open the help")
		}
		seen := ""
		for i := 0; i < 200; i++ {
			view := m.View()
			checkFrame(t, view, sz.w, sz.h)
			seen += view
			before := m.helpScroll
			press(m, "down")
			m.View()
			if m.helpScroll == before {
				break
			}
		}
		for _, want := range []string{"全局", "访客监控", "对话", "对话列表（窄屏）", "常用语（Ctrl+R 打开）", "输入编号直接选择", "常用文件",
			"转接（Ctrl+F）", "访客名片表单", "访客详情", "提醒设置（F3）", "留言", "标记已处理", "屏蔽列表", "解除屏蔽",
			"屏蔽访客", "常用语管理", "管理后台", "下一个待处理对话", "alt+enter"} {
			if !strings.Contains(seen, want) {
				t.Errorf("%dx%d: the help never shows %q", sz.w, sz.h, want)
			}
		}
		press(m, "esc")
		if m.showHelp {
			t.Error("esc did not close the help")
		}
	}
	// At 80 columns (two columns) every group's title has its first key right under it, in
	// the same column: no group is split.
	m := f.model(80, 24, i18n.ZH)
	m.showHelp = true
	rows := strings.Split(cellsStrip(m.helpView(80, 400)), "\n")
	for _, g := range m.helpGroups() {
		found := false
		for i, l := range rows {
			col := displayIndex(l, g.title)
			if col < 0 || (col != 0 && col != 40) {
				continue
			}
			found = true
			if i+1 >= len(rows) || strings.TrimSpace(displaySlice(rows[i+1], col, col+40)) == "" {
				t.Errorf("group %q has no key under its title in its column", g.title)
			}
		}
		if !found {
			t.Errorf("group %q does not start a column cell:\n%s", g.title, strings.Join(rows, "\n"))
		}
	}
}

func cellsStrip(s string) string { return ansi.Strip(s) }

// displayIndex is the cell at which sub starts in s, or -1.
func displayIndex(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(s[:i])
}

// displaySlice is the text of s between two cells.
func displaySlice(s string, from, to int) string {
	out, at := "", 0
	for _, r := range s {
		w := ansi.StringWidth(string(r))
		if at >= from && at+w <= to {
			out += string(r)
		}
		at += w
	}
	return out
}

// TestOverlaysShowTheirOwnKeys: the card form, the transfer dialog, the detail and the
// notification settings name their own keys in the bottom line; forms help in Chinese.
func TestOverlaysShowTheirOwnKeys(t *testing.T) {
	f := newFixture(t)
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "overlay-visitor-001", Page: desk.Page{URL: "http://x/", Title: "首页"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	if _, err := f.as.OpenChat(vs.ID); err != nil {
		t.Fatal(err)
	}
	m := f.model(80, 24, i18n.ZH)
	d := &driver{t: t, m: m}
	d.run(m.Init(), 0)
	m.page = pageChats

	d.keys(keyOf("ctrl+g"))
	if m.card == nil || m.card.form == nil {
		t.Fatal("no card form")
	}
	view := m.View()
	if b := lastLine(view); !strings.Contains(b, "下一项") || !strings.Contains(b, "esc 取消") || strings.Contains(b, "ctrl+n") {
		t.Errorf("card form bottom line: %q", b)
	}
	for _, english := range []string{"enter next", "shift+tab back", "new line", "submit"} {
		if strings.Contains(view, english) {
			t.Errorf("the card form helps in English (%q):\n%s", english, view)
		}
	}
	// Down to the notes: the text field's help is Chinese too.
	for i := 0; i < 6; i++ {
		d.keys(keyEnter)
	}
	if view := m.View(); !strings.Contains(view, "换行") || strings.Contains(view, "alt+enter / ctrl+j") {
		t.Errorf("notes field help:\n%s", view)
	}
	d.keys(keyEsc)
	if m.card != nil {
		t.Fatal("esc did not close the card")
	}

	d.keys(keyOf("ctrl+f"))
	if b := lastLine(m.View()); m.transfer == nil || !strings.Contains(b, "选择") || !strings.Contains(b, "esc 取消") || strings.Contains(b, "ctrl+n") {
		t.Errorf("transfer bottom line: %q", b)
	}
	d.keys(keyEsc)

	d.keys(keyOf("ctrl+t")) // 80 columns: full screen
	if m.detail == nil {
		t.Fatal("ctrl+t did not open the detail at 80 columns")
	}
	if b := lastLine(m.View()); !strings.Contains(b, "滚动") || !strings.Contains(b, "esc 返回") || strings.Contains(b, "ctrl+n") {
		t.Errorf("detail bottom line: %q", b)
	}
	d.keys(keyEsc)

	d.keys(keyOf("f3"))
	if b := lastLine(m.View()); m.settings == nil || !strings.Contains(b, "切换") || !strings.Contains(b, "esc 取消") || strings.Contains(b, "ctrl+n") {
		t.Errorf("settings bottom line: %q", b)
	}
}

// TestTrailBesideTheChat: from 120 columns the visitor's facts and trail sit beside the chat
// and ctrl+t hides them; below, ctrl+t opens them full screen.
func TestTrailBesideTheChat(t *testing.T) {
	f := newFixture(t)
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "trail-visitor-0001", Page: desk.Page{URL: "http://x/", Title: "云帆软件 首页"}, IP: "14.150.38.2"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	if err := vs.PageView(desk.Page{URL: "http://x/pricing", Title: "价格方案"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.as.OpenChat(vs.ID); err != nil {
		t.Fatal(err)
	}
	m := f.model(120, 40, i18n.ZH)
	d := &driver{t: t, m: m}
	d.run(m.Init(), 0)
	m.page = pageChats
	view := m.View()
	checkFrame(t, view, 120, 40)
	if !strings.Contains(view, "访客轨迹") || !strings.Contains(view, "价格方案") {
		t.Fatalf("no trail beside the chat at 120 columns:\n%s", view)
	}
	d.keys(keyOf("ctrl+t"))
	if m.detail != nil || strings.Contains(m.View(), "访客轨迹") {
		t.Fatalf("ctrl+t should hide the panel at 120 columns:\n%s", m.View())
	}
	d.keys(keyOf("ctrl+t"))
	if !strings.Contains(m.View(), "访客轨迹") {
		t.Fatal("ctrl+t did not bring the panel back")
	}
	m.width = 100
	if strings.Contains(m.View(), "访客轨迹") {
		t.Fatalf("panel beside the chat at 100 columns:\n%s", m.View())
	}
	d.keys(keyOf("ctrl+t"))
	if m.detail == nil {
		t.Fatal("ctrl+t at 100 columns did not open the detail")
	}
}

// TestHeaderKeepsFactsWhenTheVisitorLeaves: region and source stay in the chat header after
// the visitor goes offline.
func TestHeaderKeepsFactsWhenTheVisitorLeaves(t *testing.T) {
	f := newFixture(t)
	f.chatScene(1, 1)
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	before := m.View()
	if !strings.Contains(before, "北京市") || !strings.Contains(before, "百度(在线客服系统)") {
		t.Fatalf("header before:\n%s", before)
	}
	m.Update(eventsMsg{hub.VisitorLeft{ID: 1}})
	after := m.View()
	for _, want := range []string{"北京市", "百度(在线客服系统)", "访客已离开网站", "113.99.15.142"} {
		if !strings.Contains(after, want) {
			t.Errorf("after the visitor left the header lacks %q:\n%s", want, after)
		}
	}
}

// TestVisitHeaderShowsWhenTheVisitBegan: the detail heads each visit with its first page's
// time, not its latest.
func TestVisitHeaderShowsWhenTheVisitBegan(t *testing.T) {
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	v := &hub.VisitorView{ID: 9, SiteID: 1, Visits: 2, Region: "北京市"}
	d := &desk.VisitorDetail{View: v, Trail: []store.PageView{
		{Visit: 1, At: time.Date(2026, 11, 20, 9, 5, 0, 0, time.Local), Title: "首页"},
		{Visit: 2, At: time.Date(2026, 11, 24, 14, 2, 0, 0, time.Local), Title: "首页"},
		{Visit: 2, At: time.Date(2026, 11, 24, 14, 30, 0, 0, time.Local), Title: "价格方案"},
	}}
	text := strings.Join(m.visitorLines(d, 9, 100), "\n")
	if !strings.Contains(text, "第 2 次访问 · 2026-11-24 14:02") || strings.Contains(text, "14:30\n") {
		t.Errorf("visit 2 header:\n%s", text)
	}
	if !strings.Contains(text, "第 1 次访问 · 2026-11-20 09:05") {
		t.Errorf("visit 1 header:\n%s", text)
	}
	if strings.Index(text, "第 2 次访问") > strings.Index(text, "第 1 次访问") {
		t.Errorf("newest visit not first:\n%s", text)
	}
}

// TestBlockedChatEndsAndLeavesColleagues: the end of a blocked visitor's chat reads as such;
// a request nobody here took leaves the list when it ends.
func TestBlockedChatEndsAndLeavesColleagues(t *testing.T) {
	f := newFixture(t)
	f.chatScene(2, 1) // 1 mine, 2 a request
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		m := f.model(100, 30, lang)
		m.page = pageChats
		end := store.Message{ConvID: 1, Seq: 1, From: store.FromSystem, Event: desk.EventEnded, Text: "blocked", AgentID: m.me, Name: "管理员", At: fixedNow}
		m.chats.update(transcriptMsg{conv: 1, msgs: []store.Message{end}})
		want := map[i18n.Lang]string{i18n.ZH: "— 访客已被屏蔽，对话结束 —", i18n.EN: "— the visitor was blocked; the chat ended —"}[lang]
		if view := m.View(); !strings.Contains(view, want) {
			t.Errorf("%s: no %q:\n%s", lang, want, view)
		}
	}
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	m.Update(eventsMsg{hub.ConvChanged{C: &hub.ConvView{ID: 2, SiteID: 1, VisitorID: 2, State: store.ConvEnded, EndedBy: "blocked"}}})
	if m.chats.ts[2] != nil || strings.Contains(m.View(), "访客2 ") {
		t.Fatalf("the ended request stays in the list:\n%s", m.View())
	}
	m.Update(eventsMsg{hub.ConvChanged{C: &hub.ConvView{ID: 1, SiteID: 1, VisitorID: 1, AgentID: m.me, Agents: []uint64{m.me}, State: store.ConvEnded, EndedBy: "blocked"}}})
	if t1 := m.chats.ts[1]; t1 == nil || !t1.ended {
		t.Fatal("my own ended chat should stay, marked ended")
	}
}

// TestEmptyInputHoldsNoEditor: a workbench waiting with nothing typed keeps no textarea (one
// reserves 240 KB); typing makes one, switching to a chat without a draft lets it go, and the
// hint of the empty input is drawn all the same.
func TestEmptyInputHoldsNoEditor(t *testing.T) {
	f := newFixture(t)
	f.chatScene(2, 2)
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	m.chats.activate(1)
	if m.chats.input.ta != nil {
		t.Fatal("an empty input holds a textarea")
	}
	hint := []rune(m.lang.T("chat.input_hint"))
	if !strings.Contains(m.View(), string(hint[:4])) {
		t.Fatalf("the empty input's hint is not drawn:\n%s", m.View())
	}
	typeInto(m, "你好")
	if m.chats.input.ta == nil || m.chats.input.Value() != "你好" {
		t.Fatalf("typing made no textarea: %q", m.chats.input.Value())
	}
	press(m, "ctrl+p") // the draft stays with chat 1
	if m.chats.input.ta != nil {
		t.Fatal("a chat without a draft holds the textarea of the last one")
	}
	m.chats.activate(1)
	if m.chats.input.Value() != "你好" {
		t.Fatalf("the draft came back as %q", m.chats.input.Value())
	}
}

// TestChatsKnowTheirVisitors: a visitor with two chats in the list is theirs until both
// are gone (their changes redraw the page, their last view is kept when they leave).
func TestChatsKnowTheirVisitors(t *testing.T) {
	f := newFixture(t)
	m := f.model(100, 30, i18n.ZH)
	for _, id := range []uint64{5, 6} {
		m.Update(eventsMsg{hub.ConvChanged{C: &hub.ConvView{ID: id, SiteID: 1, VisitorID: 9, State: store.ConvWaiting, Created: fixedNow}}})
	}
	if !m.chats.hasVisitor(9) || m.chats.hasVisitor(8) {
		t.Fatal("the list does not know whose chats it holds")
	}
	m.chats.remove(5)
	if !m.chats.hasVisitor(9) {
		t.Fatal("the visitor was forgotten while a chat of theirs is still listed")
	}
	m.chats.remove(6)
	if m.chats.hasVisitor(9) || len(m.chats.visitors) != 0 {
		t.Fatalf("the visitor is still known with no chat listed: %v", m.chats.visitors)
	}
}

// TestListLineFollowsTheVisitor: the list keeps a visitor's view between frames, and shows
// the new one once a change about them arrives.
func TestListLineFollowsTheVisitor(t *testing.T) {
	f := newFixture(t)
	f.chatScene(2, 2)
	m := f.model(100, 30, i18n.ZH)
	m.page = pageChats
	if view := m.View(); !strings.Contains(view, "上海市") {
		t.Fatalf("visitor 2's region is not in the list:\n%s", view)
	}
	m.Update(eventsMsg{hub.VisitorChanged{V: &hub.VisitorView{ID: 2, SiteID: 1, Name: "王小明", Region: "江苏省南京市",
		VisitStart: fixedNow, LastActive: fixedNow, State: hub.StateChatting, Online: true}}})
	view := m.View()
	if !strings.Contains(view, "王小明 江苏省南京市") || strings.Contains(view, "上海市") {
		t.Fatalf("the list still shows the visitor as they were:\n%s", view)
	}
}
