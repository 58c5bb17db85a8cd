package desk

import (
	"kefu/server/hub"
	"kefu/server/plain"
	"kefu/store"
)

// visitorView builds the monitor's row for a stored visitor: who they are, where they came
// from, what they use.
func (d *Desk) visitorView(v *store.Visitor) *hub.VisitorView {
	view := &hub.VisitorView{
		ID:         v.ID,
		SiteID:     v.SiteID,
		Key:        v.Key,
		Name:       visitorName(v),
		Visits:     v.Visits,
		PageViews:  v.Pages,
		Chats:      v.Chats,
		IP:         v.IP,
		VisitStart: v.VisitStart,
		LastActive: v.LastSeen,
		State:      hub.StateBrowsing,
	}
	switch {
	case v.Member != nil:
		view.Kind = hub.KindMember
	case v.Chats > 0:
		view.Kind = hub.KindIntent
	case v.Visits > 1:
		view.Kind = hub.KindReturning
	default:
		view.Kind = hub.KindNew
	}
	d.enrich(view, v)
	return view
}

// visitorName is the card name, else the member name, else "" (the UI shows the number).
func visitorName(v *store.Visitor) string {
	if v.Card.Name != "" {
		return plain.Line(v.Card.Name)
	}
	if v.Member != nil && v.Member.Name != "" {
		return plain.Line(v.Member.Name)
	}
	return ""
}
