package sshd

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
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
