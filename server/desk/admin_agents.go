package desk

import (
	"errors"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"kefu/server/authz"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/plain"
	"kefu/store"
)

// Agents (客服管理) and their SSH keys: list and search, add, edit, disable; keys for oneself or for the agents one manages.

// AgentInput is what an admin sets of an agent.
type AgentInput struct {
	Account  string
	Name     string
	Nickname string
	RoleID   uint64
	Gender   string // "", "male", "female"
	Phone    string
	Email    string
	Password string // required on create; empty on update keeps the old one
	WorkNo   string
	QQ       string
	WeChat   string
	Seat     bool // 座席状态: only enabled seats receive visitors
}

func (in *AgentInput) clean(create bool) error {
	in.Account = strings.TrimSpace(in.Account)
	in.Name = strings.TrimSpace(in.Name)
	in.Nickname = strings.TrimSpace(in.Nickname)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Email = strings.TrimSpace(in.Email)
	in.WorkNo = strings.TrimSpace(in.WorkNo)
	in.QQ = strings.TrimSpace(in.QQ)
	in.WeChat = strings.TrimSpace(in.WeChat)
	in.Gender = strings.TrimSpace(in.Gender)
	checks := []error{ValidateGender(in.Gender), ValidateAccount(in.Account), ValidateName(in.Name), ValidateNickname(in.Nickname),
		ValidatePhone(in.Phone), ValidateEmail(in.Email), ValidateShort("work_no", 20)(in.WorkNo),
		ValidateQQ(in.QQ), ValidateShort("wechat", 30)(in.WeChat)}
	if create || in.Password != "" {
		checks = append(checks, ValidatePassword(in.Password))
	}
	return errors.Join(checks...)
}

// AgentRow is an agent as the admin screens list them: the stored agent without the password
// hash, the role's name, the seat on the site listed, and whether they are online now.
type AgentRow struct {
	store.Agent
	RoleName string
	SiteSeat *store.SiteSeat // the seat on the site listed; nil when listing every agent
	Online   bool
	Status   hub.AgentStatus
	Chats    int
}

// ListAgents lists the agents serving a site, or every agent (siteID 0, only for an admin of
// all sites), whose account, name or nickname contains query.
func (s *AgentSession) ListAgents(siteID uint64, query string) ([]AgentRow, error) {
	scope := siteID
	if siteID == 0 {
		scope = authz.EverySite
	}
	if _, _, err := s.authorize(authz.Agents, scope); err != nil {
		return nil, err
	}
	return s.d.agentRows(siteID, query)
}

func (d *Desk) agentRows(siteID uint64, query string) ([]AgentRow, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	var out []AgentRow
	err := d.db.View(func(tx *store.Tx) error {
		agents, err := tx.Agents()
		if err != nil {
			return err
		}
		roles := map[uint64]string{}
		if rs, err := tx.Roles(); err == nil {
			for _, r := range rs {
				roles[r.ID] = r.Name
			}
		}
		for _, a := range agents {
			if siteID != 0 && !a.Serves(siteID) {
				continue
			}
			if q != "" && !strings.Contains(strings.ToLower(a.Account), q) && !strings.Contains(strings.ToLower(a.Name), q) &&
				!strings.Contains(strings.ToLower(a.Nickname), q) {
				continue
			}
			a.PassHash = nil
			row := AgentRow{Agent: a, RoleName: roles[a.RoleID]}
			if siteID != 0 {
				for i := range a.Sites {
					if a.Sites[i].SiteID == siteID {
						seat := a.Sites[i]
						row.SiteSeat = &seat
					}
				}
			}
			out = append(out, row)
		}
		return nil
	})
	for i := range out {
		if v := d.hub.Agent(out[i].ID); v != nil {
			out[i].Online, out[i].Status, out[i].Chats = true, v.Status, v.Chats
		}
	}
	return out, err
}

// AgentDetail reads one agent (without the password hash) for editing: oneself, or an agent
// one manages.
func (s *AgentSession) AgentDetail(id uint64) (*AgentRow, error) {
	if id != s.AgentID {
		if _, err := s.manageable(id); err != nil {
			return nil, err
		}
	}
	rows, err := s.d.agentRows(0, "")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.ID == id {
			return &r, nil
		}
	}
	return nil, ErrNoAgent
}

// FindAgent resolves an account, phone or email to an agent's id: one's own, or anyone's for
// an admin of agents.
func (s *AgentSession) FindAgent(login string) (uint64, error) {
	me, _, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return 0, err
	}
	l := strings.ToLower(strings.TrimSpace(login))
	if l != "" && (l == strings.ToLower(me.Account) || l == strings.ToLower(me.Phone) || l == strings.ToLower(me.Email)) {
		return me.ID, nil
	}
	if _, _, err := s.authorize(authz.Agents); err != nil {
		return 0, err
	}
	var found *store.Agent
	err = s.d.db.View(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin(login)
		if err != nil {
			return ErrNoAgent
		}
		found = a
		return nil
	})
	if err != nil {
		return 0, err
	}
	// An admin of some sites finds only agents of those sites: whether an account, phone
	// or email exists elsewhere is none of their business.
	if _, _, err := s.authorize(authz.Agents, authz.EverySite); err == nil {
		return found.ID, nil
	}
	for _, seat := range found.Sites {
		if _, _, err := s.authorize(authz.Agents, seat.SiteID); err == nil {
			return found.ID, nil
		}
	}
	return 0, ErrNoAgent
}

// agentAndRole loads an agent and their role (nil when the role is gone).
func (d *Desk) agentAndRole(id uint64) (*store.Agent, *store.Role, error) {
	var a *store.Agent
	var r *store.Role
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		if a, err = tx.Agent(id); err != nil {
			return ErrNoAgent
		}
		r, _ = tx.Role(a.RoleID)
		return nil
	})
	return a, r, err
}

// manageable loads an agent the session's agent may manage: an admin of all sites manages
// anyone; an admin of their own sites manages the agents who serve only sites they manage.
// Nobody manages an agent whose role grants more than their own.
func (s *AgentSession) manageable(id uint64) (*store.Agent, error) {
	a, r, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return nil, err
	}
	target, targetRole, err := s.d.agentAndRole(id)
	if err != nil {
		return nil, err
	}
	if !authz.Can(a, r, authz.Agents, authz.EverySite) {
		if len(target.Sites) == 0 {
			return nil, ErrForbidden
		}
		for _, seat := range target.Sites {
			if !authz.Can(a, r, authz.Agents, seat.SiteID) {
				return nil, ErrForbidden
			}
		}
	}
	if targetRole != nil && !authz.Covers(r, targetRole) {
		return nil, ErrForbidden
	}
	return target, nil
}

// grantable checks that the session's agent may hand out the role.
func (s *AgentSession) grantable(roleID uint64) error {
	_, mine, err := s.d.agentRole(s.AgentID)
	if err != nil {
		return err
	}
	var role *store.Role
	err = s.d.db.View(func(tx *store.Tx) error {
		var err error
		role, err = tx.Role(roleID)
		return err
	})
	if err != nil {
		return ErrNoRole
	}
	if !authz.Covers(mine, role) {
		return ErrRoleTooStrong
	}
	return nil
}

// CreateAgent adds an agent and assigns them to a site (siteID 0: to no site, only for an
// admin of all sites). New seats take visitors automatically, five at a time.
func (s *AgentSession) CreateAgent(siteID uint64, in AgentInput) (*store.Agent, error) {
	scope := siteID
	if siteID == 0 {
		scope = authz.EverySite
	}
	if _, _, err := s.authorize(authz.Agents, scope); err != nil {
		return nil, err
	}
	if err := in.clean(true); err != nil {
		return nil, err
	}
	if err := s.grantable(in.RoleID); err != nil {
		return nil, err
	}
	if s.d.loginTaken(in.Account, in.Phone, in.Email) {
		return nil, ErrLoginTaken // before paying for the hash
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	a := &store.Agent{Account: in.Account, Name: in.Name, Nickname: in.Nickname, RoleID: in.RoleID, Gender: in.Gender,
		Phone: in.Phone, Email: in.Email, PassHash: hash, WorkNo: in.WorkNo, QQ: in.QQ, WeChat: in.WeChat, Seat: in.Seat}
	if siteID != 0 {
		a.Sites = []store.SiteSeat{{SiteID: siteID, AutoAssign: true, MaxChats: 5}}
	}
	err = s.d.db.Update(func(tx *store.Tx) error {
		if siteID != 0 {
			if _, err := tx.Site(siteID); err != nil {
				return ErrNoSite
			}
		}
		c := *a
		if err := tx.CreateAgent(&c); err != nil {
			return err
		}
		*a = c
		return nil
	})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrLoginTaken
	}
	if err != nil {
		return nil, err
	}
	a.PassHash = nil
	return a, nil
}

// loginTaken reports whether any of the logins belongs to an agent already. The store checks
// again when it saves.
func (d *Desk) loginTaken(logins ...string) bool {
	taken := false
	d.db.View(func(tx *store.Tx) error {
		for _, l := range logins {
			if l == "" {
				continue
			}
			if _, err := tx.AgentByLogin(l); err == nil {
				taken = true
			}
		}
		return nil
	})
	return taken
}

// UpdateAgent changes an agent's details, role, seat status and (when given) password.
func (s *AgentSession) UpdateAgent(id uint64, in AgentInput) (*store.Agent, error) {
	target, err := s.manageable(id)
	if err != nil {
		return nil, err
	}
	in.Account = strings.TrimSpace(in.Account)
	if in.Account == "" {
		in.Account = target.Account
	}
	if err := in.clean(false); err != nil {
		return nil, err
	}
	if in.RoleID != target.RoleID {
		if id == s.AgentID {
			return nil, ErrSelf
		}
		if err := s.grantable(in.RoleID); err != nil {
			return nil, err
		}
	}
	var hash []byte
	if in.Password != "" {
		if hash, err = HashPassword(in.Password); err != nil {
			return nil, err
		}
	}
	var out store.Agent
	err = s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(id)
		if err != nil {
			return ErrNoAgent
		}
		a.Account, a.Name, a.Nickname, a.RoleID, a.Gender = in.Account, in.Name, in.Nickname, in.RoleID, in.Gender
		a.Phone, a.Email, a.WorkNo, a.QQ, a.WeChat, a.Seat = in.Phone, in.Email, in.WorkNo, in.QQ, in.WeChat, in.Seat
		if hash != nil {
			a.PassHash = hash
		}
		out = *a
		return tx.PutAgent(a)
	})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrLoginTaken
	}
	if err != nil {
		return nil, err
	}
	s.d.hub.UpdateAgent(id, func(v *hub.AgentView) { v.Account, v.Name, v.WorkNo = out.Account, out.DisplayName(), out.WorkNo })
	s.d.advance()
	out.PassHash = nil
	return &out, nil
}

// SetAgentDisabled disables (停用) or enables an agent. A disabled agent's open workbenches
// are told why and close, and they can no longer log in.
func (s *AgentSession) SetAgentDisabled(id uint64, disabled bool) error {
	if id == s.AgentID {
		return ErrSelf
	}
	if _, err := s.manageable(id); err != nil {
		return err
	}
	var lang i18n.Lang
	err := s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(id)
		if err != nil {
			return ErrNoAgent
		}
		a.Disabled = disabled
		lang = s.d.cfg.Lang
		if l, ok := i18n.Parse(a.Lang); ok {
			lang = l
		}
		return tx.PutAgent(a)
	})
	if err != nil {
		return err
	}
	if disabled {
		s.d.hub.ToAgent(id, hub.Bye{Code: "disabled", Text: lang.T("admin.bye_disabled")})
		s.d.releaseChats(id)
	}
	return nil
}

// --- SSH keys 公钥 ---

// Keys lists an agent's SSH public keys: one's own, or those of an agent one manages.
func (s *AgentSession) Keys(agentID uint64) ([]store.AuthorizedKey, error) {
	a, err := s.keyOwner(agentID)
	if err != nil {
		return nil, err
	}
	return a.Keys, nil
}

func (s *AgentSession) keyOwner(agentID uint64) (*store.Agent, error) {
	if agentID == s.AgentID || agentID == 0 {
		a, _, err := s.d.agentRole(s.AgentID)
		if err != nil || a.Disabled {
			return nil, ErrForbidden
		}
		return a, nil
	}
	return s.manageable(agentID)
}

// ParseKey reads one authorized_keys line (options before the key are dropped).
func ParseKey(line string) (store.AuthorizedKey, error) {
	line = strings.TrimSpace(line)
	if line == "" || len(line) > 16<<10 {
		return store.AuthorizedKey{}, ErrBadKey
	}
	pk, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return store.AuthorizedKey{}, ErrBadKey
	}
	comment = plain.Line(comment)
	if runes(comment) > 100 {
		comment = truncRunes(comment, 100)
	}
	norm := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk)))
	if comment != "" {
		norm += " " + comment
	}
	return store.AuthorizedKey{Fingerprint: gossh.FingerprintSHA256(pk), Line: norm, Comment: comment}, nil
}

// AddKey registers an SSH public key to an agent (0: oneself).
func (s *AgentSession) AddKey(agentID uint64, line string) (store.AuthorizedKey, error) {
	owner, err := s.keyOwner(agentID)
	if err != nil {
		return store.AuthorizedKey{}, err
	}
	k, err := ParseKey(line)
	if err != nil {
		return k, err
	}
	k.Added = s.d.Now()
	err = s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(owner.ID)
		if err != nil {
			return ErrNoAgent
		}
		if len(a.Keys) >= MaxKeysPerAgent {
			return ErrTooManyKeys
		}
		a.Keys = append(a.Keys, k)
		return tx.PutAgent(a)
	})
	if errors.Is(err, store.ErrExists) {
		return k, ErrKeyTaken
	}
	return k, err
}

// RemoveKey removes an agent's key (0: oneself) by fingerprint.
func (s *AgentSession) RemoveKey(agentID uint64, fingerprint string) error {
	owner, err := s.keyOwner(agentID)
	if err != nil {
		return err
	}
	return s.d.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(owner.ID)
		if err != nil {
			return ErrNoAgent
		}
		kept := a.Keys[:0:0]
		for _, k := range a.Keys {
			if k.Fingerprint != fingerprint {
				kept = append(kept, k)
			}
		}
		if len(kept) == len(a.Keys) {
			return ErrNoKey
		}
		a.Keys = kept
		return tx.PutAgent(a)
	})
}
