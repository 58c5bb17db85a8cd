package sshd

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestPadCells: `canned list` columns line up whatever mix of Chinese and ASCII they hold.
func TestPadCells(t *testing.T) {
	for _, s := range []string{"", "价格", "price", "一个非常非常长的标题用来测试", "Refund 退款 policy", "编号"} {
		for _, w := range []int{4, 5, 12, 22} {
			got := padCells(s, w)
			if ansi.StringWidth(got) != w {
				t.Errorf("padCells(%q, %d) = %q, %d cells", s, w, got, ansi.StringWidth(got))
			}
			if ansi.StringWidth(s) < w && got[:len(s)] != s {
				t.Errorf("padCells(%q, %d) = %q cut a value that fits", s, w, got)
			}
		}
	}
}
