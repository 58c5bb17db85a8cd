package desk

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// ErrBadPhone refuses a phone number a visitor gives before a chat.
var ErrBadPhone = errors.New("bad phone number")

// prePhoneRE is the chat window's check of a phone number: 6–20 digits, '+', '-' or spaces
// (with at least five digits, counted separately).
var prePhoneRE = regexp.MustCompile(`^[0-9+ -]{6,20}$`)

// PreChatForm is what a visitor gives before a chat (访客注册设置). Everything in it is
// untrusted.
type PreChatForm struct {
	Name, Phone, Email, QQ string
}

// clean makes the fields the site asks for safe and checks them as the chat window does;
// fields the site does not ask for are dropped. Sizes are the visitor card's.
func (f PreChatForm) clean(asked []string) (PreChatForm, error) {
	var out PreChatForm
	fields := []struct {
		name     string
		from, to *string
	}{
		{"name", &f.Name, &out.Name}, {"phone", &f.Phone, &out.Phone},
		{"email", &f.Email, &out.Email}, {"qq", &f.QQ, &out.QQ},
	}
	for _, fl := range fields {
		if !slices.Contains(asked, fl.name) {
			continue
		}
		v := strings.TrimSpace(plain.Line(*fl.from))
		if utf8.RuneCountInString(v) > cardLimits[fl.name] {
			return PreChatForm{}, ErrCardField{Field: fl.name}
		}
		*fl.to = v
	}
	switch {
	case out.Phone != "" && (!prePhoneRE.MatchString(out.Phone) || countDigits(out.Phone) < 5):
		return PreChatForm{}, ErrBadPhone
	case out.Email != "" && !leaveEmailRE.MatchString(out.Email):
		return PreChatForm{}, ErrBadEmail
	case out.QQ != "" && !leaveQQRE.MatchString(out.QQ):
		return PreChatForm{}, ErrBadQQ
	}
	return out, nil
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// PreChat stores what the visitor gave before a chat in their visitor card (访客名片). It
// only fills fields of the card that are empty, so what an agent wrote is never overwritten,
// and only the fields the site asks for. The monitor shows the card name from then on.
func (s *VisitorSession) PreChat(f PreChatForm) error {
	site, err := s.d.Site(s.SiteID)
	if err != nil {
		return err
	}
	f, err = f.clean(site.Settings.PreChat)
	if err != nil {
		return err
	}
	if f == (PreChatForm{}) {
		return nil
	}
	var saved store.Visitor
	var named bool
	err = s.d.db.Update(func(tx *store.Tx) error {
		v, err := tx.Visitor(s.ID)
		if err != nil {
			return err
		}
		fill := func(card *string, given string) bool {
			if *card != "" || given == "" {
				return false
			}
			*card = given
			return true
		}
		named = fill(&v.Card.Name, f.Name)
		phone, email, qq := fill(&v.Card.Phone, f.Phone), fill(&v.Card.Email, f.Email), fill(&v.Card.QQ, f.QQ)
		if !named && !phone && !email && !qq {
			return nil
		}
		saved = *v
		return tx.PutVisitor(v)
	})
	if err != nil {
		return fmt.Errorf("pre-chat details of visitor %d: %w", s.ID, err)
	}
	if named {
		name := visitorName(&saved)
		s.d.hub.UpdateVisitor(s.ID, func(v *hub.VisitorView) { v.Name = name })
	}
	return nil
}
