package plain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain chinese", "您好，我想咨询一下价格", "您好，我想咨询一下价格"},
		{"newlines kept", "第一行\n第二行", "第一行\n第二行"},
		{"crlf", "a\r\nb\rc", "a\nb\nc"},
		{"tab", "a\tb", "a b"},
		{"csi colour", "\x1b[31mred\x1b[0m", "red"},
		{"cursor home and clear", "\x1b[H\x1b[2Jgone", "gone"},
		{"osc title bel", "\x1b]0;pwned\x07after", "after"},
		{"osc 52 clipboard st", "\x1b]52;c;ZXZpbA==\x1b\\x", "x"},
		{"dcs", "\x1bPq#0;2;0;0;0\x1b\\ok", "ok"},
		{"8-bit csi", "a\u009b31mb", "ab"},
		{"8-bit osc", "a\u009d0;t\u009cb", "ab"},
		{"bell and nul", "a\x07b\x00c", "abc"},
		{"backspace trick", "safe\x08\x08\x08\x08evil", "safeevil"},
		{"bidi override", "abc\u202edcba", "abcdcba"},
		{"lone esc at end", "abc\x1b", "abc"},
		{"esc charset", "a\x1b(Bb", "ab"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"html is not our business here", "<script>alert(1)</script>", "<script>alert(1)</script>"},
		{"csi broken by newline", "\x1b[31\nx", "\nx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !Safe(got) {
				t.Errorf("Text(%q) = %q is not Safe", tt.in, got)
			}
			if Text(got) != got {
				t.Errorf("Text is not idempotent on %q", got)
			}
		})
	}
}

func TestLine(t *testing.T) {
	if got := Line("标题\n第二行\r\n\x1b[2Kx"); got != "标题 第二行 x" {
		t.Fatalf("Line = %q", got)
	}
}

func TestHugeHostileInput(t *testing.T) {
	in := strings.Repeat("\x1b[31m红\x1b]0;t\x07\x00", 20000)
	out := Text(in)
	if out != strings.Repeat("红", 20000) {
		t.Fatalf("unexpected output of length %d", len(out))
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "hello", "\x1b[31mx", "\x1b]0;t\x07", "\u009b1m", "中文\r\n", "\xff\xfe", "\x1bP\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if !Safe(out) {
			t.Fatalf("unsafe output %q from %q", out, s)
		}
		if strings.ContainsAny(out, "\x1b\x07\x00\r") {
			t.Fatalf("control left in %q", out)
		}
		if l := Line(s); strings.ContainsRune(l, '\n') {
			t.Fatalf("Line kept a newline: %q", l)
		}
	})
}

func BenchmarkTextPlain(b *testing.B) {
	s := strings.Repeat("您好，请问有什么可以帮您？hello ", 20)
	for i := 0; i < b.N; i++ {
		Text(s)
	}
}
