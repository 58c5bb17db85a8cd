package admin

import (
	"strings"
	"testing"

	"kefu/tui/cells"
)

// TestWrapTextKeepsPunctuation: Chinese wraps between any two characters but never puts
// closing punctuation at the start of a line; English wraps between words; nothing is wider
// than the width.
func TestWrapTextKeepsPunctuation(t *testing.T) {
	for _, tc := range []struct {
		s   string
		w   int
		cut bool // one word longer than a line: cut anywhere
	}{
		{"提示：客服分配到网站后才能接待访客；设置了分流区域的客服优先接待来自该区域的访客。", 40, false},
		{"提示：客服分配到网站后才能接待访客；设置了分流区域的客服优先接待来自该区域的访客。", 80, false},
		{"嵌入代码（放在网站每个页面的 </body> 之前）：", 40, false},
		{"Agents receive a site's visitors once assigned to it; those with regions get visitors from there first.", 40, false},
		{"https://kefu.example.com/widget.js?site=12345678901234567890", 20, true},
	} {
		lines := wrapText(tc.s, tc.w)
		for i, l := range lines {
			if cells.Width(l) > tc.w {
				t.Errorf("%q at %d: line %q is %d cells", tc.s, tc.w, l, cells.Width(l))
			}
			if r := []rune(l); !tc.cut && i > 0 && len(r) > 0 && strings.ContainsRune(closing, r[0]) {
				t.Errorf("%q at %d: line %d starts with %q: %q", tc.s, tc.w, i, r[0], lines)
			}
		}
		join := strings.Join(lines, "")
		if strings.ReplaceAll(join, " ", "") != strings.ReplaceAll(tc.s, " ", "") {
			t.Errorf("%q at %d lost text: %q", tc.s, tc.w, lines)
		}
	}
}

// TestLayoutGivesWordsTheirRoom: space left after the minimums goes first to what columns
// need to show whole, in prio order.
func TestLayoutGivesWordsTheirRoom(t *testing.T) {
	cols := []column{{title: "Account", min: 6, max: 16, prio: 1}, {title: "Name", min: 6, max: 12, prio: 2}, {title: "State", min: 4, max: 8, prio: 3}}
	got := layout(cols, []int{7, 6, 8}, 30)
	if got[0] < 7 || got[1] < 6 || got[2] != 8 {
		t.Fatalf("widths %v", got)
	}
	if got[0]+got[1]+got[2]+2 > 30 {
		t.Fatalf("widths %v exceed 30", got)
	}
}
