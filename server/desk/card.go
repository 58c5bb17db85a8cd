package desk

import (
	"errors"
	"strings"
	"unicode/utf8"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// ErrCardField names a visitor card field that is too long.
type ErrCardField struct{ Field string }

func (e ErrCardField) Error() string { return "card field too long: " + e.Field }

// Card field limits (runes).
var cardLimits = map[string]int{"name": 30, "phone": 30, "qq": 20, "email": 80, "wechat": 40, "company": 60, "notes": 500}

// SaveCard stores a visitor's card (访客名片); it is shown on every later visit, and the
// monitor shows the card name from now on.
func (s *AgentSession) SaveCard(visitorID uint64, c store.Card) error {
	fields := map[string]*string{"name": &c.Name, "phone": &c.Phone, "qq": &c.QQ, "email": &c.Email,
		"wechat": &c.WeChat, "company": &c.Company, "notes": &c.Notes}
	for name, p := range fields {
		if name == "notes" {
			*p = strings.TrimSpace(plain.Text(*p))
		} else {
			*p = strings.TrimSpace(plain.Line(*p))
		}
		if utf8.RuneCountInString(*p) > cardLimits[name] {
			return ErrCardField{Field: name}
		}
	}
	var saved store.Visitor
	err := s.d.db.Update(func(tx *store.Tx) error {
		v, err := tx.Visitor(visitorID)
		if err != nil {
			return err
		}
		a, r, err := s.d.agentRoleTx(tx, s.AgentID)
		if err != nil {
			return err
		}
		if !authz.Can(a, r, authz.Workbench, v.SiteID) {
			return ErrForbidden
		}
		v.Card = c
		saved = *v
		return tx.PutVisitor(v)
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrVisitorGone
		}
		return err
	}
	name := visitorName(&saved)
	s.d.hub.UpdateVisitor(visitorID, func(v *hub.VisitorView) { v.Name = name })
	return nil
}

// agentRoleTx reads an agent and their role inside a transaction.
func (d *Desk) agentRoleTx(tx *store.Tx, agentID uint64) (*store.Agent, *store.Role, error) {
	a, err := tx.Agent(agentID)
	if err != nil {
		return nil, nil, err
	}
	r, err := tx.Role(a.RoleID)
	return a, r, err
}
