package desk

import (
	"time"

	"kefu/store"
)

// Auto-invite (设置中心 › 邀请窗口): a site may invite its visitors by itself once they have
// stayed a number of seconds or read a number of pages in a visit. It happens once per visit,
// only while an agent of the site is at the workbench, and never to someone already chatting
// or invited. An accepted automatic invite is routed like any chat request.

// autoInviteState is what the desk remembers per online visitor for auto-invite.
type autoInviteState struct {
	visit int         // the visit this state belongs to
	done  bool        // invited (or declined) in this visit
	timer *time.Timer // the stay-time trigger
}

// armAutoInvite starts the stay-time trigger for a visitor's visit and checks the visit's page
// count (v as just stored). Called on every arrival and page view.
func (d *Desk) armAutoInvite(v *store.Visitor, site *store.Site) {
	st := site.Settings
	if !st.AutoInvite || (st.AutoInviteSecs <= 0 && st.AutoInvitePages <= 0) {
		return
	}
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	a := d.auto[v.ID]
	if a == nil || a.visit != v.Visits {
		if a != nil && a.timer != nil {
			a.timer.Stop()
		}
		a = &autoInviteState{visit: v.Visits}
		d.auto[v.ID] = a
		if st.AutoInviteSecs > 0 {
			wait := time.Duration(st.AutoInviteSecs)*time.Second - d.Now().Sub(v.VisitStart)
			id := v.ID
			a.timer = time.AfterFunc(max(wait, 0), func() { d.autoInvite(id) })
		}
	}
	if st.AutoInvitePages > 0 && v.Pages >= st.AutoInvitePages && !a.done {
		d.autoInviteLocked(v.ID, a)
	}
}

func (d *Desk) autoInvite(visitorID uint64) {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	if a := d.auto[visitorID]; a != nil && !a.done {
		d.autoInviteLocked(visitorID, a)
	}
}

// autoInviteLocked invites if the visitor is still here, free, and someone can answer.
func (d *Desk) autoInviteLocked(visitorID uint64, a *autoInviteState) {
	v := d.hub.Visitor(visitorID)
	if v == nil || d.invites[visitorID] != nil || d.hub.VisitorConv(visitorID) != nil || !d.siteOnline(v.SiteID) {
		return
	}
	if d.inviteLocked(visitorID, 0) == nil {
		a.done = true
	}
}

// forgetAutoInvite drops a visitor's auto-invite state when they leave.
func (d *Desk) forgetAutoInvite(visitorID uint64) {
	d.lifecycle.Lock()
	defer d.lifecycle.Unlock()
	if a := d.auto[visitorID]; a != nil {
		if a.timer != nil {
			a.timer.Stop()
		}
		delete(d.auto, visitorID)
	}
}
