package desk_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/store"
)

// adminFixture is a real desk on a temp store with three sites: the default site, 华南分站
// (the acting agents' own site) and 华北分站 (another site).
type adminFixture struct {
	t     *testing.T
	db    *store.DB
	hub   *hub.Hub
	desk  *desk.Desk
	roles map[string]uint64 // "super", "app", "agent", "custom"
	own   uint64
	other uint64
	n     int
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := hub.New(nil)
	d, err := desk.New(db, h, desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if _, _, err := d.Bootstrap("pw-123456"); err != nil {
		t.Fatal(err)
	}
	f := &adminFixture{t: t, db: db, hub: h, desk: d, roles: map[string]uint64{}}
	err = db.Update(func(tx *store.Tx) error {
		for _, name := range []string{"华南分站", "华北分站"} {
			s := &store.Site{Name: name, Secret: "0123456789abcdef"}
			if err := tx.CreateSite(s); err != nil {
				return err
			}
			if f.own == 0 {
				f.own = s.ID
			} else {
				f.other = s.ID
			}
		}
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		for _, r := range roles {
			f.roles[r.Builtin] = r.ID
		}
		// 分站管理员: the admin modules of the sites they serve, without roles and records.
		custom := &store.Role{Name: "分站管理员", Perms: map[string]store.Scope{
			string(authz.Workbench): store.ScopeOwn, string(authz.Sites): store.ScopeOwn, string(authz.Agents): store.ScopeOwn,
			string(authz.Settings): store.ScopeOwn, string(authz.Monitor): store.ScopeOwn,
		}}
		if err := tx.CreateRole(custom); err != nil {
			return err
		}
		f.roles["custom"] = custom.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// agent stores an agent with a role serving the sites, bypassing the desk (and bcrypt).
func (f *adminFixture) agent(role string, sites ...uint64) uint64 {
	f.t.Helper()
	f.n++
	a := &store.Agent{Account: fmt.Sprintf("kefu%03d", f.n), Name: fmt.Sprintf("客服%d号", f.n), RoleID: f.roles[role], Seat: true}
	for _, s := range sites {
		a.Sites = append(a.Sites, store.SiteSeat{SiteID: s, AutoAssign: true, MaxChats: 3})
	}
	if err := f.db.Update(func(tx *store.Tx) error { return tx.CreateAgent(a) }); err != nil {
		f.t.Fatal(err)
	}
	return a.ID
}

// role stores a custom role nobody holds.
func (f *adminFixture) role() uint64 {
	f.t.Helper()
	f.n++
	r := &store.Role{Name: fmt.Sprintf("临时角色%d", f.n), Perms: map[string]store.Scope{string(authz.Workbench): store.ScopeOwn}}
	if err := f.db.Update(func(tx *store.Tx) error { return tx.CreateRole(r) }); err != nil {
		f.t.Fatal(err)
	}
	return r.ID
}

func newKey(t *testing.T) (line, fingerprint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(gossh.MarshalAuthorizedKey(pk)), gossh.FingerprintSHA256(pk)
}

// action is one admin action taken by session s on site (its own site or another).
type action struct {
	name string
	run  func(f *adminFixture, s *desk.AgentSession, site uint64) error
	// allowed[role] = {on own site, on the other site}
	allowed map[string][2]bool
}

var (
	everywhere = map[string][2]bool{"super": {true, true}, "app": {true, true}, "agent": {false, false}, "custom": {true, true}}
	perSite    = map[string][2]bool{"super": {true, true}, "app": {true, true}, "agent": {false, false}, "custom": {true, false}}
	allSites   = map[string][2]bool{"super": {true, true}, "app": {true, true}, "agent": {false, false}, "custom": {false, false}}
	superOnly  = map[string][2]bool{"super": {true, true}, "app": {false, false}, "agent": {false, false}, "custom": {false, false}}
	anyone     = map[string][2]bool{"super": {true, true}, "app": {true, true}, "agent": {true, true}, "custom": {true, true}}
)

func adminActions() []action {
	return []action{
		{"site list", func(f *adminFixture, s *desk.AgentSession, site uint64) error { _, err := s.Sites(); return err }, everywhere},
		{"site create", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.n++
			_, err := s.CreateSite(desk.SiteInput{Name: fmt.Sprintf("新网站%d", f.n), Domains: []string{"shop.example.cn"}})
			return err
		}, allSites},
		{"site edit", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.n++
			_, err := s.UpdateSite(site, desk.SiteInput{Name: fmt.Sprintf("改名的网站%d", f.n), Domains: []string{"*.example.cn"}})
			return err
		}, perSite},
		{"site disable", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			if err := s.SetSiteDisabled(site, true); err != nil {
				return err
			}
			return s.SetSiteDisabled(site, false)
		}, perSite},
		{"agent list", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.ListAgents(site, "客服")
			return err
		}, perSite},
		{"agent list all", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.ListAgents(0, "")
			return err
		}, allSites},
		{"agent create", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.n++
			_, err := s.CreateAgent(site, desk.AgentInput{Account: fmt.Sprintf("new%d", f.n), Name: "新客服", Password: "secret-1", RoleID: f.roles["agent"], Seat: true})
			return err
		}, perSite},
		{"agent edit", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			id := f.agent("agent", site)
			_, err := s.UpdateAgent(id, desk.AgentInput{Name: "改过的名字", Nickname: "小改", RoleID: f.roles["agent"], Seat: true})
			return err
		}, perSite},
		{"agent detail", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.AgentDetail(f.agent("agent", site))
			return err
		}, perSite},
		{"agent disable", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.SetAgentDisabled(f.agent("agent", site), true)
		}, perSite},
		{"key add (colleague)", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			line, _ := newKey(f.t)
			_, err := s.AddKey(f.agent("agent", site), line)
			return err
		}, perSite},
		{"key list (colleague)", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.Keys(f.agent("agent", site))
			return err
		}, perSite},
		{"key remove (colleague)", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			id := f.agent("agent", site)
			line, fp := newKey(f.t)
			if _, err := f.desk.CommandSession(id).AddKey(0, line); err != nil {
				f.t.Fatal(err)
			}
			return s.RemoveKey(id, fp)
		}, perSite},
		{"own keys", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			line, fp := newKey(f.t)
			if _, err := s.AddKey(0, line); err != nil {
				return err
			}
			if _, err := s.Keys(s.AgentID); err != nil {
				return err
			}
			return s.RemoveKey(s.AgentID, fp)
		}, anyone},
		{"role list", func(f *adminFixture, s *desk.AgentSession, site uint64) error { _, err := s.Roles(); return err }, everywhere},
		{"role create", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.n++
			_, err := s.CreateRole(fmt.Sprintf("复制角色%d", f.n), f.roles["agent"])
			return err
		}, superOnly},
		{"role edit", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.UpdateRole(f.role(), "改过的角色"+fmt.Sprint(f.n), map[string]store.Scope{"workbench": store.ScopeAll})
			return err
		}, superOnly},
		{"role delete", func(f *adminFixture, s *desk.AgentSession, site uint64) error { return s.DeleteRole(f.role()) }, superOnly},
		{"settings read", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.SiteSettings(site)
			return err
		}, perSite},
		{"settings save", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.SaveSiteSettings(site, store.SiteSettings{ChatTitle: "在线咨询", Color: "#1677ff", IconPos: desk.IconLeft})
			return err
		}, perSite},
		{"seat list", func(f *adminFixture, s *desk.AgentSession, site uint64) error { _, err := s.Seats(site); return err }, perSite},
		{"seat set", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.SetSeat(f.agent("agent", site), store.SiteSeat{SiteID: site, AutoAssign: true, Regions: []string{"广东", "华北"}, MaxChats: 4})
		}, perSite},
		{"seat assign", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.SetSeat(f.agent("agent"), store.SiteSeat{SiteID: site, AutoAssign: true, MaxChats: 4})
		}, allSites}, // an agent of no site is managed only by admins of every site
		{"seat remove", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.RemoveSeat(f.agent("agent", site), site)
		}, perSite},
		{"records", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.Records(site, 0, 10)
			return err
		},
			map[string][2]bool{"super": {true, true}, "app": {true, true}, "agent": {false, false}, "custom": {false, false}}},
	}
}

// TestPermissionMatrix runs every admin action as every built-in role and a custom role, on
// the acting agent's own site and on another site, against the real desk: an action is
// either done or refused with ErrForbidden, as the role says.
func TestPermissionMatrix(t *testing.T) {
	f := newAdminFixture(t)
	actors := map[string]*desk.AgentSession{}
	for _, role := range []string{"super", "app", "agent", "custom"} {
		actors[role] = f.desk.CommandSession(f.agent(role, f.own))
	}
	runMatrix(t, f, adminActions(), func(role string) *desk.AgentSession { return actors[role] })
}

// runMatrix runs each action as each role (the session actor gives) on the actor's own site
// and on the other site, and checks it was done or refused with ErrForbidden as allowed says.
func runMatrix(t *testing.T, f *adminFixture, actions []action, actor func(role string) *desk.AgentSession) {
	for _, a := range actions {
		for _, role := range []string{"super", "app", "agent", "custom"} {
			for i, where := range []string{"own site", "other site"} {
				site := f.own
				if i == 1 {
					site = f.other
				}
				t.Run(a.name+"/"+role+"/"+where, func(t *testing.T) {
					f.t = t
					err := a.run(f, actor(role), site)
					want := a.allowed[role][i]
					switch {
					case want && err != nil:
						t.Fatalf("refused: %v", err)
					case !want && !errors.Is(err, desk.ErrForbidden):
						t.Fatalf("want ErrForbidden, got %v", err)
					}
				})
			}
		}
	}
}

// TestRoleChangeTakesEffectOnNextAction: the permission is read from the store at each action.
func TestRoleChangeTakesEffectOnNextAction(t *testing.T) {
	f := newAdminFixture(t)
	super := f.desk.CommandSession(f.agent("super", f.own))
	id := f.agent("custom", f.own)
	s := f.desk.CommandSession(id)
	if _, err := s.SiteSettings(f.own); err != nil {
		t.Fatalf("before: %v", err)
	}
	// Take 设置中心 away from the role: refused at once, same session.
	if _, err := super.UpdateRole(f.roles["custom"], "分站管理员", map[string]store.Scope{"workbench": "own", "agents": "own"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SiteSettings(f.own); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("after removing settings: %v", err)
	}
	// Give the agent another role: allowed again.
	if _, err := super.UpdateAgent(id, desk.AgentInput{Name: "换了角色", RoleID: f.roles["app"], Seat: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SiteSettings(f.other); err != nil {
		t.Fatalf("as app admin: %v", err)
	}
	// A disabled agent can do nothing, not even with their old session.
	if err := super.SetAgentDisabled(id, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SiteSettings(f.own); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("disabled: %v", err)
	}
}

// TestAdminRefusals: the rules beside permissions, each with its own error.
func TestAdminRefusals(t *testing.T) {
	f := newAdminFixture(t)
	superID := f.agent("super", f.own)
	super := f.desk.CommandSession(superID)
	app := f.desk.CommandSession(f.agent("app", f.own))
	victim := f.agent("super", f.own)

	check := func(name string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", name, err, want)
		}
	}
	check("disable the default site", super.SetSiteDisabled(store.DefaultSiteID, true), desk.ErrDefaultSite)
	_, err := super.UpdateRole(f.roles["app"], "我的应用管理员", map[string]store.Scope{"workbench": "all"})
	check("change a built-in role", err, desk.ErrBuiltinRole)
	check("delete a built-in role", super.DeleteRole(f.roles["agent"]), desk.ErrBuiltinRole)
	check("delete a custom role nobody holds", super.DeleteRole(f.role()), nil)
	r, err := super.CreateRole("分站管理员二", f.roles["agent"])
	check("copy a role", err, nil)
	_, err = super.CreateRole("分站管理员二", f.roles["agent"])
	check("duplicate role name", err, desk.ErrRoleTaken)
	_, err = super.CreateRole("一个名字长到超过二十个字的角色名称一二三四五", f.roles["agent"])
	var fe *desk.FieldError
	if !errors.As(err, &fe) || fe.Field != "role_name" {
		t.Errorf("long role name: %v", err)
	}
	if err := f.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(victim)
		if err != nil {
			return err
		}
		a.RoleID = r.ID
		return tx.PutAgent(a)
	}); err != nil {
		t.Fatal(err)
	}
	check("delete a role someone holds", super.DeleteRole(r.ID), desk.ErrRoleInUse)
	check("disable oneself", super.SetAgentDisabled(superID, true), desk.ErrSelf)
	_, err = super.UpdateAgent(superID, desk.AgentInput{Name: "管理员", RoleID: f.roles["agent"], Seat: true})
	check("change one's own role", err, desk.ErrSelf)

	// No escalation: an app admin can neither hand out nor touch super admin.
	_, err = app.CreateAgent(f.own, desk.AgentInput{Account: "sneaky", Name: "偷偷的", Password: "secret-1", RoleID: f.roles["super"]})
	check("app admin grants super admin", err, desk.ErrRoleTooStrong)
	check("app admin disables a super admin", app.SetAgentDisabled(superID, true), desk.ErrForbidden)
	_, err = app.UpdateAgent(superID, desk.AgentInput{Name: "改名", RoleID: f.roles["super"], Password: "hijacked1", Seat: true})
	check("app admin resets a super admin's password", err, desk.ErrForbidden)

	// Logins are unique across account, phone and email.
	_, err = super.CreateAgent(f.own, desk.AgentInput{Account: "Kefu001", Name: "重复账号", Password: "secret-1", RoleID: f.roles["agent"]})
	check("account taken", err, desk.ErrLoginTaken)
	_, err = super.CreateAgent(f.own, desk.AgentInput{Account: "zhangsan", Name: "张三", Password: "secret-1", Phone: "13500000000", RoleID: f.roles["agent"]})
	check("create 张三", err, nil)
	_, err = super.CreateAgent(f.own, desk.AgentInput{Account: "13500000000", Name: "李四", Password: "secret-1", RoleID: f.roles["agent"]})
	check("account equal to a phone", err, desk.ErrLoginTaken)

	// Keys: one owner per key.
	line, fp := newKey(t)
	_, err = super.AddKey(0, line)
	check("add own key", err, nil)
	_, err = super.AddKey(victim, line)
	check("someone else's key", err, desk.ErrKeyTaken)
	_, err = super.AddKey(0, "ssh-ed25519 not-a-key")
	check("garbage key", err, desk.ErrBadKey)
	check("remove unknown key", super.RemoveKey(0, "SHA256:nope"), desk.ErrNoKey)
	check("remove key", super.RemoveKey(0, fp), nil)
}

// TestValidation: what admins type is checked field by field, in the UI language.
func TestValidation(t *testing.T) {
	f := newAdminFixture(t)
	super := f.desk.CommandSession(f.agent("super", f.own))
	for _, tt := range []struct {
		name  string
		in    desk.AgentInput
		field string
	}{
		{"account with spaces", desk.AgentInput{Account: "zhang san", Name: "张三", Password: "secret-1"}, "account"},
		{"account with Chinese", desk.AgentInput{Account: "张三", Name: "张三", Password: "secret-1"}, "account"},
		{"short password", desk.AgentInput{Account: "zhangsan", Name: "张三", Password: "12345"}, "password"},
		{"long password", desk.AgentInput{Account: "zhangsan", Name: "张三", Password: "123456789012345678901"}, "password"},
		{"password with a space", desk.AgentInput{Account: "zhangsan", Name: "张三", Password: "secret 12"}, "password"},
		{"one-character name", desk.AgentInput{Account: "zhangsan", Name: "张", Password: "secret-1"}, "name"},
		{"21-character name", desk.AgentInput{Account: "zhangsan", Name: "一二三四五六七八九十一二三四五六七八九十一", Password: "secret-1"}, "name"},
		{"name with escapes", desk.AgentInput{Account: "zhangsan", Name: "张三\x1b[31m", Password: "secret-1"}, "name"},
		{"bad email", desk.AgentInput{Account: "zhangsan", Name: "张三", Password: "secret-1", Email: "zhangsan@"}, "email"},
		{"bad phone", desk.AgentInput{Account: "zhangsan", Name: "张三", Password: "secret-1", Phone: "135-abc"}, "phone"},
	} {
		tt.in.RoleID = f.roles["agent"]
		_, err := super.CreateAgent(f.own, tt.in)
		var fe *desk.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: %v, want a %s error", tt.name, err, tt.field)
		}
	}
	if _, err := super.CreateAgent(f.own, desk.AgentInput{Account: "wang.wu_2", Name: "王五", Password: "6chars", Email: "wangwu@example.cn",
		Phone: "+86-13800138000", RoleID: f.roles["agent"]}); err != nil {
		t.Errorf("valid agent refused: %v", err)
	}
	for _, st := range []store.SiteSettings{{Color: "red"}, {IconPos: "top"}, {AutoInvite: true}, {CustomURL: "javascript:alert(1)"}, {PreChat: []string{"身份证"}}} {
		if _, err := super.SaveSiteSettings(f.own, st); err == nil {
			t.Errorf("settings %+v accepted", st)
		}
	}
	if err := super.SetSeat(f.agent("agent", f.own), store.SiteSeat{SiteID: f.own, Regions: []string{"火星"}}); err == nil {
		t.Error("unknown region accepted")
	}
	if _, err := super.CreateSite(desk.SiteInput{Name: "坏域名", Domains: []string{"exa mple.com", "<script>"}}); err == nil {
		t.Error("bad domain accepted")
	}
}

// TestDisablingEndsSessions: a disabled agent's workbench is told to close, and their
// settings change reaches the site's open widgets.
func TestDisablingEndsSessionsAndSettingsReachWidgets(t *testing.T) {
	f := newAdminFixture(t)
	super := f.desk.CommandSession(f.agent("super", f.own))
	victim := f.agent("agent", f.own)
	as, _, err := f.desk.StartAgentSession(victim)
	if err != nil {
		t.Fatal(err)
	}
	defer as.Close()
	widget := f.hub.Subscribe(hub.Filter{VisitorID: 999, VisitorSite: f.own}, 0)
	defer f.hub.Unsubscribe(widget)

	if err := super.SetAgentDisabled(victim, true); err != nil {
		t.Fatal(err)
	}
	if !waitEvent(as.Events(), func(ev hub.Event) bool { b, ok := ev.(hub.Bye); return ok && b.Code == "disabled" && b.Text != "" }) {
		t.Fatal("the disabled agent's session was not told to close")
	}
	if a, err := f.desk.Agent(victim); err != nil || !a.Disabled {
		t.Fatalf("agent not disabled: %v", err)
	}
	if _, err := super.SaveSiteSettings(f.own, store.SiteSettings{ChatTitle: "华南客服中心", Welcome: "您好！"}); err != nil {
		t.Fatal(err)
	}
	if !waitEvent(widget.C(), func(ev hub.Event) bool { s, ok := ev.(hub.SettingsChanged); return ok && s.SiteID == f.own }) {
		t.Fatal("open widgets were not told the settings changed")
	}
}

func waitEvent(ch <-chan hub.Event, ok func(hub.Event) bool) bool {
	for {
		select {
		case ev, open := <-ch:
			if !open {
				return false
			}
			if ok(ev) {
				return true
			}
		default:
			return false
		}
	}
}

// TestSeatRefusals: distribution seats follow the rules of every other agent action. An
// admin of their own site (设置中心 and 客服管理 there) neither tunes a super admin's seat
// on that site, nor takes one off it or onto it, nor takes in an agent of another site; an
// app admin does not touch a super admin's seat either. What they manage they change.
func TestSeatRefusals(t *testing.T) {
	f := newAdminFixture(t)
	custom := f.desk.CommandSession(f.agent("custom", f.own))
	app := f.desk.CommandSession(f.agent("app", f.own))
	superHere := f.agent("super", f.own)
	superNowhere := f.agent("super")
	theirs := f.agent("agent", f.other)
	shared := f.agent("agent", f.own, f.other)
	mine := f.agent("agent", f.own)

	seatOf := func(id, site uint64) *store.SiteSeat {
		t.Helper()
		a, err := f.desk.Agent(id)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Sites {
			if a.Sites[i].SiteID == site {
				return &a.Sites[i]
			}
		}
		return nil
	}
	refused := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("%s: got %v, want ErrForbidden", name, err)
		}
	}
	quiet := store.SiteSeat{SiteID: f.own, AutoAssign: false, MaxChats: 1}
	refused("site admin turns off a super admin's auto-assign", custom.SetSeat(superHere, quiet))
	refused("site admin takes a super admin off the site", custom.RemoveSeat(superHere, f.own))
	refused("site admin assigns a super admin to the site", custom.SetSeat(superNowhere, quiet))
	refused("site admin takes in another site's agent", custom.SetSeat(theirs, quiet))
	refused("site admin takes a shared agent off the site", custom.RemoveSeat(shared, f.own))
	refused("site admin changes a seat on another site", custom.SetSeat(shared, store.SiteSeat{SiteID: f.other, MaxChats: 1}))
	refused("app admin lowers a super admin's maximum", app.SetSeat(superHere, quiet))
	refused("app admin takes a super admin off the site", app.RemoveSeat(superHere, f.own))
	if s := seatOf(superHere, f.own); s == nil || !s.AutoAssign || s.MaxChats != 3 {
		t.Errorf("the super admin's seat changed: %+v", s)
	}
	if seatOf(superNowhere, f.own) != nil || seatOf(theirs, f.own) != nil || seatOf(shared, f.own) == nil {
		t.Error("a refused assignment or removal was stored")
	}

	// What the site admin manages, or a seat on their site of someone no stronger, they change.
	if err := custom.SetSeat(shared, store.SiteSeat{SiteID: f.own, AutoAssign: true, Regions: []string{"华南"}, MaxChats: 8}); err != nil {
		t.Errorf("site admin tunes a shared agent's seat on the site: %v", err)
	}
	if s := seatOf(shared, f.own); s == nil || s.MaxChats != 8 || len(s.Regions) != 1 {
		t.Errorf("the shared agent's seat: %+v", s)
	}
	if err := custom.RemoveSeat(mine, f.own); err != nil {
		t.Errorf("site admin takes their own agent off the site: %v", err)
	}
	if err := f.desk.CommandSession(superHere).SetSeat(theirs, quiet); err != nil {
		t.Errorf("super admin assigns another site's agent: %v", err)
	}
}

// workbench: what the workbench may do is scoped like the role's 工作台 — super and app
// admins everywhere, agents and the custom role on the sites they serve.
var workbench = map[string][2]bool{"super": {true, true}, "app": {true, true}, "agent": {true, false}, "custom": {true, false}}

// liveAction is one workbench action taken by an agent at the workbench (status 忙碌, so
// the distribution gives them nothing by itself) on a site, their own or another.
type liveAction = action

// servedChat gives the session's agent an open chat with a new visitor of the site. An agent
// who may not work on the site gets it as if they had served the site when the chat started
// and were taken off it since: the actions on the chat must then be refused.
func (f *adminFixture) servedChat(s *desk.AgentSession, site uint64) *hub.ConvView {
	f.t.Helper()
	vs := f.visitorOn(site, ipGuangdong)
	a, err := f.desk.Agent(s.AgentID)
	if err != nil {
		f.t.Fatal(err)
	}
	sites := a.Sites
	setSites := func(seats []store.SiteSeat) {
		if err := f.db.Update(func(tx *store.Tx) error {
			x, err := tx.Agent(s.AgentID)
			if err != nil {
				return err
			}
			x.Sites = seats
			return tx.PutAgent(x)
		}); err != nil {
			f.t.Fatal(err)
		}
	}
	if !a.Serves(site) {
		setSites(append(append([]store.SiteSeat(nil), sites...), store.SiteSeat{SiteID: site, MaxChats: 3}))
		defer setSites(sites)
	}
	c, err := s.OpenChat(vs.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// superOf is a super admin serving nobody in particular, for setting up what an action acts on.
func (f *adminFixture) superOf() *desk.AgentSession {
	f.t.Helper()
	return f.desk.CommandSession(f.agent("super"))
}

// commonFile puts a common file on the site.
func (f *adminFixture) commonFile(site uint64) store.CommonFile {
	f.t.Helper()
	fa := f.desk.FileAccess(f.superOf().AgentID)
	u, err := fa.NewUpload(site)
	if err != nil {
		f.t.Fatal(err)
	}
	u.Write(samplePDF)
	cf, err := fa.PutCommonFile(site, "价目表", fmt.Sprintf("价目表%d.pdf", f.n), u)
	if err != nil {
		f.t.Fatal(err)
	}
	return cf
}

// publicReply stores a public canned reply of the site.
func (f *adminFixture) publicReply(site uint64) store.CannedReply {
	f.t.Helper()
	c, err := f.superOf().CreateCanned(site, false, desk.CannedInput{Group: "售前", Title: "价格", Text: "企业版每年 3980 元。"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func liveActions() []liveAction {
	return []liveAction{
		{"open chat", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.OpenChat(f.visitorOn(site, ipBeijing).ID)
			return err
		}, workbench},
		{"accept", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			c, err := f.visitorOn(site, ipBeijing).RequestChat()
			if err != nil || c.State != store.ConvWaiting {
				f.t.Fatalf("request: %+v %v", c, err)
			}
			_, err = s.Accept(c.ID)
			return err
		}, workbench},
		{"send", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.Send(f.servedChat(s, site).ID, "", "您好，请问有什么可以帮您？")
			return err
		}, workbench},
		{"end", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.End(f.servedChat(s, site).ID)
		}, workbench},
		{"invite", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.Invite(f.visitorOn(site, ipShanghai).ID)
		}, workbench},
		{"transcript", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			c, err := f.superOf().OpenChat(f.visitorOn(site, ipBeijing).ID)
			if err != nil {
				f.t.Fatal(err)
			}
			_, _, err = s.Transcript(c.ID, 0, 50)
			return err
		}, workbench},
		{"transfer", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			c := f.servedChat(s, site)
			to := f.online(f.agent("super"))
			to.SetStatus(hub.StatusBusy)
			_, err := s.Transfer(c.ID, to.AgentID, "这位客户要开发票")
			return err
		}, workbench},
		{"visitor detail", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.Visitor(f.visitorOn(site, ipBeijing).ID, 10)
			return err
		}, workbench},
		{"save card", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.SaveCard(f.visitorOn(site, ipBeijing).ID, store.Card{Name: "王小明", Phone: "13800138000", Company: "天助网"})
		}, workbench},
		{"block", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.Block(f.visitorOn(site, ipBeijing).ID, false, "发广告", time.Hour)
			return err
		}, workbench},
		{"block list", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.Blocks(site, false)
			return err
		}, workbench},
		// The blacklist is the site admins' to keep (设置中心): agents block, admins lift.
		{"block lift", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			b, err := f.superOf().Block(f.visitorOn(site, ipShanghai).ID, false, "误封", 0)
			if err != nil {
				f.t.Fatal(err)
			}
			return s.Unblock(b.ID)
		}, perSite},
		{"leave messages", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.LeaveMessages(site, nil)
			return err
		}, workbench},
		{"leave message processed", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.n++
			m, err := f.visitorOn(site, ipBeijing).Leave(fmt.Sprint("leave-", f.n), desk.LeaveForm{Name: "李四", Phone: "13900000000", Text: "请回电"})
			if err != nil {
				f.t.Fatal(err)
			}
			_, err = s.MarkProcessed(m.ID, true)
			return err
		}, workbench},
		{"canned read", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.CannedReplies(site)
			return err
		}, workbench},
		{"canned export", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.ExportCannedCSV(site, false, io.Discard)
		}, workbench},
		{"canned personal", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			c, err := s.CreateCanned(site, true, desk.CannedInput{Group: "问候", Text: "您好！"})
			if err != nil {
				return err
			}
			if _, err := s.UpdateCanned(c.ID, desk.CannedInput{Group: "问候", Text: "您好，欢迎光临！"}); err != nil {
				return err
			}
			return s.DeleteCanned(c.ID)
		}, anyone},
		{"canned public add", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.CreateCanned(site, false, desk.CannedInput{Group: "售后", Title: "退款", Text: "七天无理由退款。"})
			return err
		}, perSite},
		{"canned public edit", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.UpdateCanned(f.publicReply(site).ID, desk.CannedInput{Group: "售前", Title: "价格", Text: "企业版每年 4980 元。"})
			return err
		}, perSite},
		{"canned public move", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.publicReply(site)
			return s.MoveCanned(f.publicReply(site).ID, -1)
		}, perSite},
		{"canned public group order", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.publicReply(site)
			return s.MoveCannedGroup(site, false, "售前", 1)
		}, perSite},
		{"canned public delete", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			return s.DeleteCanned(f.publicReply(site).ID)
		}, perSite},
		{"canned public import", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			_, err := s.ImportCannedCSV(site, false, strings.NewReader("分组,标题,内容\n售前,发票,可以开增值税专用发票。\n"))
			return err
		}, perSite},
		{"common files read", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			f.commonFile(site)
			_, err := s.CommonFiles(site)
			return err
		}, workbench},
		{"common file send", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			cf := f.commonFile(site)
			_, err := s.SendCommonFile(f.servedChat(s, site).ID, cf.ID, "")
			return err
		}, workbench},
		{"common file upload", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			u, err := f.desk.FileAccess(s.AgentID).NewUpload(site)
			if err != nil {
				return err
			}
			u.Write(samplePDF)
			_, err = f.desk.FileAccess(s.AgentID).PutCommonFile(site, "合同", "合同模板.pdf", u)
			return err
		}, perSite},
		{"find agent", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			a, err := f.desk.Agent(f.agent("agent", site))
			if err != nil {
				f.t.Fatal(err)
			}
			_, err = s.FindAgent(a.Account)
			if errors.Is(err, desk.ErrNoAgent) {
				// An agent outside the caller's sites is not found rather than refused, so
				// that an admin of some sites cannot learn which logins exist elsewhere.
				return desk.ErrForbidden
			}
			return err
		}, perSite},
		{"find oneself", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			a, err := f.desk.Agent(s.AgentID)
			if err != nil {
				f.t.Fatal(err)
			}
			_, err = s.FindAgent(a.Account)
			return err
		}, anyone},
		{"agent enable", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			id := f.agent("agent", site)
			if err := f.superOf().SetAgentDisabled(id, true); err != nil {
				f.t.Fatal(err)
			}
			return s.SetAgentDisabled(id, false)
		}, perSite},
		{"site enable", func(f *adminFixture, s *desk.AgentSession, site uint64) error {
			super := f.superOf()
			if err := super.SetSiteDisabled(site, true); err != nil {
				f.t.Fatal(err)
			}
			defer super.SetSiteDisabled(site, false)
			return s.SetSiteDisabled(site, false)
		}, perSite},
	}
}

// TestWorkbenchPermissionMatrix runs every workbench action as every built-in role and a
// custom role, at the workbench, on the agent's own site and on another site: done, or
// refused with ErrForbidden, as the role says. (Issue 5: one table for every action.)
func TestWorkbenchPermissionMatrix(t *testing.T) {
	f := newAdminFixture(t)
	runMatrix(t, f, liveActions(), func(role string) *desk.AgentSession {
		s := f.online(f.agent(role, f.own))
		s.SetStatus(hub.StatusBusy)
		return s
	})
}
