package desk

import (
	"errors"
	"fmt"
	"strings"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// Transfer errors.
var (
	ErrAgentOffline = errors.New("colleague is not online")
	ErrTransferSelf = errors.New("cannot transfer to yourself")
)

// EventTransferNote marks the internal message that carries a transfer's note.
const EventTransferNote = "transfer_note"

// Transfer hands a conversation the agent serves to an online colleague (转接) with a note.
// The colleague is notified and, being a participant now, reads the whole history; the
// visitor sees the new agent's card.
func (s *AgentSession) Transfer(convID, toAgentID uint64, note string) (*hub.ConvView, error) {
	d := s.d
	note = truncRunes(strings.TrimSpace(plain.Text(note)), 200)
	if toAgentID == s.AgentID {
		return nil, ErrTransferSelf
	}
	c := d.hub.Conv(convID)
	if c == nil {
		return nil, ErrNoConv
	}
	if c.AgentID != s.AgentID || c.State != store.ConvOpen {
		return nil, ErrNotYours
	}
	if err := s.can(authz.Workbench, c.SiteID); err != nil {
		return nil, err
	}
	to := d.hub.Agent(toAgentID)
	if to == nil {
		return nil, ErrAgentOffline
	}
	// The colleague must be allowed to serve this site.
	ta, tr, err := d.agentRole(toAgentID)
	if err != nil || !authz.Can(ta, tr, authz.Workbench, c.SiteID) {
		return nil, ErrForbidden
	}
	fromName := d.agentName(s.AgentID)

	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	if cur := d.hub.Conv(convID); cur == nil || cur.AgentID != s.AgentID {
		return nil, ErrNotYours
	}
	now := d.Now()
	var stored store.Conversation
	err = d.db.Update(func(tx *store.Tx) error {
		conv, err := tx.Conv(convID)
		if err != nil {
			return err
		}
		conv.AgentID = toAgentID
		if !containsID(conv.Agents, toAgentID) {
			conv.Agents = append(conv.Agents, toAgentID)
		}
		if err := tx.PutConv(conv); err != nil {
			return err
		}
		v, err := tx.Visitor(conv.VisitorID)
		if err != nil {
			return err
		}
		v.LastAgent = toAgentID
		if err := tx.PutVisitor(v); err != nil {
			return err
		}
		moved := store.Message{ConvID: convID, From: store.FromSystem, Event: EventTransferred, AgentID: toAgentID, Name: to.Name, At: now}
		if _, err := tx.AppendMessage(&moved); err != nil {
			return err
		}
		msgs := []store.Message{moved}
		if note != "" {
			n := store.Message{ConvID: convID, From: store.FromSystem, Event: EventTransferNote, AgentID: s.AgentID, Name: fromName, Text: note, At: now, Internal: true}
			if _, err := tx.AppendMessage(&n); err != nil {
				return err
			}
			msgs = append(msgs, n)
		}
		stored = *conv
		tx.OnCommit(func() {
			d.hub.PutConv(convView(&stored))
			for _, m := range msgs {
				d.hub.PublishMessage(m)
			}
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	cv := d.hub.Conv(convID)
	if cv == nil {
		cv = convView(&stored)
	}
	d.refreshVisitor(cv.VisitorID, cv, nil)
	d.hub.ToAgent(toAgentID, hub.Notice{Kind: "transfer", ConvID: convID, VisitorID: cv.VisitorID, Text: note, From: fromName})
	return cv, nil
}

// Colleagues are the agents online now who may serve the site, with status and load, for
// transfers and the colleagues tab. siteID 0 lists everyone online.
func (s *AgentSession) Colleagues(siteID uint64) []*hub.AgentView {
	var out []*hub.AgentView
	for _, a := range s.d.hub.Agents() {
		if siteID == 0 || containsID(a.Sites, siteID) {
			out = append(out, a)
		}
	}
	return out
}
