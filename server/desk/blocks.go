package desk

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"kefu/server/authz"
	"kefu/server/plain"
	"kefu/store"
)

// Errors of the blacklist (屏蔽).
var (
	// ErrBlocked refuses a blocked visitor's connection: the front door answers with a polite
	// refusal and nothing else.
	ErrBlocked = errors.New("visitor is blocked")
	// ErrNoIP refuses a block by address when the visitor's address is not known.
	ErrNoIP = errors.New("the visitor's address is not known")
	// ErrNoBlock is a block id that does not exist.
	ErrNoBlock = errors.New("no such block")
	// ErrNoVisitor is a visitor id that does not exist.
	ErrNoVisitor = errors.New("no such visitor")
	// ErrBadDuration refuses a negative block duration.
	ErrBadDuration = errors.New("bad block duration")
)

// MaxBlockReasonRunes is the longest reason a block keeps.
const MaxBlockReasonRunes = 200

// records is what the desk keeps in memory about blocks and leave messages, so that the check
// on every arrival and the workbench's unprocessed badge never scan a bucket. It is read from
// the store once, before the first use, and changed after every write that touches it.
type records struct {
	mu     sync.RWMutex
	loaded bool
	byKey  map[siteString][]*store.Block // active blocks by site and browser visitor id
	byIP   map[siteString][]*store.Block // active blocks by site and address
	// unprocessed counts the leave messages nobody has dealt with yet, by site.
	unprocessed map[uint64]int
}

type siteString struct {
	site uint64
	s    string
}

// records returns the desk's records, read from the store on first use.
func (d *Desk) records() (*records, error) {
	r := d.recs
	r.mu.RLock()
	ready := r.loaded
	r.mu.RUnlock()
	if ready {
		return r, nil
	}
	return r, r.load(d.db)
}

// load reads every active block and the unprocessed counts. Callers load before they write,
// so a write committed after the load is counted once, by the writer.
func (r *records) load(db *store.DB) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loaded {
		return nil
	}
	var blocks []store.Block
	var counts map[uint64]int
	err := db.View(func(tx *store.Tx) error {
		var err error
		if blocks, err = tx.Blocks(); err != nil {
			return err
		}
		counts, err = tx.UnprocessedLeaveCounts()
		return err
	})
	if err != nil {
		return fmt.Errorf("load blocks and leave messages: %w", err)
	}
	r.byKey, r.byIP, r.unprocessed = map[siteString][]*store.Block{}, map[siteString][]*store.Block{}, counts
	now := db.Now()
	for i := range blocks {
		if blocks[i].Active(now) {
			r.addLocked(&blocks[i])
		}
	}
	r.loaded = true
	return nil
}

func (r *records) addLocked(b *store.Block) {
	if b.VisitorKey != "" {
		k := siteString{b.SiteID, b.VisitorKey}
		r.byKey[k] = append(r.byKey[k], b)
	}
	if b.IP != "" {
		k := siteString{b.SiteID, b.IP}
		r.byIP[k] = append(r.byIP[k], b)
	}
}

// add indexes a new block and forgets expired ones of the same visitor and address.
func (r *records) add(b store.Block, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(&b)
	r.pruneLocked(b.SiteID, b.VisitorKey, b.IP, 0, now)
}

// lift forgets a lifted block.
func (r *records) lift(b *store.Block, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruneLocked(b.SiteID, b.VisitorKey, b.IP, b.ID, now)
}

// pruneLocked drops block id and every inactive block from the index entries of a visitor
// key and an address.
func (r *records) pruneLocked(site uint64, key, ip string, id uint64, now time.Time) {
	drop := func(m map[siteString][]*store.Block, s string) {
		if s == "" {
			return
		}
		k := siteString{site, s}
		kept := slices.DeleteFunc(m[k], func(b *store.Block) bool { return b.ID == id || !b.Active(now) })
		if len(kept) == 0 {
			delete(m, k)
		} else {
			m[k] = kept
		}
	}
	drop(r.byKey, key)
	drop(r.byIP, ip)
}

// blocked returns the block that refuses a browser (by its visitor id) or an address on a
// site at now, or nil. Expired blocks stop applying by themselves.
func (r *records) blocked(site uint64, key, ip string, now time.Time) *store.Block {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if key != "" {
		for _, b := range r.byKey[siteString{site, key}] {
			if b.Active(now) {
				return b
			}
		}
	}
	if ip != "" {
		for _, b := range r.byIP[siteString{site, ip}] {
			if b.Active(now) {
				return b
			}
		}
	}
	return nil
}

// checkBlocked returns ErrBlocked when a browser or an address is blocked on the site.
func (d *Desk) checkBlocked(site uint64, key, ip string) error {
	r, err := d.records()
	if err != nil {
		return err
	}
	if r.blocked(site, key, ip, d.Now()) != nil {
		return ErrBlocked
	}
	return nil
}

// Block blocks a visitor of a site the agent works on (屏蔽): by their browser, and with byIP
// also by the address they use now, for d (0: forever). The visitor is disconnected at once
// with a polite notice, any chat of theirs is ended by the system, they leave every agent's
// monitor and are refused when they come back.
func (s *AgentSession) Block(visitorID uint64, byIP bool, reason string, d time.Duration) (*store.Block, error) {
	return s.block(visitorID, true, byIP, reason, d)
}

// BlockIP blocks only the address a visitor uses now, on the visitor's site: everyone coming
// from it is refused, whatever their browser.
func (s *AgentSession) BlockIP(visitorID uint64, reason string, d time.Duration) (*store.Block, error) {
	return s.block(visitorID, false, true, reason, d)
}

func (s *AgentSession) block(visitorID uint64, byVisitor, byIP bool, reason string, dur time.Duration) (*store.Block, error) {
	if dur < 0 {
		return nil, ErrBadDuration
	}
	d := s.d
	var v *store.Visitor
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		v, err = tx.Visitor(visitorID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoVisitor
	}
	if err != nil {
		return nil, err
	}
	if err := s.can(authz.Workbench, v.SiteID); err != nil {
		return nil, err
	}
	r, err := d.records()
	if err != nil {
		return nil, err
	}
	now := d.Now()
	b := store.Block{SiteID: v.SiteID, Name: visitorName(v), Reason: truncRunes(strings.TrimSpace(plain.Line(reason)), MaxBlockReasonRunes),
		By: s.AgentID, ByName: d.agentName(s.AgentID), Created: now}
	if byVisitor {
		b.VisitorID, b.VisitorKey = v.ID, v.Key
	}
	if byIP {
		b.IP = v.IP
		if live := d.hub.Visitor(visitorID); live != nil && live.IP != "" {
			b.IP = live.IP
		}
		if b.IP == "" {
			return nil, ErrNoIP
		}
	}
	if dur > 0 {
		b.Until = now.Add(dur)
	}
	err = d.db.Update(func(tx *store.Tx) error {
		nb := b
		if err := tx.CreateBlock(&nb); err != nil {
			return err
		}
		b = nb
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("block visitor %d: %w", visitorID, err)
	}
	// Index first: from here on every arrival is refused, so the visitors turned away below
	// cannot come straight back.
	r.add(b, now)
	d.log.Info("visitor blocked", "block", b.ID, "site", b.SiteID, "visitor", b.VisitorID, "ip", b.IP, "by", s.AgentID)
	d.turnAway(&b, s.AgentID)
	return &b, nil
}

// turnAway applies a new block to everyone online it covers: their chat is ended by the
// system (the closing line names the agent who blocked), their connections are told goodbye,
// and they leave the monitor at once.
func (d *Desk) turnAway(b *store.Block, agentID uint64) {
	text := d.cfg.Lang.T("visitor.err.blocked")
	for _, v := range d.hub.Visitors([]uint64{b.SiteID}) {
		if !(b.VisitorID != 0 && v.ID == b.VisitorID || b.IP != "" && v.IP == b.IP) {
			continue
		}
		if c := d.hub.VisitorConv(v.ID); c != nil {
			if err := d.endConvWith(c.ID, store.FromSystem, agentID, EndedBlocked); err != nil && !errors.Is(err, ErrNoConv) {
				d.log.Warn("end a blocked visitor's chat", "conv", c.ID, "err", err)
			}
		}
		d.hub.Disconnect(v.ID, "blocked", text)
		d.evict(v.ID)
	}
}

// maxVisitorConns bounds evict's loop; no visitor holds anywhere near as many connections.
const maxVisitorConns = 1024

// evict takes an online visitor off the monitor now instead of after the leave grace; their
// sockets are closing (they were told goodbye) and find the hub no longer knows them.
func (d *Desk) evict(visitorID uint64) {
	if last := d.hub.RemoveVisitor(visitorID); last != nil {
		d.visitorGone(last)
	}
}

// Unblock lifts a block early (解除屏蔽). Any agent of a site may block its visitors, but the
// blacklist itself is kept by the site's admins: lifting needs 设置中心 on the block's site
// (SPEC §6, §8). Lifting a block that has already been lifted or has expired changes nothing.
func (s *AgentSession) Unblock(blockID uint64) error {
	d := s.d
	var b *store.Block
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		b, err = tx.Block(blockID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoBlock
	}
	if err != nil {
		return err
	}
	if err := s.can(authz.Settings, b.SiteID); err != nil {
		return err
	}
	r, err := d.records()
	if err != nil {
		return err
	}
	now := d.Now()
	err = d.db.Update(func(tx *store.Tx) error {
		cur, err := tx.Block(blockID)
		if err != nil {
			return err
		}
		if !cur.Lifted.IsZero() {
			return nil
		}
		cur.Lifted, cur.LiftedBy = now, s.AgentID
		return tx.PutBlock(cur)
	})
	if err != nil {
		return fmt.Errorf("lift block %d: %w", blockID, err)
	}
	r.lift(b, now)
	d.log.Info("block lifted", "block", blockID, "site", b.SiteID, "by", s.AgentID)
	return nil
}

// MayUnblock reports whether the agent may lift the blocks of a site; the blocks screen uses
// it to offer lifting, and Unblock checks again.
func (s *AgentSession) MayUnblock(siteID uint64) bool { return s.can(authz.Settings, siteID) == nil }

// Blocks lists a site's blocks, newest first: only those in force with activeOnly, else
// every block ever made, lifted and expired ones included.
func (s *AgentSession) Blocks(siteID uint64, activeOnly bool) ([]store.Block, error) {
	if err := s.can(authz.Workbench, siteID); err != nil {
		return nil, err
	}
	var all []store.Block
	if err := s.d.db.View(func(tx *store.Tx) error {
		var err error
		all, err = tx.Blocks()
		return err
	}); err != nil {
		return nil, err
	}
	now := s.d.Now()
	var out []store.Block
	for i := len(all) - 1; i >= 0; i-- {
		b := all[i]
		if b.SiteID == siteID && (!activeOnly || b.Active(now)) {
			out = append(out, b)
		}
	}
	return out, nil
}

// refuse undoes an arrival that a block overtook: the connection leaves at once, without the
// leave grace.
func (s *VisitorSession) refuse() {
	s.once.Do(func() {
		s.d.hub.Unsubscribe(s.sub)
		s.d.hub.VisitorLeave(s.ID, 0, s.d.visitorGone)
	})
}
