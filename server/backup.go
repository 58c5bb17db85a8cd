package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kefu/store"
)

// ControlSocket is the unix socket in the data dir through which `kefu backup` asks a running
// server for a hot backup. Its mode is 0600: only the user running kefu can use it.
const ControlSocket = "kefu.sock"

// Backup writes a consistent copy of the database in dataDir to file. If a kefu is serving
// that dir, the copy is taken by it while it keeps serving; otherwise the file is read
// directly. The copy is written to a temporary file, checked by opening it, then renamed.
func Backup(dataDir, file string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".kefu-backup-*")
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", file, err)
	}
	defer os.Remove(tmp.Name())
	n, err := backupInto(dataDir, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if err := store.Verify(tmp.Name()); err != nil {
		return 0, fmt.Errorf("the copy does not open: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return 0, err
	}
	return n, nil
}

func backupInto(dataDir string, w io.Writer) (int64, error) {
	db, err := store.Open(dataDir, store.Options{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		defer db.Close()
		return db.WriteTo(w)
	}
	if !errors.Is(err, store.ErrLocked) {
		return 0, err
	}
	conn, err := net.DialTimeout("unix", filepath.Join(dataDir, ControlSocket), 5*time.Second)
	if err != nil {
		return 0, fmt.Errorf("the data dir is in use, but its kefu does not answer on %s: %w", ControlSocket, err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "backup\n"); err != nil {
		return 0, err
	}
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("backup from running kefu: %w", err)
	}
	if status = strings.TrimSpace(status); status != "ok" {
		return 0, fmt.Errorf("backup from running kefu: %s", status)
	}
	return io.Copy(w, br)
}

// serveControl answers `kefu backup` on the control socket until the listener closes.
func (s *Server) serveControl(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go func() {
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				return
			}
			conn.SetReadDeadline(time.Time{})
			switch strings.TrimSpace(line) {
			case "backup":
				io.WriteString(conn, "ok\n")
				if _, err := s.DB.WriteTo(conn); err != nil {
					s.cfg.Log.Warn("backup", "err", err)
				}
			default:
				io.WriteString(conn, "unknown request\n")
			}
		}()
	}
}

// listenControl opens the control socket, replacing a stale one from a crash (the database
// lock proves no other kefu uses this dir).
func listenControl(dataDir string) (net.Listener, error) {
	path := filepath.Join(dataDir, ControlSocket)
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}
