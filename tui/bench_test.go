package tui

import (
	"fmt"
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

// BenchmarkMonitorFrame renders the monitor with 2,000 online visitors at 200×50. "resort"
// is a frame after a change that moves rows (filter and sort again); "steady" is a frame where
// only the clock moved. Goal: ≤ 10 ms per frame.
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
	// "pageview" is a frame after a visitor read another page: under the default sort (by
	// arrival) the row is swapped in place, without sorting 2,000 rows again.
	b.Run("pageview", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cp := *m.live.visitor(uint64(1 + i%2000))
			cp.PageTitle, cp.LastActive = fmt.Sprintf("价格方案 第%d页", i), m.now
			m.Update(eventsMsg{hub.VisitorChanged{V: &cp}})
			_ = m.View()
		}
	})
}

// BenchmarkChatsFrame renders the chat page at 120×40 for an agent with 25 open chats of 60
// messages each, as the load tool's agents have them. "background" is a frame after a
// message in a chat that is not open (its unread count changes); "active" after a message
// in the open chat; "steady" a frame where nothing changed but the clock.
func BenchmarkChatsFrame(b *testing.B) {
	t := &testing.T{}
	f := newFixture(t)
	me := f.as.AgentID
	const convs, msgs = 25, 60
	for i := 1; i <= convs; i++ {
		f.hub.VisitorJoin(&hub.VisitorView{ID: uint64(i), SiteID: 1, Kind: hub.KindReturning, Channel: "pc", Visits: 2,
			IP: "113.99.15.142", Region: "广东省广州市", Source: "百度(在线客服系统)", PageTitle: "在线客服系统 产品介绍",
			VisitStart: fixedNow.Add(-time.Hour), LastActive: fixedNow, State: hub.StateChatting})
		f.hub.PutConv(&hub.ConvView{ID: uint64(i), SiteID: 1, VisitorID: uint64(i), AgentID: me, Agents: []uint64{me},
			State: store.ConvOpen, Created: fixedNow, Accepted: fixedNow})
	}
	m := f.model(120, 40, i18n.ZH)
	m.page = pageChats
	seq := map[uint64]uint64{}
	message := func(conv uint64) store.Message {
		seq[conv]++
		from := store.FromVisitor
		if seq[conv]%2 == 0 {
			from = store.FromAgent
		}
		return store.Message{ConvID: conv, Seq: seq[conv], From: from, AgentID: me, Name: "小杨",
			Text: fmt.Sprintf("第%d条消息：你好，我想咨询一下企业版的价格和座席数量，谢谢 hello", seq[conv]), At: fixedNow}
	}
	for id, tr := range m.chats.ts {
		for j := 0; j < msgs; j++ {
			tr.msgs = append(tr.msgs, message(id))
		}
		tr.loaded = true
	}
	m.chats.activate(1)
	_ = m.View()
	b.Run("background", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Update(eventsMsg{hub.MessageAdded{M: message(uint64(2 + i%(convs-1))), SiteID: 1}})
			_ = m.View()
		}
	})
	b.Run("active", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Update(eventsMsg{hub.MessageAdded{M: message(1), SiteID: 1}})
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
