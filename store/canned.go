package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// CannedReply is a canned response 常用语: a text an agent inserts into the chat input instead
// of typing it again. A public one belongs to a site (SiteID set, AgentID 0) and is kept by its
// admins; a personal one belongs to an agent (AgentID set, SiteID 0) and serves them on every
// site. Both sit in groups (分组): the groups of a scope are ordered by GroupOrder, which
// every reply of a group shares, and the replies within their group by Order.
type CannedReply struct {
	ID      uint64 `json:"id"`
	SiteID  uint64 `json:"site,omitempty"`
	AgentID uint64 `json:"agent,omitempty"`
	Group   string `json:"group,omitempty"` // "" is the default group
	// GroupOrder is the group's place among the scope's groups (1, 2, …). Replies stored
	// before groups could be ordered have 0 and sort first, by group name.
	GroupOrder int       `json:"group_order,omitempty"`
	Order      int       `json:"order"`
	Title      string    `json:"title,omitempty"`
	Text       string    `json:"text"`
	Shortcut   string    `json:"shortcut,omitempty"` // "price", typed as "/price"; unique in its scope
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

// Limits of canned replies, in characters (runes).
const (
	MaxCannedTitle    = 50
	MaxCannedText     = 2000
	MaxCannedGroup    = 20
	MaxCannedShortcut = 20
	// MaxCannedPerScope bounds the replies of one site, or of one agent, so that a runaway
	// import cannot fill the disk or make every picker slow.
	MaxCannedPerScope = 1000
)

// ErrCannedFull refuses a canned reply beyond MaxCannedPerScope.
var ErrCannedFull = errors.New("too many canned replies")

// CannedInvalidError is a canned reply that breaks a limit. Field is "scope", "group",
// "title", "text" or "shortcut".
type CannedInvalidError struct{ Field string }

func (e *CannedInvalidError) Error() string { return "canned reply: invalid " + e.Field }

// Personal reports whether the reply is an agent's own rather than a site's.
func (c *CannedReply) Personal() bool { return c.AgentID != 0 }

// ValidShortcut reports whether s may be a shortcut: 1–20 of a-z, 0-9, '_' and '-'.
func ValidShortcut(s string) bool {
	if len(s) < 1 || len(s) > MaxCannedShortcut {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Check verifies the reply's limits: exactly one owner, one-line group and title within
// their lengths, a text that is not blank and not too long, a well-formed shortcut if any.
func (c *CannedReply) Check() error {
	bad := func(f string) error { return &CannedInvalidError{Field: f} }
	switch {
	case (c.SiteID == 0) == (c.AgentID == 0):
		return bad("scope")
	case !oneLine(c.Group, MaxCannedGroup):
		return bad("group")
	case !oneLine(c.Title, MaxCannedTitle):
		return bad("title")
	case strings.TrimSpace(c.Text) == "" || !utf8.ValidString(c.Text) || utf8.RuneCountInString(c.Text) > MaxCannedText:
		return bad("text")
	case c.Shortcut != "" && !ValidShortcut(c.Shortcut):
		return bad("shortcut")
	}
	return nil
}

func oneLine(s string, max int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max && !strings.ContainsAny(s, "\r\n")
}

// CannedReply returns the canned reply with the id.
func (t *Tx) CannedReply(id uint64) (*CannedReply, error) {
	var c CannedReply
	if err := getJSON(t.tx.Bucket(bCanned), u64(id), &c); err != nil {
		return nil, fmt.Errorf("canned reply %d: %w", id, err)
	}
	return &c, nil
}

// SiteCanned returns a site's public canned replies in display order (SortCanned).
func (t *Tx) SiteCanned(siteID uint64) ([]CannedReply, error) {
	return t.cannedOf(siteID, 0)
}

// AgentCanned returns an agent's personal canned replies in display order (SortCanned).
func (t *Tx) AgentCanned(agentID uint64) ([]CannedReply, error) {
	return t.cannedOf(0, agentID)
}

// cannedOf lists one scope (a site's public replies or an agent's personal ones), sorted.
func (t *Tx) cannedOf(siteID, agentID uint64) ([]CannedReply, error) {
	var out []CannedReply
	err := t.tx.Bucket(bCanned).ForEach(func(_, v []byte) error {
		var c CannedReply
		if err := unmarshal(v, &c); err != nil {
			return err
		}
		if c.SiteID == siteID && c.AgentID == agentID {
			out = append(out, c)
		}
		return nil
	})
	SortCanned(out)
	return out, err
}

// SortCanned puts replies of one scope in their display order: by the group's place
// (GroupOrder, then the group's name), then Order, then id.
func SortCanned(list []CannedReply) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := &list[i], &list[j]
		if a.GroupOrder != b.GroupOrder {
			return a.GroupOrder < b.GroupOrder
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.ID < b.ID
	})
}

// CreateCanned stores a new canned reply at the end of its group and sets its ID and Order.
func (t *Tx) CreateCanned(c *CannedReply) error {
	list := []CannedReply{*c}
	if err := t.AddCanned(list); err != nil {
		return err
	}
	*c = list[0]
	return nil
}

// AddCanned stores new canned replies of one scope, each at the end of its group in the
// order given (a new group after the scope's last), and sets their IDs, Orders, GroupOrders
// and times. A shortcut already used in the scope (or
// twice in list) is ErrExists, more than MaxCannedPerScope is ErrCannedFull. On an error the
// caller's transaction must fail, and nothing of list is kept.
func (t *Tx) AddCanned(list []CannedReply) error {
	if len(list) == 0 {
		return nil
	}
	site, agent := list[0].SiteID, list[0].AgentID
	existing, err := t.cannedOf(site, agent)
	if err != nil {
		return err
	}
	if len(existing)+len(list) > MaxCannedPerScope {
		return ErrCannedFull
	}
	shortcuts := map[string]bool{}
	next := map[string]int{} // group → next order
	groups := groupPlacesOf(existing)
	for _, c := range existing {
		if c.Shortcut != "" {
			shortcuts[c.Shortcut] = true
		}
		next[c.Group] = max(next[c.Group], c.Order+1)
	}
	b := t.tx.Bucket(bCanned)
	now := t.Now()
	for i := range list {
		c := &list[i]
		if c.SiteID != site || c.AgentID != agent {
			return &CannedInvalidError{Field: "scope"}
		}
		if err := c.Check(); err != nil {
			return err
		}
		if c.Shortcut != "" {
			if shortcuts[c.Shortcut] {
				return fmt.Errorf("canned shortcut %q: %w", c.Shortcut, ErrExists)
			}
			shortcuts[c.Shortcut] = true
		}
		id, err := nextID(b)
		if err != nil {
			return err
		}
		c.ID = id
		c.Order = max(next[c.Group], 1)
		next[c.Group] = c.Order + 1
		c.GroupOrder = groups.place(c.Group)
		c.Created, c.Updated = now, now
		if err := putJSON(b, u64(id), c); err != nil {
			return err
		}
	}
	return nil
}

// PutCanned saves an existing canned reply. Its owner never changes; a reply moved to another
// group goes to that group's end (a new group after the scope's last); its shortcut must stay
// unique in its scope. GroupOrder is the store's: MoveCannedGroup changes it.
func (t *Tx) PutCanned(c *CannedReply) error {
	old, err := t.CannedReply(c.ID)
	if err != nil {
		return err
	}
	if c.SiteID != old.SiteID || c.AgentID != old.AgentID {
		return &CannedInvalidError{Field: "scope"}
	}
	if err := c.Check(); err != nil {
		return err
	}
	scope, err := t.cannedOf(c.SiteID, c.AgentID)
	if err != nil {
		return err
	}
	next := 1
	var others []CannedReply
	for _, o := range scope {
		if o.ID == c.ID {
			continue
		}
		others = append(others, o)
		if c.Shortcut != "" && o.Shortcut == c.Shortcut {
			return fmt.Errorf("canned shortcut %q: %w", c.Shortcut, ErrExists)
		}
		if o.Group == c.Group {
			next = max(next, o.Order+1)
		}
	}
	if c.Group != old.Group {
		c.Order = next
		c.GroupOrder = groupPlacesOf(others).place(c.Group)
	} else {
		c.GroupOrder = old.GroupOrder
	}
	c.Created = old.Created
	c.Updated = t.Now()
	return putJSON(t.tx.Bucket(bCanned), u64(c.ID), c)
}

// DeleteCanned removes a canned reply.
func (t *Tx) DeleteCanned(id uint64) error {
	b := t.tx.Bucket(bCanned)
	if b.Get(u64(id)) == nil {
		return fmt.Errorf("canned reply %d: %w", id, ErrNotFound)
	}
	return b.Delete(u64(id))
}

// MoveCanned moves a canned reply delta places within its group (negative: up), stopping at
// the group's ends, and renumbers the group 1..n. It reports whether anything moved.
func (t *Tx) MoveCanned(id uint64, delta int) (bool, error) {
	c, err := t.CannedReply(id)
	if err != nil {
		return false, err
	}
	scope, err := t.cannedOf(c.SiteID, c.AgentID)
	if err != nil {
		return false, err
	}
	var group []CannedReply
	from := -1
	for _, o := range scope {
		if o.Group == c.Group {
			if o.ID == id {
				from = len(group)
			}
			group = append(group, o)
		}
	}
	to := min(max(from+delta, 0), len(group)-1)
	if to == from {
		return false, nil
	}
	moved := group[from]
	group = append(group[:from], group[from+1:]...)
	group = append(group[:to], append([]CannedReply{moved}, group[to:]...)...)
	b := t.tx.Bucket(bCanned)
	for i := range group {
		if group[i].Order == i+1 {
			continue
		}
		group[i].Order = i + 1
		if err := putJSON(b, u64(group[i].ID), &group[i]); err != nil {
			return false, err
		}
	}
	return true, nil
}

// groupPlaces is the place of each group of a scope, for adding replies to it.
type groupPlaces map[string]int

// groupPlaces reads the groups' places from a scope's replies. Two groups may share a place
// (0, from before groups were ordered); a new group goes after all of them.
func groupPlacesOf(list []CannedReply) groupPlaces {
	g := groupPlaces{}
	for _, c := range list {
		if p, ok := g[c.Group]; !ok || c.GroupOrder > p {
			g[c.Group] = c.GroupOrder
		}
	}
	return g
}

// place is a group's place, giving a group not seen yet the place after the last.
func (g groupPlaces) place(group string) int {
	if p, ok := g[group]; ok {
		return p
	}
	last := 0
	for _, p := range g {
		last = max(last, p)
	}
	g[group] = last + 1
	return last + 1
}

// CannedGroups are the names of a scope's groups in display order.
func CannedGroups(sorted []CannedReply) []string {
	var out []string
	for i, c := range sorted {
		if i == 0 || sorted[i-1].Group != c.Group {
			out = append(out, c.Group)
		}
	}
	return out
}

// MoveCannedGroup moves a group of a scope (a site's public replies, or an agent's personal
// ones) delta places among the scope's groups (negative: up), stopping at the ends, and
// renumbers every group 1..n. It reports whether anything changed; a group with no reply is
// ErrNotFound.
func (t *Tx) MoveCannedGroup(siteID, agentID uint64, group string, delta int) (bool, error) {
	if (siteID == 0) == (agentID == 0) {
		return false, &CannedInvalidError{Field: "scope"}
	}
	scope, err := t.cannedOf(siteID, agentID)
	if err != nil {
		return false, err
	}
	names := CannedGroups(scope)
	from := -1
	for i, n := range names {
		if n == group {
			from = i
		}
	}
	if from < 0 {
		return false, fmt.Errorf("canned group %q: %w", group, ErrNotFound)
	}
	to := min(max(from+delta, 0), len(names)-1)
	moved := to != from
	names = append(names[:from], names[from+1:]...)
	names = append(names[:to], append([]string{group}, names[to:]...)...)
	place := map[string]int{}
	for i, n := range names {
		place[n] = i + 1
	}
	b := t.tx.Bucket(bCanned)
	for i := range scope {
		c := &scope[i]
		if c.GroupOrder == place[c.Group] {
			continue
		}
		c.GroupOrder = place[c.Group]
		if err := putJSON(b, u64(c.ID), c); err != nil {
			return false, err
		}
		moved = true // the places were numbered anew
	}
	return moved, nil
}
