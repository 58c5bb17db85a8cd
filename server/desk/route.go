package desk

import (
	"fmt"

	"kefu/server/geo"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/route"
	"kefu/store"
)

// Distribution (客服分配): the desk gathers the facts about a request and the site's agents,
// asks the engine (package route) and carries out its decision. Everything here runs with
// lifecycle held, so requests are decided one at a time and two agents never get the same
// visitor.

// routeLocked decides a new request: create the conversation served by the chosen agent, or
// queued, or waiting when nobody can take it. Called with lifecycle held.
func (d *Desk) routeLocked(visitorID, siteID uint64) (*hub.ConvView, error) {
	dec := d.decideLocked(visitorID, siteID)
	if dec.Outcome == route.Assign {
		c, err := d.createConv(visitorID, siteID, dec.Agent)
		if err == nil {
			d.tellAssigned(c)
		}
		return c, err
	}
	c, err := d.createConv(visitorID, siteID, 0)
	if err != nil || dec.Outcome == route.Wait {
		return c, err
	}
	return d.queueLocked(c)
}

// decideLocked asks the engine about a visitor's request on a site.
func (d *Desk) decideLocked(visitorID, siteID uint64) route.Decision {
	req := route.Request{Site: siteID}
	if v := d.hub.Visitor(visitorID); v != nil {
		req.Province = visitorProvince(v)
	}
	online := d.hub.Agents()
	onSite := d.siteLoads(siteID)
	var agents []route.Agent
	err := d.db.View(func(tx *store.Tx) error {
		if v, err := tx.Visitor(visitorID); err == nil {
			req.LastAgent = v.LastAgent
		}
		for _, view := range online {
			a, err := tx.Agent(view.ID)
			if err != nil {
				continue
			}
			for _, seat := range a.Sites {
				if seat.SiteID != siteID {
					continue
				}
				agents = append(agents, route.Agent{
					ID:         a.ID,
					Online:     view.Status == hub.StatusOnline,
					Enabled:    !a.Disabled && a.Seat,
					AutoAssign: seat.AutoAssign,
					Regions:    seat.Regions,
					Load:       view.Chats,
					SiteLoad:   onSite[a.ID],
					Max:        seat.MaxChats,
				})
			}
		}
		return nil
	})
	if err != nil {
		d.log.Warn("distribution", "site", siteID, "err", err)
		return route.Decision{Outcome: route.Wait}
	}
	return d.dist.Decide(req, agents)
}

// siteLoads counts the open chats each agent serves on a site, which the site's maximum of
// concurrent chats limits. Called with lifecycle held, so no chat opens or ends meanwhile.
func (d *Desk) siteLoads(siteID uint64) map[uint64]int {
	out := map[uint64]int{}
	for _, c := range d.hub.Convs([]uint64{siteID}) {
		if c.State == store.ConvOpen && c.SiteID == siteID && c.AgentID != 0 {
			out[c.AgentID]++
		}
	}
	return out
}

// visitorProvince is what regional routing matches: the province, or geo.Overseas for a
// visitor from abroad (whose Region is the country).
func visitorProvince(v *hub.VisitorView) string {
	if v.Province != "" {
		return v.Province
	}
	if geo.ProvinceArea(v.Region) == geo.Overseas {
		return geo.Overseas
	}
	return ""
}

// queueLocked puts a waiting request in the site's queue and tells the visitor their place.
func (d *Desk) queueLocked(c *hub.ConvView) (*hub.ConvView, error) {
	var stored store.Conversation
	err := d.db.Update(func(tx *store.Tx) error {
		conv, err := tx.Conv(c.ID)
		if err != nil {
			return err
		}
		conv.State = store.ConvQueued
		stored = *conv
		return tx.PutConv(conv)
	})
	if err != nil {
		return nil, fmt.Errorf("queue conversation: %w", err)
	}
	cv := convView(&stored)
	cv.QueuePos = 1
	for _, q := range d.hub.Convs([]uint64{c.SiteID}) {
		if q.State == store.ConvQueued && q.ID != c.ID && d.hub.Visitor(q.VisitorID) != nil {
			cv.QueuePos++
		}
	}
	d.hub.PutConv(cv)
	d.refreshVisitor(c.VisitorID, cv, nil)
	d.renumberLocked(c.SiteID)
	return cv, nil
}

// renumberLocked gives every queued visitor of the site who is online their place in the
// queue, in the order they asked, and tells those whose place changed.
func (d *Desk) renumberLocked(siteID uint64) {
	pos := 0
	for _, c := range d.hub.Convs([]uint64{siteID}) {
		if c.State != store.ConvQueued || d.hub.Visitor(c.VisitorID) == nil {
			continue
		}
		pos++
		if c.QueuePos != pos {
			nc := *c
			nc.QueuePos = pos
			d.hub.PutConv(&nc)
		}
	}
}

// advance serves whoever waits, now that something changed: an agent came online or back to
// 在线, a chat ended, a seat's settings changed.
func (d *Desk) advance() {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	d.advanceLocked()
}

// advanceLocked gives queued and waiting requests of every site, in the order they were
// made, to agents who can take them now; requests still without an agent but with agents
// there (all full) queue. Visitors who are not online are left for when they come back.
func (d *Desk) advanceLocked() {
	sites, err := d.allSites()
	if err != nil {
		d.log.Warn("distribution", "err", err)
		return
	}
	ids := make([]uint64, 0, len(sites))
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	for _, c := range d.hub.Convs(ids) {
		if c.State != store.ConvWaiting && c.State != store.ConvQueued {
			continue
		}
		if d.hub.Visitor(c.VisitorID) == nil {
			continue
		}
		switch dec := d.decideLocked(c.VisitorID, c.SiteID); dec.Outcome {
		case route.Assign:
			if cv, err := d.assignLocked(c, dec.Agent); err != nil {
				d.log.Warn("distribution", "conv", c.ID, "err", err)
			} else {
				d.tellAssigned(cv)
			}
		case route.Queue:
			if c.State == store.ConvWaiting {
				if _, err := d.queueLocked(c); err != nil {
					d.log.Warn("distribution", "conv", c.ID, "err", err)
				}
			}
		}
	}
	for _, id := range ids {
		d.renumberLocked(id)
	}
}

// releaseChats puts the open chats of an agent who can no longer serve (disabled) back to
// waiting, and distributes them again, so no visitor is left talking to nobody.
func (d *Desk) releaseChats(agentID uint64) {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	sites, err := d.allSites()
	if err != nil {
		return
	}
	ids := make([]uint64, 0, len(sites))
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	for _, c := range d.hub.Convs(ids) {
		if c.AgentID != agentID || c.State != store.ConvOpen {
			continue
		}
		var stored store.Conversation
		err := d.db.Update(func(tx *store.Tx) error {
			conv, err := tx.Conv(c.ID)
			if err != nil {
				return err
			}
			conv.State, conv.AgentID = store.ConvWaiting, 0
			stored = *conv
			return tx.PutConv(conv)
		})
		if err != nil {
			d.log.Warn("release chat", "conv", c.ID, "err", err)
			continue
		}
		cv := convView(&stored)
		d.hub.PutConv(cv)
		d.refreshVisitor(cv.VisitorID, cv, nil)
	}
	d.advanceLocked()
}

// tellAssigned tells the agent the engine gave a visitor to (访客请求与我对话), in the
// agent's language: nobody else hears of the request.
func (d *Desk) tellAssigned(c *hub.ConvView) {
	lang := d.cfg.Lang
	if a, err := d.Agent(c.AgentID); err == nil {
		if l, ok := i18n.Parse(a.Lang); ok {
			lang = l
		}
	}
	name := lang.T("visitor.number", c.VisitorID)
	if v := d.hub.Visitor(c.VisitorID); v != nil && v.Name != "" {
		name = v.Name
	}
	d.hub.ToAgent(c.AgentID, hub.Notice{Kind: "request", ConvID: c.ID, VisitorID: c.VisitorID, Text: lang.T("notice.request", name)})
}
