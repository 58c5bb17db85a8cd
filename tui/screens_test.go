package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/server/i18n"
)

// TestCannedReplyByShortcutAndPicker: "/price" then Tab (or Enter) puts the reply into the
// input to edit; Ctrl+R opens the picker and choosing one does the same.
func TestCannedReplyByShortcutAndPicker(t *testing.T) {
	f := newFixture(t)
	if _, err := f.as.CreateCanned(1, true, desk.CannedInput{Group: "报价", Title: "企业版价格", Text: "企业版每年 3980 元，含 10 个座席。", Shortcut: "price"}); err != nil {
		t.Fatal(err)
	}
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "canned-visitor-0001", Page: desk.Page{URL: "http://x/"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	if _, err := f.as.OpenChat(vs.ID); err != nil {
		t.Fatal(err)
	}
	m := f.model(110, 32, i18n.ZH)
	d := &driver{t: t, m: m}
	d.run(m.Init(), 0)
	m.page = pageChats
	d.typeText("/price")
	d.keys(keyTab)
	if got := m.chats.input.Value(); got != "企业版每年 3980 元，含 10 个座席。" {
		t.Fatalf("tab expansion gave %q", got)
	}
	if m.page != pageChats {
		t.Fatal("tab switched the page instead of expanding")
	}
	m.chats.input.Reset()
	d.keys(tea.KeyMsg{Type: tea.KeyCtrlR})
	if !m.picker.IsOpen() || !strings.Contains(m.View(), "企业版价格") {
		t.Fatalf("picker not shown:\n%s", m.View())
	}
	d.keys(keyEnter)
	if got := m.chats.input.Value(); got != "企业版每年 3980 元，含 10 个座席。" {
		t.Fatalf("picker gave %q", got)
	}
}

// TestBlockFromTheMonitor: b on a visitor opens the block dialog; confirming blocks them and
// they leave the monitor.
func TestBlockFromTheMonitor(t *testing.T) {
	f := newFixture(t)
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "blocked-visitor-001", Page: desk.Page{URL: "http://x/", Title: "首页"}, IP: "203.0.113.7"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	m := f.model(100, 30, i18n.ZH)
	d := &driver{t: t, m: m}
	d.keys(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b")})
	if m.blockDlg == nil {
		t.Fatal("no block dialog")
	}
	for i := 0; i < 8 && m.blockDlg != nil; i++ { // accept the defaults through to confirm
		d.keys(keyEnter)
	}
	if m.blockDlg != nil {
		t.Fatalf("dialog still open:\n%s", m.View())
	}
	blocks, err := f.as.Blocks(1, true)
	if err != nil || len(blocks) != 1 || blocks[0].VisitorID != vs.ID {
		t.Fatalf("blocks = %+v, %v", blocks, err)
	}
	if f.hub.Visitor(vs.ID) != nil {
		t.Fatal("the blocked visitor is still online")
	}
}
