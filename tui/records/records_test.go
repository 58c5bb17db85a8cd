package records

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui/theme"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedNow is the clock of every golden view.
var fixedNow = time.Date(2026, 11, 24, 15, 21, 5, 0, time.FixedZone("CST", 8*3600))

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) ago(d time.Duration) { c.set(fixedNow.Add(-d)) }

// fixture is a real desk with the admin at the workbench and a settable clock.
type fixture struct {
	t     *testing.T
	clock *clock
	db    *store.DB
	desk  *desk.Desk
	as    *desk.AgentSession
	n     int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := &clock{t: fixedNow}
	db, err := store.Open(t.TempDir(), store.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := desk.New(db, hub.New(c.now), desk.Config{Now: c.now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
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
	return &fixture{t: t, clock: c, db: db, desk: d, as: as}
}

// visitor arrives from ip with a card name ("" for none) and stays online.
func (f *fixture) visitor(ip, name string) *desk.VisitorSession {
	f.t.Helper()
	f.n++
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: fmt.Sprintf("golden-visitor-%04d", f.n), IP: ip,
		Page: desk.Page{URL: "https://kf.qycn.com/pricing", Title: "价格方案"}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(vs.Close)
	if name != "" {
		err := f.db.Update(func(tx *store.Tx) error {
			v, err := tx.Visitor(vs.ID)
			if err != nil {
				return err
			}
			v.Card.Name = name
			return tx.PutVisitor(v)
		})
		if err != nil {
			f.t.Fatal(err)
		}
	}
	return vs
}

func (f *fixture) ctx(lang i18n.Lang) Context {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	r.SetHasDarkBackground(true)
	return Context{Styles: theme.New(r), Lang: lang, Agent: f.as, Sites: func() []uint64 { return []uint64{1} }, Now: f.clock.now}
}

const hostile = "\x1b]0;PWNED\x07\x1b[2J<script>alert(1)</script>"

// blocks makes a blacklist with one block of each kind and state.
func (f *fixture) blocks() {
	f.t.Helper()
	must := func(_ *store.Block, err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	spammer := f.visitor("113.99.15.142", "CC540862(超长的访客名片姓名)")
	rude := f.visitor("14.150.38.2", "\x1b]0;PWNED\x07<b>恶意</b>名字")
	scanner := f.visitor("124.127.244.29", "")
	later := f.visitor("101.81.49.211", "")
	f.clock.ago(3 * time.Hour)
	must(f.as.BlockIP(scanner.ID, "端口扫描", time.Hour)) // expired
	f.clock.ago(150 * time.Minute)
	b, err := f.as.Block(later.ID, false, "误封", 7*24*time.Hour)
	must(b, err)
	f.clock.ago(140 * time.Minute)
	if err := f.as.Unblock(b.ID); err != nil { // lifted
		f.t.Fatal(err)
	}
	f.clock.ago(2 * time.Hour)
	must(f.as.Block(spammer.ID, true, "发送广告"+hostile, 0))
	f.clock.ago(30 * time.Minute)
	must(f.as.Block(rude.ID, false, "辱骂客服，多次警告无效，"+strings.Repeat("原因很长", 20), 24*time.Hour))
	f.clock.set(fixedNow)
}

// leaves makes leave messages: plain, processed, and hostile and long.
func (f *fixture) leaves() {
	f.t.Helper()
	leave := func(vs *desk.VisitorSession, form desk.LeaveForm) *store.LeaveMessage {
		f.t.Helper()
		m, err := vs.Leave(fmt.Sprint("cid-", vs.ID), form)
		if err != nil {
			f.t.Fatal(err)
		}
		return m
	}
	f.clock.ago(26 * time.Hour)
	leave(f.visitor("113.99.15.142", ""), desk.LeaveForm{Name: "王小明", Phone: "13800138000", Text: "请问企业版多少钱？需要开发票。"})
	f.clock.ago(50 * time.Minute)
	done := leave(f.visitor("14.150.38.2", ""), desk.LeaveForm{Email: "li.si@example.com", QQ: "123456789",
		Text: "你们的客服系统支持微信公众号吗？\n我们有三个网站，想统一管理。"})
	f.clock.ago(40 * time.Minute)
	if _, err := f.as.MarkProcessed(done.ID, true); err != nil {
		f.t.Fatal(err)
	}
	f.clock.ago(5 * time.Minute)
	long := "第一段：" + hostile + "\x1b[31m红色\x1b[0m\n" + strings.Repeat("这是一条很长的留言，用来检查换行和滚动。", 40) + "\n最后一行。"
	leave(f.visitor("124.127.244.29", ""), desk.LeaveForm{Name: "\x1b]2;TITLE\x07<img src=x>超长名字超长名字超长名字", QQ: "10001", Text: long})
	f.clock.set(fixedNow)
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
		t.Fatalf("%v (run go test ./tui/records -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./tui/records -update rewrites it):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// checkFrame asserts the view fits w×h (exactly h lines when full), and nothing hostile
// survived.
func checkFrame(t *testing.T, view string, w, h int, full bool) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if full && len(lines) != h || len(lines) > h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide (terminal %d): %q", i, lw, w, l)
		}
	}
	if strings.ContainsAny(view, "\x1b\x07") || strings.Contains(view, "PWNED") || strings.Contains(view, "TITLE") {
		t.Errorf("escape, bell or OSC payload in an Ascii view: %q", view)
	}
}

var sizes = []struct{ w, h int }{{120, 40}, {80, 24}, {40, 20}}

// component is what the driver drives.
type component interface{ Update(tea.Msg) tea.Cmd }

// driver feeds keys to a component and runs the commands it returns, like the Bubble Tea
// runtime would, minus timers (cursor blinks are dropped). out collects the messages meant
// for the workbench (BlockDoneMsg, DialogClosedMsg).
type driver struct {
	t   *testing.T
	c   component
	out []tea.Msg
}

func (d *driver) run(cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 20 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(300 * time.Millisecond):
		return // a timer: not ours to wait for
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c, depth+1)
		}
	case BlockDoneMsg, DialogClosedMsg:
		d.out = append(d.out, msg)
	default:
		if v := reflect.ValueOf(msg); strings.Contains(v.Type().String(), "sequenceMsg") {
			for i := 0; i < v.Len(); i++ {
				d.run(v.Index(i).Interface().(tea.Cmd), depth+1)
			}
			return
		}
		d.run(d.c.Update(msg), depth+1)
	}
}

func (d *driver) keys(keys ...string) {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "left":
			msg = tea.KeyMsg{Type: tea.KeyLeft}
		case "right":
			msg = tea.KeyMsg{Type: tea.KeyRight}
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		d.run(d.c.Update(msg), 0)
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.keys(string(r))
	}
}
