package cells

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestQuickWidthAgreesWithANSI: the quick measure gives exactly what ansi.StringWidth gives
// (lipgloss pads with the latter, so any difference would misalign columns), for every
// character it knows alone, for random runs of them with our colour sequences mixed in, and
// it gives up on what could join into one cluster.
func TestQuickWidthAgreesWithANSI(t *testing.T) {
	quickOnce.Do(buildQuickTable)
	var known []rune
	for r, w := range quickTable {
		if w != 0 {
			known = append(known, rune(r))
		}
	}
	if len(known) < 30000 {
		t.Fatalf("only %d characters in the quick table", len(known))
	}
	sgr := []string{"\x1b[1m", "\x1b[38;5;75m", "\x1b[0m", "\x1b[7;48;5;236m", "\x1b[m"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		for n := 1 + rng.IntN(6); n > 0; n-- {
			if rng.IntN(4) == 0 {
				b.WriteString(sgr[rng.IntN(len(sgr))])
			}
			b.WriteRune(known[rng.IntN(len(known))])
		}
		s := b.String()
		got, ok := quickWidth(s)
		if !ok {
			t.Fatalf("quickWidth gave up on %q", s)
		}
		if want := ansi.StringWidth(s); got != want {
			t.Fatalf("quickWidth(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
	for _, s := range []string{
		"广东省广州市(113.99.15.142)", "\x1b[38;5;75m● 在线\x1b[0m │ 对话 3", "访客数 12 人 · 对话中 3 人", "价格…", "ｗｉｄｅ（全角）",
	} {
		got, ok := quickWidth(s)
		if !ok || got != ansi.StringWidth(s) {
			t.Errorf("quickWidth(%q) = %d, %v; want %d", s, got, ok, ansi.StringWidth(s))
		}
	}
	// What could join into one cluster, or is not our own styling, is left to ansi.
	for _, s := range []string{"e\u0301", "👍🏽", "❤\ufe0f", "한국어", "👨‍👩‍👧", "\x1b]0;x\x07", "a\tb", "🇨🇳", "ｶﾞ"} {
		if _, ok := quickWidth(s); ok {
			t.Errorf("quickWidth(%q) should give up", s)
		}
		if Width(s) != ansi.StringWidth(s) {
			t.Errorf("Width(%q) = %d, want %d", s, Width(s), ansi.StringWidth(s))
		}
	}
}

func BenchmarkWidth(b *testing.B) {
	line := "\x1b[38;5;75m● \x1b[0m王小明 广东省广州市(113.99.15.142) 百度(在线客服系统) \x1b[2m在线客服系统 产品介绍\x1b[0m"
	b.Run("quick", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Width(line)
		}
	})
	b.Run("ansi", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ansi.StringWidth(line)
		}
	})
}
