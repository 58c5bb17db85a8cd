// Package route is the distribution engine (客服分配): given a visitor's chat request and the
// agents of the site as they are at that moment, it decides who serves the visitor, or that
// the visitor queues, or waits because nobody can take chats.
//
// The engine is pure and deterministic: it reads only what it is given, and its one piece of
// state is the round-robin cursor of each site. The desk gathers the facts and calls it under
// its lifecycle lock, one request at a time, so two agents never get the same visitor.
package route

import (
	"sort"

	"kefu/server/geo"
)

// Agent is what the engine knows of one agent of the site at the moment of a request.
type Agent struct {
	ID         uint64
	Online     bool     // at the workbench with status 在线 (not 忙碌 or 离开)
	Enabled    bool     // the account is enabled and the seat 座席 is on
	AutoAssign bool     // 自动分配 is on for this site
	Regions    []string // 分流区域: provinces (short names), area names, or geo.Overseas
	// Load is the open chats the agent serves now on every site: the least loaded wins.
	Load int
	// SiteLoad is the open chats they serve now on this site, which Max limits: the maximum
	// of concurrent chats is per agent per site (SPEC §7), so chats on another site do not
	// fill this one.
	SiteLoad int
	Max      int // most chats at once on this site; 0 means no limit
}

// Available reports whether the agent may receive visitors automatically at all.
func (a Agent) Available() bool { return a.Online && a.Enabled && a.AutoAssign }

// Full reports whether the agent already serves as many chats on the site as allowed.
func (a Agent) Full() bool { return a.Max > 0 && a.SiteLoad >= a.Max }

// Serves reports whether the agent's regions include the province. A region may name the
// province, its area ("华南" covers 广东), or geo.Overseas for visitors from abroad.
func (a Agent) Serves(province string) bool {
	if province == "" {
		return false
	}
	area := geo.ProvinceArea(province)
	for _, r := range a.Regions {
		if r == province || (area != "" && r == area) {
			return true
		}
	}
	return false
}

// Request is a visitor asking for a chat.
type Request struct {
	Site      uint64
	Province  string // the visitor's province (short name), geo.Overseas from abroad, "" unknown
	LastAgent uint64 // who served the visitor last time, 0 if nobody
}

// Outcome is what happens to a request.
type Outcome int

// Outcomes of a request.
const (
	// Wait: nobody can take chats automatically (offline, busy, away or not auto-assigned);
	// the request waits for an agent to take it by hand and the visitor may leave a message.
	Wait Outcome = iota
	// Queue: agents are there but every one is full; the visitor queues.
	Queue
	// Assign: Decision.Agent serves the visitor.
	Assign
)

func (o Outcome) String() string {
	switch o {
	case Queue:
		return "queue"
	case Assign:
		return "assign"
	}
	return "wait"
}

// Decision is the engine's answer.
type Decision struct {
	Outcome Outcome
	Agent   uint64 // when Outcome is Assign
}

// Distribution decides requests. Its zero value is ready to use. It is not safe for
// concurrent use: the desk calls it with its lifecycle lock held.
type Distribution struct {
	last map[uint64]uint64 // site → the agent the last round-robin tie went to
}

// Decide picks the agent for a request from the site's agents:
//
//  1. only available agents count (online, enabled, auto-assign); none → Wait;
//  2. of those, the ones not full on this site; none → Queue;
//  3. a returning visitor goes back to their last agent if that agent is among them;
//  4. else the ones whose regions include the visitor's province, if any, else all of them;
//  5. the least loaded (on every site) wins; ties go round-robin, by agent id, after the
//     site's last pick.
func (d *Distribution) Decide(req Request, agents []Agent) Decision {
	var free []Agent
	available := false
	for _, a := range agents {
		if !a.Available() {
			continue
		}
		available = true
		if !a.Full() {
			free = append(free, a)
		}
	}
	switch {
	case !available:
		return Decision{Outcome: Wait}
	case len(free) == 0:
		return Decision{Outcome: Queue}
	}
	if req.LastAgent != 0 {
		for _, a := range free {
			if a.ID == req.LastAgent {
				return Decision{Outcome: Assign, Agent: a.ID}
			}
		}
	}
	pool := free
	var regional []Agent
	for _, a := range free {
		if a.Serves(req.Province) {
			regional = append(regional, a)
		}
	}
	if len(regional) > 0 {
		pool = regional
	}
	least := pool[0].Load
	for _, a := range pool[1:] {
		least = min(least, a.Load)
	}
	var tied []uint64
	for _, a := range pool {
		if a.Load == least {
			tied = append(tied, a.ID)
		}
	}
	sort.Slice(tied, func(i, j int) bool { return tied[i] < tied[j] })
	pick := tied[0]
	if d.last == nil {
		d.last = map[uint64]uint64{}
	}
	if prev, ok := d.last[req.Site]; ok {
		for _, id := range tied {
			if id > prev {
				pick = id
				break
			}
		}
	}
	d.last[req.Site] = pick
	return Decision{Outcome: Assign, Agent: pick}
}
