package desk_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

// cannedFixture is a desk with the default site, a second site 华北分站, an admin (super),
// and two plain agents (普通客服) of the default site.
type cannedFixture struct {
	db                *store.DB
	desk              *desk.Desk
	site, other       uint64
	admin, xiao, juan *desk.AgentSession
}

func newCannedFixture(t *testing.T) *cannedFixture {
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
	f := &cannedFixture{db: db, desk: d, site: store.DefaultSiteID}
	// What Bootstrap makes, without its bcrypt, and the rest of the scene.
	var ids []uint64
	err = db.Update(func(tx *store.Tx) error {
		ids = ids[:0]
		for _, name := range []string{"默认站点", "华北分站"} {
			s := &store.Site{Name: name}
			if err := tx.CreateSite(s); err != nil {
				return err
			}
			f.other = s.ID
		}
		roleOf := map[string]uint64{}
		for _, r := range authz.BuiltinRoles() {
			if err := tx.CreateRole(&r); err != nil {
				return err
			}
			roleOf[r.Builtin] = r.ID
		}
		admin := &store.Agent{Account: "admin", Name: "管理员", RoleID: roleOf[authz.BuiltinSuper]}
		if err := tx.CreateAgent(admin); err != nil {
			return err
		}
		ids = append(ids, admin.ID)
		for _, name := range []string{"xiaoyang", "xiaojuan"} {
			a := &store.Agent{Account: name, Name: name, RoleID: roleOf[authz.BuiltinAgent], Seat: true,
				Sites: []store.SiteSeat{{SiteID: store.DefaultSiteID}}}
			if err := tx.CreateAgent(a); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.admin, f.xiao, f.juan = d.CommandSession(ids[0]), d.CommandSession(ids[1]), d.CommandSession(ids[2])
	return f
}

func cannedTitles(list []store.CannedReply) string {
	var out []string
	for _, c := range list {
		out = append(out, c.Title)
	}
	return strings.Join(out, ",")
}

func explain(err error) string { return desk.ExplainCanned(err, i18n.ZH) }

func TestCannedPermissions(t *testing.T) {
	f := newCannedFixture(t)
	pub, err := f.admin.CreateCanned(f.site, false, desk.CannedInput{Group: "售前", Title: "价格", Text: "企业版每年 3980 元。", Shortcut: "/Price"})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Shortcut != "price" || pub.SiteID != f.site || pub.AgentID != 0 {
		t.Fatalf("public reply %+v", pub)
	}
	// A plain agent reads the public replies of their site, but may not change them.
	list, err := f.xiao.CannedReplies(f.site)
	if err != nil || cannedTitles(list) != "价格" {
		t.Fatalf("agent reads %q, %v", cannedTitles(list), err)
	}
	if f.xiao.MayEditCanned(f.site) || !f.admin.MayEditCanned(f.site) {
		t.Error("MayEditCanned is wrong")
	}
	refused := map[string]error{}
	_, refused["create"] = f.xiao.CreateCanned(f.site, false, desk.CannedInput{Text: "我的公共回复"})
	_, refused["update"] = f.xiao.UpdateCanned(pub.ID, desk.CannedInput{Text: "改了"})
	refused["delete"] = f.xiao.DeleteCanned(pub.ID)
	refused["move"] = f.xiao.MoveCanned(pub.ID, 1)
	_, refused["import"] = f.xiao.ImportCannedCSV(f.site, false, strings.NewReader("text\n你好\n"))
	for name, err := range refused {
		if !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("agent %s public reply: %v", name, err)
		}
	}
	// …nor read another site's.
	if _, err := f.xiao.CannedReplies(f.other); !errors.Is(err, desk.ErrForbidden) {
		t.Errorf("agent reads another site: %v", err)
	}
	if err := f.xiao.ExportCannedCSV(f.other, false, io.Discard); !errors.Is(err, desk.ErrForbidden) {
		t.Errorf("agent exports another site: %v", err)
	}
	// They manage their own replies, which come first and are nobody else's.
	mine, err := f.xiao.CreateCanned(0, true, desk.CannedInput{Title: "问候", Text: "您好，我是小杨。", Shortcut: "price"})
	if err != nil {
		t.Fatal(err)
	}
	if mine.AgentID == 0 || mine.SiteID != 0 {
		t.Fatalf("personal reply %+v", mine)
	}
	list, _ = f.xiao.CannedReplies(f.site)
	if cannedTitles(list) != "问候,价格" {
		t.Fatalf("personal first: %q", cannedTitles(list))
	}
	if text, ok := desk.ExpandShortcut(list, "/price"); !ok || text != "您好，我是小杨。" {
		t.Fatalf("a personal shortcut shadows the public one: %q %v", text, ok)
	}
	if _, err := f.xiao.UpdateCanned(mine.ID, desk.CannedInput{Title: "问候", Text: "您好！"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := f.juan.CannedReplies(f.site); cannedTitles(list) != "价格" {
		t.Fatalf("小娟 sees %q", cannedTitles(list))
	}
	for name, err := range map[string]error{
		"update": func() error { _, err := f.juan.UpdateCanned(mine.ID, desk.CannedInput{Text: "x"}); return err }(),
		"delete": f.juan.DeleteCanned(mine.ID),
		"move":   f.juan.MoveCanned(mine.ID, 1),
	} {
		if !errors.Is(err, desk.ErrNoCanned) {
			t.Errorf("another agent's %s of a personal reply: %v", name, err)
		}
	}
	// Not even an admin touches someone's personal replies.
	if err := f.admin.DeleteCanned(mine.ID); !errors.Is(err, desk.ErrNoCanned) {
		t.Errorf("admin deletes a personal reply: %v", err)
	}
	if err := f.xiao.DeleteCanned(mine.ID); err != nil {
		t.Fatal(err)
	}
	// A role change takes effect at the next action.
	f.db.Update(func(tx *store.Tx) error {
		a, _ := tx.Agent(f.xiao.AgentID)
		a.Disabled = true
		return tx.PutAgent(a)
	})
	if _, err := f.xiao.CannedReplies(f.site); !errors.Is(err, desk.ErrForbidden) {
		t.Errorf("disabled agent reads: %v", err)
	}
	if _, err := f.admin.CreateCanned(999, false, desk.CannedInput{Text: "x"}); !errors.Is(err, desk.ErrNoSite) {
		t.Errorf("reply on a missing site: %v", err)
	}
}

func TestCannedLimitsAndShortcuts(t *testing.T) {
	f := newCannedFixture(t)
	create := func(in desk.CannedInput) error { _, err := f.admin.CreateCanned(f.site, false, in); return err }
	tests := []struct {
		in   desk.CannedInput
		want string // "" ok, else the explanation contains it
	}{
		{desk.CannedInput{Title: strings.Repeat("长", 50), Text: "ok"}, ""},
		{desk.CannedInput{Title: strings.Repeat("长", 51), Text: "ok"}, "50"},
		{desk.CannedInput{Text: strings.Repeat("文", 2001)}, "2000"},
		{desk.CannedInput{Text: "  \n "}, "内容"},
		{desk.CannedInput{Group: strings.Repeat("组", 21), Text: "x"}, "20"},
		{desk.CannedInput{Text: "x", Shortcut: "价格"}, "快捷"},
		{desk.CannedInput{Text: "x", Shortcut: "/Hello"}, ""},
		{desk.CannedInput{Text: "y", Shortcut: "hello"}, "/hello"},
		// Hostile text is stored as plain text.
		{desk.CannedInput{Title: "\x1b]0;PWNED\x07标题", Text: "\x1b[2J<b>您好</b>\x07", Shortcut: "evil"}, ""},
	}
	for _, tt := range tests {
		err := create(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(explain(err), tt.want)):
			t.Errorf("%+v: got %v (%s), want %q", tt.in, err, explain(err), tt.want)
		}
	}
	list, _ := f.admin.CannedReplies(f.site)
	for _, c := range list {
		if strings.ContainsAny(c.Title+c.Text, "\x1b\x07") {
			t.Errorf("control characters stored: %q %q", c.Title, c.Text)
		}
	}
	if text, ok := desk.ExpandShortcut(list, "/evil"); !ok || text != "<b>您好</b>" {
		t.Errorf("expand /evil: %q %v", text, ok)
	}
	hello := list[1]
	if _, err := f.admin.UpdateCanned(hello.ID, desk.CannedInput{Text: "z", Shortcut: "evil"}); err == nil || !strings.Contains(explain(err), "/evil") {
		t.Errorf("update to a taken shortcut: %v", err)
	}
}

func TestCannedMove(t *testing.T) {
	f := newCannedFixture(t)
	var ids []uint64
	for _, title := range []string{"一", "二", "三"} {
		c, err := f.admin.CreateCanned(f.site, false, desk.CannedInput{Group: "售前", Title: title, Text: title})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	f.admin.CreateCanned(f.site, false, desk.CannedInput{Group: "售后", Title: "四", Text: "四"})
	if err := f.admin.MoveCanned(ids[2], -1); err != nil {
		t.Fatal(err)
	}
	if err := f.admin.MoveCanned(ids[0], 1); err != nil {
		t.Fatal(err)
	}
	if err := f.admin.MoveCanned(ids[0], 5); err != nil { // already last of its group
		t.Fatal(err)
	}
	list, _ := f.admin.CannedReplies(f.site)
	if got := cannedTitles(list); got != "三,二,一,四" {
		t.Fatalf("after moves: %q", got)
	}
	// Whole groups move too, and the order is kept in the store.
	if err := f.admin.MoveCannedGroup(f.site, false, "售后", -1); err != nil {
		t.Fatal(err)
	}
	list, _ = f.admin.CannedReplies(f.site)
	if got := cannedTitles(list); got != "四,三,二,一" {
		t.Fatalf("after moving 售后 up: %q", got)
	}
	if err := f.admin.MoveCannedGroup(f.site, false, "没有的组", 1); !errors.Is(err, desk.ErrNoCanned) {
		t.Fatalf("moving a group that does not exist: %v", err)
	}
	// An agent's personal groups are theirs alone.
	agent := f.xiao
	for _, g := range []string{"问候", "结束语"} {
		if _, err := agent.CreateCanned(0, true, desk.CannedInput{Group: g, Text: g + "：您好"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := agent.MoveCannedGroup(0, true, "结束语", -1); err != nil {
		t.Fatal(err)
	}
	mine, _ := agent.CannedReplies(0)
	if len(mine) != 2 || mine[0].Group != "结束语" {
		t.Fatalf("personal groups after the move: %+v", mine)
	}
	if err := agent.MoveCannedGroup(f.site, false, "售后", 1); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("an agent orders public groups: %v", err)
	}
}

func TestCannedImportCSV(t *testing.T) {
	f := newCannedFixture(t)
	good := "group,title,text,shortcut\r\n" +
		"售前,价格,\"企业版每年 3980 元，\r\n含 10 个座席。\",price\r\n" +
		",问候,您好！有什么可以帮您？,hi\r\n" +
		"\r\n" +
		"售后,退款,七个工作日内退回原账户。,\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("分组,标题,内容,快捷键\r\n售后,发票,发票会在三个工作日内寄出。,fapiao\r\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		personal bool
		data     string
		added    int
		errs     []string // every one in the explanation
	}{
		{"UTF-8 with BOM", false, "\xef\xbb\xbf" + good, 3, nil},
		{"GBK from Excel", true, gbk, 1, nil},
		{"columns in another order", true, "text,title\n好的,确认\n", 1, nil},
		{"bad rows", false, "group,title,text,shortcut\n" +
			"售前,试用,可以免费试用 15 天,trial\n" +
			"售前," + strings.Repeat("长", 51) + ",x,\n" +
			"售前,空,,\n" +
			"售前,价格二,x,price\n" +
			"售前,a,x,dup\n" +
			"售前,b,x,dup\n" +
			"售前,c,x,坏\n",
			0, []string{"第 3 行", "第 4 行", "第 5 行：快捷键 /price", "第 7 行", "第 8 行"}},
		{"no header", false, "售前,价格,x,y\n", 0, []string{"第 1 行"}},
		{"only a header", false, "text\n", 0, []string{"没有"}},
		{"broken quotes", false, "text\n\"unterminated\nx\n", 0, []string{"第 "}},
		{"extra column", false, "text\nx,y\n", 0, []string{"第 2 行"}},
		{"not text at all", false, "text\n\xff\xfe\xfd\n", 0, []string{"GBK"}},
	}
	for _, tt := range tests {
		site := f.site
		before, _ := f.admin.CannedReplies(site)
		// The check answers as the import will, and stores nothing.
		checked, checkErr := f.admin.CheckCannedCSV(site, tt.personal, strings.NewReader(tt.data))
		if after, _ := f.admin.CannedReplies(site); len(after) != len(before) {
			t.Errorf("%s: the check stored %d replies", tt.name, len(after)-len(before))
		}
		n, err := f.admin.ImportCannedCSV(site, tt.personal, strings.NewReader(tt.data))
		if checked != n || explain(checkErr) != explain(err) || (checkErr == nil) != (err == nil) {
			t.Errorf("%s: check said %d %q, import %d %q", tt.name, checked, explain(checkErr), n, explain(err))
		}
		if n != tt.added {
			t.Errorf("%s: added %d, want %d (%v)", tt.name, n, tt.added, err)
		}
		if tt.errs == nil && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.errs != nil {
			msg := explain(err)
			for _, want := range tt.errs {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: explanation lacks %q:\n%s", tt.name, want, msg)
				}
			}
			if after, _ := f.admin.CannedReplies(site); len(after) != len(before) {
				t.Errorf("%s: a refused file stored %d replies", tt.name, len(after)-len(before))
			}
		}
	}
	list, _ := f.admin.CannedReplies(f.site)
	// Personal first, then public; groups in the order the files first used them.
	if got := cannedTitles(list); got != "发票,确认,价格,问候,退款" {
		t.Fatalf("after imports: %q", got)
	}
	if list[2].Text != "企业版每年 3980 元，\n含 10 个座席。" || list[0].Shortcut != "fapiao" || list[0].AgentID == 0 {
		t.Fatalf("imported %+v / %+v", list[2], list[0])
	}
	// Importing the same file again clashes on every shortcut; the check says so first.
	if _, err := f.admin.CheckCannedCSV(f.site, false, strings.NewReader(good)); err == nil || !strings.Contains(explain(err), "第 2 行：快捷键 /price 已被使用") {
		t.Fatalf("check of a re-import: %v", explain(err))
	}
	if _, err := f.admin.ImportCannedCSV(f.site, false, strings.NewReader(good)); err == nil || !strings.Contains(explain(err), "第 2 行") {
		t.Fatalf("re-import: %v", explain(err))
	}
	// Checking needs the permission importing needs.
	if _, err := f.xiao.CheckCannedCSV(f.site, false, strings.NewReader("text\n好的\n")); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("an agent checks a public import: %v", err)
	}
	// Export reads back.
	var out bytes.Buffer
	if err := f.admin.ExportCannedCSV(f.site, false, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "group,title,text,shortcut\n") || !strings.Contains(out.String(), "\"企业版每年 3980 元，\n含 10 个座席。\",price") {
		t.Fatalf("export:\n%s", out.String())
	}
	if n, err := f.admin.ImportCannedCSV(f.other, false, &out); n != 3 || err != nil {
		t.Fatalf("import of an export: %d %v", n, err)
	}
	// Too big.
	big := "text\n" + strings.Repeat(strings.Repeat("长", 100)+"\n", desk.MaxCannedCSV/300+1)
	if _, err := f.admin.ImportCannedCSV(f.site, true, strings.NewReader(big)); !errors.Is(err, desk.ErrCSVTooBig) {
		t.Fatalf("big file: %v", err)
	}
}

func TestSearchAndExpand(t *testing.T) {
	list := []store.CannedReply{
		{ID: 1, Title: "价格", Text: "企业版每年 3980 元", Shortcut: "price"},
		{ID: 2, Title: "Hello", Text: "Welcome to KEFU", Shortcut: "hi"},
		{ID: 3, Title: "退款", Text: "七个工作日内退回"},
	}
	ids := func(l []store.CannedReply) string {
		var s []string
		for _, c := range l {
			s = append(s, fmt.Sprint(c.ID))
		}
		return strings.Join(s, ",")
	}
	for q, want := range map[string]string{"": "1,2,3", "价格": "1", "企业": "1", "kefu": "2", "HELLO": "2", "工作 退回": "3", "/hi": "2", "无": ""} {
		if got := ids(desk.SearchCanned(list, q)); got != want {
			t.Errorf("search %q = %q, want %q", q, got, want)
		}
	}
	for in, want := range map[string]string{
		"/price":      "企业版每年 3980 元",
		"  /PRICE  ":  "企业版每年 3980 元",
		"/hi 小杨在此":    "Welcome to KEFU 小杨在此",
		"/nope":       "",
		"price":       "",
		"/":           "",
		"您好 /price":   "",
		"/price\n第二行": "企业版每年 3980 元\n第二行",
	} {
		got, ok := desk.ExpandShortcut(list, in)
		if ok != (want != "") || (ok && got != want) {
			t.Errorf("expand %q = %q %v, want %q", in, got, ok, want)
		}
		if !ok && got != in {
			t.Errorf("expand %q changed the input to %q", in, got)
		}
	}
}
