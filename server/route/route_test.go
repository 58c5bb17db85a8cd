package route

import (
	"testing"

	"kefu/server/geo"
)

// on is an available agent serving only this site, with a load and a limit.
func on(id uint64, load, max int, regions ...string) Agent {
	return Agent{ID: id, Online: true, Enabled: true, AutoAssign: true, Load: load, SiteLoad: load, Max: max, Regions: regions}
}

// elsewhere adds open chats on another site to an agent: their load grows, this site's does not.
func elsewhere(a Agent, chats int) Agent {
	a.Load += chats
	return a
}

func TestDecide(t *testing.T) {
	busy := on(9, 0, 5)
	busy.Online = false
	disabled := on(8, 0, 5)
	disabled.Enabled = false
	manual := on(7, 0, 5)
	manual.AutoAssign = false

	tests := []struct {
		name   string
		req    Request
		agents []Agent
		want   Decision
	}{
		{"nobody at all waits", Request{Site: 1}, nil, Decision{Outcome: Wait}},
		{"busy, disabled and manual agents do not count", Request{Site: 1}, []Agent{busy, disabled, manual}, Decision{Outcome: Wait}},
		{"everyone full queues", Request{Site: 1}, []Agent{on(1, 2, 2), on(2, 5, 5)}, Decision{Outcome: Queue}},
		{"full and unavailable still queues", Request{Site: 1}, []Agent{on(1, 3, 3), busy}, Decision{Outcome: Queue}},
		{"no limit is never full", Request{Site: 1}, []Agent{on(1, 40, 0)}, Decision{Outcome: Assign, Agent: 1}},
		{"least loaded wins", Request{Site: 1}, []Agent{on(1, 3, 5), on(2, 1, 5), on(3, 2, 5)}, Decision{Outcome: Assign, Agent: 2}},
		{"region first even if busier", Request{Site: 1, Province: "广东"},
			[]Agent{on(1, 0, 5, "北京"), on(2, 3, 5, "广东", "广西"), on(3, 0, 5)}, Decision{Outcome: Assign, Agent: 2}},
		{"area name covers its provinces", Request{Site: 1, Province: "上海"},
			[]Agent{on(1, 0, 5, "华南"), on(2, 2, 5, "华东")}, Decision{Outcome: Assign, Agent: 2}},
		{"regional agents full: anyone", Request{Site: 1, Province: "广东"},
			[]Agent{on(1, 2, 2, "广东"), on(2, 1, 5, "北京")}, Decision{Outcome: Assign, Agent: 2}},
		{"no regional agent: least loaded of all", Request{Site: 1, Province: "新疆"},
			[]Agent{on(1, 1, 5, "广东"), on(2, 0, 5, "北京")}, Decision{Outcome: Assign, Agent: 2}},
		{"overseas visitors", Request{Site: 1, Province: geo.Overseas},
			[]Agent{on(1, 0, 5, "北京"), on(2, 4, 5, geo.Overseas)}, Decision{Outcome: Assign, Agent: 2}},
		{"unknown province matches nobody", Request{Site: 1},
			[]Agent{on(1, 1, 5, "北京"), on(2, 0, 5, "广东")}, Decision{Outcome: Assign, Agent: 2}},
		{"returning visitor goes back", Request{Site: 1, Province: "广东", LastAgent: 3},
			[]Agent{on(2, 0, 5, "广东"), on(3, 4, 5)}, Decision{Outcome: Assign, Agent: 3}},
		{"returning visitor, last agent full", Request{Site: 1, LastAgent: 3},
			[]Agent{on(2, 1, 5), on(3, 5, 5)}, Decision{Outcome: Assign, Agent: 2}},
		{"returning visitor, last agent away", Request{Site: 1, LastAgent: 9},
			[]Agent{busy, on(2, 3, 5)}, Decision{Outcome: Assign, Agent: 2}},
		// The maximum is per agent per site: chats on another site do not fill this one...
		{"chats on another site do not fill this one", Request{Site: 1},
			[]Agent{elsewhere(on(1, 1, 2), 4)}, Decision{Outcome: Assign, Agent: 1}},
		{"full on this site whatever the other site", Request{Site: 1},
			[]Agent{on(1, 2, 2)}, Decision{Outcome: Queue}},
		// ...but the least loaded is counted on every site, so the quieter person wins.
		{"least loaded counts every site", Request{Site: 1},
			[]Agent{elsewhere(on(1, 0, 3), 3), on(2, 1, 3)}, Decision{Outcome: Assign, Agent: 2}},
		{"returning visitor's agent busy elsewhere but free here", Request{Site: 1, LastAgent: 1},
			[]Agent{elsewhere(on(1, 0, 1), 5), on(2, 0, 1)}, Decision{Outcome: Assign, Agent: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Distribution
			if got := d.Decide(tt.req, tt.agents); got != tt.want {
				t.Fatalf("Decide = %+v (%s), want %+v (%s)", got, got.Outcome, tt.want, tt.want.Outcome)
			}
		})
	}
}

// TestRoundRobin: ties go to each tied agent in turn, per site, whatever order the agents
// are listed in.
func TestRoundRobin(t *testing.T) {
	var d Distribution
	agents := []Agent{on(30, 1, 5), on(10, 1, 5), on(20, 1, 5), on(40, 2, 5)}
	var got []uint64
	for range 7 {
		got = append(got, d.Decide(Request{Site: 1}, agents).Agent)
	}
	want := []uint64{10, 20, 30, 10, 20, 30, 10}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("site 1 picks %v, want %v", got, want)
		}
	}
	// Another site has its own cursor.
	if a := d.Decide(Request{Site: 2}, agents).Agent; a != 10 {
		t.Fatalf("site 2 first pick %d, want 10", a)
	}
	// The cursor survives the tied set changing: after 10, the next higher tied id.
	if a := d.Decide(Request{Site: 1}, []Agent{on(10, 0, 5), on(30, 0, 5)}).Agent; a != 30 {
		t.Fatalf("after 10 the tie between 10 and 30 went to %d", a)
	}
}

// TestLoadSpreads: assigning and counting the load as the desk does spreads visitors evenly.
func TestLoadSpreads(t *testing.T) {
	var d Distribution
	agents := []Agent{on(1, 0, 3), on(2, 0, 3), on(3, 0, 3)}
	count := map[uint64]int{}
	for i := 0; i < 9; i++ {
		dec := d.Decide(Request{Site: 1}, agents)
		if dec.Outcome != Assign {
			t.Fatalf("request %d: %s", i, dec.Outcome)
		}
		for j := range agents {
			if agents[j].ID == dec.Agent {
				agents[j].Load++
				agents[j].SiteLoad++
			}
		}
		count[dec.Agent]++
	}
	if count[1] != 3 || count[2] != 3 || count[3] != 3 {
		t.Fatalf("spread %v", count)
	}
	if dec := d.Decide(Request{Site: 1}, agents); dec.Outcome != Queue {
		t.Fatalf("tenth request: %s, want queue", dec.Outcome)
	}
}
