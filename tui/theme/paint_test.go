package theme

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestPaintIsRender: a resolved style draws a line exactly as lipgloss does, in every colour
// profile, Chinese and padding included.
func TestPaintIsRender(t *testing.T) {
	for _, profile := range []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(profile))
		r.SetHasDarkBackground(true)
		s := New(r)
		cases := []struct {
			name  string
			style lipgloss.Style
			paint Paint
		}{
			{"muted", s.Muted, s.P.Muted}, {"badge", s.Badge, s.P.Badge}, {"waiting", s.Waiting, s.P.Waiting},
			{"newest", s.Newest, s.P.Newest}, {"active", s.ListActive, s.P.ListActive},
			{"key", s.HelpKey, s.P.HelpKey}, {"desc", s.HelpDesc, s.P.HelpDesc},
			{"tab", s.Tab, s.P.Tab}, {"tab short", s.Tab.Padding(0), s.P.TabShort},
			{"active tab short", s.TabActive.Padding(0), s.P.TabActiveShort},
			{"ok", s.OK, s.P.OK}, {"accent", s.Accent, s.P.Accent},
			{"new", s.KindNew, s.P.KindNew}, {"returning", s.KindReturning, s.P.KindReturning},
			{"intent", s.KindIntent, s.P.KindIntent}, {"member", s.KindMember, s.P.KindMember},
		}
		for _, c := range cases {
			for _, text := range []string{"", "● ", "访客350901960 广东省广州市", "对话(3)", "ctrl+n", "× ", " 12"} {
				if got, want := c.paint.Render(text), c.style.Render(text); got != want {
					t.Errorf("profile %v, %s, %q: paint %q, lipgloss %q", profile, c.name, text, got, want)
				}
			}
		}
	}
}
