package desk_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/files"
	"kefu/server/hub"
	"kefu/store"
)

var (
	samplePDF = []byte("%PDF-1.4\n% 报价单\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	sampleExe = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00")
)

// fileFixture is a desk on a temp store with the default site (1) and a second site, an admin
// (super role) and agents of the built-in agent role on each site.
type fileFixture struct {
	t      *testing.T
	db     *store.DB
	desk   *desk.Desk
	admin  uint64
	agent1 uint64 // 普通客服 of site 1
	agent2 uint64 // 普通客服 of site 2 only
	site2  uint64
}

func newFileFixture(t *testing.T) *fileFixture {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	seedFiles(t, db)
	f := &fileFixture{t: t, db: db, desk: d}
	err = db.Update(func(tx *store.Tx) error {
		admin, err := tx.AgentByLogin("admin")
		if err != nil {
			return err
		}
		f.admin = admin.ID
		site := &store.Site{Name: "华北分站", Secret: "0123456789abcdef"}
		if err := tx.CreateSite(site); err != nil {
			return err
		}
		f.site2 = site.ID
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		var agentRole uint64
		for _, r := range roles {
			if r.Builtin == "agent" {
				agentRole = r.ID
			}
		}
		for i, s := range []uint64{1, site.ID} {
			a := &store.Agent{Account: fmt.Sprintf("kefu%d", i+1), Name: fmt.Sprintf("客服%d", i+1), RoleID: agentRole, Seat: true,
				Sites: []store.SiteSeat{{SiteID: s, MaxChats: 3}}}
			if err := tx.CreateAgent(a); err != nil {
				return err
			}
			if i == 0 {
				f.agent1 = a.ID
			} else {
				f.agent2 = a.ID
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// chatting puts a visitor on the chat page of site 1 with a waiting conversation.
func (f *fileFixture) chatting(vid string) (*desk.VisitorSession, uint64) {
	f.t.Helper()
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: vid, Chat: true})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(vs.Close)
	m, err := vs.Send("hello-"+vid, "我想发个文件")
	if err != nil {
		f.t.Fatal(err)
	}
	return vs, m.ConvID
}

func TestVisitorFile(t *testing.T) {
	f := newFileFixture(t)
	const vid = "visitor-file-0001"
	_, convID := f.chatting(vid)

	m, err := f.desk.VisitorFile(1, vid, "f-1", "../../报价单.pdf", bytes.NewReader(samplePDF))
	if err != nil {
		t.Fatal(err)
	}
	if m.ConvID != convID || m.From != store.FromVisitor || m.File == nil || m.File.Name != "报价单.pdf" ||
		m.File.Size != int64(len(samplePDF)) || m.File.Type != "application/pdf" || m.Text != "报价单.pdf" {
		t.Fatalf("message %+v file %+v", m, m.File)
	}
	// A retried upload is stored once.
	again, err := f.desk.VisitorFile(1, vid, "f-1", "报价单.pdf", bytes.NewReader(samplePDF))
	if err != nil || again.Seq != m.Seq {
		t.Fatalf("retry: seq %d want %d, %v", again.Seq, m.Seq, err)
	}
	f.db.View(func(tx *store.Tx) error {
		meta, err := tx.FileMeta(m.File.Hash)
		if err != nil || meta.Size != m.File.Size {
			t.Fatalf("file record %+v %v", meta, err)
		}
		msgs, _ := tx.Messages(convID, 0, 0)
		if len(msgs) != 2 {
			t.Fatalf("%d messages stored, want 2", len(msgs))
		}
		return nil
	})
	if p := desk.FilePath(m); p != fmt.Sprintf("conv/%d/%d-报价单.pdf", convID, m.Seq) {
		t.Fatalf("path %q", p)
	}
	if c := desk.SCPCommand("admin", "kefu.example.com", 2222, m); c != fmt.Sprintf("scp -P 2222 admin@kefu.example.com:conv/%d/%d-报价单.pdf .", convID, m.Seq) {
		t.Fatalf("command %q", c)
	}
	if u, err := f.desk.FileURL(m.File); err != nil || !strings.HasPrefix(u, "/f/"+m.File.Hash+".") {
		t.Fatalf("url %q %v", u, err)
	}

	// Refusals.
	if _, err := f.desk.VisitorFile(1, vid, "f-2", "setup.pdf", bytes.NewReader(sampleExe)); !errors.Is(err, files.ErrExecutable) {
		t.Fatalf("executable: %v", err)
	}
	if _, err := f.desk.VisitorFile(1, "unknown-visitor-01", "f-3", "a.pdf", bytes.NewReader(samplePDF)); !errors.Is(err, desk.ErrNoConv) {
		t.Fatalf("unknown visitor: %v", err)
	}
	if _, err := f.desk.VisitorFile(1, "short", "f-3", "a.pdf", bytes.NewReader(samplePDF)); !errors.Is(err, desk.ErrNoConv) {
		t.Fatalf("bad vid: %v", err)
	}
	if _, err := f.desk.VisitorFile(f.site2, vid, "f-3", "a.pdf", bytes.NewReader(samplePDF)); !errors.Is(err, desk.ErrNoConv) {
		t.Fatalf("another site: %v", err)
	}
	if _, err := f.desk.VisitorFile(1, vid, strings.Repeat("c", 65), "a.pdf", bytes.NewReader(samplePDF)); !errors.Is(err, desk.ErrBadCID) {
		t.Fatalf("long cid: %v", err)
	}
	// A visitor who has not asked for a chat, or whose chat ended, cannot upload.
	vs2, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "visitor-file-0002", Chat: true})
	if err != nil {
		t.Fatal(err)
	}
	defer vs2.Close()
	if _, err := f.desk.VisitorFile(1, "visitor-file-0002", "f-4", "a.pdf", bytes.NewReader(samplePDF)); !errors.Is(err, desk.ErrNoConv) {
		t.Fatalf("without a conversation: %v", err)
	}
	vs3, _ := f.chatting("visitor-file-0003")
	if err := vs3.End(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.VisitorFile(1, "visitor-file-0003", "f-5", "a.pdf", bytes.NewReader(samplePDF)); !errors.Is(err, desk.ErrNoConv) {
		t.Fatalf("after the end: %v", err)
	}
}

func TestConvFilesArePermissionChecked(t *testing.T) {
	f := newFileFixture(t)
	const vid = "visitor-file-0010"
	_, convID := f.chatting(vid)
	m, err := f.desk.VisitorFile(1, vid, "", "合同 (终稿).pdf", bytes.NewReader(samplePDF))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d-合同__终稿_.pdf", m.Seq)
	for _, who := range []uint64{f.admin, f.agent1} {
		fa := f.desk.FileAccess(who)
		list, err := fa.ConvFiles(convID)
		if err != nil || len(list) != 1 || list[0].Name != want {
			t.Fatalf("agent %d lists %+v %v", who, list, err)
		}
		cf, err := fa.ConvFile(convID, want)
		if err != nil {
			t.Fatal(err)
		}
		file, err := fa.Open(cf.Message.File)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(file)
		file.Close()
		if !bytes.Equal(got, samplePDF) {
			t.Fatal("content differs")
		}
		if ids := fa.Convs(); len(ids) != 1 || ids[0] != convID {
			t.Fatalf("agent %d sees conversations %v", who, ids)
		}
	}
	other := f.desk.FileAccess(f.agent2)
	if _, err := other.ConvFiles(convID); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("agent of another site: %v", err)
	}
	if ids := other.Convs(); len(ids) != 0 {
		t.Fatalf("agent of another site sees %v", ids)
	}
	if _, err := f.desk.FileAccess(f.admin).ConvFile(convID, "1-nothing.pdf"); !errors.Is(err, desk.ErrNoFile) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestCommonFiles(t *testing.T) {
	f := newFileFixture(t)
	admin := f.desk.FileAccess(f.admin)
	put := func(fa *desk.FileAccess, site uint64, folder, name string, data []byte) (store.CommonFile, error) {
		u, err := fa.NewUpload(site)
		if err != nil {
			return store.CommonFile{}, err
		}
		u.Write(data)
		return fa.PutCommonFile(site, folder, name, u)
	}
	cf, err := put(admin, 1, "价目表", "2024 价目表.pdf", samplePDF)
	if err != nil || cf.ID == 0 || cf.Folder != "价目表" || cf.AddedBy != f.admin {
		t.Fatalf("put: %+v %v", cf, err)
	}
	// Agents read but do not change common files; another site's agent does neither.
	if _, err := put(f.desk.FileAccess(f.agent1), 1, "价目表", "x.pdf", samplePDF); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("agent upload: %v", err)
	}
	if list, err := f.desk.FileAccess(f.agent1).CommonFiles(1); err != nil || len(list) != 1 {
		t.Fatalf("agent lists %v %v", list, err)
	}
	if _, err := f.desk.FileAccess(f.agent2).CommonFiles(1); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("other site's agent: %v", err)
	}
	if _, err := put(admin, 1, "../..", "x.pdf", samplePDF); !errors.Is(err, desk.ErrBadFolder) {
		t.Fatalf("folder ..: %v", err)
	}
	if _, err := put(admin, 1, "价目表", "evil.html", []byte("<html><script>alert(1)</script>")); !errors.Is(err, files.ErrMarkup) {
		t.Fatalf("html: %v", err)
	}
	if err := f.desk.FileAccess(f.agent1).RemoveCommonFile(1, "价目表", "2024 价目表.pdf"); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("agent remove: %v", err)
	}
	renamed, err := admin.RenameCommonFile(1, "价目表", "2024 价目表.pdf", "报价", "2025 价目表.pdf")
	if err != nil || renamed.ID != cf.ID || renamed.Folder != "报价" {
		t.Fatalf("rename: %+v %v", renamed, err)
	}
	if _, err := admin.RenameCommonFile(1, "报价", "2025 价目表.pdf", "报价", "价目表.exe"); !errors.Is(err, files.ErrType) {
		t.Fatalf("rename to .exe: %v", err)
	}

	// The agent serving the chat sends it; the visitor gets a download link.
	const vid = "visitor-file-0020"
	_, convID := f.chatting(vid)
	as, _, err := f.desk.StartAgentSession(f.agent1)
	if err != nil {
		t.Fatal(err)
	}
	defer as.Close()
	list, err := as.CommonFiles(1)
	if err != nil || len(list) != 1 {
		t.Fatalf("session lists %v %v", list, err)
	}
	if _, err := as.Accept(convID); err != nil {
		t.Fatal(err)
	}
	// Only the agent serving the chat sends into it.
	other, _, err := f.desk.StartAgentSession(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.SendCommonFile(convID, list[0].ID, "s-0"); !errors.Is(err, desk.ErrNotYours) {
		t.Fatalf("a colleague who does not serve the chat: %v", err)
	}
	m, err := as.SendCommonFile(convID, list[0].ID, "s-1")
	if err != nil || m.From != store.FromAgent || m.AgentID != f.agent1 || m.File == nil || m.File.Hash != cf.Hash || m.File.Name != "2025 价目表.pdf" {
		t.Fatalf("sent %+v %v", m, err)
	}
	if again, err := as.SendCommonFile(convID, list[0].ID, "s-1"); err != nil || again.Seq != m.Seq {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := as.SendCommonFile(convID, 9999, "s-2"); !errors.Is(err, desk.ErrNoFile) {
		t.Fatalf("unknown file: %v", err)
	}
	// A common file of another site cannot be sent into this site's chat.
	foreign, err := put(admin, f.site2, "资料", "b.pdf", append([]byte{}, append(samplePDF, 'x')...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as.SendCommonFile(convID, foreign.ID, "s-3"); !errors.Is(err, desk.ErrNoFile) {
		t.Fatalf("another site's file: %v", err)
	}
	if err := admin.RemoveCommonFile(1, "报价", "2025 价目表.pdf"); err != nil {
		t.Fatal(err)
	}
	if list, _ := as.CommonFiles(1); len(list) != 0 {
		t.Fatalf("after removal: %v", list)
	}
}

// seedFiles makes a fresh database usable like Bootstrap does, without hashing a password
// (bcrypt is slow under the race detector): the default site, the built-in roles and admin.
func seedFiles(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Update(func(tx *store.Tx) error {
		site := &store.Site{Name: "默认站点", Domains: []string{"localhost", "127.0.0.1"}, Secret: "0123456789abcdef"}
		if err := tx.CreateSite(site); err != nil {
			return err
		}
		var super uint64
		for _, r := range authz.BuiltinRoles() {
			r := r
			if err := tx.CreateRole(&r); err != nil {
				return err
			}
			if r.Builtin == authz.BuiltinSuper {
				super = r.ID
			}
		}
		return tx.CreateAgent(&store.Agent{Account: "admin", Name: "管理员", RoleID: super, Seat: true,
			Sites: []store.SiteSeat{{SiteID: site.ID, MaxChats: 10}}})
	})
	if err != nil {
		t.Fatal(err)
	}
}
