package cells

import (
	"sync"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Measuring display width the general way (ansi.StringWidth) segments the text into
// grapheme clusters, which is most of what drawing a frame costs. Nearly everything the
// workbench draws is simpler: printable ASCII, Chinese, full-width punctuation, box drawing
// and symbols, and our own colour sequences. quickWidth measures that directly from a table
// of single-character widths taken from ansi.StringWidth itself, and gives up (the caller
// then asks ansi.StringWidth) on anything that could join its neighbours into one cluster —
// emoji, combining marks, variation selectors, Hangul — or any escape other than CSI.

// quickBlocks are the ranges whose characters never join a neighbour into a grapheme
// cluster (no Extend, SpacingMark, Prepend, ZWJ, regional indicator or Hangul in them).
var quickBlocks = [][2]rune{
	{0x20, 0x7e},
	{0xa1, 0xac}, {0xae, 0x2ff}, // Latin-1 supplement and extensions, IPA, spacing modifiers
	{0x2010, 0x2027}, {0x2030, 0x205e}, // dashes, quotes, …, ‰, ′
	{0x2100, 0x214f}, {0x2190, 0x23ff}, // letterlike, arrows, mathematical, technical
	{0x2460, 0x27bf},                                                       // enclosed numbers, box drawing, blocks, shapes, symbols, dingbats
	{0x2e80, 0x2fdf}, {0x3000, 0x3029}, {0x3030, 0x3096}, {0x309b, 0x33ff}, // CJK symbols, kana, bopomofo
	{0x3400, 0x4dbf}, {0x4e00, 0x9fff}, {0xf900, 0xfaff}, {0xfe30, 0xfe4f}, // ideographs
	{0xff01, 0xff9d}, {0xffa0, 0xffdc}, {0xffe0, 0xffe6}, // full- and half-width forms
}

var (
	quickOnce  sync.Once
	quickTable []uint8 // by rune below 0x10000: its width, or 0 when quickWidth must give up
)

func buildQuickTable() {
	quickTable = make([]uint8, 0x10000)
	for _, b := range quickBlocks {
		for r := b[0]; r <= b[1]; r++ {
			if w := ansi.StringWidth(string(r)); w == 1 || w == 2 {
				quickTable[r] = uint8(w)
			}
		}
	}
}

// quickWidth is the display width of s when every character of s is in the table and every
// escape is a CSI sequence; ok is false otherwise.
func quickWidth(s string) (w int, ok bool) {
	quickOnce.Do(buildQuickTable)
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case b >= 0x20 && b < 0x7f:
			w++
			i++
		case b == 0x1b:
			// ESC [ parameters intermediates final
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				return 0, false
			}
			j++
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return 0, false
			}
			i = j + 1
		case b >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 || quickTable[r] == 0 {
				return 0, false
			}
			w += int(quickTable[r])
			i += size
		default:
			return 0, false
		}
	}
	return w, true
}

// stringWidth is ansi.StringWidth, quicker for the text the workbench draws.
func stringWidth(s string) int {
	if w, ok := quickWidth(s); ok {
		return w
	}
	return ansi.StringWidth(s)
}
