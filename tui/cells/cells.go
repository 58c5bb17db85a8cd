// Package cells measures, pads, cuts and wraps text by terminal display width (a Chinese
// character takes two cells), and makes outside text safe to draw. Every screen of the
// workbench lays text out through it.
package cells

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kefu/server/plain"
)

// Terminal width is display width: a Chinese character takes two cells. These helpers are the
// only way the workbench measures, pads and cuts text.

// Width is the display width of s (escape sequences excluded).
func Width(s string) int { return stringWidth(s) }

// Fit cuts s to at most w cells with "…" and pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// FitRight is Fit with the padding on the left (numbers, times).
func FitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - Width(s); pad > 0 {
		s = strings.Repeat(" ", pad) + s
	}
	return s
}

// Cut truncates s to at most w cells with "…", without padding.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// Wrap breaks s into lines of at most w cells, at spaces where it can and anywhere
// otherwise (Chinese has no spaces).
func Wrap(s string, w int) []string {
	if w < 1 {
		w = 1
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		wrapped := ansi.Wrap(para, w, "")
		out = append(out, strings.Split(wrapped, "\n")...)
	}
	return out
}

// Safe is how any text from outside kefu (visitors, browsers, other agents' input) reaches
// the screen: one line, no control or escape sequences.
func Safe(s string) string { return plain.Line(s) }

// SafeText is Safe for multi-line text (messages).
func SafeText(s string) string { return plain.Text(s) }

// Place pads or cuts a block to exactly h lines of w cells. Every pane of every frame goes
// through it, so it measures each line once and builds the block in one allocation.
func Place(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	var buf [64]int
	widths := buf[:0]
	if h > len(buf) {
		widths = make([]int, 0, h)
	}
	// A line too wide is cut (rarely: the panes cut their own lines), again when written, so
	// the caller's lines stay as they were. widths holds -1 for those.
	size := h - 1
	for i := 0; i < h; i++ {
		lw := 0
		if i < len(lines) {
			line := lines[i]
			if lw = stringWidth(line); lw > w {
				line = ansi.Truncate(line, w, "")
				lw = stringWidth(line)
				widths = append(widths, -1)
			} else {
				widths = append(widths, lw)
			}
			size += len(line)
		} else {
			widths = append(widths, 0)
		}
		size += max(0, w-lw)
	}
	var b strings.Builder
	b.Grow(size)
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		lw := widths[i]
		if i < len(lines) {
			line := lines[i]
			if lw < 0 {
				line = ansi.Truncate(line, w, "")
				lw = stringWidth(line)
			}
			b.WriteString(line)
		}
		writeSpaces(&b, w-lw)
	}
	return b.String()
}

// spaces is padding to copy from.
const spaces = "                                                                                "

func writeSpaces(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}

// FitStyled is Fit for a string that may already contain our own styling.
func FitStyled(s string, w int) string {
	sw := stringWidth(s)
	if sw > w {
		// A wide character across the edge is cut whole: pad the cell it leaves.
		s = ansi.Truncate(s, w, "")
		sw = stringWidth(s)
	}
	if sw >= w {
		return s
	}
	return s + strings.Repeat(" ", w-sw)
}

// Strip removes our own styling (to restyle a whole line, e.g. the selected row).
func Strip(s string) string { return ansi.Strip(s) }
