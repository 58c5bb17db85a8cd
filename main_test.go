package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/server/web/wsclient"
	"kefu/store"
)

func runKefu(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCommandLineErrorsAreOneLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o600)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
		{[]string{"serve", "--lang", "fr"}, 2, "--lang must be zh or en"},
		{[]string{"serve", "--http", "nonsense"}, 2, "not an address"},
		{[]string{"serve", "--trusted-proxy", "10.0.0.0/33"}, 2, "not an address or CIDR"},
		{[]string{"serve", "extra"}, 2, "unexpected argument"},
		{[]string{"frob"}, 2, "unknown command"},
		{[]string{"serve", "--data", file, "--http", "127.0.0.1:0", "--ssh", "127.0.0.1:0"}, 1, "data dir"},
		{[]string{"backup"}, 2, "usage"},
	}
	for _, tt := range tests {
		code, _, stderr := runKefu(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("kefu %v: exit %d, stderr %q; want exit %d with %q", tt.args, code, stderr, tt.code, tt.want)
		}
		if n := strings.Count(strings.TrimRight(stderr, "\n"), "\n"); n != 0 {
			t.Errorf("kefu %v: error is %d lines: %q", tt.args, n+1, stderr)
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, out, _ := runKefu("version"); code != 0 || !strings.HasPrefix(out, "kefu ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out, _ := runKefu("--help"); code != 0 || !strings.Contains(out, "ssh -p 2222 admin@localhost") {
		t.Errorf("--help: %d %q", code, out)
	}
}

// TestSecondKefuOnSameDataDirFailsAtOnce: a second server on a data dir in use exits with a
// clear one-line error instead of hanging.
func TestSecondKefuOnSameDataDirFailsAtOnce(t *testing.T) {
	dir := t.TempDir()
	startKefu(t, dir)
	start := time.Now()
	code, _, stderr := runKefu("serve", "--data", dir, "--http", "127.0.0.1:0", "--ssh", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "正被另一个 kefu 使用") {
		t.Fatalf("second kefu: exit %d, %q", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second kefu took %v to give up", d)
	}
}

// TestBackupWhileServing: kefu backup FILE works against a running server and the copy opens.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	startKefu(t, dir)
	file := filepath.Join(t.TempDir(), "backup.db")
	code, out, stderr := runKefu("backup", file, "--data", dir)
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, file) {
		t.Errorf("backup output %q", out)
	}
	if err := store.Verify(file); err != nil {
		t.Fatalf("backup does not open: %v", err)
	}
	copyDir := t.TempDir()
	data, _ := os.ReadFile(file)
	os.WriteFile(filepath.Join(copyDir, store.FileName), data, 0o600)
	db, err := store.Open(copyDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *store.Tx) error {
		if a, err := tx.AgentByLogin("admin"); err != nil || a.Account != "admin" {
			t.Errorf("restored backup has no admin: %v", err)
		}
		return nil
	})
}

// TestBackupUnderLoad: a backup taken while visitors are sending opens, passes bbolt's
// consistency check, and holds every conversation as a gapless prefix of what was sent.
func TestBackupUnderLoad(t *testing.T) {
	dir := t.TempDir()
	k := startKefu(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		v := k.visitor(t, wsclient.Options{Kind: "chat"})
		wg.Add(1)
		go func(v *wsclient.Visitor) {
			defer wg.Done()
			for n := 0; ctx.Err() == nil && n < 200; n++ {
				if v.SendMessage(ctx, fmt.Sprintf("b-%d", n), fmt.Sprintf("消息 %d", n)) != nil {
					return
				}
				time.Sleep(25 * time.Millisecond) // within the visitor rate limit
			}
		}(v)
	}
	time.Sleep(300 * time.Millisecond)
	file := filepath.Join(t.TempDir(), "backup.db")
	if code, _, stderr := runKefu("backup", file, "--data", dir); code != 0 {
		t.Fatalf("backup under load: %s", stderr)
	}
	cancel()
	wg.Wait()
	if err := store.Verify(file); err != nil {
		t.Fatalf("backup taken under load does not check out: %v", err)
	}
	copyDir := t.TempDir()
	data, _ := os.ReadFile(file)
	os.WriteFile(filepath.Join(copyDir, store.FileName), data, 0o600)
	db, err := store.Open(copyDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	total := 0
	db.View(func(tx *store.Tx) error {
		convs, _ := tx.OpenConvs()
		for _, c := range convs {
			msgs, _ := tx.Messages(c.ID, 0, 0)
			for i, m := range msgs {
				if m.Seq != uint64(i+1) {
					t.Errorf("conversation %d: message %d has seq %d (gap in the backup)", c.ID, i, m.Seq)
				}
			}
			total += len(msgs)
		}
		return nil
	})
	if total == 0 {
		t.Fatal("the backup holds no messages: it was not taken under load")
	}
	t.Logf("backup under load held %d messages", total)
}
