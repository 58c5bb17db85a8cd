package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/web/wsclient"
	"kefu/store"
)

// wsServer is the web front door on a real, bootstrapped desk, over httptest.
type wsServer struct {
	t     *testing.T
	db    *store.DB
	desk  *desk.Desk
	base  string
	admin uint64
}

func newWSServer(t *testing.T, cfg desk.Config) *wsServer {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Log = log
	d, err := desk.New(db, hub.New(nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Bootstrap("pw-123456"); err != nil {
		t.Fatal(err)
	}
	w, err := New(Config{Desk: d, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(w.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w.Shutdown(ctx)
		hs.Close()
		d.Close()
		db.Close()
	})
	s := &wsServer{t: t, db: db, desk: d, base: hs.URL}
	db.View(func(tx *store.Tx) error {
		a, err := tx.AgentByLogin("admin")
		if err == nil {
			s.admin = a.ID
		}
		return err
	})
	return s
}

func (s *wsServer) dial(o wsclient.Options) *wsclient.Visitor {
	s.t.Helper()
	o.Base = s.base
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := wsclient.Dial(ctx, o)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { v.Close() })
	return v
}

func (s *wsServer) lastSeen(vid string) time.Time {
	s.t.Helper()
	var seen time.Time
	s.db.View(func(tx *store.Tx) error {
		v, err := tx.VisitorByKey(1, vid)
		if err == nil {
			seen = v.LastSeen
		}
		return err
	})
	return seen
}

// TestHeartbeatFramesKeepTheVisitAlive: the "hb" frame moves the stored last-seen time on
// (throttled by the desk), so a visitor who only reads keeps their visit.
func TestHeartbeatFramesKeepTheVisitAlive(t *testing.T) {
	s := newWSServer(t, desk.Config{VisitGap: 300 * time.Millisecond}) // heartbeats stored every 100 ms
	v := s.dial(wsclient.Options{URL: "http://localhost/手册", Title: "使用手册"})
	arrived := s.lastSeen(v.Vid)
	time.Sleep(150 * time.Millisecond)
	if err := v.Send(context.Background(), map[string]string{"t": "hb"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !s.lastSeen(v.Vid).After(arrived) {
		if time.Now().After(deadline) {
			t.Fatal("a heartbeat did not move the visitor's last-seen time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOnlineFramesFollowTheSitesAgents: an open chat page hears when the site's first agent
// comes to the workbench and when the last one leaves.
func TestOnlineFramesFollowTheSitesAgents(t *testing.T) {
	s := newWSServer(t, desk.Config{})
	v := s.dial(wsclient.Options{Kind: "chat"})
	if v.Welcome.Online {
		t.Fatal("welcome says online with nobody at the workbench")
	}
	as, _, err := s.desk.StartAgentSession(s.admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if f, err := v.Expect(ctx, "online"); err != nil || !f.Online {
		t.Fatalf("when the admin came online: %+v %v", f, err)
	}
	as.Close()
	if f, err := v.Expect(ctx, "online"); err != nil || f.Online {
		t.Fatalf("when the admin left: %+v %v", f, err)
	}
}

// TestChatWindowGetsTheAgentsPublicCard: the conv frame carries the card the visitor may see
// — nickname, work number, QQ, WeChat — and never the agent's phone or email (logins).
func TestChatWindowGetsTheAgentsPublicCard(t *testing.T) {
	s := newWSServer(t, desk.Config{})
	err := s.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(s.admin)
		if err != nil {
			return err
		}
		a.Nickname, a.WorkNo, a.QQ, a.WeChat = "小易<b>客服</b>", "0086", "452356985", "xiaoyi_kefu"
		a.Phone, a.Email = "13800138000", "xiaoyi@example.cn"
		return tx.PutAgent(a)
	})
	if err != nil {
		t.Fatal(err)
	}
	as, _, err := s.desk.StartAgentSession(s.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer as.Close()
	v := s.dial(wsclient.Options{Kind: "chat"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := v.Send(ctx, map[string]string{"t": "chat"}); err != nil {
		t.Fatal(err)
	}
	f, err := v.ExpectFunc(ctx, "conv", func(f wsclient.Frame) bool { c := f.ConvInfo(); return c != nil && c.State == "open" })
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Conv struct {
			Agent map[string]string `json:"agent"`
		} `json:"conv"`
	}
	if err := json.Unmarshal(f.Raw, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "小易<b>客服</b>", "nick": "小易<b>客服</b>", "work_no": "0086", "qq": "452356985", "wechat": "xiaoyi_kefu"}
	for k, w := range want {
		if got.Conv.Agent[k] != w {
			t.Errorf("agent.%s = %q, want %q", k, got.Conv.Agent[k], w)
		}
	}
	if raw := string(f.Raw); strings.Contains(raw, "13800138000") || strings.Contains(raw, "xiaoyi@example.cn") {
		t.Errorf("the card gave the visitor a login: %s", raw)
	}
}
