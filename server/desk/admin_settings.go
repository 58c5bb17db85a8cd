package desk

import (
	"sort"
	"strings"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// Site settings (设置中心) and distribution seats (客服分配).

// SiteSettings reads a site's widget settings.
func (s *AgentSession) SiteSettings(siteID uint64) (*store.Site, error) {
	if _, _, err := s.authorize(authz.Settings, siteID); err != nil {
		return nil, err
	}
	site, err := s.d.Site(siteID)
	if err != nil {
		return nil, ErrNoSite
	}
	return site, nil
}

// SaveSiteSettings stores a site's widget settings; open widgets of the site apply them at
// once, without a reload.
func (s *AgentSession) SaveSiteSettings(siteID uint64, st store.SiteSettings) (store.SiteSettings, error) {
	if _, _, err := s.authorize(authz.Settings, siteID); err != nil {
		return st, err
	}
	st, err := cleanSettings(st)
	if err != nil {
		return st, err
	}
	err = s.d.db.Update(func(tx *store.Tx) error {
		site, err := tx.Site(siteID)
		if err != nil {
			return ErrNoSite
		}
		site.Settings = st
		tx.OnCommit(func() { s.d.hub.ToSiteVisitors(siteID, hub.SettingsChanged{SiteID: siteID}) })
		return tx.PutSite(site)
	})
	return st, err
}

// --- distribution 客服分配 ---

// Seats lists the agents serving a site with their distribution settings.
func (s *AgentSession) Seats(siteID uint64) ([]AgentRow, error) {
	if _, _, err := s.authorize(authz.Settings, siteID); err != nil {
		return nil, err
	}
	return s.d.agentRows(siteID, "")
}

func cleanSeat(seat store.SiteSeat) (store.SiteSeat, error) {
	seat.Group = strings.TrimSpace(seat.Group)
	if err := ValidateShort("group", 20)(seat.Group); err != nil {
		return seat, err
	}
	if seat.MaxChats < 0 || seat.MaxChats > MaxMaxChats {
		return seat, fieldErr("max_chats", "admin.err.range", 0, MaxMaxChats)
	}
	var regions []string
	for _, r := range seat.Regions {
		if !ValidRegion(r) {
			return seat, fieldErr("regions", "admin.err.region", plain.Line(r))
		}
		dup := false
		for _, o := range regions {
			dup = dup || o == r
		}
		if !dup {
			regions = append(regions, r)
		}
	}
	seat.Regions = regions
	return seat, nil
}

// seatAgent loads an agent whose distribution on a site the session's agent may change, with
// 设置中心 on the site. Changing the seat of an agent who serves the site needs a role that
// covers theirs (nobody tunes a stronger admin's seat); taking an agent onto or off the site
// (membership) changes which sites they serve, so it needs 客服管理 on the site too and an
// agent they manage, as every other agent action does.
func (s *AgentSession) seatAgent(agentID, siteID uint64, membership func(*store.Agent) bool) (*store.Agent, error) {
	_, mine, err := s.authorize(authz.Settings, siteID)
	if err != nil {
		return nil, err
	}
	target, targetRole, err := s.d.agentAndRole(agentID)
	if err != nil {
		return nil, err
	}
	if targetRole != nil && !authz.Covers(mine, targetRole) {
		return nil, ErrForbidden
	}
	if !membership(target) {
		return target, nil
	}
	if _, _, err := s.authorize(authz.Agents, siteID); err != nil {
		return nil, err
	}
	return s.manageable(agentID)
}

// SetSeat sets an agent's distribution on a site (group, auto-assign, regions, max chats),
// assigning them to the site if they did not serve it; seatAgent says who may.
func (s *AgentSession) SetSeat(agentID uint64, seat store.SiteSeat) error {
	if _, err := s.seatAgent(agentID, seat.SiteID, func(a *store.Agent) bool { return !a.Serves(seat.SiteID) }); err != nil {
		return err
	}
	seat, err := cleanSeat(seat)
	if err != nil {
		return err
	}
	err = s.d.db.Update(func(tx *store.Tx) error {
		if _, err := tx.Site(seat.SiteID); err != nil {
			return ErrNoSite
		}
		a, err := tx.Agent(agentID)
		if err != nil {
			return ErrNoAgent
		}
		found := false
		for i := range a.Sites {
			if a.Sites[i].SiteID == seat.SiteID {
				a.Sites[i], found = seat, true
			}
		}
		if !found {
			a.Sites = append(a.Sites, seat)
			sort.Slice(a.Sites, func(i, j int) bool { return a.Sites[i].SiteID < a.Sites[j].SiteID })
		}
		return tx.PutAgent(a)
	})
	if err != nil {
		return err
	}
	s.d.seatsChanged(agentID)
	s.d.advance()
	return nil
}

// RemoveSeat takes an agent off a site: they no longer receive its visitors. Only an admin
// who manages the agent may (seatAgent).
func (s *AgentSession) RemoveSeat(agentID, siteID uint64) error {
	if _, err := s.seatAgent(agentID, siteID, func(*store.Agent) bool { return true }); err != nil {
		return err
	}
	err := s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(agentID)
		if err != nil {
			return ErrNoAgent
		}
		kept := a.Sites[:0:0]
		for _, seat := range a.Sites {
			if seat.SiteID != siteID {
				kept = append(kept, seat)
			}
		}
		if len(kept) == len(a.Sites) {
			return ErrNotServing
		}
		a.Sites = kept
		return tx.PutAgent(a)
	})
	if err == nil {
		s.d.seatsChanged(agentID)
	}
	return err
}
