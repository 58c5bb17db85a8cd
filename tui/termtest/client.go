package termtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Options say where and as whom a Client or Run connects, and what terminal it claims to be.
type Options struct {
	Addr          string            // host:port, e.g. "127.0.0.1:2222"
	User          string            // SSH user name
	Password      string            // used when Signer is nil; also answers keyboard-interactive prompts
	Signer        ssh.Signer        // public-key authentication
	Width, Height int               // pty size; default 80×24
	Term          string            // TERM sent with the pty request; default "xterm-256color"
	Env           map[string]string // sent with Setenv before the shell or command; refusals are ignored
	Timeout       time.Duration     // for dialling, the handshake and opening the session; default 5s
	// NoOutput keeps only the screen, not every byte received: Output then returns nil. A
	// load tool watching a busy workbench for minutes would otherwise hold (and copy, as it
	// grows) tens of MB per session.
	NoOutput bool
}

func (o *Options) defaults() {
	if o.Width <= 0 {
		o.Width = 80
	}
	if o.Height <= 0 {
		o.Height = 24
	}
	if o.Term == "" {
		o.Term = "xterm-256color"
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
}

// ErrSessionEnded is returned by the Wait methods when the remote side ended the session
// before the screen showed what was awaited.
var ErrSessionEnded = errors.New("session ended")

// Client is an agent at a terminal: an SSH session with a pty whose output is drawn on a
// Screen, and whose keyboard is Type and Press. It answers no terminal queries.
type Client struct {
	conn   *ssh.Client
	sess   *ssh.Session
	stdin  io.WriteCloser
	screen *Screen

	outMu   sync.Mutex // keeps raw and the screen in the same order
	raw     []byte
	keepRaw bool

	done      chan struct{} // closed when the session has ended
	waitErr   error
	closeOnce sync.Once
	closeErr  error
}

// Dial connects, requests a pty of o.Width×o.Height, starts a shell and keeps drawing what
// the server sends on the client's Screen until the session ends. Host keys are not checked.
func Dial(o Options) (*Client, error) {
	o.defaults()
	conn, raw, err := dial(o)
	if err != nil {
		return nil, err
	}
	fail := func(what string, err error) (*Client, error) {
		_ = conn.Close()
		return nil, fmt.Errorf("termtest: %s on %s: %w", what, o.Addr, err)
	}
	sess, err := conn.NewSession()
	if err != nil {
		return fail("open session", err)
	}
	setenv(sess, o.Env)
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 38400, ssh.TTY_OP_OSPEED: 38400}
	if err := sess.RequestPty(o.Term, o.Height, o.Width, modes); err != nil {
		return fail("request pty", err)
	}
	c := &Client{
		conn:    conn,
		sess:    sess,
		screen:  NewScreen(o.Width, o.Height),
		done:    make(chan struct{}),
		keepRaw: !o.NoOutput,
	}
	if c.stdin, err = sess.StdinPipe(); err != nil {
		return fail("stdin", err)
	}
	// Like a real terminal, the screen shows both streams.
	sess.Stdout = output{c}
	sess.Stderr = output{c}
	if err := sess.Shell(); err != nil {
		return fail("start shell", err)
	}
	_ = raw.SetDeadline(time.Time{})
	go func() {
		c.waitErr = sess.Wait()
		close(c.done)
	}()
	return c, nil
}

// dial opens an SSH connection, bounding the TCP dial and the handshake by o.Timeout. The
// deadline stays on the raw connection until the caller has opened its session.
func dial(o Options) (*ssh.Client, net.Conn, error) {
	var auth []ssh.AuthMethod
	if o.Signer != nil {
		auth = append(auth, ssh.PublicKeys(o.Signer))
	} else {
		pw := o.Password
		auth = append(auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	cfg := &ssh.ClientConfig{
		User: o.User,
		Auth: auth,
		// A test kit talks to servers it has just started; there is no known_hosts to check.
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         o.Timeout,
	}
	raw, err := net.DialTimeout("tcp", o.Addr, o.Timeout)
	if err != nil {
		return nil, nil, fmt.Errorf("termtest: dial %s: %w", o.Addr, err)
	}
	_ = raw.SetDeadline(time.Now().Add(o.Timeout))
	cc, chans, reqs, err := ssh.NewClientConn(raw, o.Addr, cfg)
	if err != nil {
		_ = raw.Close()
		return nil, nil, fmt.Errorf("termtest: ssh handshake with %s: %w", o.Addr, err)
	}
	return ssh.NewClient(cc, chans, reqs), raw, nil
}

func setenv(sess *ssh.Session, env map[string]string) {
	for k, v := range env {
		_ = sess.Setenv(k, v) // servers may refuse; the session still works
	}
}

// output receives the session's stdout and stderr.
type output struct{ c *Client }

func (o output) Write(p []byte) (int, error) {
	o.c.outMu.Lock()
	defer o.c.outMu.Unlock()
	if o.c.keepRaw {
		o.c.raw = append(o.c.raw, p...)
	}
	return o.c.screen.Write(p)
}

// Screen returns the screen the session draws on.
func (c *Client) Screen() *Screen { return c.screen }

// Output returns a copy of every byte the server has sent so far, for asserting that
// nothing hostile (say, an escape sequence typed by a visitor) came through unescaped; nil
// with Options.NoOutput.
func (c *Client) Output() []byte {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return bytes.Clone(c.raw)
}

// Type sends s as if typed on the keyboard, in one write.
func (c *Client) Type(s string) error {
	if _, err := io.WriteString(c.stdin, s); err != nil {
		return fmt.Errorf("termtest: type %q: %w", s, err)
	}
	return nil
}

// Press sends named keys (see KeySequence), one write each. A lone "esc" followed by another
// key is given a moment to arrive alone, or the program would read the pair as alt+key.
func (c *Client) Press(keys ...string) error {
	for i, k := range keys {
		seq, err := KeySequence(k)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(c.stdin, seq); err != nil {
			return fmt.Errorf("termtest: press %s: %w", k, err)
		}
		if seq == "\x1b" && i < len(keys)-1 {
			time.Sleep(escDelay)
		}
	}
	return nil
}

// escDelay is longer than it takes Bubble Tea to read one packet of input.
const escDelay = 25 * time.Millisecond

// WaitFor waits until the screen contains substr. The error shows the screen as it was.
func (c *Client) WaitFor(substr string, timeout time.Duration) error {
	return c.WaitForFunc(fmt.Sprintf("screen to contain %q", substr),
		func(screen string) bool { return strings.Contains(screen, substr) }, timeout)
}

// WaitGone waits until the screen no longer contains substr.
func (c *Client) WaitGone(substr string, timeout time.Duration) error {
	return c.WaitForFunc(fmt.Sprintf("%q to leave the screen", substr),
		func(screen string) bool { return !strings.Contains(screen, substr) }, timeout)
}

// WaitForFunc waits until ok accepts the screen's text (Screen.String), re-checking after
// every write from the server. desc names the condition in the error, which also shows the
// screen as it was.
func (c *Client) WaitForFunc(desc string, ok func(screen string) bool, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		changed := c.screen.changes()
		screen := c.screen.String()
		if ok(screen) {
			return nil
		}
		select {
		case <-changed:
		case <-c.done:
			if screen = c.screen.String(); ok(screen) {
				return nil
			}
			return fmt.Errorf("termtest: waiting for %s: %w; screen:\n%s", desc, ErrSessionEnded, frame(screen))
		case <-timer.C:
			return fmt.Errorf("termtest: waited %v for %s; screen:\n%s", timeout, desc, frame(c.screen.String()))
		}
	}
}

// frame draws a border round a screen dump so trailing blanks and empty rows are visible in
// test output.
func frame(screen string) string {
	var b strings.Builder
	b.WriteString("┌\n")
	for _, l := range strings.Split(screen, "\n") {
		b.WriteString("│")
		b.WriteString(l)
		b.WriteString("\n")
	}
	b.WriteString("└")
	return b.String()
}

// Resize tells the server the terminal is now w×h and resizes the screen to match.
func (c *Client) Resize(w, h int) error {
	c.screen.Resize(w, h)
	if err := c.sess.WindowChange(h, w); err != nil {
		return fmt.Errorf("termtest: resize to %dx%d: %w", w, h, err)
	}
	return nil
}

// Wait blocks until the remote side ends the session and returns its outcome as
// ssh.Session.Wait does: nil for exit status 0, an *ssh.ExitError otherwise.
func (c *Client) Wait() error {
	<-c.done
	return c.waitErr
}

// Close hangs up, as closing the terminal window would, and waits for the output to stop.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		_ = c.stdin.Close()
		_ = c.sess.Close()
		if err := c.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			c.closeErr = err
		}
		<-c.done
	})
	return c.closeErr
}

// Run runs command on a session without a pty, as a script would, and returns what it wrote
// and its exit status. A non-zero exit status is not an error; a missing one is, and
// exitCode is then -1.
func Run(o Options, command string) (stdout, stderr string, exitCode int, err error) {
	o.defaults()
	conn, raw, err := dial(o)
	if err != nil {
		return "", "", -1, err
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		return "", "", -1, fmt.Errorf("termtest: open session on %s: %w", o.Addr, err)
	}
	defer sess.Close()
	setenv(sess, o.Env)
	_ = raw.SetDeadline(time.Time{}) // the command may take as long as it likes
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	err = sess.Run(command)
	var exit *ssh.ExitError
	switch {
	case err == nil:
		return out.String(), errOut.String(), 0, nil
	case errors.As(err, &exit):
		return out.String(), errOut.String(), exit.ExitStatus(), nil
	default:
		return out.String(), errOut.String(), -1, fmt.Errorf("termtest: run %q on %s: %w", command, o.Addr, err)
	}
}
