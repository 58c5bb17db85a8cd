// Package theme holds the styles of a workbench session, built on that session's renderer,
// so every screen of the workbench (agent and admin) draws the same way.
package theme

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"kefu/server/i18n"
)

// resolve turns an adaptive hex colour into the session profile's own colour once, so that
// rendering does not convert it again every time (termenv's hex → 256-colour conversion is
// the costliest part of a frame).
func resolve(r *lipgloss.Renderer, a lipgloss.AdaptiveColor) lipgloss.TerminalColor {
	hex := a.Light
	if r.HasDarkBackground() {
		hex = a.Dark
	}
	switch c := r.ColorProfile().Color(hex).(type) {
	case termenv.ANSI256Color:
		return lipgloss.ANSIColor(c)
	case termenv.ANSIColor:
		return lipgloss.ANSIColor(c)
	case nil:
		return lipgloss.NoColor{}
	}
	return lipgloss.Color(hex)
}

// Styles are every style of one session, built from that session's renderer so colour
// profile and background detection follow the agent's terminal, not the server's.
type Styles struct {
	r *lipgloss.Renderer

	// P are the most drawn styles, resolved once (see Paint).
	P Paints

	// Lang is the session's language, for the help texts of embedded forms (Embed).
	Lang i18n.Lang

	App        lipgloss.Style
	TopBar     lipgloss.Style
	Brand      lipgloss.Style
	Tab        lipgloss.Style
	TabActive  lipgloss.Style
	Counts     lipgloss.Style
	StatusOn   lipgloss.Style
	StatusBusy lipgloss.Style
	StatusAway lipgloss.Style

	TableHeader lipgloss.Style
	Row         lipgloss.Style
	RowSelected lipgloss.Style
	Muted       lipgloss.Style
	Accent      lipgloss.Style
	Warn        lipgloss.Style
	Error       lipgloss.Style
	OK          lipgloss.Style

	KindNew       lipgloss.Style
	KindReturning lipgloss.Style
	KindIntent    lipgloss.Style
	KindMember    lipgloss.Style

	Pane        lipgloss.Style
	PaneFocused lipgloss.Style
	PaneTitle   lipgloss.Style
	ListItem    lipgloss.Style
	ListActive  lipgloss.Style
	Badge       lipgloss.Style
	Waiting     lipgloss.Style
	Newest      lipgloss.Style // the newest chat request, set apart from the others waiting

	MsgVisitor lipgloss.Style
	MsgAgent   lipgloss.Style
	MsgSystem  lipgloss.Style
	MsgMeta    lipgloss.Style

	Notice    lipgloss.Style
	HelpKey   lipgloss.Style
	HelpDesc  lipgloss.Style
	Dialog    lipgloss.Style
	InputLine lipgloss.Style
}

// New builds the styles on a session's renderer.
func New(r *lipgloss.Renderer) *Styles {
	accent := resolve(r, lipgloss.AdaptiveColor{Light: "#1d4ed8", Dark: "#60a5fa"})
	muted := resolve(r, lipgloss.AdaptiveColor{Light: "#6b7280", Dark: "#9ca3af"})
	green := resolve(r, lipgloss.AdaptiveColor{Light: "#15803d", Dark: "#4ade80"})
	yellow := resolve(r, lipgloss.AdaptiveColor{Light: "#a16207", Dark: "#facc15"})
	red := resolve(r, lipgloss.AdaptiveColor{Light: "#b91c1c", Dark: "#f87171"})
	purple := resolve(r, lipgloss.AdaptiveColor{Light: "#7e22ce", Dark: "#c084fc"})
	sel := resolve(r, lipgloss.AdaptiveColor{Light: "#dbeafe", Dark: "#1e3a5f"})
	border := resolve(r, lipgloss.AdaptiveColor{Light: "#d1d5db", Dark: "#4b5563"})

	s := &Styles{r: r}
	n := r.NewStyle
	s.App = n()
	s.TopBar = n().Bold(true)
	s.Brand = n().Bold(true).Foreground(accent)
	s.Tab = n().Foreground(muted).Padding(0, 1)
	s.TabActive = n().Bold(true).Underline(true).Foreground(accent).Padding(0, 1)
	s.Counts = n().Foreground(muted)
	s.StatusOn = n().Foreground(green).Bold(true)
	s.StatusBusy = n().Foreground(yellow).Bold(true)
	s.StatusAway = n().Foreground(muted).Bold(true)

	s.TableHeader = n().Bold(true).Foreground(muted)
	s.Row = n()
	s.RowSelected = n().Background(sel).Bold(true)
	s.Muted = n().Foreground(muted)
	s.Accent = n().Foreground(accent)
	s.Warn = n().Foreground(yellow)
	s.Error = n().Foreground(red).Bold(true)
	s.OK = n().Foreground(green)

	s.KindNew = n().Foreground(green)
	s.KindReturning = n().Foreground(accent)
	s.KindIntent = n().Foreground(yellow)
	s.KindMember = n().Foreground(purple)

	s.Pane = n().Border(lipgloss.NormalBorder()).BorderForeground(border)
	s.PaneFocused = n().Border(lipgloss.NormalBorder()).BorderForeground(accent)
	s.PaneTitle = n().Bold(true)
	s.ListItem = n()
	s.ListActive = n().Background(sel).Bold(true)
	s.Badge = n().Foreground(red).Bold(true)
	s.Waiting = n().Foreground(yellow).Bold(true)
	s.Newest = n().Foreground(yellow).Bold(true).Reverse(true)

	s.MsgVisitor = n()
	s.MsgAgent = n().Foreground(accent)
	s.MsgSystem = n().Foreground(muted).Italic(true)
	s.MsgMeta = n().Foreground(muted)

	s.Notice = n().Foreground(yellow).Bold(true)
	s.HelpKey = n().Foreground(accent).Bold(true)
	s.HelpDesc = n().Foreground(muted)
	s.Dialog = n().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.InputLine = n().Border(lipgloss.NormalBorder(), true, false, false, false).BorderForeground(border)
	s.P = s.paints()
	return s
}

// Renderer is the session's renderer, for components (huh forms) that need it.
func (s *Styles) Renderer() *lipgloss.Renderer { return s.r }
