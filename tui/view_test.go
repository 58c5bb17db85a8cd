package tui

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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
	"kefu/tui/cells"
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
	snap := hub.Snapshot{Visitors: f.hub.SiteVisitors([]uint64{1}), Convs: f.hub.Convs([]uint64{1}), Agents: f.hub.Agents()}
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

// typeKeys sends text to the workbench as key presses.
func typeKeys(m *Model, text string) {
	for _, r := range text {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// grid is a line of the screen cell by cell: a wide character fills its cell and the next
// one holds 0.
func grid(line string) []rune {
	var out []rune
	for _, r := range line {
		out = append(out, r)
		for i := 1; i < ansi.StringWidth(string(r)); i++ {
			out = append(out, 0)
		}
	}
	return out
}

// TestMonitorAlignsWideCharacters: every column starts at the same cell on the header and on
// every row, whatever mix of Chinese and ASCII came before it, and every line fills the width.
func TestMonitorAlignsWideCharacters(t *testing.T) {
	f := newFixture(t)
	f.scene()
	for _, sz := range sizes {
		m := f.model(sz.w, sz.h, i18n.ZH)
		lines := strings.Split(m.View(), "\n")
		table := lines[2:8] // header and five visitors
		var bounds []int    // the separator cell before each column but the first
		at := 0
		for i, c := range m.monitor.layout(sz.w) {
			if i > 0 {
				bounds = append(bounds, at)
				at++
			}
			at += c.w
		}
		for _, l := range table {
			g := grid(l)
			if len(g) != sz.w {
				t.Errorf("%dx%d: line is %d cells: %q", sz.w, sz.h, len(g), l)
				continue
			}
			for _, b := range bounds {
				if g[b] != ' ' {
					t.Errorf("%dx%d: cell %d should separate two columns in %q:\n%s", sz.w, sz.h, b, l, strings.Join(table, "\n"))
					break
				}
			}
		}
	}
}

// TestMonitorColumnsByWidth: the columns of the product guide, with full headers when there
// is room; at narrow widths the least important go first and the who, where and what stay.
func TestMonitorColumnsByWidth(t *testing.T) {
	f := newFixture(t)
	f.scene()
	ids := func(cols []layoutCol) string {
		var s []string
		for _, c := range cols {
			s = append(s, c.id)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		w    int
		cols string
	}{
		{200, "kind channel name visits region stay last source page agent state"},
		{120, "kind channel name visits region stay last source page agent state"},
		{80, "kind channel name region stay page state"},
		{40, "name region state"},
	} {
		m := f.model(tc.w, 24, i18n.ZH)
		cols := m.monitor.layout(tc.w)
		if got := ids(cols); got != tc.cols {
			t.Errorf("at %d columns: %s, want %s", tc.w, got, tc.cols)
		}
		used := len(cols) - 1
		for _, c := range cols {
			used += c.w
			// The full header whenever the column is wide enough for it, else the short one.
			title := m.lang.T(c.title)
			if c.id == m.monitor.sortCol {
				title += m.monitor.arrow()
			}
			if full := cells.Width(title) <= c.w; full != (c.label == title) {
				t.Errorf("at %d columns, %s is %d wide with header %q (full %q)", tc.w, c.id, c.w, c.label, title)
			}
		}
		if used > tc.w {
			t.Errorf("at %d columns the table takes %d", tc.w, used)
		}
	}
	// A column the rows are sorted by stays on screen while the page does, with its arrow.
	m := f.model(80, 24, i18n.ZH)
	m.monitor.sortCol, m.monitor.sortDesc = "agent", true
	if got := ids(m.monitor.layout(80)); got != "kind channel name region page agent state" {
		t.Errorf("at 80 columns sorted by agent: %s", got)
	}
	if header := strings.Split(m.View(), "\n")[2]; !strings.Contains(header, "客服↓") {
		t.Errorf("at 80 columns sorted by agent the header is %q", header)
	}
	m = f.model(200, 24, i18n.ZH)
	header := strings.Split(m.View(), "\n")[2]
	for _, want := range []string{"类型", "渠道", "访客姓名", "访问次数", "地域(IP)", "停留时间", "最后活动时间", "来源(来源词)", "正在浏览页面", "接待客服", "状态"} {
		if !strings.Contains(header, want) {
			t.Errorf("at 200 columns the header lacks %s: %q", want, header)
		}
	}
}

// TestMonitorShowsRegionAndLastActivity: at 120 columns a Guangzhou visitor's region and whole
// IP and the time of their last activity are on the row; at 80 the WeChat marker still is.
func TestMonitorShowsRegionAndLastActivity(t *testing.T) {
	f := newFixture(t)
	f.scene()
	f.hub.VisitorJoin(&hub.VisitorView{ID: 350901999, SiteID: 1, Kind: hub.KindReturning, Channel: "wechat", Visits: 12,
		IP: "113.99.155.142", Region: "广东省广州市", Source: "百度(在线客服系统)", PageTitle: "价格方案",
		VisitStart: fixedNow.Add(-30 * time.Second), LastActive: fixedNow.Add(-12 * time.Second), State: hub.StateBrowsing})
	row := func(m *Model) string {
		for _, l := range strings.Split(m.View(), "\n") {
			if strings.Contains(l, "访客350901999") {
				return l
			}
		}
		t.Fatalf("visitor missing:\n%s", m.View())
		return ""
	}
	r := row(f.model(120, 40, i18n.ZH))
	for _, want := range []string{"广东省广州市(113.99.155.142)", "15:20:53", "00:00:30", "微信", "旧", "价格方案"} {
		if !strings.Contains(r, want) {
			t.Errorf("120 columns: row lacks %q: %q", want, r)
		}
	}
	r = row(f.model(80, 24, i18n.ZH))
	for _, want := range []string{"旧", "微信", "广东省广州市", "00:00:30", "价格方案", "浏览中"} {
		if !strings.Contains(r, want) {
			t.Errorf("80 columns: row lacks %q: %q", want, r)
		}
	}
}

// sortedBy checks rows are in the column's order, descending or not.
func sortedBy(t *testing.T, c column, desc bool, rows []*hub.VisitorView) {
	t.Helper()
	for i := 1; i < len(rows); i++ {
		k := c.cmp(rows[i-1], rows[i])
		if desc {
			k = -k
		}
		if k > 0 {
			t.Errorf("%s (desc %v): row %d (%d) before row %d (%d) is out of order", c.id, desc, i-1, rows[i-1].ID, i, rows[i].ID)
		}
	}
}

// TestMonitorSortArrows: ↓ means the largest, longest or newest first, ↑ the other way, for
// every column; s starts a column in the direction a person expects and S turns it round.
func TestMonitorSortArrows(t *testing.T) {
	f := newFixture(t)
	f.scene()
	m := f.model(200, 40, i18n.ZH)
	header := func() string { return strings.Split(m.View(), "\n")[2] }

	// By default the newest arrivals are on top: the shortest stay, ascending.
	rows := m.monitor.visible()
	if !strings.Contains(header(), "停留时间↑") || rows[0].ID != 350901960 || rows[len(rows)-1].ID != 5 {
		t.Fatalf("default sort: first %d last %d, header %q", rows[0].ID, rows[len(rows)-1].ID, header())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("S")})
	if rows = m.monitor.visible(); !strings.Contains(header(), "停留时间↓") || rows[0].ID != 5 {
		t.Fatalf("stay ↓ should put the longest stay first: first %d, header %q", rows[0].ID, header())
	}

	firsts := map[string]func(v *hub.VisitorView) bool{
		"visits": func(v *hub.VisitorView) bool { return v.Visits == 64 },
		"last":   func(v *hub.VisitorView) bool { return v.ID == 350901960 }, // active just now
		"stay":   func(v *hub.VisitorView) bool { return v.ID == 5 },         // here for 29 minutes
		"kind":   func(v *hub.VisitorView) bool { return v.Kind == hub.KindMember },
		"state":  func(v *hub.VisitorView) bool { return v.State == hub.StateWaiting },
		"name":   func(v *hub.VisitorView) bool { return v.Name == "CC540862(超长的访客名片姓名)" }, // text: A to Z first
	}
	seen := map[string]bool{}
	for i := 0; i < 2*len(m.monitor.cols); i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
		mo := m.monitor
		var col column
		for _, c := range mo.cols {
			if c.id == mo.sortCol {
				col = c
			}
		}
		seen[col.id] = true
		if mo.sortDesc != col.desc {
			t.Errorf("%s starts with desc %v", col.id, mo.sortDesc)
		}
		for _, desc := range []bool{mo.sortDesc, !mo.sortDesc} {
			if desc != mo.sortDesc {
				m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("S")})
			}
			arrow := "↑"
			if desc {
				arrow = "↓"
			}
			if h := header(); !strings.Contains(h, m.lang.T(col.title)+arrow) || strings.Count(h, "↑")+strings.Count(h, "↓") != 1 {
				t.Errorf("%s desc %v: header %q", col.id, desc, h)
			}
			rows := mo.visible()
			sortedBy(t, col, desc, rows)
			if first, ok := firsts[col.id]; ok && desc == col.desc && !first(rows[0]) {
				t.Errorf("sorting by %s puts %d first", col.id, rows[0].ID)
			}
		}
	}
	if len(seen) != len(m.monitor.cols) {
		t.Errorf("s reached only %v", seen)
	}
}

// TestMonitorChangedKeepsOrder: a visitor's change swaps their row in place when the sort key
// did not move and sorts again when it did; either way the rows are what a fresh sort gives.
func TestMonitorChangedKeepsOrder(t *testing.T) {
	f := newFixture(t)
	f.scene()
	for _, sortCol := range []string{"stay", "last", "visits", "page", "name"} {
		for _, desc := range []bool{false, true} {
			m := f.model(200, 40, i18n.ZH)
			m.monitor.sortCol, m.monitor.sortDesc = sortCol, desc
			m.monitor.invalidate()
			m.View()
			for step := 0; step < 40; step++ {
				rows := m.monitor.visible()
				cp := *rows[(step*7)%len(rows)]
				switch step % 4 {
				case 0: // a page view: nothing the sort looks at
					cp.PageViews++
				case 1:
					cp.LastActive = fixedNow.Add(time.Duration(step) * time.Second)
					cp.PageTitle = fmt.Sprintf("第%d页", step)
				case 2:
					cp.Visits += step
				case 3: // a new visit
					cp.VisitStart = fixedNow.Add(-time.Duration(step) * time.Second)
				}
				m.Update(eventsMsg{hub.VisitorChanged{V: &cp}})
				got := slices.Clone(m.monitor.visible())
				m.monitor.invalidate()
				want := m.monitor.visible()
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("sort %s desc %v, step %d: row %d is %d, a fresh sort has %d", sortCol, desc, step, i, got[i].ID, want[i].ID)
					}
				}
			}
		}
	}
	// The fast path is taken: a page view under the stay sort leaves the rows sorted.
	m := f.model(200, 40, i18n.ZH)
	m.View()
	cp := *m.monitor.visible()[2]
	cp.PageTitle = "新的页面标题"
	m.Update(eventsMsg{hub.VisitorChanged{V: &cp}})
	if m.monitor.dirty {
		t.Error("a page view without a new sort key should not sort the monitor again")
	}
	if !strings.Contains(m.View(), "新的页面标题") {
		t.Error("the swapped row does not show the new page")
	}
}

// TestMonitorFilter: / finds visitors by name, region (in either language), page, source and
// channel; every word must match; Esc clears.
func TestMonitorFilter(t *testing.T) {
	f := newFixture(t)
	f.scene()
	f.hub.VisitorJoin(&hub.VisitorView{ID: 7, SiteID: 1, Kind: hub.KindNew, Channel: "mobile", Visits: 1, Source: "utm:test", SourceEN: "utm:test",
		PageTitle: "活动页", VisitStart: fixedNow, LastActive: fixedNow, State: hub.StateBrowsing})
	for _, tc := range []struct {
		query string
		lang  i18n.Lang
		want  []uint64
	}{
		{"佛山", i18n.ZH, []uint64{4}},
		{"Guangdong", i18n.ZH, []uint64{350901960, 350901354}},
		{"guangdong guangzhou", i18n.ZH, []uint64{350901354}},
		{"广州 商务通", i18n.ZH, []uint64{350901354}},
		{"brief2", i18n.ZH, []uint64{3}},
		{"超长", i18n.ZH, []uint64{4}},
		{"访客5", i18n.ZH, []uint64{5}},
		{"公众号", i18n.ZH, []uint64{3}},
		{"pricing", i18n.ZH, []uint64{5}},
		{"kf.qycn", i18n.ZH, []uint64{5}},
		{"CC客服", i18n.ZH, []uint64{4}},
		{"推广", i18n.ZH, []uint64{7}},
		{"utm: test", i18n.EN, []uint64{7}},
		{"微信", i18n.ZH, []uint64{3}},
		{"北京 广州", i18n.ZH, nil},
	} {
		m := f.model(200, 40, tc.lang)
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
		typeKeys(m, tc.query)
		var got []uint64
		for _, v := range m.monitor.visible() {
			got = append(got, v.ID)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("filter %q (%s): %v, want %v", tc.query, tc.lang, got, want)
		}
		view := m.View()
		if len(want) == 0 && !strings.Contains(view, "没有符合筛选条件的访客") {
			t.Errorf("filter %q: no 'no match' line:\n%s", tc.query, view)
		}
		m.Update(tea.KeyMsg{Type: tea.KeyEsc})
		if n := len(m.monitor.visible()); n != 6 {
			t.Errorf("esc should clear the filter %q: %d visitors shown", tc.query, n)
		}
	}
}

// TestMonitorSourceWords: a campaign-tagged source is worded in the agent's language, and its
// tag is visitor text, made safe.
func TestMonitorSourceWords(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		source string
		lang   i18n.Lang
		want   string
	}{
		{"utm:test", i18n.ZH, "推广:test"},
		{"utm:test", i18n.EN, "utm: test"},
		{"utm:wechat(客服)", i18n.ZH, "推广:wechat(客服)"},
		{"utm:\x1b[31mred\x1b[0m", i18n.ZH, "推广:red"},
		{"百度(商务通)", i18n.ZH, "百度(商务通)"},
		{"", i18n.ZH, "直接输入"},
		{"", i18n.EN, "Direct"},
	} {
		m := f.model(120, 40, tc.lang)
		v := &hub.VisitorView{Source: tc.source, SourceEN: tc.source}
		if got := sourceCell(m, v); got != tc.want {
			t.Errorf("source %q (%s): %q, want %q", tc.source, tc.lang, got, tc.want)
		}
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
	// The visitor beside the chat at 120 columns, with fixed times.
	detail, err := f.as.Visitor(vs.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for i := range detail.Trail {
		detail.Trail[i].At = fixedNow.Add(time.Duration(i-len(detail.Trail)-5) * time.Minute)
	}
	for _, sz := range sizes {
		m := f.model(sz.w, sz.h, i18n.ZH)
		m.page = pageChats
		m.chats.update(transcriptMsg{conv: conv.ID, msgs: msgs})
		m.chats.update(detailMsg{visitorID: vs.ID, detail: detail})
		for v := range m.live.visitors() { // a stable stay time for the golden file
			cp := *v
			cp.VisitStart = fixedNow.Add(-6 * time.Minute)
			m.live.putVisitor(&cp, hub.Visitors{})
		}
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
		for v := range m.live.visitors() { // a stable stay time for the golden file
			cp := *v
			cp.VisitStart = fixedNow.Add(-3 * time.Minute)
			m.live.putVisitor(&cp, hub.Visitors{})
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
