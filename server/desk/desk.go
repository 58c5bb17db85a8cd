// Package desk is the customer-service desk: every action a visitor or a member of staff takes
// — arrive on a page, ask for a chat, send a message, open, take, end — is a method here. It
// applies the rules, checks permissions, writes to the store and tells the hub, so the HTTP,
// websocket and SSH front doors stay thin.
package desk

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/server/authz"
	"kefu/server/files"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/server/route"
	"kefu/store"
)

// Errors the front doors turn into refusals in the user's language.
var (
	ErrForbidden     = errors.New("not allowed")
	ErrBadLogin      = errors.New("wrong account or password")
	ErrNoConv        = errors.New("no such conversation")
	ErrNotYours      = errors.New("conversation is served by another agent")
	ErrEmpty         = errors.New("empty message")
	ErrTooLong       = errors.New("message too long")
	ErrVisitorGone   = errors.New("visitor is not online")
	ErrSiteDisabled  = errors.New("site is disabled or unknown")
	ErrAlreadyInChat = errors.New("visitor is already chatting")
	ErrRate          = errors.New("sending too fast")
)

// MaxMessageRunes is the longest message anyone may send.
const MaxMessageRunes = 2000

// Config tunes the desk; zero values take the defaults.
type Config struct {
	VisitGap      time.Duration // idle time that starts a new visit; default 30 min
	SeenEvery     time.Duration // heartbeats store a reading visitor's last-seen time at most this often; default 1 min (at most VisitGap/3)
	LeaveGrace    time.Duration // how long a visitor with no connection stays listed; default 5 s
	InviteTimeout time.Duration // an unanswered invite lapses; default 60 s
	MaxFileSize   int64         // largest file a visitor or admin may send; default files' own
	PublicURL     string        // how sites' pages reach kefu's web port, for embed codes
	SSHPort       string        // the port staff reach the SSH workbench on, for the hints that name it; default "2222"
	Lang          i18n.Lang     // language of system texts stored for visitors
	Log           *slog.Logger
	Now           func() time.Time
}

// Desk is the service every front door calls.
type Desk struct {
	db  *store.DB
	hub *hub.Hub
	cfg Config
	log *slog.Logger

	// lifecycle serializes decisions about who serves whom (open, take, end, transfer):
	// they are rare next to messages, and one at a time means two agents never get the same
	// visitor.
	lifecycle sync.Mutex

	invites   map[uint64]*invite          // by visitor id, guarded by lifecycle
	auto      map[uint64]*autoInviteState // by visitor id, guarded by lifecycle
	dist      route.Distribution          // the distribution engine's round-robin cursors, guarded by lifecycle
	logins    *lockout
	recs      *records // blocks and leave-message counts, kept in memory
	filesMu   sync.RWMutex
	files     *files.Store // DATA/files
	closeOnce sync.Once

	// presenceMu orders the notices that tell open chat pages whether an agent of their site
	// is online; sitesOnline is what each site's visitors were last told.
	presenceMu  sync.Mutex
	sitesOnline map[uint64]bool
}

type invite struct {
	agentID uint64
	timer   *time.Timer
}

// New builds the desk and brings conversations that were open before a restart back into the
// hub.
func New(db *store.DB, h *hub.Hub, cfg Config) (*Desk, error) {
	if cfg.VisitGap <= 0 {
		cfg.VisitGap = 30 * time.Minute
	}
	if cfg.LeaveGrace <= 0 {
		cfg.LeaveGrace = 5 * time.Second
	}
	if cfg.InviteTimeout <= 0 {
		cfg.InviteTimeout = 60 * time.Second
	}
	if cfg.SeenEvery <= 0 {
		cfg.SeenEvery = time.Minute
	}
	// A reader's visit must never lapse between two stored heartbeats.
	cfg.SeenEvery = min(cfg.SeenEvery, cfg.VisitGap/3)
	if cfg.SSHPort == "" {
		cfg.SSHPort = "2222"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := &Desk{db: db, hub: h, cfg: cfg, log: cfg.Log, invites: map[uint64]*invite{}, auto: map[uint64]*autoInviteState{}, logins: newLockout(cfg.Now), recs: &records{},
		sitesOnline: map[uint64]bool{}}
	err := db.View(func(tx *store.Tx) error {
		convs, err := tx.OpenConvs()
		if err != nil {
			return err
		}
		for i := range convs {
			h.PutConv(convView(&convs[i]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load open conversations: %w", err)
	}
	if err := d.recs.load(db); err != nil {
		return nil, fmt.Errorf("load blocks: %w", err)
	}
	fs, err := files.Open(filepath.Join(filepath.Dir(db.Path()), "files"), files.Options{MaxSize: cfg.MaxFileSize})
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	d.files = fs
	return d, nil
}

// Hub is the live state the desk keeps.
func (d *Desk) Hub() *hub.Hub { return d.hub }

// DB is the store the desk writes.
func (d *Desk) DB() *store.DB { return d.db }

// Now is the desk's clock.
func (d *Desk) Now() time.Time { return d.cfg.Now() }

// SSHPort is the port of the SSH workbench, for texts that tell people how to reach it.
func (d *Desk) SSHPort() string { return d.cfg.SSHPort }

// SSHPort is the port of the SSH workbench (the key list's hint names it).
func (s *AgentSession) SSHPort() string { return s.d.cfg.SSHPort }

// presenceChanged tells the visitors of each site whose online state differs from what they
// were last told. It runs after every change to who is at the workbench; the state is read
// under presenceMu, so the last notice a site's visitors get is always the current one.
func (d *Desk) presenceChanged(sites []uint64) {
	d.presenceMu.Lock()
	defer d.presenceMu.Unlock()
	for _, site := range sites {
		on := d.siteOnline(site)
		if on == d.sitesOnline[site] {
			continue
		}
		if on {
			d.sitesOnline[site] = true
		} else {
			delete(d.sitesOnline, site)
		}
		d.hub.ToSiteVisitors(site, hub.SiteOnline{Online: on})
	}
}

// Close stops pending timers.
func (d *Desk) Close() {
	d.closeOnce.Do(func() {
		d.lifecycle.Lock()
		defer d.lifecycle.Unlock()
		for id, inv := range d.invites {
			inv.timer.Stop()
			delete(d.invites, id)
		}
	})
}

// Bootstrap makes a fresh database usable: the default site 默认站点, the built-in roles and
// the super admin `admin`. password is the admin's; when empty one is generated and
// returned so the console can print it once. On a database that already has them it does
// nothing and returns created false.
func (d *Desk) Bootstrap(password string) (generated string, created bool, err error) {
	err = d.db.Update(func(tx *store.Tx) error {
		generated, created = "", false
		if sites, err := tx.Sites(); err != nil || len(sites) > 0 {
			return err
		}
		site := &store.Site{Name: "默认站点", Domains: []string{"localhost", "127.0.0.1", "[::1]"}, Secret: randomToken(24)}
		if err := tx.CreateSite(site); err != nil {
			return err
		}
		var superID uint64
		for _, r := range authz.BuiltinRoles() {
			r := r
			if err := tx.CreateRole(&r); err != nil {
				return err
			}
			if r.Builtin == authz.BuiltinSuper {
				superID = r.ID
			}
		}
		pw := password
		if pw == "" {
			pw = NewPassword()
			generated = pw
		}
		hash, err := HashPassword(pw)
		if err != nil {
			return err
		}
		admin := &store.Agent{Account: "admin", Name: "管理员", Nickname: "管理员", RoleID: superID, PassHash: hash, Seat: true,
			Sites: []store.SiteSeat{{SiteID: site.ID, AutoAssign: true, MaxChats: 10}}}
		if err := tx.CreateAgent(admin); err != nil {
			return err
		}
		created = true
		return nil
	})
	return generated, created, err
}

// NewPassword generates a password for an account that has none a person chose: the first
// admin's, or a reset one.
func NewPassword() string { return randomToken(12) }

// HashPassword hashes a password for storage (bcrypt, cost 10).
func HashPassword(pw string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
}

// dummyHash is compared against when the account does not exist, so a wrong account takes as
// long as a wrong password and timing tells nothing.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("kefu-no-such-account"), bcrypt.DefaultCost)

// Login checks an account (or phone or email) and password from an address. Every failure is
// ErrBadLogin, so the answer never tells whether the account exists; after repeated failures
// the account or the address is locked for a while, with the same answer.
func (d *Desk) Login(login, password, ip string) (*store.Agent, error) {
	if d.logins.locked(login, ip) {
		d.log.Warn("login refused: locked after failures", "login", login, "ip", ip)
		return nil, ErrBadLogin
	}
	a, err := d.checkPassword(login, password)
	if err != nil {
		d.logins.fail(login, ip)
		return nil, err
	}
	d.logins.succeed(login)
	return a, nil
}

func (d *Desk) checkPassword(login, password string) (*store.Agent, error) {
	var a *store.Agent
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		a, err = tx.AgentByLogin(login)
		return err
	})
	hash := dummyHash
	if err == nil && len(a.PassHash) > 0 {
		hash = a.PassHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || a.Disabled {
		return nil, ErrBadLogin
	}
	return a, nil
}

// AgentByKey finds the agent who registered the SSH key with this fingerprint, if enabled.
func (d *Desk) AgentByKey(fingerprint string) (*store.Agent, error) {
	var a *store.Agent
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		a, err = tx.AgentByKey(fingerprint)
		return err
	})
	if err != nil || a.Disabled {
		return nil, ErrBadLogin
	}
	return a, nil
}

// Agent reads an agent.
func (d *Desk) Agent(id uint64) (*store.Agent, error) {
	var a *store.Agent
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		a, err = tx.Agent(id)
		return err
	})
	return a, err
}

// Site reads a site.
func (d *Desk) Site(id uint64) (*store.Site, error) {
	var s *store.Site
	err := d.db.View(func(tx *store.Tx) error {
		var err error
		s, err = tx.Site(id)
		return err
	})
	return s, err
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
