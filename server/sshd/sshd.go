// Package sshd is kefu's front door for staff: an SSH server (wish) that logs agents in with
// a password or a registered public key, opens the workbench for sessions with a terminal and
// runs commands for sessions without one.
//
// The workbench itself is the tui package's business; sshd only knows how to start it
// (Config.Workbench), so the dependency stays tui → server.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

// Workbench builds the Bubble Tea model of an agent's session. r is the session's renderer;
// every style of the session must come from it.
type Workbench func(w WorkbenchSession) tea.Model

// WorkbenchSession is what the workbench gets to start from.
type WorkbenchSession struct {
	SSH      ssh.Session
	Renderer *lipgloss.Renderer
	Agent    *desk.AgentSession
	Snapshot hub.Snapshot
	Lang     i18n.Lang
	Width    int
	Height   int
	// Account, Host and Port are how this agent reaches kefu over SSH, for the scp commands
	// the workbench shows.
	Account string
	Host    string
	Port    int
	// Screen is where the workbench paints its frames (Bubble Tea's own renderer is off).
	Screen *Screen
}

// Config configures the SSH server.
type Config struct {
	Desk        *desk.Desk
	HostKeyPath string
	Workbench   Workbench
	Lang        i18n.Lang // default UI language
	Version     string
	Log         *slog.Logger
	// IdleTimeout closes a connection with no traffic; default 0 (never: the workbench sits
	// open all day, and the TCP keepalive finds dead peers).
	IdleTimeout time.Duration
}

// Server is the SSH server.
type Server struct {
	cfg  Config
	desk *desk.Desk
	log  *slog.Logger
	srv  *ssh.Server

	mu       sync.Mutex
	sessions map[*session]struct{}
	wg       sync.WaitGroup
	// The listeners Serve was given, and whether Shutdown has begun: the SSH library's Close
	// only closes listeners its Serve has already registered, so a Shutdown that came first
	// would leave Serve accepting for ever.
	listeners []net.Listener
	closed    bool
}

// session is one running workbench, so Shutdown can tell it why it ends.
type session struct {
	prog  *tea.Program
	agent uint64
}

type ctxKey string

const (
	keyAgent ctxKey = "kefu.agent" // agent id approved by the password handler
)

// New builds the server; the host key is created at HostKeyPath on first start.
func New(cfg Config) (*Server, error) {
	if cfg.Desk == nil {
		return nil, errors.New("sshd: no desk")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, desk: cfg.Desk, log: cfg.Log, sessions: map[*session]struct{}{}}
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(cfg.HostKeyPath),
		wish.WithVersion("kefu"),
		wish.WithPasswordAuth(s.passwordAuth),
		wish.WithPublicKeyAuth(s.publicKeyAuth),
		wish.WithIdleTimeout(cfg.IdleTimeout),
		// wish runs the last middleware first; transfer takes scp commands before dispatch.
		wish.WithMiddleware(s.dispatch, s.transfer, s.verify, s.recover),
		// Subsystems bypass the middleware, so sftp is wrapped in the same checks.
		wish.WithSubsystem("sftp", ssh.SubsystemHandler(s.recover(s.verify(s.serveSFTP)))),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.srv = srv
	return s, nil
}

// Serve accepts SSH connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return nil
	}
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	err := s.srv.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown tells every open workbench why it closes, lets them end, then closes all
// connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for ss := range s.sessions {
		ss.prog.Send(ShutdownMsg{})
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(3 * time.Second):
	}
	err := s.srv.Close()
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	s.mu.Lock()
	for _, l := range s.listeners {
		l.Close()
	}
	s.mu.Unlock()
	return err
}

// ShutdownMsg tells a workbench the server is stopping; it shows why and quits.
type ShutdownMsg struct{}

func (s *Server) passwordAuth(ctx ssh.Context, password string) bool {
	ip, _, _ := net.SplitHostPort(ctx.RemoteAddr().String())
	a, err := s.desk.Login(ctx.User(), password, ip)
	if err != nil {
		s.log.Info("ssh login refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String())
		return false
	}
	ctx.SetValue(keyAgent, a.ID)
	return true
}

func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	_, err := s.agentForKey(ctx.User(), key)
	return err == nil
}

// agentForKey finds the enabled agent who owns key and whose login is user.
func (s *Server) agentForKey(user string, key ssh.PublicKey) (*store.Agent, error) {
	a, err := s.desk.AgentByKey(gossh.FingerprintSHA256(key))
	if err != nil {
		return nil, err
	}
	u := strings.ToLower(user)
	if u != strings.ToLower(a.Account) && (a.Phone == "" || u != a.Phone) && (a.Email == "" || u != strings.ToLower(a.Email)) {
		return nil, desk.ErrBadLogin
	}
	return a, nil
}

// verify decides who the session belongs to from what actually authenticated it: the key
// the connection proved it holds (checked again here, not trusted from the handshake's
// callbacks), or the password handler's approval.
func (s *Server) verify(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		var agentID uint64
		if pk := sess.PublicKey(); pk != nil {
			a, err := s.agentForKey(sess.User(), pk)
			if err != nil {
				wish.Fatalln(sess, s.cfg.Lang.T("ssh.denied"))
				return
			}
			agentID = a.ID
		} else if id, ok := sess.Context().Value(keyAgent).(uint64); ok {
			agentID = id
		}
		if agentID == 0 {
			wish.Fatalln(sess, s.cfg.Lang.T("ssh.denied"))
			return
		}
		sess.Context().SetValue(keyAgent, agentID)
		next(sess)
	}
}

// recover keeps one session's panic from taking the server down.
func (s *Server) recover(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("session panic", "user", sess.User(), "panic", r, "stack", string(debug.Stack()))
				fmt.Fprintln(sess.Stderr(), s.cfg.Lang.T("ssh.internal"))
				sess.Exit(1)
			}
		}()
		next(sess)
	}
}

// dispatch opens the workbench for a terminal and runs a command otherwise.
func (s *Server) dispatch(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		agentID, _ := sess.Context().Value(keyAgent).(uint64)
		a, err := s.desk.Agent(agentID)
		if err != nil || a.Disabled {
			wish.Fatalln(sess, s.cfg.Lang.T("ssh.denied"))
			return
		}
		lang := s.cfg.Lang
		if l, ok := i18n.Parse(a.Lang); ok {
			lang = l
		}
		if _, _, isPty := sess.Pty(); isPty && len(sess.Command()) == 0 {
			s.runWorkbench(sess, a, lang)
			return
		}
		sess.Exit(s.runCommand(sess, a, lang))
	}
}

func (s *Server) runWorkbench(sess ssh.Session, a *store.Agent, lang i18n.Lang) {
	pty, winCh, _ := sess.Pty()
	as, snap, err := s.desk.StartAgentSession(a.ID)
	if err != nil {
		wish.Fatalln(sess, lang.T("ssh.no_workbench"))
		return
	}
	defer as.Close()
	r := newRenderer(sess, pty.Term)
	host, port := "localhost", 2222
	if a, ok := sess.LocalAddr().(*net.TCPAddr); ok {
		port = a.Port
		if !a.IP.IsUnspecified() && !a.IP.IsLoopback() {
			host = a.IP.String()
		}
	}
	screen := NewScreen(sess, pty.Window.Width, pty.Window.Height)
	model := s.cfg.Workbench(WorkbenchSession{SSH: sess, Renderer: r, Agent: as, Snapshot: snap, Lang: lang,
		Width: pty.Window.Width, Height: pty.Window.Height, Account: a.Account, Host: host, Port: port, Screen: screen})
	prog := tea.NewProgram(model, tea.WithInput(newLimitedReader(sess.Context(), sess)), tea.WithOutput(sess),
		tea.WithoutRenderer(), tea.WithContext(sess.Context()))
	ss := &session{prog: prog, agent: a.ID}
	s.mu.Lock()
	s.sessions[ss] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
		s.wg.Done()
	}()
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case w := <-winCh:
				screen.Resize(w.Width, w.Height)
				prog.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	final, err := prog.Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		s.log.Warn("workbench ended", "agent", a.Account, "err", err)
	}
	prog.Kill()
	screen.Close()
	// Say why the workbench closed on the normal screen, where it stays readable.
	if e, ok := final.(interface{ EndReason() string }); ok && e.EndReason() != "" {
		fmt.Fprintf(sess, "%s\r\n", e.EndReason())
	}
}

// newRenderer makes the session's lipgloss renderer from the client's TERM and environment
// (NO_COLOR, COLORTERM) without querying the terminal: a client that never answers a
// background-colour query would otherwise stall the session.
func newRenderer(sess ssh.Session, term string) *lipgloss.Renderer {
	if term == "" || term == "dumb" {
		r := lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
		r.SetHasDarkBackground(true)
		return r
	}
	env := environ(append(sess.Environ(), "TERM="+term))
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
	if env.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	r.SetHasDarkBackground(!strings.Contains(env.Getenv("COLORFGBG"), ";15"))
	return r
}

// environ is the client's environment as termenv reads it.
type environ []string

func (e environ) Environ() []string { return e }

func (e environ) Getenv(k string) string {
	for i := len(e) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(e[i], k+"="); ok {
			return v
		}
	}
	return ""
}
