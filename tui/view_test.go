package tui

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/sshd"
	"kefu/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedNow is the clock of every golden view.
var fixedNow = time.Date(2026, 11, 24, 15, 21, 5, 0, time.FixedZone("CST", 8*3600))

func init() { time.Local = fixedNow.Location() }

// fixture is a workbench session on a real desk with a fixed, Chinese-heavy scene.
type fixture struct {
	t    *testing.T
	db   *store.DB
	hub  *hub.Hub
	desk *desk.Desk
	as   *desk.AgentSession
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := hub.New(nil)
	d, err := desk.New(db, h, desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Bootstrap("pw-123456"); err != nil {
		t.Fatal(err)
	}
	var adminID uint64
	db.View(func(tx *store.Tx) error { a, err := tx.AgentByLogin("admin"); adminID = a.ID; return err })
	as, _, err := d.StartAgentSession(adminID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(as.Close)
	return &fixture{t: t, db: db, hub: h, desk: d, as: as}
}

// scene puts visitors on the monitor: wide characters, long names, hostile titles.
func (f *fixture) scene() {
	visitors := []hub.VisitorView{
		{ID: 350901960, Kind: hub.KindNew, Channel: "pc", Visits: 1, IP: "113.99.15.142", Region: "广东省", RegionEN: "Guangdong",
			Source: "直接输入", PageTitle: "手机网站在线客服 在线客服系统", State: hub.StateInvited, AgentName: "小杨"},
		{ID: 350901354, Kind: hub.KindReturning, Channel: "mobile", Visits: 3, IP: "14.150.38.2", Region: "广东省广州市", RegionEN: "Guangdong Guangzhou",
			Source: "百度(商务通)", Keyword: "商务通", PageTitle: "在线客服 在线客服系统 网站在线客服", State: hub.StateChatting, AgentName: "小娟"},
		{ID: 3, Name: "brief2", Kind: hub.KindIntent, Channel: "wechat", Visits: 2, Source: "直接输入", PageTitle: "微信公众号咨询", State: hub.StateChatting, AgentName: "小容"},
		{ID: 4, Name: "CC540862(超长的访客名片姓名)", Kind: hub.KindMember, Channel: "pc", Visits: 64, IP: "14.223.191.7", Region: "广东省佛山市",
			Source: "百度(CC客服)", PageTitle: "\x1b]0;PWNED\x07\x1b[2J<script>alert(1)</script>价格", State: hub.StateWaiting},
		{ID: 5, Kind: hub.KindNew, Channel: "pc", Visits: 1, IP: "124.127.244.29", Region: "北京市", Source: "kf.qycn.com",
			PageURL: "https://kf.qycn.com/pricing?utm_source=baidu", State: hub.StateBrowsing},
	}
	for i := range visitors {
		v := visitors[i]
		v.SiteID = 1
		v.VisitStart = fixedNow.Add(-time.Duration(i*7+1) * time.Minute)
		v.LastActive = fixedNow.Add(-time.Duration(i) * time.Minute)
		f.hub.VisitorJoin(&v)
	}
}

// model builds the workbench at w×h from the hub's state as a session would see it.
func (f *fixture) model(w, h int, lang i18n.Lang) *Model {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	r.SetHasDarkBackground(true)
	snap := hub.Snapshot{Visitors: f.hub.Visitors([]uint64{1}), Convs: f.hub.Convs([]uint64{1}), Agents: f.hub.Agents()}
	m := New(sshd.WorkbenchSession{Renderer: r, Agent: f.as, Snapshot: snap, Lang: lang, Width: w, Height: h}).(*Model)
	m.now, m.lastKey = fixedNow, fixedNow
	return m
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
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./tui -update rewrites it):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// checkFrame asserts every line fits the terminal and nothing hostile survived.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide (terminal %d): %q", i, lw, w, l)
		}
	}
	if strings.ContainsAny(view, "\x1b\x07") {
		t.Errorf("escape or bell in an Ascii view: %q", view)
	}
}

var sizes = []struct{ w, h int }{{120, 40}, {80, 24}, {40, 20}}

func TestMonitorGolden(t *testing.T) {
	f := newFixture(t)
	f.scene()
	for _, sz := range sizes {
		m := f.model(sz.w, sz.h, i18n.ZH)
		view := m.View()
		checkFrame(t, view, sz.w, sz.h)
		golden(t, fmt.Sprintf("monitor-%dx%d", sz.w, sz.h), view)
	}
	m := f.model(120, 40, i18n.EN)
	golden(t, "monitor-en-120x40", m.View())
}

func TestMonitorAlignsWideCharacters(t *testing.T) {
	f := newFixture(t)
	f.scene()
	m := f.model(120, 40, i18n.ZH)
	lines := strings.Split(m.View(), "\n")
	// The state column starts at the same cell on every row, whatever the widths before it.
	col := -1
	for _, l := range lines[3:8] {
		i := strings.LastIndex(l, " ")
		cell := ansi.StringWidth(strings.TrimRight(l, " "))
		_ = i
		if col == -1 {
			col = cell
		}
		if cell != col {
			t.Errorf("rows end at different cells (%d vs %d):\n%s", cell, col, strings.Join(lines[2:8], "\n"))
			break
		}
	}
}

func TestMonitorFilterAndSort(t *testing.T) {
	f := newFixture(t)
	f.scene()
	m := f.model(200, 40, i18n.ZH)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	for _, r := range "佛山" {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	view := m.View()
	if !strings.Contains(view, "广东省佛山市") || strings.Contains(view, "北京市") {
		t.Fatalf("filter 佛山:\n%s", view)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if view := m.View(); !strings.Contains(view, "北京市") {
		t.Fatalf("esc should clear the filter:\n%s", view)
	}
	// Sort by visits (s moves the sort column), then reverse.
	for i := 0; m.monitor.sortCol != "visits"; i++ {
		if i > 20 {
			t.Fatal("s never reaches the visits column")
		}
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
	}
	rows := m.monitor.visible()
	if rows[0].Visits > rows[len(rows)-1].Visits {
		t.Fatalf("visits not ascending: first %d last %d", rows[0].Visits, rows[len(rows)-1].Visits)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("S")})
	rows = m.monitor.visible()
	if rows[0].Visits != 64 {
		t.Fatalf("reversed sort: first row has %d visits", rows[0].Visits)
	}
}

func TestChatGolden(t *testing.T) {
	f := newFixture(t)
	// A real conversation through the desk, with hostile and huge messages.
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "golden-visitor-0001", Page: desk.Page{URL: "http://localhost/", Title: "云帆软件 首页"}, IP: "113.99.15.142",
		UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	conv, err := f.as.OpenChat(vs.ID)
	if err != nil {
		t.Fatal(err)
	}
	send := func(text string) {
		if _, err := vs.Send(fmt.Sprint(time.Now().UnixNano()), text); err != nil {
			t.Fatal(err)
		}
	}
	send("你好，我想咨询一下企业版的价格")
	f.as.Send(conv.ID, "a1", "您好！企业版每年 3980 元，含 10 个客服座席。")
	send(strings.Repeat("很长的消息", 400))
	send("\x1b]0;PWNED\x07\x1b[31m红色\x1b[0m<img src=x onerror=alert(1)>")
	var msgs []store.Message
	f.db.View(func(tx *store.Tx) error { msgs, _ = tx.Messages(conv.ID, 0, 0); return nil })
	// A 100 KB message (from an older version or another path into the store) must still draw
	// within bounds: it is cut to a readable number of lines.
	huge := strings.Repeat("\x1b[31m很长的恶意消息\x07", 5000)
	msgs = append(msgs[:len(msgs)-1], store.Message{ConvID: conv.ID, Seq: msgs[len(msgs)-1].Seq, From: store.FromVisitor, Text: huge},
		store.Message{ConvID: conv.ID, Seq: msgs[len(msgs)-1].Seq + 1, From: store.FromVisitor, Text: msgs[len(msgs)-1].Text})
	for i := range msgs {
		msgs[i].At = fixedNow.Add(time.Duration(i-len(msgs)) * time.Minute)
	}
	for _, sz := range sizes {
		m := f.model(sz.w, sz.h, i18n.ZH)
		m.page = pageChats
		m.chats.update(transcriptMsg{conv: conv.ID, msgs: msgs})
		view := m.View()
		checkFrame(t, view, sz.w, sz.h)
		if !strings.Contains(view, "<img src=x onerror=alert(1)>") && sz.w >= 60 {
			t.Errorf("hostile text should show literally at %dx%d:\n%s", sz.w, sz.h, view)
		}
		golden(t, fmt.Sprintf("chat-%dx%d", sz.w, sz.h), view)
	}
}

func TestVisitorDetailGolden(t *testing.T) {
	f := newFixture(t)
	ref := "https://www.baidu.com/s?ie=utf-8&wd=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D"
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "detail-visitor-0001", IP: "14.150.38.2",
		Page:      desk.Page{URL: "http://localhost/?utm_source=baidu", Title: "云帆软件 首页", Referrer: ref},
		UserAgent: "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	for _, p := range []desk.Page{{URL: "http://localhost/?p=pricing", Title: "价格方案"}, {URL: "http://localhost/?p=cases", Title: "\x1b[2J客户案例<b>"}} {
		if err := vs.PageView(p); err != nil {
			t.Fatal(err)
		}
	}
	d, err := f.as.Visitor(vs.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Trail {
		d.Trail[i].At = fixedNow.Add(time.Duration(i-len(d.Trail)) * time.Minute)
	}
	for _, sz := range sizes {
		m := f.model(sz.w, sz.h, i18n.ZH)
		m.openDetail(vs.ID)
		m.Update(detailLoadedMsg{visitorID: vs.ID, d: d})
		for id, v := range m.live.visitors { // a stable stay time for the golden file
			cp := *v
			cp.VisitStart = fixedNow.Add(-3 * time.Minute)
			m.live.visitors[id] = &cp
		}
		view := m.View()
		checkFrame(t, view, sz.w, sz.h)
		for _, want := range []string{"微信", "广东省广州市", "百度(在线客服)", "价格方案"} {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: detail lacks %q:\n%s", sz.w, sz.h, want, view)
			}
		}
		golden(t, fmt.Sprintf("detail-%dx%d", sz.w, sz.h), view)
	}
}

// Golden views look at every frame; the frame cap is tested on its own.
func init() { frameEvery = 0 }
