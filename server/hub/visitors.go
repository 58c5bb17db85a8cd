package hub

import (
	"iter"

	"github.com/benbjohnson/immutable"
)

// Visitors is one site's online visitors at one moment. It never changes: the hub makes a new
// one on every change (sharing all but the changed path with the old one) and hands it out
// with the change, so every workbench of the site holds the same list instead of a copy of
// its own. With 10,000 visitors and 100 agents, private copies cost more memory than the
// visitors' sockets. The zero value is an empty list that was never handed out.
type Visitors struct {
	m *immutable.Map[uint64, *VisitorView]
}

// Known reports whether the list came from the hub (the zero value did not).
func (s Visitors) Known() bool { return s.m != nil }

// Len is how many visitors are online.
func (s Visitors) Len() int {
	if s.m == nil {
		return 0
	}
	return s.m.Len()
}

// Get returns a visitor's view, or nil when they are not in the list.
func (s Visitors) Get(id uint64) *VisitorView {
	if s.m == nil {
		return nil
	}
	v, _ := s.m.Get(id)
	return v
}

// All yields every visitor, in no particular order.
func (s Visitors) All() iter.Seq[*VisitorView] {
	return func(yield func(*VisitorView) bool) {
		if s.m == nil {
			return
		}
		for it := s.m.Iterator(); !it.Done(); {
			_, v, _ := it.Next()
			if !yield(v) {
				return
			}
		}
	}
}

// With is the list with v added or replacing the visitor's earlier view.
func (s Visitors) With(v *VisitorView) Visitors {
	m := s.m
	if m == nil {
		m = immutable.NewMap[uint64, *VisitorView](nil)
	}
	return Visitors{m: m.Set(v.ID, v)}
}

// Without is the list without the visitor.
func (s Visitors) Without(id uint64) Visitors {
	m := s.m
	if m == nil {
		m = immutable.NewMap[uint64, *VisitorView](nil)
	}
	return Visitors{m: m.Delete(id)}
}
