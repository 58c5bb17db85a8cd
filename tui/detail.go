package tui

import (
	"strings"

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
		dt.scroll = max(0, dt.scroll-(dt.m.bodyHeight()-2))
	case "pgdown":
		dt.scroll += dt.m.bodyHeight() - 2
	case "home", "g":
		dt.scroll = 0
	}
	return nil
}

// view renders the detail in w×h cells.
func (dt *detail) view(w, h int) string {
	m := dt.m
	l := m.lang
	if dt.err != nil {
		return cells.Place([]string{m.st.Error.Render(cells.Cut(l.T("err."+errKey(dt.err), ""), w))}, w, h)
	}
	if dt.d == nil {
		return cells.Place([]string{m.st.Muted.Render(l.T("detail.loading"))}, w, h)
	}
	d := dt.d
	v := d.View
	if live := m.live.visitors[dt.visitorID]; live != nil {
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
	lines = append(lines, title)
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
	for _, s := range []string{v.OS, v.Browser} {
		if s != "" && s != client {
			client += " · " + cells.Safe(s)
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

	lines = append(lines, "", m.st.Accent.Render(l.T("detail.trail", len(d.Trail))))
	lastVisit := -1
	for i := len(d.Trail) - 1; i >= 0; i-- { // newest first
		pv := d.Trail[i]
		if pv.Visit != lastVisit {
			lastVisit = pv.Visit
			lines = append(lines, m.st.Muted.Render(l.T("detail.visit_no", pv.Visit, pv.At.Local().Format("2006-01-02 15:04"))))
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
	body := h - 1
	if dt.scroll > len(lines)-body {
		dt.scroll = max(0, len(lines)-body)
	}
	shown := lines[dt.scroll:]
	out := cells.Place(shown, w, body)
	return out + "\n" + m.st.Muted.Render(cells.Cut(l.T("detail.keys"), w))
}
