package termtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"
)

const (
	agentUser     = "agent"
	agentPassword = "秘密-pass"
	wait          = 2 * time.Second
)

// workbench is a stand-in for the agent's workbench: it shows who is connected, the terminal
// size, the last key and what has been typed.
type workbench struct {
	user, lang string
	w, h       int
	key, typed string
	title      lipgloss.Style
}

func (m workbench) Init() tea.Cmd { return nil }

func (m workbench) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyMsg:
		m.key = msg.String()
		switch msg.Type {
		case tea.KeyCtrlC:
			return m, tea.Quit
		case tea.KeyRunes:
			if !msg.Alt {
				m.typed += string(msg.Runes)
			}
		case tea.KeySpace:
			m.typed += " "
		case tea.KeyBackspace:
			if r := []rune(m.typed); len(r) > 0 {
				m.typed = string(r[:len(r)-1])
			}
		}
	}
	return m, nil
}

func (m workbench) View() string {
	return m.title.Render(fmt.Sprintf("坐席 %s · %dx%d", m.user, m.w, m.h)) + "\n" +
		"语言 " + m.lang + "\n" +
		"按键: " + m.key + "\n" +
		"输入: " + m.typed + "\n"
}

// startServer starts a wish server on a loopback port: sessions with a pty get the workbench,
// sessions without one run the "greet" and "env" commands.
func startServer(t *testing.T) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostKey, err := gossh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	program := func(s ssh.Session) *tea.Program {
		if _, _, ok := s.Pty(); !ok {
			return nil
		}
		// Our own renderer, told the background is dark, so nothing queries the terminal.
		r := lipgloss.NewRenderer(s, termenv.WithProfile(termenv.Ascii))
		r.SetHasDarkBackground(true)
		m := workbench{user: s.User(), title: r.NewStyle().Bold(true)}
		for _, kv := range s.Environ() {
			if v, ok := strings.CutPrefix(kv, "KEFU_LANG="); ok {
				m.lang = v
			}
		}
		opts := append(bubbletea.MakeOptions(s), tea.WithAltScreen(), tea.WithoutSignalHandler(), tea.WithFPS(120))
		return tea.NewProgram(m, opts...)
	}
	commands := func(next ssh.Handler) ssh.Handler {
		return func(s ssh.Session) {
			if _, _, ok := s.Pty(); ok {
				next(s)
				return
			}
			args := s.Command()
			switch {
			case len(args) == 2 && args[0] == "greet":
				fmt.Fprintf(s, "你好, %s\n", args[1])
				fmt.Fprintf(s.Stderr(), "warn: %s\n", args[1])
				_ = s.Exit(3)
			case len(args) == 1 && args[0] == "env":
				fmt.Fprintln(s, strings.Join(s.Environ(), "\n"))
				_ = s.Exit(0)
			default:
				fmt.Fprintf(s.Stderr(), "unknown command %q\n", s.RawCommand())
				_ = s.Exit(127)
			}
		}
	}
	srv, err := wish.NewServer(
		func(s *ssh.Server) error { s.AddHostKey(hostKey); return nil },
		wish.WithPasswordAuth(func(ctx ssh.Context, pw string) bool {
			return ctx.User() == agentUser && pw == agentPassword
		}),
		// The last middleware runs first: the bubbletea one hands sessions without a pty on.
		wish.WithMiddleware(commands, bubbletea.MiddlewareWithProgramHandler(program, termenv.Ascii)),
	)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String()
}

func dialAgent(t *testing.T, addr string, o Options) *Client {
	t.Helper()
	o.Addr, o.User, o.Password = addr, agentUser, agentPassword
	c, err := Dial(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestClient(t *testing.T) {
	addr := startServer(t)
	c := dialAgent(t, addr, Options{Width: 60, Height: 10, Env: map[string]string{"KEFU_LANG": "zh-CN"}})

	if err := c.WaitFor("坐席 agent · 60x10", wait); err != nil {
		t.Fatal(err)
	}
	if got := c.Screen().Lines()[1]; got != "语言 zh-CN" {
		t.Errorf("line 1 = %q; want the language sent with Setenv", got)
	}
	if bytes.Contains(c.Output(), []byte("\x1b]11;?")) {
		t.Error("the server queried the background colour")
	}

	if err := c.Type("你好 访客"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor("输入: 你好 访客", wait); err != nil {
		t.Fatal(err)
	}
	if err := c.Press("backspace", "backspace"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitGone("访客", wait); err != nil {
		t.Fatal(err)
	}
	if got := c.Screen().Lines()[3]; got != "输入: 你好" {
		t.Errorf("after two backspaces line 3 = %q", got)
	}

	for _, k := range []struct{ press, shown string }{
		{"up", "up"}, {"down", "down"}, {"left", "left"}, {"right", "right"},
		{"home", "home"}, {"end", "end"}, {"pgup", "pgup"}, {"pgdown", "pgdown"},
		{"delete", "delete"}, {"tab", "tab"}, {"shift+tab", "shift+tab"}, {"enter", "enter"},
		{"esc", "esc"}, {"f1", "f1"}, {"f5", "f5"}, {"f12", "f12"},
		{"ctrl+a", "ctrl+a"}, {"ctrl+e", "ctrl+e"}, {"alt+x", "alt+x"}, {"alt+up", "alt+up"},
	} {
		if err := c.Press(k.press); err != nil {
			t.Fatal(err)
		}
		if err := c.WaitFor("按键: "+k.shown+"\n", wait); err != nil {
			t.Fatalf("press %s: %v", k.press, err)
		}
	}
	if err := c.Press("no-such-key"); err == nil {
		t.Error("Press accepted an unknown key")
	}

	if err := c.Resize(40, 6); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor("坐席 agent · 40x6", wait); err != nil {
		t.Fatal(err)
	}

	err := c.WaitFor("不会出现", 30*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "坐席 agent · 40x6") {
		t.Errorf("a timed-out WaitFor should show the screen; got %v", err)
	}

	if err := c.Press("ctrl+c"); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		t.Errorf("Wait() = %v; want a clean exit", err)
	}
	if err := c.WaitFor("不会出现", wait); !errors.Is(err, ErrSessionEnded) {
		t.Errorf("WaitFor after the session ended = %v; want ErrSessionEnded", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}

func TestClientClose(t *testing.T) {
	addr := startServer(t)
	c := dialAgent(t, addr, Options{})
	if err := c.WaitFor("坐席 agent · 80x24", wait); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Type("x"); err == nil {
		t.Error("Type after Close succeeded")
	}
	_ = c.Wait() // must not block
}

// TestClientNoOutput: a client told not to keep the raw output still draws the screen.
func TestClientNoOutput(t *testing.T) {
	addr := startServer(t)
	c := dialAgent(t, addr, Options{NoOutput: true, Env: map[string]string{"KEFU_LANG": "zh-CN"}})
	if err := c.WaitFor("坐席 agent · 80x24", wait); err != nil {
		t.Fatal(err)
	}
	if err := c.Type("你好"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor("输入: 你好", wait); err != nil {
		t.Fatal(err)
	}
	if out := c.Output(); out != nil {
		t.Errorf("Output() kept %d bytes with NoOutput", len(out))
	}
}

func TestDialRejected(t *testing.T) {
	addr := startServer(t)
	_, err := Dial(Options{Addr: addr, User: agentUser, Password: "wrong", Timeout: time.Second})
	if err == nil {
		t.Fatal("Dial with a wrong password succeeded")
	}
	if _, _, _, err := Run(Options{Addr: addr, User: "visitor", Password: agentPassword}, "env"); err == nil {
		t.Error("Run as an unknown user succeeded")
	}
}

func TestRun(t *testing.T) {
	addr := startServer(t)
	o := Options{Addr: addr, User: agentUser, Password: agentPassword, Env: map[string]string{"KEFU_LANG": "en"}}
	tests := []struct {
		command, stdout, stderr string
		code                    int
	}{
		{"greet 访客", "你好, 访客\n", "warn: 访客\n", 3},
		{"env", "KEFU_LANG=en\n", "", 0},
		{"nothing", "", "unknown command \"nothing\"\n", 127},
	}
	for _, tt := range tests {
		stdout, stderr, code, err := Run(o, tt.command)
		if err != nil {
			t.Fatalf("Run(%q): %v", tt.command, err)
		}
		if stdout != tt.stdout || stderr != tt.stderr || code != tt.code {
			t.Errorf("Run(%q) = %q, %q, %d; want %q, %q, %d", tt.command, stdout, stderr, code, tt.stdout, tt.stderr, tt.code)
		}
	}
}

func TestKeySequence(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"enter", "\r"}, {"Enter", "\r"}, {"esc", "\x1b"}, {"space", " "}, {"backspace", "\x7f"},
		{"shift+tab", "\x1b[Z"}, {"pgdown", "\x1b[6~"}, {"f1", "\x1bOP"}, {"f12", "\x1b[24~"},
		{"ctrl+a", "\x01"}, {"ctrl+z", "\x1a"}, {"CTRL+C", "\x03"},
		{"alt+x", "\x1bx"}, {"alt+X", "\x1bX"}, {"alt+访", "\x1b访"}, {"alt+enter", "\x1b\r"},
	}
	for _, tt := range tests {
		if got, err := KeySequence(tt.name); got != tt.want || err != nil {
			t.Errorf("KeySequence(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "ctrl+1", "ctrl+ab", "f13", "alt+", "alt+nope"} {
		if _, err := KeySequence(bad); err == nil {
			t.Errorf("KeySequence(%q) succeeded", bad)
		}
	}
}
