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
	for _, w := range []int{4, 5} {
		out := Place([]string{"一二三四五六", "x"}, w, 3)
		lines := strings.Split(out, "\n")
		if len(lines) != 3 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if Width(l) != w {
				t.Errorf("w %d: line %q is %d cells", w, l, Width(l))
			}
		}
	}
}
