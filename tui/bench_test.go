package tui

import (
	"fmt"
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/server/i18n"
)

// BenchmarkMonitorFrame renders the monitor with 2,000 online visitors at 200×50. "resort"
// is a frame after a visitor changed (filter and sort again); "steady" is a frame where only
// the clock moved. Goal: ≤ 10 ms per frame.
func BenchmarkMonitorFrame(b *testing.B) {
	t := &testing.T{}
	f := newFixture(t)
	regions := []string{"广东省广州市", "北京市", "上海市", "浙江省杭州市", "美国", "内蒙古自治区呼和浩特市"}
	for i := 0; i < 2000; i++ {
		f.hub.VisitorJoin(&hub.VisitorView{ID: uint64(i + 1), SiteID: 1, Kind: hub.KindNew, Channel: "pc", Visits: i % 7,
			IP: fmt.Sprintf("113.99.%d.%d", i/256, i%256), Region: regions[i%len(regions)], Source: "百度(在线客服系统)",
			PageTitle: fmt.Sprintf("在线客服系统 产品介绍 第%d页", i), VisitStart: fixedNow.Add(-time.Duration(i) * time.Second),
			LastActive: fixedNow, State: hub.StateBrowsing})
	}
	m := f.model(200, 50, i18n.ZH)
	b.Run("resort", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.monitor.invalidate()
			_ = m.View()
		}
	})
	b.Run("steady", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.now = m.now.Add(time.Second)
			_ = m.View()
		}
	})
}
