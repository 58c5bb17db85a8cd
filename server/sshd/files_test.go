package sshd

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/store"
)

var (
	testPDF = []byte("%PDF-1.4\n% 价目表\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	testExe = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00")
)

func TestParseTreePath(t *testing.T) {
	tests := []struct {
		in   string
		node node
		id   uint64
		fold string
		name string
		bad  bool
	}{
		{in: "", node: nodeRoot},
		{in: "/", node: nodeRoot},
		{in: ".", node: nodeRoot},
		{in: "~", node: nodeRoot},
		{in: "conv", node: nodeConvs},
		{in: "/conv/12", node: nodeConv, id: 12},
		{in: "conv/12/5-报价单.pdf", node: nodeConvFile, id: 12, name: "5-报价单.pdf"},
		{in: "common/1/价目表/2024 价目表.pdf", node: nodeCommonFile, id: 1, fold: "价目表", name: "2024 价目表.pdf"},
		{in: "/common/1/价目表/", node: nodeFolder, id: 1, fold: "价目表"},
		{in: "common/2", node: nodeSite, id: 2},
		{in: "../../../etc/passwd", bad: true},
		{in: "conv/../../common/1", node: nodeSite, id: 1}, // ".." never leaves the tree
		{in: "conv/012", bad: true},
		{in: "conv/-1", bad: true},
		{in: "conv/0", bad: true},
		{in: "conv/1/2/3", bad: true},
		{in: "common/x", bad: true},
		{in: "common/1/a/b/c", bad: true},
		{in: "kefu.db", bad: true},
	}
	for _, tt := range tests {
		p, err := parseTreePath(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("%q parsed as %+v", tt.in, p)
			}
			continue
		}
		if err != nil || p.node != tt.node || p.id != tt.id || p.folder != tt.fold || p.name != tt.name {
			t.Errorf("%q: %+v %v", tt.in, p, err)
		}
	}
}

// sshFixture is the SSH front door on a real desk, with an admin and two agents (site 1,
// site 2) who log in with keys.
type sshFixture struct {
	t      *testing.T
	desk   *desk.Desk
	addr   string
	keys   map[string]gossh.Signer // by account
	site2  uint64
	convID uint64
	file   store.Message
}

func newSSHFixture(t *testing.T) *sshFixture {
	t.Helper()
	db, d := newTestDesk(t)
	seedFiles(t, db)
	f := &sshFixture{t: t, desk: d, keys: map[string]gossh.Signer{}}
	err := db.Update(func(tx *store.Tx) error {
		site := &store.Site{Name: "华北分站", Secret: "0123456789abcdef"}
		if err := tx.CreateSite(site); err != nil {
			return err
		}
		f.site2 = site.ID
		roles, _ := tx.Roles()
		var agentRole uint64
		for _, r := range roles {
			if r.Builtin == "agent" {
				agentRole = r.ID
			}
		}
		admin, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		admin.Keys = []store.AuthorizedKey{f.key("admin")}
		if err := tx.PutAgent(admin); err != nil {
			return err
		}
		for i, s := range []uint64{1, site.ID} {
			acct := fmt.Sprintf("kefu%d", i+1)
			a := &store.Agent{Account: acct, Name: "客服" + acct, RoleID: agentRole, Seat: true,
				Sites: []store.SiteSeat{{SiteID: s, MaxChats: 3}}, Keys: []store.AuthorizedKey{f.key(acct)}}
			if err := tx.CreateAgent(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, l := newTestServer(t, d)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(t.Context()) })
	f.addr = l.Addr().String()

	// A visitor of site 1 sends a file.
	const vid = "ssh-visitor-00001"
	vs, _, err := d.Arrive(desk.Arrival{SiteID: 1, Key: vid, Chat: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(vs.Close)
	m, err := vs.Send("c-1", "请看附件")
	if err != nil {
		t.Fatal(err)
	}
	f.convID = m.ConvID
	if f.file, err = d.VisitorFile(1, vid, "c-2", "报价单 (终稿).pdf", bytes.NewReader(testPDF)); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *sshFixture) key(account string) store.AuthorizedKey {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		f.t.Fatal(err)
	}
	f.keys[account] = signer
	return store.AuthorizedKey{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()), Line: string(gossh.MarshalAuthorizedKey(signer.PublicKey()))}
}

func (f *sshFixture) dial(account string) *gossh.Client {
	f.t.Helper()
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: account, Auth: []gossh.AuthMethod{gossh.PublicKeys(f.keys[account])},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

func (f *sshFixture) sftp(account string) *sftp.Client {
	f.t.Helper()
	c, err := sftp.NewClient(f.dial(account))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

func names(t *testing.T, c *sftp.Client, dir string) string {
	t.Helper()
	list, err := c.ReadDir(dir)
	if err != nil {
		t.Fatalf("ls %s: %v", dir, err)
	}
	var out []string
	for _, e := range list {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func put(c *sftp.Client, path string, data []byte) error {
	w, err := c.Create(path)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func TestSFTPConvFiles(t *testing.T) {
	f := newSSHFixture(t)
	convDir := "/conv/" + strconv.FormatUint(f.convID, 10)
	path := "/" + desk.FilePath(f.file)
	for _, who := range []string{"admin", "kefu1"} {
		c := f.sftp(who)
		if got := names(t, c, "/"); got != "common/ conv/" {
			t.Fatalf("%s: root lists %q", who, got)
		}
		if got := names(t, c, "/conv"); got != strconv.FormatUint(f.convID, 10)+"/" {
			t.Fatalf("%s: conv/ lists %q", who, got)
		}
		if got := names(t, c, convDir); got != filepath.Base(path) {
			t.Fatalf("%s: %s lists %q, want %q", who, convDir, got, filepath.Base(path))
		}
		r, err := c.Open(path)
		if err != nil {
			t.Fatalf("%s: open %s: %v", who, path, err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, testPDF) {
			t.Fatalf("%s: content differs", who)
		}
		if err := put(c, convDir+"/evil.pdf", testPDF); !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("%s: writing into a conversation: %v", who, err)
		}
		if err := c.Remove(path); err == nil {
			t.Fatalf("%s: removed a visitor's file", who)
		}
	}
	// An agent of another site sees nothing of it.
	c := f.sftp("kefu2")
	if got := names(t, c, "/conv"); got != "" {
		t.Fatalf("kefu2 lists conv/ as %q", got)
	}
	if _, err := c.Stat(path); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("kefu2 stat: %v", err)
	}
	if _, err := c.Open(path); err == nil {
		t.Fatal("kefu2 opened the file")
	}
	if _, err := c.Stat("/conv/999"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("unknown conversation: %v", err)
	}
	if _, err := c.Stat("/../../etc/passwd"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("outside the tree: %v", err)
	}
}

func TestSFTPCommonFiles(t *testing.T) {
	f := newSSHFixture(t)
	admin := f.sftp("admin")
	if err := admin.Mkdir("/common/1/价目表"); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if err := put(admin, "/common/1/价目表/2024 价目表.pdf", testPDF); err != nil {
		t.Fatalf("put: %v", err)
	}
	if got := names(t, admin, "/common"); got != "1/ "+strconv.FormatUint(f.site2, 10)+"/" {
		t.Fatalf("common/ lists %q", got)
	}
	if got := names(t, admin, "/common/1"); got != "价目表/" {
		t.Fatalf("common/1 lists %q", got)
	}
	// An agent of the site reads it; they cannot change it.
	agent := f.sftp("kefu1")
	if got := names(t, agent, "/common/1/价目表"); got != "2024 价目表.pdf" {
		t.Fatalf("agent lists %q", got)
	}
	r, err := agent.Open("/common/1/价目表/2024 价目表.pdf")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, testPDF) {
		t.Fatal("content differs")
	}
	if err := put(agent, "/common/1/价目表/mine.pdf", testPDF); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("agent upload: %v", err)
	}
	if err := agent.Remove("/common/1/价目表/2024 价目表.pdf"); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("agent remove: %v", err)
	}
	if _, err := f.sftp("kefu2").ReadDir("/common/1"); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("other site's agent: %v", err)
	}

	// Refusals: a page, a program, a file outside a folder.
	if err := put(admin, "/common/1/价目表/index.html", []byte("<html><script>alert(1)</script>")); err == nil {
		t.Fatal("html stored")
	}
	if err := put(admin, "/common/1/价目表/setup.exe", testExe); err == nil {
		t.Fatal("exe stored")
	}
	if err := put(admin, "/common/1/loose.pdf", testPDF); err == nil {
		t.Fatal("file outside a folder stored")
	}
	if got := names(t, admin, "/common/1/价目表"); got != "2024 价目表.pdf" {
		t.Fatalf("after refusals the folder lists %q", got)
	}
	list, _ := f.desk.FileAccess(1).CommonFiles(1)
	if len(list) != 1 {
		t.Fatalf("stored %d common files", len(list))
	}

	// Rename, replace, remove.
	if err := admin.Rename("/common/1/价目表/2024 价目表.pdf", "/common/1/报价/2025 价目表.pdf"); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if err := put(admin, "/common/1/报价/2025 价目表.pdf", append(append([]byte{}, testPDF...), "% v2\n"...)); err != nil {
		t.Fatalf("replace: %v", err)
	}
	after, _ := f.desk.FileAccess(1).CommonFiles(1)
	if len(after) != 1 || after[0].ID != list[0].ID || after[0].Folder != "报价" || after[0].Size != int64(len(testPDF)+5) {
		t.Fatalf("after rename and replace: %+v", after)
	}
	if err := admin.RemoveDirectory("/common/1/报价"); err == nil {
		t.Fatal("removed a folder with files")
	}
	if err := admin.Remove("/common/1/报价/2025 价目表.pdf"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if got := names(t, admin, "/common/1"); got != "" {
		t.Fatalf("after remove common/1 lists %q", got)
	}
}

// scpSession runs one legacy-protocol scp command.
func (f *sshFixture) scp(account, command string) (stdin io.WriteCloser, stdout *bufio.Reader, stderr *bytes.Buffer, wait func() error) {
	f.t.Helper()
	sess, err := f.dial(account).NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	stdin, _ = sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	stderr = &bytes.Buffer{}
	sess.Stderr = stderr
	if err := sess.Start(command); err != nil {
		f.t.Fatal(err)
	}
	return stdin, bufio.NewReader(out), stderr, sess.Wait
}

func TestSCPLegacyProtocol(t *testing.T) {
	f := newSSHFixture(t)
	path := desk.FilePath(f.file)

	// Download: after the client's go-ahead the server sends C<mode> <size> <name>, waits for
	// an ack, sends the bytes and a NUL, waits for an ack, and ends.
	in, out, stderr, wait := f.scp("kefu1", "scp -f "+path)
	in.Write([]byte{0})
	header, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("header: %v (%s)", err, stderr)
	}
	want := fmt.Sprintf("C0644 %d %s\n", len(testPDF), filepath.Base(path))
	if header != want {
		t.Fatalf("header %q, want %q", header, want)
	}
	in.Write([]byte{0})
	got := make([]byte, len(testPDF)+1)
	if _, err := io.ReadFull(out, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:len(testPDF)], testPDF) || got[len(testPDF)] != 0 {
		t.Fatal("content differs")
	}
	in.Write([]byte{0})
	if rest, _ := io.ReadAll(out); len(rest) != 0 {
		t.Fatalf("after the file: %q", rest)
	}
	if err := wait(); err != nil {
		t.Fatalf("download: %v (%s)", err, stderr)
	}

	// With -p the times come first; a folder needs -r.
	in, out, _, wait = f.scp("kefu1", "scp -p -f "+path)
	in.Write([]byte{0})
	if times, _ := out.ReadString('\n'); times != fmt.Sprintf("T%d 0 %d 0\n", f.file.At.Unix(), f.file.At.Unix()) {
		t.Fatalf("times %q", times)
	}
	in.Close()
	wait()
	in, out, _, wait = f.scp("kefu1", "scp -f conv/"+strconv.FormatUint(f.convID, 10))
	in.Write([]byte{0})
	if msg, _ := out.ReadString('\n'); !strings.HasPrefix(msg, "\x01") || !strings.Contains(msg, "-r") {
		t.Fatalf("folder without -r: %q", msg)
	}
	if err := wait(); err == nil {
		t.Fatal("folder without -r succeeded")
	}

	// Another site's agent is refused with a sentence, in the protocol.
	in, out, _, wait = f.scp("kefu2", "scp -f "+path)
	in.Write([]byte{0})
	if msg, _ := out.ReadString('\n'); msg != "\x01没有权限：/"+path+"\n" {
		t.Fatalf("other site: %q", msg)
	}
	if err := wait(); err == nil {
		t.Fatal("other site's download succeeded")
	}

	upload := func(account, dir, name string, data []byte) (string, error) {
		in, out, stderr, wait := f.scp(account, "scp -t "+dir)
		out.ReadByte()
		fmt.Fprintf(in, "C0644 %d %s\n", len(data), name)
		out.ReadByte()
		in.Write(data)
		in.Write([]byte{0})
		out.ReadByte()
		in.Close()
		err := wait()
		return stderr.String(), err
	}
	if msg, err := upload("admin", "common/1/产品手册", "手册.pdf", testPDF); err != nil {
		t.Fatalf("upload: %v %q", err, msg)
	}
	if cf, err := f.desk.FileAccess(1).CommonFile(1, "产品手册", "手册.pdf"); err != nil || cf.Size != int64(len(testPDF)) {
		t.Fatalf("stored %+v %v", cf, err)
	}
	msg, err := upload("admin", "common/1/产品手册", "setup.exe", testExe)
	if err == nil || strings.TrimSpace(msg) != "文件 setup.exe 被拒绝：不能发送程序或脚本文件。" {
		t.Fatalf("exe upload: %v %q", err, msg)
	}
	msg, err = upload("kefu1", "common/1/产品手册", "x.pdf", testPDF)
	if err == nil || !strings.Contains(msg, "没有权限") {
		t.Fatalf("agent upload: %v %q", err, msg)
	}
	msg, err = upload("admin", "conv/"+strconv.FormatUint(f.convID, 10), "x.pdf", testPDF)
	if err == nil || !strings.Contains(msg, "只读") {
		t.Fatalf("upload into a conversation: %v %q", err, msg)
	}
	if list, _ := f.desk.FileAccess(1).CommonFiles(1); len(list) != 1 {
		t.Fatalf("%d common files after refusals", len(list))
	}
}

// The files are in the store's directory under their hashes only.
func TestNothingOutsideTheStore(t *testing.T) {
	f := newSSHFixture(t)
	fs, _ := f.desk.Files()
	if !fs.Has(f.file.File.Hash) {
		t.Fatal("visitor's file not stored")
	}
	dir := filepath.Dir(f.desk.DB().Path())
	filepath.WalkDir(filepath.Join(dir, "files"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "link.key" && d.Name() != f.file.File.Hash {
			t.Errorf("unexpected file %s", p)
		}
		return nil
	})
}

// seedFiles makes a fresh database usable like Bootstrap does, without hashing a password
// (bcrypt is slow under the race detector): the default site, the built-in roles and admin.
func seedFiles(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Update(func(tx *store.Tx) error {
		site := &store.Site{Name: "默认站点", Domains: []string{"localhost", "127.0.0.1"}, Secret: "0123456789abcdef"}
		if err := tx.CreateSite(site); err != nil {
			return err
		}
		var super uint64
		for _, r := range authz.BuiltinRoles() {
			r := r
			if err := tx.CreateRole(&r); err != nil {
				return err
			}
			if r.Builtin == authz.BuiltinSuper {
				super = r.ID
			}
		}
		return tx.CreateAgent(&store.Agent{Account: "admin", Name: "管理员", RoleID: super, Seat: true,
			Sites: []store.SiteSeat{{SiteID: site.ID, MaxChats: 10}}})
	})
	if err != nil {
		t.Fatal(err)
	}
}
