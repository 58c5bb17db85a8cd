package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
)

// Drawing the workbench costs about a millisecond; a busy site sends every agent hundreds of
// events a second, and Bubble Tea asks for a frame after each message. So a frame is drawn
// only when something visible changed (stale), at most once per frameEvery except for a key
// (the agent sees their typing at once), and a frameMsg is scheduled so a held-back change is
// drawn soon after.

// frameEvery is the shortest time between two frames drawn for anything but a key. Golden
// tests set it to 0: every View then draws.
var frameEvery = 50 * time.Millisecond

type frameMsg struct{}

// frameCache is the last frame and what decides whether to draw the next one.
type frameCache struct {
	frame      string
	lastFrame  time.Time
	frameDue   bool // a frameMsg is on its way
	forceFrame bool // a key: draw now
	stale      bool // something visible changed since the last frame
	quiet      bool // the message being handled changed nothing visible…
	loud       bool // …unless it raised a popup, a notice or a bell
}

// View draws the screen, or returns the last frame when nothing visible changed or the last
// frame is too recent.
func (m *Model) View() string {
	if frameEvery == 0 {
		return m.render()
	}
	now := time.Now()
	if m.frame != "" && !m.forceFrame && (!m.stale || now.Sub(m.lastFrame) < frameEvery) {
		return m.frame
	}
	m.frame, m.lastFrame, m.forceFrame, m.stale = m.render(), now, false, false
	return m.frame
}

// frameLater schedules a frameMsg when a stale frame is being held back.
func (m *Model) frameLater() tea.Cmd {
	if m.frameDue || !m.stale || frameEvery == 0 {
		return nil
	}
	wait := frameEvery - time.Since(m.lastFrame)
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
