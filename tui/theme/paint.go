package theme

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Paint is a style resolved once for one line of text: the escape sequences (and padding)
// it puts before and after. lipgloss works a style out again on every Render, which is most
// of what styling a list costs; Paint.Render gives the same result for a line without tabs
// or newlines, for styles that do not depend on the text's width (no width, border, margin
// or alignment).
type Paint struct{ pre, post string }

// paintMark stands for the text while a style is resolved: a private-use character no text
// of ours contains.
const paintMark = "\ue000"

// PaintOf resolves st.
func PaintOf(st lipgloss.Style) Paint {
	pre, post, _ := strings.Cut(st.Render(paintMark), paintMark)
	return Paint{pre: pre, post: post}
}

// Render styles one line of text.
func (p Paint) Render(s string) string {
	if p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// Paints are the styles the workbench draws most often (list lines, tabs, key hints, the
// monitor's kind and state cells), resolved once per session.
type Paints struct {
	Muted, Badge, Waiting, Newest, ListActive, HelpKey, HelpDesc Paint
	Tab, TabActive, TabShort, TabActiveShort                     Paint
	OK, Accent                                                   Paint
	KindNew, KindReturning, KindIntent, KindMember               Paint
}

func (s *Styles) paints() Paints {
	return Paints{
		Muted: PaintOf(s.Muted), Badge: PaintOf(s.Badge), Waiting: PaintOf(s.Waiting), Newest: PaintOf(s.Newest),
		ListActive: PaintOf(s.ListActive), HelpKey: PaintOf(s.HelpKey), HelpDesc: PaintOf(s.HelpDesc),
		Tab: PaintOf(s.Tab), TabActive: PaintOf(s.TabActive),
		TabShort: PaintOf(s.Tab.Padding(0)), TabActiveShort: PaintOf(s.TabActive.Padding(0)),
		OK: PaintOf(s.OK), Accent: PaintOf(s.Accent),
		KindNew: PaintOf(s.KindNew), KindReturning: PaintOf(s.KindReturning),
		KindIntent: PaintOf(s.KindIntent), KindMember: PaintOf(s.KindMember),
	}
}
