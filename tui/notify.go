package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
	"kefu/store"
	"kefu/tui/cells"
)

// Notifications: each scenario (a visitor enters the site, asks to chat, sends a message or a
// file, a colleague transfers a visitor) can pop up and can ring, as the agent chooses. A
// popup is a line above the status line; it never takes the cursor from the input.

// toast is one popup. Its text is worded when it is first drawn: only the newest maxToasts
// ever are, and a busy agent gets dozens of message popups a second.
type toast struct {
	scenario  string
	say       func() string
	said      string
	at        time.Time
	visitorID uint64
	convID    uint64
}

// said is a popup's text worded already.
func said(text string) func() string { return func() string { return text } }

// text is the popup's words.
func (t *toast) text() string {
	if t.say != nil {
		t.said, t.say = t.say(), nil
	}
	return t.said
}

const (
	maxToasts  = 3
	toastLasts = 8 * time.Second
)

type notifySavedMsg struct{ err error }

// switches are the agent's popup and sound switches of a scenario.
func (m *Model) switches(scenario string) store.Notify {
	if p, ok := m.notify[scenario]; ok {
		return p
	}
	return store.NotifyDefault(scenario)
}

// popsUp reports whether a scenario shows a popup for this agent.
func (m *Model) popsUp(scenario string) bool { return m.switches(scenario).Popup }

// alert notifies the agent of a scenario as their switches say; say words the popup.
func (m *Model) alert(scenario string, say func() string, visitorID, convID uint64) tea.Cmd {
	n := m.switches(scenario)
	m.stale = true // a popup or a bell is always worth a frame
	if n.Popup {
		m.toasts = append(m.toasts, toast{scenario: scenario, say: say, at: m.now, visitorID: visitorID, convID: convID})
		if len(m.toasts) > maxToasts {
			m.toasts = m.toasts[len(m.toasts)-maxToasts:]
		}
	}
	if n.Sound {
		return m.ring()
	}
	return nil
}

// expireToasts drops popups that have been up long enough.
func (m *Model) expireToasts() {
	kept := m.toasts[:0]
	for _, t := range m.toasts {
		if m.now.Sub(t.at) < toastLasts {
			kept = append(kept, t)
		}
	}
	m.toasts = kept
}

// openToast acts on the newest popup: to its chat, or to the visitor's detail.
func (m *Model) openToast() tea.Cmd {
	if len(m.toasts) == 0 {
		return nil
	}
	t := m.toasts[len(m.toasts)-1]
	m.toasts = m.toasts[:len(m.toasts)-1]
	if t.convID != 0 {
		m.chats.activate(t.convID)
		m.page = pageChats
		m.detail = nil
		return m.chats.markRead()
	}
	return m.openDetail(t.visitorID)
}

// toastLines are the popups as lines between the page and the status line, newest last; the
// page gives up those rows while they show, so a popup never covers what the agent reads or
// types.
func (m *Model) toastLines(w int) []string {
	if len(m.toasts) == 0 {
		return nil
	}
	hint := "  " + m.lang.T("toast.keys")
	var out []string
	for i := range m.toasts {
		text := "● " + m.toasts[i].text()
		if i == len(m.toasts)-1 && cells.Width(text)+cells.Width(hint) <= w {
			text += m.st.Muted.Render(hint)
		}
		out = append(out, m.st.Notice.Render(cells.Cut(text, w)))
	}
	return out
}

// notifySettings is the screen of the agent's notification switches (提醒设置).
type notifySettings struct {
	row, col int // col 0 popup, 1 sound
}

// awayChoices are the idle times (minutes) the settings offer; 0 is never.
var awayChoices = []int{0, 5, 10, 15, 30, 60}

func (m *Model) settingsKey(k tea.KeyMsg) tea.Cmd {
	s := m.settings
	awayRow := len(store.NotifyScenarios)
	switch k.String() {
	case "esc", "f3", "q":
		m.settings = nil
	case "up", "k":
		s.row = max(0, s.row-1)
	case "down", "j":
		s.row = min(awayRow, s.row+1)
	case "left", "h":
		if s.row == awayRow {
			return m.stepAway(-1)
		}
		s.col = 0
	case "right", "l":
		if s.row == awayRow {
			return m.stepAway(1)
		}
		s.col = 1
	case " ", "enter", "space":
		if s.row == awayRow {
			return m.stepAway(1)
		}
		sc := store.NotifyScenarios[s.row]
		n := store.NotifyDefault(sc)
		if p, ok := m.notify[sc]; ok {
			n = p
		}
		if s.col == 0 {
			n.Popup = !n.Popup
		} else {
			n.Sound = !n.Sound
		}
		m.notify[sc] = n
		as := m.as
		return func() tea.Msg { return notifySavedMsg{err: as.SetNotify(sc, n)} }
	}
	return nil
}

// stepAway moves the idle time to the next (or previous) choice and saves it.
func (m *Model) stepAway(dir int) tea.Cmd {
	i := 0
	for j, c := range awayChoices {
		if c == m.awayAfter {
			i = j
		}
	}
	i = (i + dir + len(awayChoices)) % len(awayChoices)
	m.awayAfter = awayChoices[i]
	as, minutes := m.as, m.awayAfter
	return func() tea.Msg { return notifySavedMsg{err: as.SetAwayAfter(minutes)} }
}

// checkIdle sets the agent away after their idle time, and back online on their next key.
func (m *Model) checkIdle() tea.Cmd {
	if m.awayAfter <= 0 || m.autoAway || m.myStatus() != hub.StatusOnline {
		return nil
	}
	if m.now.Sub(m.lastKey) < time.Duration(m.awayAfter)*time.Minute {
		return nil
	}
	m.autoAway = true
	as := m.as
	return func() tea.Msg { as.SetStatus(hub.StatusAway); return nil }
}

// activity notes a key; an agent the idle timer set away is online again.
func (m *Model) activity() tea.Cmd {
	m.lastKey = m.now
	if !m.autoAway {
		return nil
	}
	m.autoAway = false
	as := m.as
	return func() tea.Msg { as.SetStatus(hub.StatusOnline); return nil }
}

func (m *Model) settingsView(w, h int) string {
	l := m.lang
	lines := []string{m.st.PaneTitle.Render(l.T("settings.title")), ""}
	nameW := 0
	for _, sc := range store.NotifyScenarios {
		nameW = max(nameW, cells.Width(l.T("notify."+sc)))
	}
	lines = append(lines, m.st.TableHeader.Render(cells.Fit(l.T("settings.scenario"), nameW)+"  "+
		cells.Fit(l.T("settings.popup"), 8)+cells.Fit(l.T("settings.sound"), 8)))
	for i, sc := range store.NotifyScenarios {
		n := store.NotifyDefault(sc)
		if p, ok := m.notify[sc]; ok {
			n = p
		}
		box := func(on bool, col int) string {
			mark := "[ ]"
			if on {
				mark = "[x]"
			}
			cell := cells.Fit(mark, 8)
			if i == m.settings.row && col == m.settings.col {
				return m.st.ListActive.Render(cell)
			}
			return cell
		}
		lines = append(lines, cells.Fit(l.T("notify."+sc), nameW)+"  "+box(n.Popup, 0)+box(n.Sound, 1))
	}
	away := l.T("settings.away_never")
	if m.awayAfter > 0 {
		away = l.T("settings.away_minutes", m.awayAfter)
	}
	away = "< " + away + " >"
	if m.settings.row == len(store.NotifyScenarios) {
		away = m.st.ListActive.Render(away)
	}
	lines = append(lines, "", cells.Fit(l.T("settings.away"), nameW)+"  "+away)
	return cells.Place(lines, w, h)
}
