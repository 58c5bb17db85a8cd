package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BuildKefu compiles the kefu command into dir and returns the binary's path. It runs the go
// tool from the current directory, which must be inside kefu's module. race builds with the
// race detector.
func BuildKefu(ctx context.Context, dir string, race bool) (string, error) {
	out := filepath.Join(dir, "kefu")
	args := []string{"build"}
	if race {
		args = append(args, "-race")
	}
	args = append(args, "-o", out, "kefu")
	cmd := exec.CommandContext(ctx, goTool(), args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return out, nil
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// KefuOptions say how to run a kefu child process.
type KefuOptions struct {
	// Command is the program and its leading arguments; the serve flags --data, --http and
	// --ssh are appended. Usually {path of kefu, "serve"}.
	Command []string
	Dir     string   // data directory
	Env     []string // extra environment (KEFU_ADMIN_PASSWORD=…)
	// StartTimeout bounds how long a start may take; default 20s.
	StartTimeout time.Duration
}

// Kefu is kefu running as a child process on two loopback ports. Restarts keep the data dir
// and, when they are still free, the ports.
type Kefu struct {
	o        KefuOptions
	HTTPAddr string // 127.0.0.1:port
	SSHAddr  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	log     *tailBuffer
}

// StartKefu starts kefu on free loopback ports and returns once both ports are bound.
func StartKefu(ctx context.Context, o KefuOptions) (*Kefu, error) {
	if o.StartTimeout <= 0 {
		o.StartTimeout = 20 * time.Second
	}
	k := &Kefu{o: o, log: &tailBuffer{max: 64 << 10}}
	return k, k.start(ctx, true)
}

// Restart starts the server again on the same data dir, after Kill or Stop.
func (k *Kefu) Restart(ctx context.Context) error { return k.start(ctx, false) }

func (k *Kefu) start(ctx context.Context, newPorts bool) error {
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		if newPorts || attempt > 0 {
			ports, err := freePorts(2)
			if err != nil {
				return err
			}
			k.HTTPAddr, k.SSHAddr = ports[0], ports[1]
		}
		err := k.startOnce(ctx)
		if err == nil {
			return nil
		}
		last = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return last
}

func (k *Kefu) startOnce(ctx context.Context) error {
	args := append(append([]string(nil), k.o.Command[1:]...), "--data", k.o.Dir, "--http", k.HTTPAddr, "--ssh", k.SSHAddr)
	cmd := exec.Command(k.o.Command[0], args...)
	cmd.Env = append(os.Environ(), k.o.Env...)
	// Its own process group, so a Ctrl-C at the terminal reaches the tool, which then stops
	// the server in order; killed with the tool if the tool dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	ready := make(chan struct{})
	out := &startWatch{log: k.log, marker: "http://" + k.HTTPAddr + "/", ready: ready}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", k.o.Command[0], err)
	}
	exited := make(chan struct{})
	k.mu.Lock()
	k.cmd, k.exited, k.waitErr = cmd, exited, nil
	k.mu.Unlock()
	go func() {
		err := cmd.Wait()
		k.mu.Lock()
		k.waitErr = err
		k.mu.Unlock()
		close(exited)
	}()
	timer := time.NewTimer(k.o.StartTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		// The ports are bound; wait until it serves, so that its signal handlers are in place
		// (kefu prints its banner before it installs them).
		for {
			if healthy(k.HTTPAddr) {
				return nil
			}
			select {
			case <-exited:
				return fmt.Errorf("kefu exited during start (%v): %s", k.exitErr(), k.log.Tail(2000))
			case <-timer.C:
				k.Kill()
				return fmt.Errorf("kefu did not answer /healthz within %v: %s", k.o.StartTimeout, k.log.Tail(2000))
			case <-time.After(10 * time.Millisecond):
			}
		}
	case <-exited:
		return fmt.Errorf("kefu exited during start (%v): %s", k.exitErr(), k.log.Tail(2000))
	case <-timer.C:
	case <-ctx.Done():
	}
	k.Kill()
	return fmt.Errorf("kefu did not start within %v: %s", k.o.StartTimeout, k.log.Tail(2000))
}

func (k *Kefu) exitErr() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.waitErr
}

// PID is the running server's process id.
func (k *Kefu) PID() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cmd == nil || k.cmd.Process == nil {
		return 0
	}
	return k.cmd.Process.Pid
}

// Base is the server's HTTP base URL.
func (k *Kefu) Base() string { return "http://" + k.HTTPAddr }

// running is the current process, nil when there is none or it has exited, and the channel
// closed when it exits.
func (k *Kefu) running() (*os.Process, <-chan struct{}) {
	k.mu.Lock()
	cmd, exited := k.cmd, k.exited
	k.mu.Unlock()
	if cmd == nil {
		return nil, nil
	}
	select {
	case <-exited:
		return nil, exited
	default:
		return cmd.Process, exited
	}
}

// Kill sends SIGKILL and waits until the process is gone.
func (k *Kefu) Kill() error {
	p, exited := k.running()
	if p == nil {
		return nil
	}
	if err := p.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-exited
	return nil
}

// Stop sends SIGTERM and waits for a graceful exit; after timeout it kills. It returns an
// error if the server had to be killed or exited with a failure.
func (k *Kefu) Stop(timeout time.Duration) error {
	p, exited := k.running()
	if p == nil {
		return k.exitErr() // nil when it never ran
	}
	p.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		if err := k.exitErr(); err != nil {
			return fmt.Errorf("kefu exited with %v: %s", err, k.log.Tail(2000))
		}
		return nil
	case <-time.After(timeout):
		k.Kill()
		return fmt.Errorf("kefu did not stop within %v after SIGTERM; killed", timeout)
	}
}

// Races counts the data races the server's race detector reported, over all its runs.
func (k *Kefu) Races() int { return k.log.Races() }

// Log is the tail of what the server wrote on stdout and stderr.
func (k *Kefu) Log() string { return k.log.Tail(64 << 10) }

func healthy(addr string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + addr + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePorts finds n free loopback ports by listening on port 0 and closing again. Another
// process may take one before kefu binds it; start retries on a new pair then.
func freePorts(n int) ([]string, error) {
	var out []string
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
}

// startWatch passes the server's output to the log and notices the line that says it is
// listening, and any report of the race detector.
type startWatch struct {
	log    *tailBuffer
	marker string
	ready  chan struct{}
	line   []byte // unfinished line
	seen   bool
}

func (w *startWatch) Write(p []byte) (int, error) {
	w.log.Write(p)
	if w.seen {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	if strings.Contains(string(w.line), w.marker) {
		w.seen = true
		close(w.ready)
		w.line = nil
	} else if i := strings.LastIndexByte(string(w.line), '\n'); i >= 0 {
		w.line = append(w.line[:0], w.line[i+1:]...)
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	b     []byte
	races int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if strings.Contains(string(p), "WARNING: DATA RACE") {
		t.races++
	}
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// Tail is the last n bytes.
func (t *tailBuffer) Tail(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.b) > n {
		return string(t.b[len(t.b)-n:])
	}
	return string(t.b)
}

// Races counts the race detector's reports in everything written (a race-enabled build).
func (t *tailBuffer) Races() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.races
}
