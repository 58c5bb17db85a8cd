package desk

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// Page is a page a visitor's browser reports. Everything in it is untrusted.
type Page struct {
	URL, Title, Referrer string
}

// Field limits for what browsers report.
const (
	maxURL   = 2048
	maxTitle = 200
	maxUA    = 512
)

func (p Page) clean() Page {
	return Page{
		URL:      truncRunes(plain.Line(p.URL), maxURL),
		Title:    truncRunes(plain.Line(p.Title), maxTitle),
		Referrer: truncRunes(plain.Line(p.Referrer), maxURL),
	}
}

// Arrival is a visitor's connection saying hello.
type Arrival struct {
	SiteID    uint64
	Key       string // the browser's visitor id
	Chat      bool   // the chat page (not a page of the site)
	Page      Page
	IP        string
	UserAgent string
	Member    *MemberClaim // a signed member identity, if the page gave one
	// Deliver, if set, is given the session's live events instead of a channel (Events is
	// then nil); see hub.SubscribeFunc.
	Deliver func(hub.Event) bool
}

// AgentCard is what a visitor sees of the agent serving them: the public card 客服名片 —
// nickname, work number, QQ and WeChat. Phone and email are logins (基本信息), never shown.
type AgentCard struct {
	Name   string `json:"name"`
	WorkNo string `json:"work_no,omitempty"`
	QQ     string `json:"qq,omitempty"`
	WeChat string `json:"wechat,omitempty"`
}

// Welcome is what a visitor's connection learns on arrival.
type Welcome struct {
	VisitorID uint64
	Visits    int
	Online    bool // an agent of the site is at the workbench
	Site      *store.Site
	Conv      *hub.ConvView // the open conversation, if any
	Agent     *AgentCard
}

// VisitorSession is one connection of a visitor (a page with the widget, or the chat page).
type VisitorSession struct {
	d      *Desk
	ID     uint64
	SiteID uint64
	chat   bool
	sub    *hub.Sub
	once   sync.Once

	mu         sync.Mutex
	lastActive time.Time
	// activeEvery is this session's gap between two last-activity updates (see touch).
	activeEvery time.Duration
	lastSaved   time.Time // when this connection last stored the visitor's LastSeen
}

// ValidKey reports whether a browser visitor id is acceptable: 16–64 characters of
// [A-Za-z0-9_-].
func ValidKey(k string) bool {
	if len(k) < 16 || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Arrive registers a visitor's connection: finds or creates the visitor, starts a new visit
// after VisitGap of silence, records the page and puts the visitor on every agent's monitor.
func (d *Desk) Arrive(a Arrival) (*VisitorSession, Welcome, error) {
	var w Welcome
	if !ValidKey(a.Key) {
		return nil, w, errors.New("bad visitor id")
	}
	if err := d.checkBlocked(a.SiteID, a.Key, a.IP); err != nil {
		return nil, w, err // ErrBlocked: refused before anything is recorded or shown
	}
	site, err := d.Site(a.SiteID)
	if err != nil || site.Disabled {
		return nil, w, ErrSiteDisabled
	}
	page := a.Page.clean()
	ua := truncRunes(plain.Line(a.UserAgent), maxUA)
	now := d.Now()
	member := verifyMember(site, a.Member, now)
	if a.Member != nil && member == nil {
		// Never trusted: an unsigned or wrongly signed identity is only noted.
		d.log.Warn("member identity refused: bad or stale signature", "site", a.SiteID, "ip", a.IP)
	}
	var v *store.Visitor
	err = d.db.Update(func(tx *store.Tx) error {
		var err error
		v, err = tx.VisitorByKey(a.SiteID, a.Key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			v = &store.Visitor{SiteID: a.SiteID, Key: a.Key, Created: now}
			if err := tx.CreateVisitor(v); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if v.Visits == 0 || now.Sub(v.LastSeen) > d.cfg.VisitGap {
			v.Visits++
			v.VisitStart = now
			v.Pages = 0
			v.Referrer, v.Landing = page.Referrer, page.URL
			if a.Chat {
				v.Referrer, v.Landing = "", ""
			}
		} else if v.Pages == 0 {
			// A visit stored before the count was: count its trail once.
			if v.Pages, err = tx.VisitPages(v.ID, v.Visits); err != nil {
				return err
			}
		}
		v.LastSeen = now
		v.IP = a.IP
		if member != nil {
			v.Member = member
		}
		if ua != "" {
			v.UserAgent = ua
		}
		if !a.Chat && page.URL != "" {
			if err := tx.AddPageView(v.ID, &store.PageView{Visit: v.Visits, At: now, URL: page.URL, Title: page.Title, Referrer: page.Referrer}); err != nil {
				return err
			}
			v.Pages++
		}
		return tx.PutVisitor(v)
	})
	if err != nil {
		return nil, w, fmt.Errorf("visitor arrives: %w", err)
	}
	s := &VisitorSession{d: d, ID: v.ID, SiteID: a.SiteID, chat: a.Chat, lastActive: now, lastSaved: now,
		activeEvery: activeEvery + rand.N(activeEvery/2)}
	// A visitor hears only their own conversation: a small buffer (memory per visitor counts
	// at 10,000 of them).
	if a.Deliver != nil {
		s.sub = d.hub.SubscribeFunc(hub.Filter{VisitorID: v.ID, VisitorSite: a.SiteID}, a.Deliver)
	} else {
		s.sub = d.hub.Subscribe(hub.Filter{VisitorID: v.ID, VisitorSite: a.SiteID}, 32)
	}

	// The page count comes from the store (visitorView): a navigation reconnects, and the
	// count of this visit must survive it.
	view := d.visitorView(v)
	if cur := d.hub.Visitor(v.ID); cur != nil && (a.Chat || page.URL == "") {
		// Another tab is open: keep its page unless this connection reports one.
		view.PageURL, view.PageTitle = cur.PageURL, cur.PageTitle
	}
	if !a.Chat && page.URL != "" {
		view.PageURL, view.PageTitle = page.URL, page.Title
	}
	d.lifecycle.Lock()
	d.stateFor(v.ID, d.hub.VisitorConv(v.ID)).apply(view)
	d.hub.VisitorJoin(view)
	d.lifecycle.Unlock()
	if err := d.checkBlocked(a.SiteID, a.Key, a.IP); err != nil {
		s.refuse() // blocked while arriving: the block's sweep may have missed this connection
		return nil, Welcome{}, err
	}
	d.armAutoInvite(v, site)

	w = Welcome{VisitorID: v.ID, Visits: v.Visits, Online: d.siteOnline(a.SiteID), Site: site}
	if c := d.hub.VisitorConv(v.ID); c != nil {
		w.Conv = c
		w.Agent = d.agentCard(c.AgentID)
	}
	return s, w, nil
}

// Events is the session's live feed; it closes when the session is dropped or closed.
func (s *VisitorSession) Events() <-chan hub.Event { return s.sub.C() }

// Dropped reports whether the hub dropped the session for not reading.
func (s *VisitorSession) Dropped() bool { return s.sub.Dropped() }

// Close ends the connection. The visitor leaves the monitor after a grace period unless
// another connection of theirs is open or opens.
func (s *VisitorSession) Close() {
	s.once.Do(func() {
		s.d.hub.Unsubscribe(s.sub)
		s.d.hub.VisitorLeave(s.ID, s.d.cfg.LeaveGrace, s.d.visitorGone)
	})
}

// Leaving is the unload beacon: the page is going away. If it was the visitor's last page,
// they leave the monitor after a short grace instead of the normal one (a navigation within
// the site reconnects sooner than that).
func (d *Desk) Leaving(siteID uint64, key string) {
	if !ValidKey(key) {
		return
	}
	var id uint64
	d.db.View(func(tx *store.Tx) error {
		if v, err := tx.VisitorByKey(siteID, key); err == nil {
			id = v.ID
		}
		return nil
	})
	if id != 0 {
		d.hub.MarkLeaving(id)
	}
}

func (d *Desk) visitorGone(last *hub.VisitorView) {
	d.forgetAutoInvite(last.ID)
	d.lifecycle.Lock()
	if inv := d.invites[last.ID]; inv != nil {
		inv.timer.Stop()
		delete(d.invites, last.ID)
	}
	d.lifecycle.Unlock()
	if err := d.storeSeen(last.ID, d.Now()); err != nil {
		d.log.Warn("visitor left", "visitor", last.ID, "err", err)
	}
}

// storeSeen moves the visitor's stored last-seen time on to now (never back).
func (d *Desk) storeSeen(visitorID uint64, now time.Time) error {
	return d.db.Update(func(tx *store.Tx) error {
		v, err := tx.Visitor(visitorID)
		if err != nil || !now.After(v.LastSeen) {
			return err
		}
		v.LastSeen = now
		return tx.PutVisitor(v)
	})
}

// PageView records a page the visitor moved to without reconnecting (SPA navigation).
func (s *VisitorSession) PageView(p Page) error {
	if s.chat {
		return nil
	}
	p = p.clean()
	if p.URL == "" {
		return nil
	}
	now := s.d.Now()
	var stored store.Visitor
	err := s.d.db.Update(func(tx *store.Tx) error {
		v, err := tx.Visitor(s.ID)
		if err != nil {
			return err
		}
		v.LastSeen = now
		if err := tx.AddPageView(v.ID, &store.PageView{Visit: v.Visits, At: now, URL: p.URL, Title: p.Title, Referrer: p.Referrer}); err != nil {
			return err
		}
		v.Pages++
		stored = *v
		return tx.PutVisitor(v)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.lastActive, s.lastSaved = now, now // a page is activity, and its LastSeen is stored
	s.mu.Unlock()
	view := s.d.hub.UpdateVisitor(s.ID, func(v *hub.VisitorView) {
		v.PageURL, v.PageTitle = p.URL, p.Title
		v.PageViews = stored.Pages
		v.LastActive = now
	})
	if view != nil {
		if site, err := s.d.Site(s.SiteID); err == nil {
			s.d.armAutoInvite(&stored, site)
		}
	}
	return nil
}

// Heartbeat is the page saying it is still open (every 20 s). It keeps the visit of a
// visitor who only reads alive: without it, someone who reads one page for longer than the
// visit gap and then clicks a link would start a new visit. The stored last-seen time moves
// at most once per SeenEvery per connection, so 10,000 readers cost a few writes a second
// rather than one per beat; the monitor's last activity is not touched (reading is not
// activity).
func (s *VisitorSession) Heartbeat() error {
	now := s.d.Now()
	s.mu.Lock()
	due := now.Sub(s.lastSaved) >= s.d.cfg.SeenEvery
	if due {
		s.lastSaved = now
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	return s.d.storeSeen(s.ID, now)
}

// activeEvery is about how often a chatting visitor's last activity reaches the monitors. Each
// time it is a change of their view for every agent of the site: 2,500 visitors chatting at
// once, every 5 s, were 50,000 events a second for 100 agents. Each session adds up to half
// as much again, so visitors who arrived together (a campaign, a restart) drift apart.
const activeEvery = 15 * time.Second

// touch notes activity; it reports whether the monitor should hear of it (at most every
// activeEvery or so, so a chatty visitor does not flood every agent's screen).
func (s *VisitorSession) touch(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastActive) < s.activeEvery {
		return false
	}
	s.lastActive = now
	return true
}

// RequestChat asks for a conversation (the consult button, or the first message). It returns
// the visitor's conversation, new or existing.
func (s *VisitorSession) RequestChat() (*hub.ConvView, error) {
	return s.d.requestChat(s.ID, s.SiteID)
}

// Send stores a visitor's message and returns it once durable. A message without a
// conversation asks for one first. A repeated cid returns the stored message.
func (s *VisitorSession) Send(cid, text string) (store.Message, error) {
	text, err := cleanMessage(text)
	if err != nil {
		return store.Message{}, err
	}
	c := s.d.hub.VisitorConv(s.ID)
	if c == nil {
		if c, err = s.RequestChat(); err != nil {
			return store.Message{}, err
		}
	}
	m, err := s.d.appendMessage(store.Message{ConvID: c.ID, CID: cid, From: store.FromVisitor, Text: text})
	if err == nil {
		now := s.d.Now()
		if s.touch(now) {
			s.d.hub.UpdateVisitor(s.ID, func(v *hub.VisitorView) { v.LastActive = now })
		}
	}
	return m, err
}

// Typing passes what the visitor is typing to the agent serving them, or, while the request
// waits for someone to take it, to every agent of the site: they may read a waiting request
// before taking it, and the preview helps them choose.
func (s *VisitorSession) Typing(text string) {
	if c := s.d.hub.VisitorConv(s.ID); c != nil {
		s.d.hub.Typing(c.ID, truncRunes(plain.Line(text), 200))
	}
}

// End ends the visitor's conversation.
func (s *VisitorSession) End() error {
	c := s.d.hub.VisitorConv(s.ID)
	if c == nil {
		return ErrNoConv
	}
	return s.d.endConv(c.ID, store.FromVisitor, 0)
}

// Rate stores the visitor's rating of one of their conversations.
func (s *VisitorSession) Rate(convID uint64, stars int, text string) error {
	if stars < 1 || stars > 5 {
		return errors.New("stars must be 1 to 5")
	}
	text = truncRunes(strings.TrimSpace(plain.Text(text)), 500)
	now := s.d.Now()
	return s.d.db.Update(func(tx *store.Tx) error {
		c, err := tx.Conv(convID)
		if err != nil || c.VisitorID != s.ID {
			return ErrNoConv
		}
		c.Rating = &store.Rating{Stars: stars, Text: text, At: now}
		return tx.PutConv(c)
	})
}

// Messages returns the visitor's conversation messages after a seq (resume after reconnect).
func (s *VisitorSession) Messages(convID, after uint64) ([]store.Message, error) {
	var out []store.Message
	err := s.d.db.View(func(tx *store.Tx) error {
		c, err := tx.Conv(convID)
		if err != nil || c.VisitorID != s.ID {
			return ErrNoConv
		}
		all, err := tx.Messages(convID, after, 500)
		for _, m := range all {
			if !m.Internal {
				out = append(out, m)
			}
		}
		return err
	})
	return out, err
}

// AnswerInvite accepts or declines an agent's invitation.
func (s *VisitorSession) AnswerInvite(accept bool) (*hub.ConvView, error) {
	return s.d.answerInvite(s.ID, accept, false)
}

// cleanMessage makes message text safe and checks its size.
func cleanMessage(text string) (string, error) {
	text = strings.TrimSpace(plain.Text(text))
	if text == "" {
		return "", ErrEmpty
	}
	if utf8.RuneCountInString(text) > MaxMessageRunes {
		return "", ErrTooLong
	}
	return text, nil
}

func truncRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
