package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kefu/server/plain"
)

// Terminal width is display width: a Chinese character takes two cells. These helpers are the
// only way the workbench measures, pads and cuts text.

// width is the display width of s (escape sequences excluded).
func width(s string) int { return ansi.StringWidth(s) }

// fit cuts s to at most w cells with "…" and pads it with spaces to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// fitRight is fit with the padding on the left (numbers, times).
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - width(s); pad > 0 {
		s = strings.Repeat(" ", pad) + s
	}
	return s
}

// cut truncates s to at most w cells with "…", without padding.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// wrap breaks s into lines of at most w cells, at spaces where it can and anywhere
// otherwise (Chinese has no spaces).
func wrap(s string, w int) []string {
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

// safe is how any text from outside kefu (visitors, browsers, other agents' input) reaches
// the screen: one line, no control or escape sequences.
func safe(s string) string { return plain.Line(s) }

// safeText is safe for multi-line text (messages).
func safeText(s string) string { return plain.Text(s) }

// placeLines pads or cuts a block to exactly h lines of w cells.
func placeLines(lines []string, w, h int) string {
	var b strings.Builder
	for i := 0; i < h; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(fitStyled(line, w))
		if i < h-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// fitStyled is fit for a string that may already contain our own styling.
func fitStyled(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "")
	}
	return s + strings.Repeat(" ", w-sw)
}

// stripStyle removes our own styling (to restyle a whole line, e.g. the selected row).
func stripStyle(s string) string { return ansi.Strip(s) }
