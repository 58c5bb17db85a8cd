package desk

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// Refusals of a leave message (留言); the widget checks the same before sending.
var (
	ErrNoContact = errors.New("a phone number, email or QQ is needed")
	ErrBadEmail  = errors.New("bad email address")
	ErrBadQQ     = errors.New("bad QQ number")
	// ErrLeaveRate refuses a visitor who has left LeavePerHour messages in the last hour.
	ErrLeaveRate = errors.New("too many leave messages")
	// ErrNoLeave is a leave message id that does not exist.
	ErrNoLeave = errors.New("no such leave message")
)

// Limits of a leave message's fields, in characters (the widget's form has the same).
const (
	maxLeaveName  = 50
	maxLeavePhone = 30
	maxLeaveEmail = 100
	maxLeaveQQ    = 20
	// LeavePerHour is how many messages one visitor may leave in an hour.
	LeavePerHour = 5
)

// The widget's own checks, so that what its form accepts the desk accepts too.
var (
	leaveEmailRE = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	leaveQQRE    = regexp.MustCompile(`^[0-9]{5,12}$`)
)

// LeaveForm is what a visitor fills in to leave a message. Everything in it is untrusted.
type LeaveForm struct {
	Name, Phone, Email, QQ, Text string
}

// clean makes the form safe and checks it like the widget does: the text is required (at most
// MaxMessageRunes), and at least one way to reach the visitor, each well formed.
func (f LeaveForm) clean() (LeaveForm, error) {
	line := func(s string, n int) string { return truncRunes(strings.TrimSpace(plain.Line(s)), n) }
	out := LeaveForm{Name: line(f.Name, maxLeaveName), Phone: line(f.Phone, maxLeavePhone)}
	out.Email = strings.TrimSpace(plain.Line(f.Email))
	out.QQ = strings.TrimSpace(plain.Line(f.QQ))
	text, err := cleanMessage(f.Text)
	if err != nil {
		return out, err
	}
	out.Text = text
	switch {
	case out.Phone == "" && out.Email == "" && out.QQ == "":
		return out, ErrNoContact
	case out.Email != "" && (len([]rune(out.Email)) > maxLeaveEmail || !leaveEmailRE.MatchString(out.Email)):
		return out, ErrBadEmail
	case out.QQ != "" && (len(out.QQ) > maxLeaveQQ || !leaveQQRE.MatchString(out.QQ)):
		return out, ErrBadQQ
	}
	return out, nil
}

// Leave stores a message the visitor leaves (留言), once per client id: a resent form returns
// the stored message. Online agents of the site hear of it. A visitor may leave LeavePerHour
// messages an hour.
func (s *VisitorSession) Leave(cid string, f LeaveForm) (*store.LeaveMessage, error) {
	if cid == "" || len(cid) > MaxCIDLen || !plain.Safe(cid) {
		return nil, ErrBadCID
	}
	f, err := f.clean()
	if err != nil {
		return nil, err
	}
	d := s.d
	r, err := d.records()
	if err != nil {
		return nil, err
	}
	now := d.Now()
	base := store.LeaveMessage{SiteID: s.SiteID, VisitorID: s.ID, Name: f.Name, Phone: f.Phone, Email: f.Email, QQ: f.QQ,
		Text: f.Text, CID: cid, Created: now}
	var m store.LeaveMessage
	var dup bool
	err = d.db.Update(func(tx *store.Tx) error {
		recent, err := tx.RecentLeaveMessages(s.ID, now.Add(-store.LeaveRetryWindow))
		if err != nil {
			return err
		}
		lastHour := 0
		for _, old := range recent {
			if old.CID == cid {
				m, dup = old, true
				return nil
			}
			if !old.Created.Before(now.Add(-time.Hour)) {
				lastHour++
			}
		}
		if lastHour >= LeavePerHour {
			return ErrLeaveRate
		}
		m = base
		dup, err = tx.CreateLeaveMessage(&m)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrLeaveRate) {
			return nil, ErrLeaveRate
		}
		return nil, fmt.Errorf("leave message: %w", err)
	}
	if !dup {
		r.mu.Lock()
		r.unprocessed[m.SiteID]++
		r.mu.Unlock()
		d.noticeLeave(&m)
	}
	return &m, nil
}

// noticeLeave tells every online agent of the site that a message was left.
func (d *Desk) noticeLeave(m *store.LeaveMessage) {
	n := hub.Notice{Kind: "leave", VisitorID: m.VisitorID, Text: truncRunes(plain.Line(m.Text), 100)}
	for _, a := range d.hub.Agents() {
		if containsID(a.Sites, m.SiteID) {
			d.hub.ToAgent(a.ID, n)
		}
	}
}

// LeaveMessages lists a site's leave messages, newest first; processed, when not nil, keeps
// only the processed (true) or unprocessed (false) ones.
func (s *AgentSession) LeaveMessages(siteID uint64, processed *bool) ([]store.LeaveMessage, error) {
	if err := s.can(authz.Workbench, siteID); err != nil {
		return nil, err
	}
	var out []store.LeaveMessage
	err := s.d.db.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.SiteLeaveMessages(siteID, processed, 0)
		return err
	})
	return out, err
}

// MarkProcessed marks a leave message processed (已处理) by this agent, or back to
// unprocessed, and returns it as stored.
func (s *AgentSession) MarkProcessed(id uint64, processed bool) (*store.LeaveMessage, error) {
	d := s.d
	var m *store.LeaveMessage
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		m, err = tx.LeaveMessage(id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoLeave
	}
	if err != nil {
		return nil, err
	}
	if err := s.can(authz.Workbench, m.SiteID); err != nil {
		return nil, err
	}
	r, err := d.records()
	if err != nil {
		return nil, err
	}
	now := d.Now()
	name := d.agentName(s.AgentID)
	var changed bool
	err = d.db.Update(func(tx *store.Tx) error {
		cur, err := tx.LeaveMessage(id)
		if err != nil {
			return err
		}
		m, changed = cur, cur.Processed != processed
		if !changed {
			return nil
		}
		cur.Processed = processed
		if processed {
			cur.ProcessedBy, cur.ProcessedByName, cur.ProcessedAt = s.AgentID, name, now
		} else {
			cur.ProcessedBy, cur.ProcessedByName, cur.ProcessedAt = 0, "", time.Time{}
		}
		return tx.PutLeaveMessage(cur)
	})
	if err != nil {
		return nil, fmt.Errorf("mark leave message %d: %w", id, err)
	}
	if changed {
		r.mu.Lock()
		if processed {
			r.unprocessed[m.SiteID]--
		} else {
			r.unprocessed[m.SiteID]++
		}
		r.mu.Unlock()
	}
	return m, nil
}

// UnprocessedLeaves counts the leave messages nobody has dealt with on the sites the agent may
// work on among sites, for the workbench's badge. It reads memory, not the store.
func (s *AgentSession) UnprocessedLeaves(sites []uint64) (int, error) {
	a, role, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return 0, err
	}
	r, err := s.d.records()
	if err != nil {
		return 0, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := 0
	for _, site := range sites {
		if authz.Can(a, role, authz.Workbench, site) {
			n += r.unprocessed[site]
		}
	}
	return n, nil
}
