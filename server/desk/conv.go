package desk

import (
	"errors"
	"fmt"
	"time"

	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// Message events (store.Message.Event) for system lines in transcripts.
const (
	EventAccepted    = "accepted"    // Name joined the chat
	EventEnded       = "ended"       // the chat ended; Text says by whom
	EventTransferred = "transferred" // transferred to Name
)

// EndedBlocked is the Text of the EventEnded line of a chat the system ended because the
// agent Name blocked the visitor (屏蔽); other closing lines say which party ended the chat.
const EndedBlocked = "blocked"

func convView(c *store.Conversation) *hub.ConvView {
	return &hub.ConvView{
		ID: c.ID, SiteID: c.SiteID, VisitorID: c.VisitorID, AgentID: c.AgentID,
		Agents: append([]uint64(nil), c.Agents...), State: c.State,
		Created: c.Created, Accepted: c.Accepted, EndedBy: c.EndedBy,
	}
}

// requestChat creates the visitor's conversation unless one is open, served by the agent the
// distribution engine picks, else queued or waiting.
func (d *Desk) requestChat(visitorID, siteID uint64) (*hub.ConvView, error) {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	if c := d.hub.VisitorConv(visitorID); c != nil {
		return c, nil
	}
	d.dropInviteLocked(visitorID)
	return d.routeLocked(visitorID, siteID)
}

// createConv stores a new conversation (open with agentID, or waiting when 0), publishes it
// and updates the visitor's monitor row. Called with lifecycle held.
func (d *Desk) createConv(visitorID, siteID, agentID uint64) (*hub.ConvView, error) {
	now := d.Now()
	conv := &store.Conversation{SiteID: siteID, VisitorID: visitorID, State: store.ConvWaiting, Created: now}
	var agentName string
	if agentID != 0 {
		conv.State, conv.AgentID, conv.Agents, conv.Accepted = store.ConvOpen, agentID, []uint64{agentID}, now
		agentName = d.agentName(agentID)
	}
	var joined *store.Message
	err := d.db.Update(func(tx *store.Tx) error {
		c := *conv
		joined = nil
		if err := tx.CreateConv(&c); err != nil {
			return err
		}
		v, err := tx.Visitor(visitorID)
		if err != nil {
			return err
		}
		v.Chats++
		if agentID != 0 {
			v.LastAgent = agentID
			m := store.Message{ConvID: c.ID, From: store.FromSystem, Event: EventAccepted, AgentID: agentID, Name: agentName, At: now}
			if _, err := tx.AppendMessage(&m); err != nil {
				return err
			}
			joined = &m
		}
		*conv = c
		return tx.PutVisitor(v)
	})
	if err != nil {
		return nil, fmt.Errorf("create conversation: %w", err)
	}
	cv := convView(conv)
	// Nobody can write to the conversation before the hub knows it, so publishing the
	// system line here keeps seq order.
	d.hub.PutConv(cv)
	if joined != nil {
		d.hub.PublishMessage(*joined)
	}
	d.refreshVisitor(visitorID, cv, func(v *hub.VisitorView) { v.Chats++ })
	return cv, nil
}

// accept gives a waiting or queued conversation to an agent.
func (d *Desk) accept(convID, agentID uint64) (*hub.ConvView, error) {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	c := d.hub.Conv(convID)
	if c == nil {
		return nil, ErrNoConv
	}
	if c.State == store.ConvOpen {
		if c.AgentID == agentID {
			return c, nil
		}
		return nil, ErrNotYours
	}
	return d.assignLocked(c, agentID)
}

// assignLocked makes agentID the conversation's agent. Called with lifecycle held.
func (d *Desk) assignLocked(c *hub.ConvView, agentID uint64) (*hub.ConvView, error) {
	now := d.Now()
	name := d.agentName(agentID)
	var stored store.Conversation
	err := d.db.Update(func(tx *store.Tx) error {
		conv, err := tx.Conv(c.ID)
		if err != nil {
			return err
		}
		conv.State, conv.AgentID = store.ConvOpen, agentID
		if conv.Accepted.IsZero() {
			conv.Accepted = now
		}
		if !containsID(conv.Agents, agentID) {
			conv.Agents = append(conv.Agents, agentID)
		}
		if err := tx.PutConv(conv); err != nil {
			return err
		}
		v, err := tx.Visitor(conv.VisitorID)
		if err != nil {
			return err
		}
		v.LastAgent = agentID
		if err := tx.PutVisitor(v); err != nil {
			return err
		}
		m := store.Message{ConvID: conv.ID, From: store.FromSystem, Event: EventAccepted, AgentID: agentID, Name: name, At: now}
		if _, err := tx.AppendMessage(&m); err != nil {
			return err
		}
		stored = *conv
		// The hub must know the new participant before the system line is published.
		tx.OnCommit(func() { d.hub.PutConv(convView(&stored)) })
		tx.OnCommit(func() { d.hub.PublishMessage(m) })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assign conversation: %w", err)
	}
	cv := d.hub.Conv(c.ID)
	if cv == nil {
		cv = convView(&stored)
	}
	d.refreshVisitor(c.VisitorID, cv, nil)
	if c.State == store.ConvQueued {
		d.renumberLocked(c.SiteID)
	}
	return cv, nil
}

// endConv ends a conversation; by says who ended it.
func (d *Desk) endConv(convID uint64, by store.Party, agentID uint64) error {
	return d.endConvWith(convID, by, agentID, string(by))
}

// endConvWith ends a conversation with a closing line whose Text is why (the party who ended
// it, or EndedBlocked).
func (d *Desk) endConvWith(convID uint64, by store.Party, agentID uint64, why string) error {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	c := d.hub.Conv(convID)
	if c == nil {
		return ErrNoConv
	}
	if by == store.FromAgent && c.State == store.ConvOpen && c.AgentID != agentID {
		return ErrNotYours
	}
	now := d.Now()
	var stored store.Conversation
	err := d.db.Update(func(tx *store.Tx) error {
		conv, err := tx.Conv(convID)
		if err != nil {
			return err
		}
		conv.State, conv.Ended, conv.EndedBy = store.ConvEnded, now, string(by)
		if err := tx.PutConv(conv); err != nil {
			return err
		}
		m := store.Message{ConvID: convID, From: store.FromSystem, Event: EventEnded, Text: why, AgentID: agentID, At: now}
		if agentID != 0 {
			m.Name = d.agentName(agentID)
		}
		if _, err := tx.AppendMessage(&m); err != nil {
			return err
		}
		stored = *conv
		// Publish the closing line while the hub still knows who takes part, then the end.
		tx.OnCommit(func() { d.hub.PublishMessage(m) })
		tx.OnCommit(func() { d.hub.PutConv(convView(&stored)) })
		return nil
	})
	if err != nil {
		return fmt.Errorf("end conversation: %w", err)
	}
	d.refreshVisitor(c.VisitorID, nil, nil)
	d.advanceLocked() // a seat is free, or the queue moved
	return nil
}

// appendMessage stores a message durably and publishes it after commit. A conversation that
// ended refuses new messages.
func (d *Desk) appendMessage(m store.Message) (store.Message, error) {
	err := d.db.Update(func(tx *store.Tx) error {
		ended, err := tx.ConvEnded(m.ConvID)
		if err != nil {
			return ErrNoConv
		}
		msg := m
		dup, err := tx.AppendMessage(&msg)
		if err != nil {
			return err
		}
		if !dup && ended {
			return store.ErrConvEnded
		}
		m = msg
		if !dup {
			tx.OnCommit(func() { d.hub.PublishMessage(msg) })
		}
		return nil
	})
	return m, err
}

// visitorState is the monitor's state columns of a visitor, derived from their conversation
// and any pending invite. It is computed outside the hub's lock (it asks the hub for names)
// and applied inside UpdateVisitor.
type visitorState struct {
	state     hub.VisitorState
	convID    uint64
	agentID   uint64
	agentName string
}

// stateFor derives a visitor's state. Called with lifecycle held (it reads invites).
func (d *Desk) stateFor(visitorID uint64, c *hub.ConvView) visitorState {
	if c != nil && c.State != store.ConvEnded {
		st := visitorState{state: hub.StateWaiting, convID: c.ID, agentID: c.AgentID}
		switch c.State {
		case store.ConvOpen:
			st.state = hub.StateChatting
			st.agentName = d.agentName(c.AgentID)
		case store.ConvQueued:
			st.state = hub.StateQueued
		}
		return st
	}
	if inv := d.invites[visitorID]; inv != nil {
		return visitorState{state: hub.StateInvited, agentID: inv.agentID, agentName: d.agentName(inv.agentID)}
	}
	return visitorState{state: hub.StateBrowsing}
}

func (st visitorState) apply(v *hub.VisitorView) {
	v.State, v.ConvID, v.AgentID, v.AgentName = st.state, st.convID, st.agentID, st.agentName
	if v.Chats > 0 && v.Kind != hub.KindMember {
		v.Kind = hub.KindIntent
	}
}

// refreshVisitor recomputes an online visitor's state columns; extra changes more fields in
// the same update. Called with lifecycle held.
func (d *Desk) refreshVisitor(visitorID uint64, c *hub.ConvView, extra func(v *hub.VisitorView)) {
	st := d.stateFor(visitorID, c)
	d.hub.UpdateVisitor(visitorID, func(v *hub.VisitorView) {
		if extra != nil {
			extra(v)
		}
		st.apply(v)
	})
}

// invite asks an online visitor to chat: by an agent, or automatically (agentID 0) by the
// site's auto-invite setting.
func (d *Desk) invite(visitorID, agentID uint64) error {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	return d.inviteLocked(visitorID, agentID)
}

func (d *Desk) inviteLocked(visitorID, agentID uint64) error {
	v := d.hub.Visitor(visitorID)
	if v == nil {
		return ErrVisitorGone
	}
	if d.hub.VisitorConv(visitorID) != nil {
		return ErrAlreadyInChat
	}
	site, err := d.Site(v.SiteID)
	if err != nil {
		return err
	}
	d.dropInviteLocked(visitorID)
	inv := &invite{agentID: agentID}
	inv.timer = time.AfterFunc(d.cfg.InviteTimeout, func() { d.answerInvite(visitorID, false, true) })
	d.invites[visitorID] = inv
	text := site.Settings.InviteText
	if text == "" {
		text = d.cfg.Lang.T("invite.default")
	}
	d.hub.ToVisitor(visitorID, hub.Invite{Text: text, AgentName: d.agentName(agentID)})
	d.refreshVisitor(visitorID, nil, nil)
	return nil
}

// answerInvite handles accept, decline, or (timeout) the invite lapsing.
func (d *Desk) answerInvite(visitorID uint64, accept, timeout bool) (*hub.ConvView, error) {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	inv := d.invites[visitorID]
	if inv == nil {
		return nil, errors.New("no invite")
	}
	d.dropInviteLocked(visitorID)
	if !accept {
		kind := "invite_declined"
		if timeout {
			kind = "invite_timeout"
			d.hub.ToVisitor(visitorID, hub.InviteOff{})
		}
		d.hub.ToAgent(inv.agentID, hub.Notice{Kind: kind, VisitorID: visitorID})
		d.refreshVisitor(visitorID, nil, nil)
		return nil, nil
	}
	v := d.hub.Visitor(visitorID)
	if v == nil {
		return nil, ErrVisitorGone
	}
	if c := d.hub.VisitorConv(visitorID); c != nil {
		return c, nil
	}
	if inv.agentID == 0 {
		// An automatic invite: the visitor is routed like any request.
		c, err := d.routeLocked(visitorID, v.SiteID)
		if err == nil {
			d.hub.ToVisitor(visitorID, hub.OpenChat{ConvID: c.ID})
		}
		return c, err
	}
	c, err := d.createConv(visitorID, v.SiteID, inv.agentID)
	if err != nil {
		return nil, err
	}
	d.hub.ToAgent(inv.agentID, hub.Notice{Kind: "invite_accepted", VisitorID: visitorID, ConvID: c.ID})
	d.hub.ToVisitor(visitorID, hub.OpenChat{ConvID: c.ID})
	return c, nil
}

func (d *Desk) dropInviteLocked(visitorID uint64) {
	if inv := d.invites[visitorID]; inv != nil {
		inv.timer.Stop()
		delete(d.invites, visitorID)
	}
}

// siteOnline reports whether an agent serving the site is at the workbench.
func (d *Desk) siteOnline(siteID uint64) bool {
	for _, a := range d.hub.Agents() {
		if containsID(a.Sites, siteID) {
			return true
		}
	}
	return false
}

// agentName is the agent's display name, from the hub when online.
func (d *Desk) agentName(id uint64) string {
	if id == 0 {
		return ""
	}
	if a := d.hub.Agent(id); a != nil {
		return a.Name
	}
	if a, err := d.Agent(id); err == nil {
		return a.DisplayName()
	}
	return ""
}

func (d *Desk) agentCard(id uint64) *AgentCard {
	if id == 0 {
		return nil
	}
	a, err := d.Agent(id)
	if err != nil {
		return nil
	}
	return &AgentCard{Name: plain.Line(a.DisplayName()), WorkNo: plain.Line(a.WorkNo), QQ: plain.Line(a.QQ), WeChat: plain.Line(a.WeChat)}
}

// AgentCard returns what a visitor sees of an agent.
func (d *Desk) AgentCard(id uint64) *AgentCard { return d.agentCard(id) }

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
