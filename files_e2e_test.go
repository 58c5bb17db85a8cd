package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"kefu/server/desk"
	"kefu/server/web/wsclient"
	"kefu/store"
	"kefu/tui/termtest"
)

// scpClient runs the real OpenSSH scp against a kefu as admin with a registered key.
type scpClient struct {
	t    testing.TB
	bin  string
	key  string
	port string
}

func newSCPClient(t testing.TB, k *kefu) *scpClient {
	t.Helper()
	bin, err := exec.LookPath("scp")
	if err != nil {
		t.Skip("no scp client installed")
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := gossh.NewSignerFromKey(priv)
	must(t, err)
	block, err := gossh.MarshalPrivateKey(priv, "kefu e2e")
	must(t, err)
	keyPath := filepath.Join(t.TempDir(), "id_ed25519")
	must(t, os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600))
	must(t, k.srv.DB.Update(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		a.Keys = append(a.Keys, store.AuthorizedKey{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()),
			Line: string(gossh.MarshalAuthorizedKey(signer.PublicKey()))})
		return tx.PutAgent(a)
	}))
	_, port, _ := net.SplitHostPort(k.srv.SSHAddr())
	return &scpClient{t: t, bin: bin, key: keyPath, port: port}
}

// run runs scp with the arguments after the connection options; remote paths are written
// "admin@127.0.0.1:…". It returns scp's stderr and whether it succeeded.
func (c *scpClient) run(args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	full := append([]string{"-P", c.port, "-i", c.key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-q"}, args...)
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stderr.String(), err
}

// fakePDF is a PDF-looking file of n bytes with varied content.
func fakePDF(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	copy(b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return b
}

// uploadFile sends a file from the chat page as the widget does.
func uploadFile(t testing.TB, k *kefu, vid, cid, name string, body io.Reader, size int64) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", k.base+"/api/file?site=1", body)
	must(t, err)
	req.ContentLength = size
	req.Header.Set("Origin", k.base)
	req.Header.Set("X-Kefu-Vid", vid)
	req.Header.Set("X-Kefu-Cid", cid)
	req.Header.Set("X-Kefu-Name", url.PathEscape(name))
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("upload %s: answer is not JSON: %v", name, err)
	}
	return resp.StatusCode, out
}

// frameFile decodes the file of a msg frame.
func frameFile(t testing.TB, f wsclient.Frame) (name, link string, size int64) {
	t.Helper()
	var m struct {
		File *struct {
			Name string `json:"name"`
			Size int64  `json:"size"`
			URL  string `json:"url"`
		} `json:"file"`
	}
	if json.Unmarshal(f.Raw, &m) != nil || m.File == nil {
		t.Fatalf("msg frame without a file: %s", f.Raw)
	}
	return m.File.Name, m.File.URL, m.File.Size
}

// TestFileRoundTrips: a visitor's upload reaches the agent, who fetches it byte for byte
// with the real scp (SFTP-based and legacy protocol); an admin puts common files up with scp,
// the agent sends one, and the visitor downloads it byte for byte; refusals are clear.
func TestFileRoundTrips(t *testing.T) {
	k := startKefu(t, t.TempDir())
	scp := newSCPClient(t, k)
	ctx := context.Background()
	work := t.TempDir()

	// 1. The visitor asks for a chat and sends a file.
	chat := k.visitor(t, wsclient.Options{Kind: "chat"})
	must(t, chat.SendMessage(ctx, "c-1", "您好，报价单发给您"))
	ack := expect(t, chat, "ack", nil)
	convID := ack.ConvID()
	sent := fakePDF(1<<20 + 12345)
	const name = "报价单（2024 终稿）.pdf"
	status, out := uploadFile(t, k, chat.Vid, "f-1", name, bytes.NewReader(sent), int64(len(sent)))
	if status != 200 {
		t.Fatalf("upload: %d %v", status, out)
	}
	seq := uint64(out["seq"].(float64))
	echo := expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.Seq == seq })
	if n, link, size := frameFile(t, echo); n != name || size != int64(len(sent)) || !strings.HasPrefix(link, "/f/") || echo.From != "visitor" {
		t.Fatalf("visitor's own file frame: %s", echo.Raw)
	}

	// 2. The agent fetches it over scp from the path the workbench shows.
	path := desk.FilePath(store.Message{ConvID: convID, Seq: seq, File: &store.FileRef{Name: name}})
	if path != fmt.Sprintf("conv/%d/%d-报价单（2024_终稿）.pdf", convID, seq) {
		t.Fatalf("path %q", path)
	}
	for _, mode := range [][]string{nil, {"-O"}} {
		dst := filepath.Join(work, fmt.Sprintf("got%d.pdf", len(mode)))
		if msg, err := scp.run(append(mode, "admin@127.0.0.1:"+path, dst)...); err != nil {
			t.Fatalf("scp %v download: %v %s", mode, err, msg)
		}
		got, err := os.ReadFile(dst)
		must(t, err)
		if !bytes.Equal(got, sent) {
			t.Fatalf("scp %v: %d bytes, differ from the %d sent", mode, len(got), len(sent))
		}
	}

	msg, err := scp.run("-O", "admin@127.0.0.1:conv/999/1-nothing.pdf", work)
	if err == nil || !strings.Contains(msg, "没有这个文件或目录：/conv/999/1-nothing.pdf") {
		t.Fatalf("scp -O of a missing file: %v %q", err, msg)
	}

	// 3. The admin puts common files up: with scp over SFTP and with the legacy protocol.
	price := fakePDF(300 << 10)
	manual := fakePDF(40 << 10)
	must(t, os.WriteFile(filepath.Join(work, "2024 价目表.pdf"), price, 0o600))
	must(t, os.WriteFile(filepath.Join(work, "产品手册.pdf"), manual, 0o600))
	if msg, err := scp.run(filepath.Join(work, "2024 价目表.pdf"), "admin@127.0.0.1:common/1/价目表/"); err != nil {
		t.Fatalf("scp upload: %v %s", err, msg)
	}
	if msg, err := scp.run("-O", filepath.Join(work, "产品手册.pdf"), "admin@127.0.0.1:common/1/资料/"); err != nil {
		t.Fatalf("scp -O upload: %v %s", err, msg)
	}
	// A page is refused with a sentence, and nothing is stored.
	must(t, os.WriteFile(filepath.Join(work, "index.html"), []byte("<!doctype html><script>alert(1)</script>"), 0o600))
	for _, mode := range [][]string{nil, {"-O"}} {
		msg, err := scp.run(append(mode, filepath.Join(work, "index.html"), "admin@127.0.0.1:common/1/资料/")...)
		if err == nil || !strings.Contains(msg, "不能发送网页、SVG 或 XML 文件") {
			t.Fatalf("scp %v html upload: %v %q", mode, err, msg)
		}
	}

	// Folders come down whole with scp -r.
	for i, mode := range [][]string{{"-r"}, {"-O", "-r"}} {
		dst := filepath.Join(work, fmt.Sprint("folder", i))
		if msg, err := scp.run(append(mode, "admin@127.0.0.1:common/1/价目表", dst)...); err != nil {
			t.Fatalf("scp %v: %v %s", mode, err, msg)
		}
		got, err := os.ReadFile(filepath.Join(dst, "2024 价目表.pdf"))
		if err != nil || !bytes.Equal(got, price) {
			t.Fatalf("scp %v: folder copy: %v", mode, err)
		}
	}

	// 4. The agent takes the chat and sends a common file; the visitor downloads it.
	var adminID uint64
	k.srv.DB.View(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin("admin")
		must(t, err)
		adminID = a.ID
		return nil
	})
	as, _, err := k.srv.Desk.StartAgentSession(adminID)
	must(t, err)
	defer as.Close()
	_, err = as.Accept(convID)
	must(t, err)
	list, err := as.CommonFiles(1)
	must(t, err)
	if len(list) != 2 || list[0].Folder+"/"+list[0].Name != "价目表/2024 价目表.pdf" || list[1].Folder+"/"+list[1].Name != "资料/产品手册.pdf" {
		t.Fatalf("common files %+v", list)
	}
	m, err := as.SendCommonFile(convID, list[0].ID, "cf-1")
	must(t, err)
	got := expect(t, chat, "msg", func(f wsclient.Frame) bool { return f.Seq == m.Seq })
	gotName, link, size := frameFile(t, got)
	if got.From != "agent" || gotName != "2024 价目表.pdf" || size != int64(len(price)) {
		t.Fatalf("visitor got %s", got.Raw)
	}
	resp, err := http.Get(k.base + link)
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, price) {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(body))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''2024%20%E4%BB%B7%E7%9B%AE%E8%A1%A8.pdf") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download headers %v", resp.Header)
	}

	// 5. Refusals over HTTP: over the limit, a program.
	big := int64(20<<20 + 1)
	status, out = uploadFile(t, k, chat.Vid, "f-big", "大文件.pdf", io.LimitReader(zeroes{}, big), big)
	if status != http.StatusRequestEntityTooLarge || out["code"] != "too_large" || out["text"] != "文件太大，最大 20 MB。" {
		t.Fatalf("oversized upload: %d %v", status, out)
	}
	exe := append([]byte("MZ\x90\x00"), make([]byte, 1000)...)
	status, out = uploadFile(t, k, chat.Vid, "f-exe", "发票.pdf", bytes.NewReader(exe), int64(len(exe)))
	if status != http.StatusUnsupportedMediaType || out["code"] != "executable" || out["text"] != "不能发送程序或脚本文件。" {
		t.Fatalf("program upload: %d %v", status, out)
	}

	// 6. The same port still runs commands.
	stdout, _, code, err := termtest.Run(termtest.Options{Addr: k.srv.SSHAddr(), User: "admin", Password: adminPassword}, "whoami")
	if err != nil || code != 0 || !strings.Contains(stdout, "admin") {
		t.Fatalf("whoami after transfers: %v %d %q", err, code, stdout)
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
