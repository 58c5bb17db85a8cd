package tui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/tui/cells"
)

// detail is the visitor detail screen: who the visitor is, where from, with what, and the
// trail (访客轨迹) of this and earlier visits.
type detail struct {
	m         *Model
	visitorID uint64
	d         *desk.VisitorDetail
	err       error
	scroll    int
}

type detailLoadedMsg struct {
	visitorID uint64
	d         *desk.VisitorDetail
	err       error
}

// openDetail shows a visitor's detail, loading it from the store.
func (m *Model) openDetail(visitorID uint64) tea.Cmd {
	m.detail = &detail{m: m, visitorID: visitorID}
	as := m.as
	return func() tea.Msg {
		d, err := as.Visitor(visitorID, 200)
		return detailLoadedMsg{visitorID: visitorID, d: d, err: err}
	}
}

func (dt *detail) key(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc", "q", "v", "ctrl+t":
		dt.m.detail = nil
	case "up", "k":
		dt.scroll = max(0, dt.scroll-1)
	case "down", "j":
		dt.scroll++
	case "pgup":
		dt.scroll = max(0, dt.scroll-(dt.m.bodyHeight()-1))
	case "pgdown":
		dt.scroll += dt.m.bodyHeight() - 1
	case "home", "g":
		dt.scroll = 0
	}
	return nil
}

// view renders the detail in w×h cells; its keys are in the bottom line.
func (dt *detail) view(w, h int) string {
	m := dt.m
	l := m.lang
	if dt.err != nil {
		return cells.Place([]string{m.st.Error.Render(cells.Cut(l.T("err."+errKey(dt.err), ""), w))}, w, h)
	}
	if dt.d == nil {
		return cells.Place([]string{m.st.Muted.Render(l.T("detail.loading"))}, w, h)
	}
	lines := m.visitorLines(dt.d, dt.visitorID, w)
	if dt.scroll > len(lines)-h {
		dt.scroll = max(0, len(lines)-h)
	}
	return cells.Place(lines[dt.scroll:], w, h)
}

// visitorLines are a visitor's facts, card and trail (newest visit first) in w cells: the
// detail screen, and the panel beside the chat on wide screens.
func (m *Model) visitorLines(d *desk.VisitorDetail, visitorID uint64, w int) []string {
	l := m.lang
	v := d.View
	if live := m.live.visitor(visitorID); live != nil {
		v = live
	}
	var lines []string
	title := m.st.PaneTitle.Render(m.nameOf(v)) + "  " + kindCell(m, v)
	if d.Visitor.Member != nil {
		title += " " + m.st.KindMember.Render(l.T("detail.member", cells.Safe(d.Visitor.Member.ID), cells.Safe(d.Visitor.Member.Name)))
	}
	if v.Online {
		title += "  " + stateCell(m, v)
		if v.AgentName != "" {
			title += m.st.Muted.Render("(" + cells.Safe(v.AgentName) + ")")
		}
	} else {
		title += "  " + m.st.Muted.Render(l.T("detail.offline"))
	}
	lines = append(lines, cells.Wrap(title, max(1, w))...)
	fact := func(label, value string) {
		if value == "" {
			return
		}
		lab := cells.Fit(l.T(label), 6)
		for i, part := range cells.Wrap(value, max(1, w-7)) {
			if i > 0 {
				lab = strings.Repeat(" ", 6)
			}
			lines = append(lines, m.st.Muted.Render(lab)+" "+part)
		}
	}
	client := channelCell(m, v)
	seen := map[string]bool{cells.Strip(client): true}
	for _, s := range []string{cells.Safe(v.OS), cells.Safe(v.Browser)} {
		if s != "" && !seen[s] { // WeChat's browser is WeChat: say it once
			seen[s] = true
			client += " · " + s
		}
	}
	fact("detail.channel", client)
	fact("detail.region", regionCell(m, v))
	src := sourceCell(m, v)
	if d.Visitor.Landing != "" {
		src += "  " + l.T("detail.landing", cells.Safe(d.Visitor.Landing))
	}
	fact("detail.source", src)
	fact("detail.visits", l.T("detail.visit_facts", v.Visits, v.Chats, clock(m.now.Sub(v.VisitStart)), v.PageViews))
	if v.Online {
		fact("detail.page", pageCell(m, v)+"  "+m.st.Muted.Render(cells.Safe(v.PageURL)))
	}
	c := d.Visitor.Card
	var card []string
	for _, f := range []struct{ key, val string }{{"card.name", c.Name}, {"card.phone", c.Phone}, {"card.qq", c.QQ},
		{"card.email", c.Email}, {"card.wechat", c.WeChat}, {"card.company", c.Company}, {"card.notes", c.Notes}} {
		if f.val != "" {
			card = append(card, l.T(f.key)+" "+cells.Safe(f.val))
		}
	}
	fact("detail.card", strings.Join(card, " · "))

	lines = append(lines, "", m.st.Accent.Render(cells.Cut(l.T("detail.trail", len(d.Trail)), w)))
	// A visit is headed by when it began: its first page, or the live visit's start.
	began := map[int]time.Time{}
	for _, pv := range d.Trail {
		if t, ok := began[pv.Visit]; !ok || pv.At.Before(t) {
			began[pv.Visit] = pv.At
		}
	}
	if v.Online && !v.VisitStart.IsZero() {
		if t, ok := began[v.Visits]; ok && v.VisitStart.Before(t) {
			began[v.Visits] = v.VisitStart
		}
	}
	lastVisit := -1
	for i := len(d.Trail) - 1; i >= 0; i-- { // newest first
		pv := d.Trail[i]
		if pv.Visit != lastVisit {
			lastVisit = pv.Visit
			lines = append(lines, m.st.Muted.Render(cells.Cut(l.T("detail.visit_no", pv.Visit, began[pv.Visit].Local().Format("2006-01-02 15:04")), w)))
		}
		title := cells.Safe(pv.Title)
		if title == "" {
			title = cells.Safe(pv.URL)
		}
		line := "  " + pv.At.Local().Format("15:04:05") + "  " + title
		if pv.Title != "" && w >= 80 {
			line += "  " + m.st.Muted.Render(cells.Safe(pv.URL))
		}
		lines = append(lines, cells.Cut(line, w))
	}
	if len(d.Trail) == 0 {
		lines = append(lines, m.st.Muted.Render("  "+l.T("detail.no_trail")))
	}
	return lines
}
