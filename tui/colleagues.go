package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
	"kefu/tui/cells"
)

// colleagues lists the agents online now with their status and load (the 客服 tab), and is
// where transfers pick their target.
func (m *Model) colleagues(siteID uint64) []*hub.AgentView {
	var out []*hub.AgentView
	for _, a := range m.live.agents {
		if siteID == 0 || containsSite(a.Sites, siteID) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Status != out[j].Status {
			return statusRank(out[i].Status) < statusRank(out[j].Status)
		}
		if out[i].Chats != out[j].Chats {
			return out[i].Chats < out[j].Chats
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func containsSite(sites []uint64, id uint64) bool {
	for _, s := range sites {
		if s == id {
			return true
		}
	}
	return false
}

func statusRank(s hub.AgentStatus) int {
	switch s {
	case hub.StatusOnline:
		return 0
	case hub.StatusBusy:
		return 1
	}
	return 2
}

// agentLine is one colleague: status, name, work number, load.
func (m *Model) agentLine(a *hub.AgentView, w int) string {
	st := m.st.StatusOn
	switch a.Status {
	case hub.StatusBusy:
		st = m.st.StatusBusy
	case hub.StatusAway:
		st = m.st.StatusAway
	}
	status := st.Render("● " + cells.Fit(m.lang.T("status."+string(a.Status)), 4))
	load := fmt.Sprintf("%d", a.Chats)
	if a.MaxChats > 0 {
		load += fmt.Sprintf("/%d", a.MaxChats)
	}
	name := cells.Safe(a.Name)
	if a.ID == m.me {
		name += m.st.Muted.Render(m.lang.T("colleagues.me"))
	}
	if a.WorkNo != "" && w >= 50 {
		name += m.st.Muted.Render(" #" + cells.Safe(a.WorkNo))
	}
	right := m.lang.T("colleagues.load", load)
	nameW := max(4, w-cells.Width(status)-1-cells.Width(right)-1)
	return status + " " + cells.Fit(name, nameW) + " " + m.st.Muted.Render(right)
}

// colleaguesView is the 客服 page.
func (m *Model) colleaguesView(w, h int) string {
	list := m.colleagues(0)
	lines := []string{m.st.PaneTitle.Render(cells.Cut(m.lang.T("colleagues.title", len(list)), w))}
	for _, a := range list {
		lines = append(lines, m.agentLine(a, w))
	}
	return cells.Place(lines, w, h)
}

// transferDialog picks an online colleague of the chat's site and a note (转接).
type transferDialog struct {
	m      *Model
	conv   *hub.ConvView
	cursor int
	note   textinput.Model
	noting bool
}

type transferredMsg struct {
	to   string
	conv uint64
	err  error
}

func newTransferDialog(m *Model, conv *hub.ConvView) *transferDialog {
	ti := textinput.New()
	ti.Placeholder = m.lang.T("transfer.note_hint")
	ti.CharLimit = 200
	ti.Prompt = "> "
	ti.PromptStyle = m.st.Accent
	ti.PlaceholderStyle = m.st.Muted
	return &transferDialog{m: m, conv: conv, note: ti}
}

// targets are the colleagues the chat can go to: online, serving its site, not me.
func (td *transferDialog) targets() []*hub.AgentView {
	var out []*hub.AgentView
	for _, a := range td.m.colleagues(td.conv.SiteID) {
		if a.ID != td.m.me {
			out = append(out, a)
		}
	}
	return out
}

func (td *transferDialog) key(k tea.KeyMsg) tea.Cmd {
	targets := td.targets()
	if td.noting {
		switch k.String() {
		case "esc":
			td.noting = false
			td.note.Blur()
			return nil
		case "enter":
			if td.cursor >= len(targets) {
				return nil
			}
			to := targets[td.cursor]
			as, convID, note := td.m.as, td.conv.ID, td.note.Value()
			td.m.transfer = nil
			return func() tea.Msg {
				_, err := as.Transfer(convID, to.ID, note)
				return transferredMsg{to: to.Name, conv: convID, err: err}
			}
		}
		var cmd tea.Cmd
		td.note, cmd = td.note.Update(k)
		return cmd
	}
	switch k.String() {
	case "esc":
		td.m.transfer = nil
	case "up", "k":
		td.cursor = max(0, td.cursor-1)
	case "down", "j":
		td.cursor = min(max(0, len(targets)-1), td.cursor+1)
	case "enter":
		if len(targets) > 0 {
			td.noting = true
			return td.note.Focus()
		}
	}
	return nil
}

func (td *transferDialog) view(w, h int) string {
	m := td.m
	l := m.lang
	lines := []string{m.st.PaneTitle.Render(cells.Cut(l.T("transfer.title", m.visitorName(td.conv.VisitorID)), w)), ""}
	targets := td.targets()
	if len(targets) == 0 {
		lines = append(lines, m.st.Muted.Render(cells.Cut(l.T("transfer.nobody"), w)))
	}
	for i, a := range targets {
		line := m.agentLine(a, w-2)
		if i == td.cursor {
			line = m.st.ListActive.Render("> " + cells.FitStyled(cells.Strip(line), w-2))
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	if td.noting {
		td.note.Width = max(4, w-4)
		lines = append(lines, "", m.st.Accent.Render(cells.Cut(l.T("transfer.note"), w)), td.note.View())
	}
	return cells.Place(strings.Split(strings.Join(lines, "\n"), "\n"), w, h)
}
