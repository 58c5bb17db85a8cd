package cells

import (
	"strings"
	"testing"
)

func TestFitMeasuresDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		w    int
		want string
	}{
		{"广东省广州市", 12, "广东省广州市"},
		{"广东省广州市", 14, "广东省广州市  "},
		{"广东省广州市", 8, "广东省…"}, // 3 wide chars (6) + ellipsis (1) = 7, padded to 8
		{"ab广东", 5, "ab广…"},   // 2 + 2 + the ellipsis
		{"kwhtest(华欧巴)", 10, "kwhtest(…"},
		{"", 3, "   "},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		got := Fit(tt.in, tt.w)
		if Width(got) != tt.w {
			t.Errorf("Fit(%q, %d) = %q is %d cells", tt.in, tt.w, got, Width(got))
		}
		if strings.TrimRight(got, " ") != strings.TrimRight(tt.want, " ") {
			t.Errorf("Fit(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
	if got := FitRight("42", 5); got != "   42" {
		t.Errorf("FitRight = %q", got)
	}
}

func TestWrapBreaksChineseWithoutSpaces(t *testing.T) {
	lines := Wrap("您好，请问有什么可以帮您？我们的企业版每年三千九百八十元。", 10)
	for _, l := range lines {
		if Width(l) > 10 {
			t.Errorf("line %q is %d cells", l, Width(l))
		}
	}
	if strings.Join(lines, "") != "您好，请问有什么可以帮您？我们的企业版每年三千九百八十元。" {
		t.Errorf("wrap lost text: %q", lines)
	}
	if got := Wrap("a\n\nb", 5); len(got) != 3 {
		t.Errorf("blank line lost: %q", got)
	}
}

func TestSafeStripsEscapes(t *testing.T) {
	if got := Safe("\x1b[2J标题\n第二行"); got != "标题 第二行" {
		t.Errorf("Safe = %q", got)
	}
}

// TestPlace: every line is exactly w cells, also when a Chinese character across the edge
// is cut whole (w = 5).
func TestPlace(t *testing.T) {
	in := []string{"一二三四五六", "x", "\x1b[1m粗体字很长很长\x1b[0m", "dropped: past h"}
	for _, w := range []int{4, 5} {
		out := Place(in, w, 3)
		if in[0] != "一二三四五六" || in[2] != "\x1b[1m粗体字很长很长\x1b[0m" {
			t.Fatalf("Place changed its input: %q", in)
		}
		lines := strings.Split(out, "\n")
		if len(lines) != 3 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if Width(l) != w {
				t.Errorf("w %d: line %q is %d cells", w, l, Width(l))
			}
		}
		if want := "x" + strings.Repeat(" ", w-1); lines[1] != want {
			t.Errorf("w %d: line 2 = %q, want %q", w, lines[1], want)
		}
	}
	// Taller than the widths kept on the stack.
	tall := Place([]string{"中文", "", "abc"}, 6, 100)
	lines := strings.Split(tall, "\n")
	if len(lines) != 100 || lines[0] != "中文  " || lines[2] != "abc   " || lines[99] != "      " {
		t.Errorf("tall block: %d lines, %q %q %q", len(lines), lines[0], lines[2], lines[99])
	}
	if Place(in, 5, 0) != "" {
		t.Error("a block of no lines is empty")
	}
}
