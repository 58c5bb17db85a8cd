package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/server"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/web/wsclient"
	"kefu/store"
	"kefu/tui"
	"kefu/tui/termtest"
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

// TestFailedStartLeavesNoAdmin: a first start that cannot open its port fails before it
// creates the admin, so the generated password is never made and lost; the next start that
// succeeds creates the admin and shows the password.
func TestFailedStartLeavesNoAdmin(t *testing.T) {
	t.Setenv("KEFU_ADMIN_PASSWORD", "")
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := t.TempDir()
	code, out, stderr := runKefu("serve", "--data", dir, "--http", taken.Addr().String(), "--ssh", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "address already in use") {
		t.Fatalf("start on a taken port: exit %d, %q", code, stderr)
	}
	if strings.Contains(out, "admin") {
		t.Fatalf("a failed start printed %q", out)
	}
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *store.Tx) error {
		if a, err := tx.AgentByLogin("admin"); err == nil {
			t.Errorf("a failed start left the admin %q behind", a.Account)
		}
		if sites, _ := tx.Sites(); len(sites) != 0 {
			t.Errorf("a failed start left %d sites behind", len(sites))
		}
		return nil
	})
	db.Close()

	srv, err := server.New(server.Config{DataDir: dir, HTTPAddr: "127.0.0.1:0", SSHAddr: "127.0.0.1:0", Workbench: tui.New,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !srv.Created || srv.AdminPassword == "" {
		t.Fatalf("the next start: created %v, password %q", srv.Created, srv.AdminPassword)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Run(ctx); err != nil {
		t.Fatal(err)
	}
	loginWorks(t, dir, "admin", srv.AdminPassword)
}

// loginWorks checks a password against the stored account.
func loginWorks(t *testing.T, dir, account, password string) {
	t.Helper()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Login(account, password, "127.0.0.1"); err != nil {
		t.Fatalf("%s cannot log in with %q: %v", account, password, err)
	}
}

// TestAdminPasswordRecovery: kefu admin-password (kefu passwd ACCOUNT) gives an account a new
// password while kefu is stopped; with kefu running it refuses at once and says why.
func TestAdminPasswordRecovery(t *testing.T) {
	t.Setenv("KEFU_LANG", "zh")
	dir := t.TempDir()
	k := startKefu(t, dir)
	start := time.Now()
	code, _, stderr := runKefu("admin-password", "--data", dir)
	if code != 1 || !strings.Contains(stderr, "正被运行中的 kefu 使用") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("admin-password while serving: exit %d, %q", code, stderr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("admin-password took %v to see the dir in use", d)
	}
	k.stop()

	code, out, stderr := runKefu("admin-password", "--data", dir)
	if code != 0 {
		t.Fatalf("admin-password: exit %d, %q", code, stderr)
	}
	pw := strings.TrimSpace(out[strings.LastIndex(out, "：")+len("："):])
	if len(pw) < desk.MinPassword || strings.Contains(out, adminPassword) {
		t.Fatalf("admin-password printed %q", out)
	}
	loginWorks(t, dir, "admin", pw)

	stdin = strings.NewReader("新密码-2025\n")
	defer func() { stdin = os.Stdin }()
	if code, out, stderr := runKefu("passwd", "admin", "--data", dir, "--stdin", "--lang", "en"); code != 0 || !strings.Contains(out, "The password of admin is set") {
		t.Fatalf("passwd --stdin: exit %d, %q %q", code, out, stderr)
	}
	loginWorks(t, dir, "admin", "新密码-2025")

	missing := filepath.Join(t.TempDir(), "nothing-here")
	for _, tt := range []struct {
		args  []string
		input string
		code  int
		want  string
	}{
		{[]string{"passwd", "nobody", "--data", dir}, "", 1, "没有账号 nobody"},
		{[]string{"passwd", "--data", dir, "--stdin"}, "abc\n", 2, "6–20"},
		{[]string{"passwd", "--data", missing}, "", 1, "没有 kefu 数据库"},
		{[]string{"passwd", "a", "b", "--data", dir}, "", 2, "kefu passwd [账号]"},
	} {
		stdin = strings.NewReader(tt.input)
		code, _, stderr := runKefu(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("kefu %v: exit %d, %q; want exit %d with %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("passwd on a missing data dir created it")
	}
	loginWorks(t, dir, "admin", "新密码-2025")
}

// TestHelpFollowsTheLanguage: kefu --help speaks --lang, else KEFU_LANG, else the locale;
// Chinese by default.
func TestHelpFollowsTheLanguage(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"KEFU_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}, []string{"--help"}, "用法："},
		{map[string]string{"KEFU_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}, []string{"--help"}, "Usage:"},
		{map[string]string{"KEFU_LANG": "en", "LANG": "zh_CN.UTF-8"}, []string{"help"}, "Usage:"},
		{map[string]string{"KEFU_LANG": "en"}, []string{"--help", "--lang", "zh"}, "用法："},
		{map[string]string{"KEFU_LANG": "zh"}, []string{"serve", "--lang=en", "-h"}, "Usage:"},
		{map[string]string{"KEFU_LANG": "en"}, []string{"passwd", "--help"}, "kefu passwd [ACCOUNT]"},
	} {
		for k, v := range tt.env {
			t.Setenv(k, v)
		}
		code, out, _ := runKefu(tt.args...)
		if code != 0 || !strings.Contains(out, tt.want) || !strings.Contains(out, "ssh -p 2222 admin@localhost") {
			t.Errorf("kefu %v with %v: exit %d, want %q in:\n%s", tt.args, tt.env, code, tt.want, out)
		}
	}
}

// TestBadEnvironmentValuesAreErrors: a bad value in the environment stops kefu with one line
// that names the variable, like a bad flag; a flag given overrides the variable.
func TestBadEnvironmentValuesAreErrors(t *testing.T) {
	for _, tt := range []struct {
		name, value string
		want        string
	}{
		{"KEFU_MAX_FILE_MB", "lots", `KEFU_MAX_FILE_MB must be a whole number of MiB between 1 and 1024, not "lots"`},
		{"KEFU_MAX_FILE_MB", "0", "KEFU_MAX_FILE_MB must be"},
		{"KEFU_LANG", "fr", `KEFU_LANG must be zh or en, not "fr"`},
		{"KEFU_HTTP", "nonsense", `KEFU_HTTP "nonsense" is not an address`},
		{"KEFU_SSH", "2222", `KEFU_SSH "2222" is not an address`},
		{"KEFU_TRUSTED_PROXIES", "10.0.0.0/33", "KEFU_TRUSTED_PROXIES:"},
		{"KEFU_PUBLIC_URL", "ftp://kefu", "KEFU_PUBLIC_URL must look like"},
	} {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Setenv(tt.name, tt.value)
			// Loopback ports, except for the variable under test: a value wrongly accepted
			// must not leave kefu serving on :8080 for the rest of the test run.
			args := []string{"serve", "--data", t.TempDir()}
			if tt.name != "KEFU_HTTP" {
				args = append(args, "--http", "127.0.0.1:0")
			}
			if tt.name != "KEFU_SSH" {
				args = append(args, "--ssh", "127.0.0.1:0")
			}
			code, _, stderr := runKefu(args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit %d, %q; want exit 2 with %q", code, stderr, tt.want)
			}
		})
	}
	t.Setenv("KEFU_MAX_FILE_MB", "lots")
	code, _, stderr := runKefu("serve", "--max-file-mb", "5", "--http", "nonsense")
	if code != 2 || strings.Contains(stderr, "KEFU_MAX_FILE_MB") || !strings.Contains(stderr, `--http "nonsense"`) {
		t.Errorf("a flag did not override the environment: exit %d, %q", code, stderr)
	}
}

// TestSSHHintsNameTheRealPort: the one line a session without a terminal gets names the port
// kefu's SSH listens on, not the default.
func TestSSHHintsNameTheRealPort(t *testing.T) {
	k := startKefu(t, t.TempDir())
	_, port, _ := net.SplitHostPort(k.srv.SSHAddr())
	_, stderr, _, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "admin", Password: adminPassword}, "")
	must(t, err)
	if !strings.Contains(stderr, "ssh -p "+port+" admin@") {
		t.Fatalf("no-pty hint %q does not name port %s", stderr, port)
	}
	if got := k.srv.Desk.SSHPort(); got != port {
		t.Fatalf("the desk's SSH port is %s, want %s", got, port)
	}
}
