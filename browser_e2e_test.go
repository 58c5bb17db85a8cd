package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"kefu/server"
	"kefu/server/desk"
)

// The widget in a real browser: Debian's chromium, driven over the DevTools protocol, loads
// the demo page of a real server while an agent works at an SSH terminal. Each test costs a
// browser start (about 2 s), so there are few of them.
//
// KEFU_CHROMIUM names the browser to use (default: chromium on PATH). Without a browser the
// tests skip, except under CI, where a missing browser fails them. KEFU_BROWSER_SHOTS=DIR saves
// screenshots of the steps into DIR, for a person to look at.

// browserWait bounds each wait for the browser or the terminal: generous, because CI and the
// developers' machines have two loaded cores. Waits poll, so a fast machine does not pay it.
const browserWait = 20 * time.Second

// chromiumPath finds the browser, or skips (fails under CI) with what to install.
func chromiumPath(t testing.TB) string {
	t.Helper()
	name := "chromium"
	if p := os.Getenv("KEFU_CHROMIUM"); p != "" {
		name = p
	}
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("browser tests need Chromium: %v; install it with `apt-get install -y chromium` (Debian) or point KEFU_CHROMIUM at a Chromium binary", err)
	if ci := os.Getenv("CI"); ci != "" && ci != "0" && !strings.EqualFold(ci, "false") {
		t.Fatal(msg + " (CI is set: a missing browser is a failure, not a skip)")
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium with one tab, and what it saw: dialogs, requests and
// uncaught exceptions.
type browser struct {
	t      testing.TB
	ctx    context.Context
	device device
	shots  string

	mu         sync.Mutex
	dialogs    []string
	requests   []string
	exceptions []string
}

// device is the viewport a test browses with.
type device struct {
	name          string // prefixes its screenshots
	width, height int64  // the viewport, in CSS pixels
	mobile        bool   // a phone: touch, device scale 2, mobile viewport
}

var (
	desktop = device{name: "desktop", width: 1280, height: 800}
	phone   = device{name: "phone", width: 375, height: 740, mobile: true}
)

// newBrowser starts Chromium with a fresh profile. Cleanup closes it, checks that no process
// of it is left and removes the profile.
func newBrowser(t testing.TB, d device) *browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests start Chromium; skipped with -short")
	}
	exe := chromiumPath(t)
	profile := t.TempDir() // removed after the browser is gone (cleanups run last first)
	out := &lockedBuffer{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		// timers and rendering of a headless tab must not be throttled on a busy machine
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(int(d.width), int(d.height)),
		chromedp.Env("LANG=zh_CN.UTF-8", "LANGUAGE=zh_CN"),
		chromedp.CombinedOutput(out),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b := &browser{t: t, ctx: ctx, device: d, shots: os.Getenv("KEFU_BROWSER_SHOTS")}

	// The first Run starts the browser and binds it to ctx, so it gets no timeout of its own:
	// a watchdog stops a start that hangs.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			cancel()
			cancelAlloc()
			t.Fatalf("start %s: %v\nbrowser output:\n%s", exe, err, out.String())
		}
	case <-time.After(60 * time.Second):
		cancel()
		cancelAlloc()
		t.Fatalf("%s did not start within 60 s\nbrowser output:\n%s", exe, out.String())
	}
	pid := 0
	if c := chromedp.FromContext(ctx); c != nil && c.Browser != nil && c.Browser.Process() != nil {
		pid = c.Browser.Process().Pid
	}
	t.Cleanup(func() {
		stop, cancelStop := context.WithTimeout(ctx, 15*time.Second)
		defer cancelStop()
		if err := chromedp.Cancel(stop); err != nil {
			t.Logf("closing the browser: %v", err)
		}
		cancel()
		cancelAlloc()
		if left := processesUsing(profile, 5*time.Second); len(left) > 0 {
			for _, p := range left {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			t.Errorf("browser processes %v were still running after the browser closed", left)
		}
		if pid > 0 && syscall.Kill(pid, 0) == nil {
			t.Errorf("browser process %d still running", pid)
		}
		if t.Failed() {
			t.Logf("browser output (without D-Bus complaints):\n%s", out.Lines(func(l string) bool { return !strings.Contains(l, "dbus") }))
		}
	})

	must(t, chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			b.dialogs = append(b.dialogs, string(ev.Type)+": "+ev.Message)
			// The listener may not send commands; the dialog blocks the page until answered.
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text = d.Exception.Description
			}
			b.exceptions = append(b.exceptions, fmt.Sprintf("%s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, text))
		}
	}))
	b.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
		return err
	})
	if d.mobile {
		b.do(chromedp.EmulateViewport(d.width, d.height, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	} else {
		b.do(chromedp.EmulateViewport(d.width, d.height))
	}
	return b
}

// call runs f with a bounded context.
func (b *browser) call(f func(ctx context.Context) error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserWait)
	defer cancel()
	if err := f(ctx); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.call(func(ctx context.Context) error { return chromedp.Do(ctx, steps...) })
}

// eval evaluates a JavaScript expression in the page and decodes its JSON value into v.
func (b *browser) eval(js string, v any) {
	b.t.Helper()
	b.call(func(ctx context.Context) error {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
		if err != nil {
			return fmt.Errorf("evaluate %s: %w", js, err)
		}
		return json.Unmarshal(raw, v)
	})
}

// waitJS polls a JavaScript expression until it is true; the error shows what the page said
// last (the expression may return a string describing the state instead of false).
func (b *browser) waitJS(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(browserWait)
	var last string
	for {
		ctx, cancel := context.WithTimeout(b.ctx, browserWait)
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
		cancel()
		if err == nil && string(raw) == "true" {
			return
		}
		switch {
		case err != nil:
			last = err.Error()
		case json.Unmarshal(raw, &last) != nil: // not a string: as it came
			last = string(raw)
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %v for %s; last: %s", browserWait, what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// click moves the mouse to the centre of an element and clicks there, as a person would. The
// JavaScript expression finds the element, in the page (or its shadow roots) or, with
// inChat, in the chat window's document; the element must be what is on top at that point.
func (b *browser) click(what, elementJS string, inChat bool) {
	b.t.Helper()
	var at struct {
		X, Y float64
		Err  string
	}
	b.eval(`(() => {
		const e = `+elementJS+`;
		if (!e) return {X: 0, Y: 0, Err: 'no such element'};
		const r = e.getBoundingClientRect();
		let x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = e.getRootNode().elementFromPoint(x, y);
		if (!hit || (hit !== e && !e.contains(hit))) return {X: x, Y: y, Err: 'covered by ' + (hit && hit.outerHTML.slice(0, 120))};
		if (`+strconv.FormatBool(inChat)+`) {
			const f = `+jsFrame+`, fr = f.getBoundingClientRect();
			x += fr.left + f.clientLeft;
			y += fr.top + f.clientTop;
			if (f.getRootNode().elementFromPoint(x, y) !== f) return {X: x, Y: y, Err: 'the chat window is covered'};
		}
		return {X: x, Y: y, Err: ''};
	})()`, &at)
	if at.Err != "" {
		b.t.Fatalf("click %s at (%.0f, %.0f): %s", what, at.X, at.Y, at.Err)
	}
	b.do(chromedp.MouseClickXY(at.X, at.Y))
}

// pressEnter presses Enter as a keyboard does: one key-down that carries its text, so a
// handler that prevents the default stops the new line too. (chromedp.KeyEvent sends the
// text as a separate char event, which types a new line whatever the page's handler did.)
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			ev.Text, ev.UnmodifiedText = "\r", "\r"
		}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
			return err
		}
	}
	return nil
})

// screenshot saves the viewport as DIR/DEVICE-name.png when KEFU_BROWSER_SHOTS=DIR.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	b.call(func(ctx context.Context) error {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			return err
		}
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(b.shots, b.device.name+"-"+name+".png"), png, 0o644)
	})
}

func (b *browser) seen() (dialogs, requests, exceptions []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.dialogs...), append([]string(nil), b.requests...), append([]string(nil), b.exceptions...)
}

// noExceptions fails the test when a script of the page threw and nobody caught it.
func (b *browser) noExceptions() {
	b.t.Helper()
	if _, _, ex := b.seen(); len(ex) > 0 {
		b.t.Fatalf("uncaught exceptions in the page:\n%s", strings.Join(ex, "\n"))
	}
}

// JavaScript that reaches into the widget: its shadow root, and the chat window's document
// (the iframe is served from kefu's own origin, which the demo page shares).
const (
	jsShadow  = `document.querySelector('[data-kefu-widget]')?.shadowRoot`
	jsFrame   = `(` + jsShadow + `)?.querySelector('.kf-body iframe')`
	jsChatDoc = `(` + jsFrame + `)?.contentDocument`
)

// jsString quotes s for JavaScript.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// waitChatText waits until the chat window shows a message bubble of who ("agent" or
// "visitor") whose text is exactly text.
func (b *browser) waitChatText(who, text string) {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("the chat window to show the %s message %q", who, text), `(() => {
		const d = `+jsChatDoc+`;
		if (!d || !d.getElementById('msgs')) return 'no chat window';
		const texts = [...d.querySelectorAll('#msgs .msg-`+who+` .bubble')].map(e => e.textContent);
		return texts.includes(`+jsString(text)+`) || JSON.stringify(texts);
	})()`)
}

// openDemo loads the demo page and waits for the consult icon, which shows once the widget's
// websocket has been welcomed.
func (b *browser) openDemo(k *kefu) {
	b.t.Helper()
	b.do(chromedp.Navigate(k.base + "/"))
	b.waitJS("the consult icon", `(() => {
		const i = (`+jsShadow+`)?.querySelector('.kf-icon');
		return (!!i && !i.hidden && i.getBoundingClientRect().width > 0) || String(i && i.outerHTML);
	})()`)
	b.screenshot("page")
}

// startKefuForBrowser is the test server with the product's own timings: the short ones of
// startKefu (an invite lapses after 2 s) would race a browser on a loaded machine.
func startKefuForBrowser(t testing.TB) *kefu {
	t.Helper()
	return startKefuWith(t, t.TempDir(), func(c *server.Config) { c.Desk = desk.Config{} })
}

// TestBrowserInviteAndChatBothWays: a visitor opens the demo page in Chromium and shows up on
// the agent's monitor; the agent invites, the visitor clicks 接受 in the invite window, the
// chat window opens with the agent, and a message goes each way.
func TestBrowserInviteAndChatBothWays(t *testing.T) {
	k := startKefuForBrowser(t)
	agent := k.agent(t, "admin", adminPassword, 120, 30)
	must(t, agent.WaitFor("访客数 0 人", browserWait))
	b := newBrowser(t, desktop)

	b.openDemo(k)
	var lang string
	b.eval(`navigator.language`, &lang)
	var icon string
	b.eval(`(`+jsShadow+`).querySelector('.kf-icon-text').textContent`, &icon)
	if icon != "在线咨询" {
		t.Fatalf("consult icon says %q (navigator.language %q), want 在线咨询", icon, lang)
	}
	// The visitor on the agent's monitor: the page's title, browsing, a PC with Chrome.
	must(t, agent.WaitFor("访客数 1 人", browserWait))
	must(t, agent.WaitFor("云帆软件", browserWait))
	must(t, agent.WaitFor("浏览中", browserWait))
	screen := agent.Screen().String()
	row := ""
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, "浏览中") {
			row = line
		}
	}
	if f := strings.Fields(row); len(f) < 3 || f[0] != "新" || f[1] != "PC" || !strings.Contains(row, "127.0.0.1") || !strings.Contains(row, "直接输入") {
		t.Fatalf("the visitor's row should read 新 PC … 127.0.0.1 … 直接输入:\n%s", screen)
	}

	// The agent invites; the invite window shows on the page, with the agent's name.
	must(t, agent.Type("i"))
	must(t, agent.WaitFor("已邀请", browserWait))
	b.waitJS("the invite window", `(() => {
		const r = `+jsShadow+`, inv = r && r.querySelector('.kf-invite');
		if (!inv || inv.hidden || inv.getBoundingClientRect().height === 0) return 'hidden';
		return inv.getAnimations().length === 0 || 'still popping up'; // it moves until then
	})()`)
	var invite struct{ Name, Text, Accept string }
	b.eval(`(() => { const r = `+jsShadow+`; return {
		Name: r.querySelector('.kf-invite-name').textContent,
		Text: r.querySelector('.kf-invite-text').textContent,
		Accept: r.querySelector('.kf-invite .kf-btn.primary').textContent}; })()`, &invite)
	if invite.Name != "管理员" || invite.Text == "" || invite.Accept != "接受" {
		t.Fatalf("invite window: %+v", invite)
	}
	b.screenshot("invite")

	// The visitor accepts with the mouse: the invite goes, the chat window opens.
	b.click("the invite's 接受 button", `(`+jsShadow+`).querySelector('.kf-invite .kf-btn.primary')`, false)
	must(t, agent.WaitFor("接受了邀请", browserWait))
	// The workbench shows the accepted chat, or offers it (Ctrl+O) so as not to interrupt.
	if !strings.Contains(agent.Screen().String(), "管理员 接入对话") {
		must(t, agent.Press("ctrl+o"))
		must(t, agent.WaitFor("管理员 接入对话", browserWait))
	}
	b.waitJS("the chat window to open with the agent", `(() => {
		const r = `+jsShadow+`;
		const p = r && r.querySelector('.kf-panel');
		if (!p || !p.classList.contains('open')) return 'panel closed';
		if (p.getAnimations().length) return 'panel still opening';
		if (!r.querySelector('.kf-invite').hidden) return 'invite still shown';
		const d = `+jsChatDoc+`;
		const name = d && d.getElementById('agent-name');
		return (!!name && name.textContent.includes('管理员')) || 'agent: ' + (name && name.textContent);
	})()`)

	// Visitor → agent: typed into the chat window's box, sent with Enter.
	const fromVisitor = "你好，我想了解一下云帆进销存的价格 price?"
	b.click("the message box", `(`+jsChatDoc+`).getElementById('input')`, true)
	b.waitJS("the message box to have the focus", `(`+jsChatDoc+`)?.activeElement?.id === 'input' || String((`+jsChatDoc+`)?.activeElement?.id)`)
	b.do(chromedp.KeyEvent(fromVisitor), pressEnter)
	b.waitChatText("visitor", fromVisitor)
	var left string
	b.eval(`(`+jsChatDoc+`).getElementById('input').value`, &left)
	if left != "" {
		t.Fatalf("the message box still holds %q after sending", left)
	}
	must(t, agent.WaitFor(fromVisitor, browserWait))

	// Agent → visitor: typed in the workbench, shown in the chat window.
	const fromAgent = "您好！标准版每年 1,980 元，可以先免费试用 30 天。"
	must(t, agent.Type(fromAgent))
	must(t, agent.Press("enter"))
	b.waitChatText("agent", fromAgent)
	b.waitJS("the sent message to be acknowledged", `(() => {
		const d = `+jsChatDoc+`;
		return d.querySelectorAll('#msgs .msg.pending').length === 0 || 'still pending';
	})()`)
	b.screenshot("chat")
	b.noExceptions()
	if dialogs, _, _ := b.seen(); len(dialogs) > 0 {
		t.Fatalf("dialogs opened: %q", dialogs)
	}
}

// TestBrowserAgentTextIsNeverMarkup: on a phone-sized screen, an agent opens a chat with a
// browsing visitor and sends HTML and script; the chat window shows it as text, creates no
// element from it, runs nothing (no dialog) and loads nothing (no request for the image).
func TestBrowserAgentTextIsNeverMarkup(t *testing.T) {
	k := startKefuForBrowser(t)
	agent := k.agent(t, "admin", adminPassword, 120, 30)
	must(t, agent.WaitFor("访客数 0 人", browserWait))
	b := newBrowser(t, phone)

	b.openDemo(k)
	must(t, agent.WaitFor("访客数 1 人", browserWait))
	must(t, agent.WaitFor("浏览中", browserWait))
	var mobile bool
	b.eval(`(`+jsShadow+`).querySelector('.kf').classList.contains('mobile')`, &mobile)
	if !mobile {
		t.Fatal("the widget does not use its phone layout at 375 px")
	}

	// The agent opens a chat (直接对话): the widget opens the chat window by itself.
	must(t, agent.Press("enter"))
	must(t, agent.WaitFor("接入对话", browserWait))
	b.waitJS("the chat window to open full screen", `(() => {
		const r = `+jsShadow+`, p = r && r.querySelector('.kf-panel');
		if (!p || !p.classList.contains('open')) return 'panel closed';
		if (p.getAnimations().length) return 'panel still opening';
		const pr = p.getBoundingClientRect();
		if (Math.round(pr.width) !== innerWidth) return 'panel width ' + pr.width + ' of ' + innerWidth;
		const d = `+jsChatDoc+`;
		return (!!d && !!d.getElementById('agent-name') && d.getElementById('agent-name').textContent.includes('管理员')) || 'no agent yet';
	})()`)

	const evil = `看这里<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">点我</a><svg onload=alert(4)>`
	must(t, agent.Type(evil))
	must(t, agent.Press("enter"))
	b.waitJS("the agent's message in the chat window", `(() => {
		const d = `+jsChatDoc+`;
		return [...d.querySelectorAll('#msgs .msg-agent .bubble')].some(e => e.textContent.startsWith('看这里')) || 'not yet';
	})()`)
	b.screenshot("hostile-chat")

	var dom struct {
		Text       string   // what the message's bubble reads
		Children   int      // element children of the message's bubble
		Scripts    []string // every script of the chat window, by src
		Tags       []string // elements under #msgs that no message of ours makes
		PageImages int      // images anywhere on the demo page's widget
	}
	b.eval(`(() => {
		const d = `+jsChatDoc+`;
		const bubble = [...d.querySelectorAll('#msgs .msg-agent .bubble')].find(e => e.textContent.startsWith('看这里'));
		const made = ['DIV', 'SPAN', 'TIME', 'BUTTON'];
		return {
			Text: bubble.textContent,
			Children: bubble.children.length,
			Scripts: [...d.scripts].map(s => s.src || 'inline: ' + s.textContent),
			Tags: [...d.querySelectorAll('#msgs *')].map(e => e.tagName).filter(n => !made.includes(n)),
			PageImages: (`+jsShadow+`).querySelectorAll('img, script, svg image, a').length,
		};
	})()`, &dom)
	if dom.Text != evil {
		t.Fatalf("the chat window shows %q, want the text as sent: %q", dom.Text, evil)
	}
	if dom.Children != 0 || len(dom.Tags) != 0 {
		t.Fatalf("the agent's text became markup: %d elements in the bubble, unexpected tags %q", dom.Children, dom.Tags)
	}
	if len(dom.Scripts) != 1 || !strings.HasSuffix(dom.Scripts[0], "/static/chat.js") {
		t.Fatalf("scripts in the chat window: %q", dom.Scripts)
	}
	if dom.PageImages != 0 {
		t.Fatalf("%d images, scripts or links in the widget's shadow root", dom.PageImages)
	}

	// Nothing ran and nothing loaded. A dialog opened on purpose shows that dialogs would be
	// seen; the chat window's own script in the requests shows that requests are.
	b.eval(`(() => { const w = (`+jsFrame+`).contentWindow; w.setTimeout(() => w.alert('探针'), 0); return true; })()`, new(bool))
	deadline := time.Now().Add(browserWait)
	for {
		dialogs, _, _ := b.seen()
		if len(dialogs) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	dialogs, requests, _ := b.seen()
	if len(dialogs) != 1 || !strings.Contains(dialogs[0], "探针") {
		t.Fatalf("dialogs: %q, want only the probe", dialogs)
	}
	sawChatJS := false
	for _, r := range requests {
		u, err := url.Parse(r)
		if err != nil {
			continue
		}
		if u.Path == "/x" || strings.HasPrefix(u.Scheme, "javascript") {
			t.Fatalf("the agent's text made the browser load %s", r)
		}
		sawChatJS = sawChatJS || u.Path == "/static/chat.js"
	}
	if !sawChatJS {
		t.Fatalf("no request for the chat window's script among %d requests: requests were not seen", len(requests))
	}
	b.noExceptions()
}

// processesUsing lists the processes whose command line has --user-data-dir=dir, waiting up
// to grace for them to go.
func processesUsing(dir string, grace time.Duration) []int {
	want := []byte("--user-data-dir=" + dir)
	deadline := time.Now().Add(grace)
	for {
		var pids []int
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			if err != nil {
				continue
			}
			for _, arg := range bytes.Split(cmdline, []byte{0}) {
				if bytes.Equal(arg, want) {
					pids = append(pids, pid)
					break
				}
			}
		}
		if len(pids) == 0 || time.Now().After(deadline) {
			return pids
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lockedBuffer collects the browser's output from its goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		return len(p), nil // enough to diagnose; the rest is dropped
	}
	return l.b.Write(p)
}

// Lines returns the lines that keep accepts.
func (l *lockedBuffer) Lines(keep func(string) bool) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(l.String(), "\n") {
		if keep(line) {
			b.WriteString(line)
		}
	}
	return b.String()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
