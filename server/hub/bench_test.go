package hub

import (
	"fmt"
	"testing"
)

// BenchmarkVisitorChange measures one visitor change (a page view) published to every agent
// watching the site. The cost grows with the agents who must hear it, not with how many
// visitors are online: compare the visitors=100 and visitors=10000 rows.
func BenchmarkVisitorChange(b *testing.B) {
	for _, agents := range []int{1, 50} {
		for _, visitors := range []int{100, 10000} {
			b.Run(fmt.Sprintf("agents=%d/visitors=%d", agents, visitors), func(b *testing.B) {
				h := New(nil)
				for v := 1; v <= visitors; v++ {
					h.VisitorJoin(&VisitorView{ID: uint64(v), SiteID: 1})
				}
				subs := make([]*Sub, agents)
				for a := range subs {
					subs[a] = h.Subscribe(Filter{AgentID: uint64(a + 1), Sites: []uint64{1}}, 1<<20)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					h.UpdateVisitor(uint64(i%visitors+1), func(v *VisitorView) { v.PageViews++ })
					if i%4096 == 4095 { // drain so nobody is dropped
						for _, s := range subs {
							for len(s.ch) > 0 {
								<-s.ch
							}
						}
					}
				}
			})
		}
	}
}
