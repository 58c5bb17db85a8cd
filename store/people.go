package store

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Site returns the site with the id.
func (t *Tx) Site(id uint64) (*Site, error) {
	var s Site
	if err := getJSON(t.tx.Bucket(bSites), u64(id), &s); err != nil {
		return nil, fmt.Errorf("site %d: %w", id, err)
	}
	return &s, nil
}

// Sites returns every site in id order.
func (t *Tx) Sites() ([]Site, error) {
	var out []Site
	err := t.tx.Bucket(bSites).ForEach(func(_, v []byte) error {
		var s Site
		if err := unmarshal(v, &s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// CreateSite stores a new site and sets its ID.
func (t *Tx) CreateSite(s *Site) error {
	b := t.tx.Bucket(bSites)
	id, err := nextID(b)
	if err != nil {
		return err
	}
	s.ID = id
	if s.Created.IsZero() {
		s.Created = t.Now()
	}
	return putJSON(b, u64(id), s)
}

// PutSite saves an existing site.
func (t *Tx) PutSite(s *Site) error {
	b := t.tx.Bucket(bSites)
	if b.Get(u64(s.ID)) == nil {
		return fmt.Errorf("site %d: %w", s.ID, ErrNotFound)
	}
	return putJSON(b, u64(s.ID), s)
}

// Agent returns the agent with the id.
func (t *Tx) Agent(id uint64) (*Agent, error) {
	var a Agent
	if err := getJSON(t.tx.Bucket(bAgents), u64(id), &a); err != nil {
		return nil, fmt.Errorf("agent %d: %w", id, err)
	}
	return &a, nil
}

// Agents returns every agent in id order.
func (t *Tx) Agents() ([]Agent, error) {
	var out []Agent
	err := t.tx.Bucket(bAgents).ForEach(func(_, v []byte) error {
		var a Agent
		if err := unmarshal(v, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// AgentByLogin finds the agent whose account, phone or email is login (case-insensitive).
func (t *Tx) AgentByLogin(login string) (*Agent, error) {
	v := t.tx.Bucket(bAgentLogin).Get([]byte(loginKey(login)))
	if v == nil {
		return nil, fmt.Errorf("agent %q: %w", login, ErrNotFound)
	}
	return t.Agent(binary.BigEndian.Uint64(v))
}

// AgentByKey finds the agent who registered the SSH key with this fingerprint.
func (t *Tx) AgentByKey(fingerprint string) (*Agent, error) {
	v := t.tx.Bucket(bAgentKeys).Get([]byte(fingerprint))
	if v == nil {
		return nil, fmt.Errorf("key %s: %w", fingerprint, ErrNotFound)
	}
	return t.Agent(binary.BigEndian.Uint64(v))
}

// CreateAgent stores a new agent and sets its ID. Account, phone, email and keys must not
// belong to anyone else (ErrExists).
func (t *Tx) CreateAgent(a *Agent) error {
	id, err := nextID(t.tx.Bucket(bAgents))
	if err != nil {
		return err
	}
	a.ID = id
	if a.Created.IsZero() {
		a.Created = t.Now()
	}
	return t.putAgent(a, nil)
}

// PutAgent saves an existing agent, keeping the login and key indexes right.
func (t *Tx) PutAgent(a *Agent) error {
	old, err := t.Agent(a.ID)
	if err != nil {
		return err
	}
	return t.putAgent(a, old)
}

func (t *Tx) putAgent(a, old *Agent) error {
	logins, keys := t.tx.Bucket(bAgentLogin), t.tx.Bucket(bAgentKeys)
	if old != nil {
		for _, l := range agentLogins(old) {
			if err := logins.Delete([]byte(l)); err != nil {
				return err
			}
		}
		for _, k := range old.Keys {
			if err := keys.Delete([]byte(k.Fingerprint)); err != nil {
				return err
			}
		}
	}
	id := u64(a.ID)
	for _, l := range agentLogins(a) {
		if v := logins.Get([]byte(l)); v != nil {
			return fmt.Errorf("login %q: %w", l, ErrExists)
		}
		if err := logins.Put([]byte(l), id); err != nil {
			return err
		}
	}
	for _, k := range a.Keys {
		if v := keys.Get([]byte(k.Fingerprint)); v != nil {
			return fmt.Errorf("key %s: %w", k.Fingerprint, ErrExists)
		}
		if err := keys.Put([]byte(k.Fingerprint), id); err != nil {
			return err
		}
	}
	return putJSON(t.tx.Bucket(bAgents), id, a)
}

func loginKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// agentLogins are the distinct login names of an agent.
func agentLogins(a *Agent) []string {
	var out []string
	for _, s := range []string{a.Account, a.Phone, a.Email} {
		k := loginKey(s)
		if k == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == k
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// Role returns the role with the id.
func (t *Tx) Role(id uint64) (*Role, error) {
	var r Role
	if err := getJSON(t.tx.Bucket(bRoles), u64(id), &r); err != nil {
		return nil, fmt.Errorf("role %d: %w", id, err)
	}
	return &r, nil
}

// Roles returns every role in id order.
func (t *Tx) Roles() ([]Role, error) {
	var out []Role
	err := t.tx.Bucket(bRoles).ForEach(func(_, v []byte) error {
		var r Role
		if err := unmarshal(v, &r); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// CreateRole stores a new role and sets its ID.
func (t *Tx) CreateRole(r *Role) error {
	b := t.tx.Bucket(bRoles)
	id, err := nextID(b)
	if err != nil {
		return err
	}
	r.ID = id
	return putJSON(b, u64(id), r)
}

// PutRole saves an existing role.
func (t *Tx) PutRole(r *Role) error {
	b := t.tx.Bucket(bRoles)
	if b.Get(u64(r.ID)) == nil {
		return fmt.Errorf("role %d: %w", r.ID, ErrNotFound)
	}
	return putJSON(b, u64(r.ID), r)
}

// VisitPages counts the visitor's trail entries of one visit, walking back from the newest
// page. It is how a visit that began before Visitor.Pages existed learns its count.
func (t *Tx) VisitPages(visitorID uint64, visit int) (int, error) {
	c := t.tx.Bucket(bTrail).Cursor()
	k, v := c.Seek(key2(visitorID+1, 0))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	n := 0
	for ; k != nil && len(k) == 16 && binary.BigEndian.Uint64(k) == visitorID; k, v = c.Prev() {
		var pv struct {
			Visit int `json:"visit"`
		}
		if err := unmarshal(v, &pv); err != nil {
			return 0, err
		}
		if pv.Visit != visit {
			break
		}
		n++
	}
	return n, nil
}
