package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/store"
)

// sshRun runs a command over SSH without a pty, feeding stdin, as `ssh host cmd < file` does.
// It logs in with a key: a password would cost a bcrypt per command.
func sshRun(t *testing.T, k *kefu, user string, key gossh.Signer, command string, stdin io.Reader) (stdout, stderr string, code int) {
	t.Helper()
	conn, err := gossh.Dial("tcp", k.srv.SSHAddr(), &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatalf("ssh %s: %v", user, err)
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var out, errOut strings.Builder
	sess.Stdin, sess.Stdout, sess.Stderr = stdin, &out, &errOut
	err = sess.Run(command)
	var exit *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	default:
		t.Fatalf("%s: %v", command, err)
	}
	return out.String(), errOut.String(), code
}

// TestCannedCommands drives `canned list|import|export` over SSH as an admin and as an agent
// without the settings permission: imports in UTF-8 with a BOM and in GBK, line-numbered
// refusals that import nothing, usage errors (exit 2) and refusals (exit 1).
func TestCannedCommands(t *testing.T) {
	k := startKefu(t, t.TempDir())
	newKey := func() (gossh.Signer, store.AuthorizedKey) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		must(t, err)
		signer, err := gossh.NewSignerFromKey(priv)
		must(t, err)
		return signer, store.AuthorizedKey{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()), Line: string(gossh.MarshalAuthorizedKey(signer.PublicKey()))}
	}
	adminKey, adminAuth := newKey()
	agentKey, agentAuth := newKey()
	must(t, k.srv.DB.Update(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		a.Keys = append(a.Keys, adminAuth)
		if err := tx.PutAgent(a); err != nil {
			return err
		}
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		for _, r := range roles {
			if r.Builtin == authz.BuiltinAgent {
				return tx.CreateAgent(&store.Agent{Account: "xiaoyang", Name: "小杨", RoleID: r.ID, Keys: []store.AuthorizedKey{agentAuth},
					Sites: []store.SiteSeat{{SiteID: store.DefaultSiteID}}})
			}
		}
		return errors.New("no agent role")
	}))
	admin := func(cmd string, stdin string) (string, string, int) {
		return sshRun(t, k, "admin", adminKey, cmd, strings.NewReader(stdin))
	}
	agent := func(cmd string, stdin string) (string, string, int) {
		return sshRun(t, k, "xiaoyang", agentKey, cmd, strings.NewReader(stdin))
	}

	// help lists the command.
	if out, _, code := admin("help", ""); code != 0 || !strings.Contains(out, "canned") {
		t.Fatalf("help: %d %q", code, out)
	}
	// The admin imports the site's public replies from a file Excel saved as UTF-8.
	csv := "\ufeffgroup,title,text,shortcut\r\n" +
		"售前,价格,\"企业版每年 3980 元，\r\n含 10 个座席。\",price\r\n" +
		",问候,\"您好！\x1b]0;PWNED\x07有什么可以帮您？\",hi\r\n" +
		"售后,退款,七个工作日内退回原账户。,\r\n"
	out, stderr, code := admin("canned import --site 1", csv)
	if code != 0 || !strings.Contains(out, "已导入 3 条常用语") {
		t.Fatalf("import: %d %q %q", code, out, stderr)
	}
	// A file with bad rows: every bad line named, exit 1, nothing imported.
	bad := "text,title,shortcut\n好的,确认,ok\n," + strings.Repeat("长", 51) + ",\nx,y,price\n"
	_, stderr, code = admin("canned import --site 1", bad)
	if code != 1 || !strings.Contains(stderr, "第 3 行") || !strings.Contains(stderr, "第 4 行：快捷键 /price 已被使用") {
		t.Fatalf("bad import: %d %q", code, stderr)
	}
	// list --json: what the picker numbers, cleaned of the escape sequence.
	out, _, code = admin("canned list --site 1 --json", "")
	var list []struct {
		ID       uint64 `json:"id"`
		No       int    `json:"no"`
		Scope    string `json:"scope"`
		Group    string `json:"group"`
		Title    string `json:"title"`
		Text     string `json:"text"`
		Shortcut string `json:"shortcut"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil {
		t.Fatalf("list --json: %d %v %q", code, err, out)
	}
	// Groups in the order the file first used them: 售前, the default group, 售后.
	if len(list) != 3 || list[1].Title != "问候" || list[1].Text != "您好！有什么可以帮您？" || list[0].Text != "企业版每年 3980 元，\n含 10 个座席。" ||
		list[0].Shortcut != "price" || list[2].No != 3 || list[2].Scope != "public" {
		t.Fatalf("list: %+v", list)
	}

	// The agent reads the site's replies but may not change them…
	out, _, code = agent("canned list", "")
	if code != 0 || !strings.Contains(out, "价格") || !strings.Contains(out, "/price") || !strings.Contains(out, "公共") {
		t.Fatalf("agent list: %d %q", code, out)
	}
	_, stderr, code = agent("canned import --site 1", "text\n我的\n")
	if code != 1 || !strings.Contains(stderr, "没有权限") {
		t.Fatalf("agent public import: %d %q", code, stderr)
	}
	// …and imports their own from a file Excel saved as GBK.
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("分组,标题,内容,快捷键\r\n常用,发货,下单后 48 小时内发货。,price\r\n")
	must(t, err)
	out, stderr, code = agent("canned import --personal --json", gbk)
	if code != 0 || !strings.Contains(out, `"added": 1`) {
		t.Fatalf("agent personal GBK import: %d %q %q", code, out, stderr)
	}
	out, _, _ = agent("canned list --json", "")
	if !strings.Contains(out, `"scope": "personal"`) || strings.Index(out, "下单后") > strings.Index(out, "企业版") {
		t.Fatalf("personal replies first: %s", out)
	}
	out, _, _ = agent("canned list --personal", "")
	if !strings.Contains(out, "发货") || strings.Contains(out, "价格") {
		t.Fatalf("list --personal: %q", out)
	}

	// export writes a BOM and the CSV that import reads back.
	out, _, code = admin("canned export --site 1", "")
	if code != 0 || !strings.HasPrefix(out, "\ufeffgroup,title,text,shortcut\n") || !strings.Contains(out, "\"企业版每年 3980 元，\n含 10 个座席。\",price") {
		t.Fatalf("export: %d %q", code, out)
	}
	var site2 uint64
	must(t, k.srv.DB.Update(func(tx *store.Tx) error {
		s := &store.Site{Name: "华北分站"}
		err := tx.CreateSite(s)
		site2 = s.ID
		return err
	}))
	if _, stderr, code := admin("canned import --site 2", out); code != 0 || site2 != 2 {
		t.Fatalf("re-import of an export: %d %q", code, stderr)
	}

	// Usage errors exit 2; refusals exit 1.
	for _, cmd := range []string{"canned", "canned frob", "canned import", "canned export", "canned list --bogus", "canned list extra"} {
		if _, stderr, code := admin(cmd, ""); code != 2 || !strings.Contains(stderr, "canned import --site") {
			t.Errorf("%q: %d %q", cmd, code, stderr)
		}
	}
	if _, stderr, code := agent("canned list --site 2", ""); code != 1 || !strings.Contains(stderr, "没有权限") {
		t.Errorf("agent lists another site: %d %q", code, stderr)
	}
	if _, stderr, code := admin("canned export --site 99", ""); code != 1 || !strings.Contains(stderr, "没有这个网站") {
		t.Errorf("export of a missing site: %d %q", code, stderr)
	}
	// Stdin is bounded.
	big := "text\n" + strings.Repeat(strings.Repeat("很", 300)+"\n", desk.MaxCannedCSV/900+10)
	if _, stderr, code := admin("canned import --personal", big); code != 1 || !strings.Contains(stderr, "文件太大") {
		t.Errorf("big file: %d %q", code, stderr)
	}
}
