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
	dir := t.TempDir()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv, err := New(Config{Desk: d, HostKeyPath: filepath.Join(dir, "host_key"), Lang: i18n.ZH, Log: log,
		Workbench: func(WorkbenchSession) tea.Model { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
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
