package sshd

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"kefu/store"
)

// TestParseFlags: flags anywhere, with = or a separate value; quoted Chinese stays one word;
// an unknown flag or a flag without its value is a usage mistake.
func TestParseFlags(t *testing.T) {
	f, ok := parseFlags([]string{"zhangsan", "--name", "张 三", "--site=2", "--no-seat", "extra"}, []string{"name", "site"}, []string{"no-seat"})
	if !ok || f.named["name"] != "张 三" || f.named["site"] != "2" || !f.has("no-seat") || !reflect.DeepEqual(f.words, []string{"zhangsan", "extra"}) {
		t.Fatalf("parsed %+v %v", f, ok)
	}
	for _, bad := range [][]string{{"--frob"}, {"--name"}, {"--no-seat=1"}} {
		if _, ok := parseFlags(bad, []string{"name"}, []string{"no-seat"}); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestTableLinesUp: columns of Chinese and ASCII start at the same cell on every line.
func TestTableLinesUp(t *testing.T) {
	var b bytes.Buffer
	table(&b, []string{"ID", "网站名称", "域名"}, [][]string{{"1", "默认站点", "localhost"}, {"12", "Yunfan 云帆", "*.example.cn"}})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	col := func(line, cell string) int { return ansi.StringWidth(line[:strings.Index(line, cell)]) }
	if col(lines[0], "域名") != col(lines[1], "localhost") || col(lines[1], "localhost") != col(lines[2], "*.example.cn") {
		t.Fatalf("columns do not line up:\n%s", b.String())
	}
}

// TestTakeJSON: --json is taken out only where it stands on its own, never as the value of
// a flag that takes one.
func TestTakeJSON(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		rest []string
		json bool
	}{
		{[]string{"site", "list", "--json"}, []string{"site", "list"}, true},
		{[]string{"--json", "role", "list"}, []string{"role", "list"}, true},
		{[]string{"agent", "add", "bob", "--name", "--json", "--password", "p"}, []string{"agent", "add", "bob", "--name", "--json", "--password", "p"}, false},
		{[]string{"agent", "add", "bob", "--name=鲍勃", "--json", "--no-seat"}, []string{"agent", "add", "bob", "--name=鲍勃", "--no-seat"}, true},
		{[]string{"agent", "add", "bob", "--no-seat", "--json"}, []string{"agent", "add", "bob", "--no-seat"}, true},
		{[]string{"keys", "list", "--agent", "--json", "--json"}, []string{"keys", "list", "--agent", "--json"}, true},
		{[]string{"canned", "list", "--site", "--json"}, []string{"canned", "list", "--site", "--json"}, false},
	} {
		rest, js := takeJSON(tc.in)
		if js != tc.json || !reflect.DeepEqual(rest, tc.rest) {
			t.Errorf("takeJSON(%q) = %q, %v; want %q, %v", tc.in, rest, js, tc.rest, tc.json)
		}
	}
}

// run runs a command as account over SSH without a terminal.
func (f *sshFixture) run(account, command string) (stdout, stderr string, code int) {
	f.t.Helper()
	sess, err := f.dial(account).NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	defer sess.Close()
	var out, errOut bytes.Buffer
	sess.Stdout, sess.Stderr = &out, &errOut
	err = sess.Run(command)
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	case err != nil:
		f.t.Fatalf("%s: %v", command, err)
	}
	return out.String(), errOut.String(), code
}

// TestAdminCommandsScripting: the scripting mistakes a script must hear about, and the
// answers a script can use as they are.
func TestAdminCommandsScripting(t *testing.T) {
	f := newSSHFixture(t)
	// An unknown gender is refused, not dropped; 女 is understood.
	if _, errOut, code := f.run("admin", "agent add bob --name 鲍勃 --password bobpass1 --gender alien"); code != 1 || !strings.Contains(errOut, "性别只能是") {
		t.Fatalf("--gender alien: exit %d, %q", code, errOut)
	}
	out, errOut, code := f.run("admin", "agent add bob --name 鲍勃 --password bobpass1 --gender 女 --phone 13800138000 --email Bob@Example.cn --json")
	var added struct {
		ID      uint64 `json:"id"`
		Account string `json:"account"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil || added.Account != "bob" {
		t.Fatalf("agent add: exit %d, %q %q", code, out, errOut)
	}
	var bob *store.Agent
	f.desk.DB().View(func(tx *store.Tx) error { bob, _ = tx.Agent(added.ID); return nil })
	if bob == nil || bob.Gender != "female" {
		t.Fatalf("stored %+v", bob)
	}
	// Disable and enable name the agent by their account, whatever login the script used.
	if out, errOut, code := f.run("admin", "agent disable 13800138000"); code != 0 || !strings.Contains(out, "已停用客服 bob") || strings.Contains(out, "13800138000") {
		t.Fatalf("agent disable by phone: exit %d, %q %q", code, out, errOut)
	}
	out, _, code = f.run("admin", "agent enable bob@example.cn --json")
	var enabled struct {
		Account  string `json:"account"`
		Disabled bool   `json:"disabled"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &enabled) != nil || enabled.Account != "bob" || enabled.Disabled {
		t.Fatalf("agent enable by e-mail --json: exit %d, %q", code, out)
	}
	// --json as a flag's value is that value: the agent is named "--json", the answer is text.
	out, errOut, code = f.run("admin", "agent add carol --name --json --password carolpw1")
	if code != 0 || strings.HasPrefix(strings.TrimSpace(out), "{") || !strings.Contains(out, "已添加客服 carol") {
		t.Fatalf("--name --json: exit %d, %q %q", code, out, errOut)
	}
	// The embed code in JSON is the tag itself, not \u003cscript.
	out, _, code = f.run("admin", "site list --json")
	if code != 0 || strings.Contains(out, `\u003c`) || !strings.Contains(out, `<script src=`) {
		t.Fatalf("site list --json: %q", out)
	}
	// Two sites of one name are refused, in either case.
	if _, errOut, code := f.run("admin", "site add 华北分站"); code != 1 || !strings.Contains(errOut, "已有同名的网站") {
		t.Fatalf("duplicate site: exit %d, %q", code, errOut)
	}
	if _, errOut, code := f.run("admin", "site add 华南分站 --domains gz.example.cn"); code != 0 {
		t.Fatalf("site add: %q", errOut)
	}
	// 记录中心 over SSH: the admin lists the site's conversations, an agent is refused.
	out, _, code = f.run("admin", "records list --site 1 --json")
	var convs []store.Conversation
	if code != 0 || json.Unmarshal([]byte(out), &convs) != nil || len(convs) != 1 || convs[0].ID != f.convID {
		t.Fatalf("records list: exit %d, %q", code, out)
	}
	if out, _, code := f.run("admin", "records list"); code != 0 || !strings.Contains(out, "访客") || !strings.Contains(out, "开始时间") {
		t.Fatalf("records list as text: exit %d, %q", code, out)
	}
	if _, errOut, code := f.run("kefu1", "records list --site 1"); code != 1 || !strings.Contains(errOut, "没有这项权限") {
		t.Fatalf("普通客服 lists records: exit %d, %q", code, errOut)
	}
	if _, errOut, code := f.run("admin", "records list --limit many"); code != 2 || !strings.Contains(errOut, "用法：records list") {
		t.Fatalf("bad --limit: exit %d, %q", code, errOut)
	}
}
