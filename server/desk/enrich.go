package desk

import (
	"net/netip"

	"kefu/server/channel"
	"kefu/server/geo"
	"kefu/server/hub"
	"kefu/server/source"
	"kefu/store"
)

// enrich fills the monitor's facts derived from the visitor's IP (region), user agent
// (channel, browser, OS) and this visit's referrer and landing page (source and keyword).
func (d *Desk) enrich(view *hub.VisitorView, v *store.Visitor) {
	if ip, err := netip.ParseAddr(v.IP); err == nil {
		r := geo.Lookup(ip)
		view.Region, view.RegionEN, view.Province = r.Display(), r.DisplayEN(), r.Province
	}
	c := channel.Parse(v.UserAgent)
	view.Channel, view.Browser, view.OS = c.Kind.String(), c.Browser, c.OS
	if c.App != "" {
		view.Browser = c.App
	}
	s := source.Parse(v.Referrer, v.Landing)
	view.Source, view.SourceEN, view.Keyword = s.Display(), s.DisplayEN(), s.Keyword
}
