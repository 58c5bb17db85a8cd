package sshd

import (
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

// TestShutdownBeforeServe: a server stopped before its Serve goroutine got going (a signal
// right after start) still stops; Serve returns instead of accepting for ever.
func TestShutdownBeforeServe(t *testing.T) {
	_, d := newTestDesk(t)
	srv, l := newTestServer(t, d)
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve after Shutdown is still accepting")
	}
	if c, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("the listener is still open")
	}
}

// newTestDesk is a desk on a fresh data dir, closed when the test ends.
func newTestDesk(t *testing.T) (*store.DB, *desk.Desk) {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return db, d
}

// newTestServer is the SSH server on d, with a workbench that draws nothing, and a loopback
// listener for it that nobody serves yet.
func newTestServer(t *testing.T, d *desk.Desk) (*Server, net.Listener) {
	t.Helper()
	srv, err := New(Config{Desk: d, HostKeyPath: filepath.Join(t.TempDir(), "host_key"), Lang: i18n.ZH,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workbench: func(WorkbenchSession) tea.Model { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return srv, l
}
