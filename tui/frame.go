package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
)

// Drawing the workbench costs a few hundred microseconds; a busy site sends every agent
// hundreds of events a second, and Bubble Tea asks for a frame after each message. A hundred
// agents redrawing at that pace would take the server's CPU from the chats themselves. So a
// frame is drawn only when something visible changed (stale): at once for a key and for a
// message in the chat the agent has open; within frameActive of any other change while the
// agent is at the keyboard (what a key started, such as a transcript loading, shows without
// lag); and otherwise at most once per frameEvery (a list's counts, the monitor's rows). A
// frameMsg is scheduled so a held-back change is drawn soon after.

// frameEvery is the shortest time between two frames drawn for a change the agent did not
// ask for: twice a second is soon for a count in the list or a row of the monitor, and at a
// hundred agents on two cores a frame every 250 ms instead cost 4 points of a core and the
// chats' p99 latency 44 → 30 ms (frames of changes nobody waits for delayed the ones
// somebody does). Golden tests set it to 0: every View then draws.
var frameEvery = 500 * time.Millisecond

// frameActive replaces frameEvery for keyActive after the agent's last key.
const (
	frameActive = 30 * time.Millisecond
	keyActive   = 2 * time.Second
)

type frameMsg struct{}

// frameCache is the last frame and what decides whether to draw the next one.
type frameCache struct {
	frame      string
	lastFrame  time.Time
	frameDue   bool // a frameMsg is on its way
	forceFrame bool // a key: draw now
	stale      bool // something visible changed since the last frame
	quiet      bool // the message being handled changed nothing visible (a popup or a notice marks stale itself)
	keyAt      time.Time
	drawn      drawnLines // parts of the frame kept between frames
	// screen, when set, is where frames are painted: Update draws and hands them over, and
	// View only returns the last one (Bubble Tea's renderer is off).
	screen frameScreen
}

// frameScreen is the SSH session's Screen.
type frameScreen interface{ Show(frame string) }

// present draws a frame and hands it to the screen when one is due.
func (m *Model) present() {
	if m.screen != nil && frameEvery != 0 && m.redraw() {
		m.screen.Show(m.frame)
	}
}

// redraw draws the next frame when one is due: there is none yet, a key asked for it, or
// something visible changed and the last frame is old enough. It reports whether it drew.
func (m *Model) redraw() bool {
	now := time.Now()
	if m.frame != "" && !m.forceFrame && (!m.stale || now.Sub(m.lastFrame) < m.frameGap(now)) {
		return false
	}
	m.frame, m.lastFrame, m.forceFrame, m.stale = m.render(), now, false, false
	return true
}

// frameGap is the shortest time between two frames now.
func (f *frameCache) frameGap(now time.Time) time.Duration {
	if now.Sub(f.keyAt) < keyActive {
		return min(frameActive, frameEvery)
	}
	return frameEvery
}

// View draws the screen, or returns the last frame when nothing visible changed or the last
// frame is too recent. With a screen, Update draws the frames (present) and View only
// returns the last one.
func (m *Model) View() string {
	if frameEvery == 0 {
		return m.render()
	}
	if m.screen == nil {
		m.redraw()
	}
	return m.frame
}

// frameLater schedules a frameMsg when a stale frame is being held back.
func (m *Model) frameLater() tea.Cmd {
	if m.frameDue || !m.stale || frameEvery == 0 {
		return nil
	}
	now := time.Now()
	wait := m.frameGap(now) - now.Sub(m.lastFrame)
	if wait <= 0 {
		return nil
	}
	m.frameDue = true
	return tea.Tick(wait, func(time.Time) tea.Msg { return frameMsg{} })
}

// shows reports whether an event changes what the agent is looking at.
func (m *Model) shows(ev hub.Event) bool {
	switch e := ev.(type) {
	case hub.VisitorChanged:
		return m.page == pageMonitor || m.chats.hasVisitor(e.V.ID) || (m.detail != nil && m.detail.visitorID == e.V.ID)
	case hub.VisitorLeft:
		return m.page == pageMonitor || m.chats.hasVisitor(e.ID) || (m.detail != nil && m.detail.visitorID == e.ID)
	case hub.MessageAdded:
		return m.chats.ts[e.M.ConvID] != nil
	case hub.Typing:
		return m.page == pageChats && m.chats.active == e.ConvID
	case hub.AgentChanged:
		_, known := m.live.agents[e.A.ID]
		return !known || e.A.ID == m.me || m.page == pageColleagues || m.transfer != nil
	}
	return true
}
