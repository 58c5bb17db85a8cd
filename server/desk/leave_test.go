package desk_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/store"
)

func TestLeaveMessageValidation(t *testing.T) {
	f := newRecFixture(t)
	vs := f.mustArrive(1, f.key(), ipOther)
	ok := desk.LeaveForm{Name: "张三", Phone: "13800138000", Text: "请回电"}
	with := func(change func(*desk.LeaveForm)) desk.LeaveForm {
		lf := ok
		change(&lf)
		return lf
	}
	for i, c := range []struct {
		name string
		cid  string
		form desk.LeaveForm
		want error
	}{
		{"no text", "a", with(func(l *desk.LeaveForm) { l.Text = "  \n " }), desk.ErrEmpty},
		{"text too long", "b", with(func(l *desk.LeaveForm) { l.Text = strings.Repeat("长", desk.MaxMessageRunes+1) }), desk.ErrTooLong},
		{"no contact", "c", with(func(l *desk.LeaveForm) { l.Phone = " " }), desk.ErrNoContact},
		{"contact only escapes", "d", with(func(l *desk.LeaveForm) { l.Phone = "\x1b[2J" }), desk.ErrNoContact},
		{"bad email", "e", with(func(l *desk.LeaveForm) { l.Email = "not-an-email" }), desk.ErrBadEmail},
		{"email too long", "f", with(func(l *desk.LeaveForm) { l.Email = strings.Repeat("a", 100) + "@example.com" }), desk.ErrBadEmail},
		{"QQ too short", "g", with(func(l *desk.LeaveForm) { l.QQ = "1234" }), desk.ErrBadQQ},
		{"QQ not digits", "h", with(func(l *desk.LeaveForm) { l.QQ = "12345a" }), desk.ErrBadQQ},
		{"no client id", "", ok, desk.ErrBadCID},
		{"client id too long", strings.Repeat("x", 65), ok, desk.ErrBadCID},
	} {
		if _, err := vs.Leave(c.cid, c.form); !errors.Is(err, c.want) {
			t.Errorf("%d %s: %v, want %v", i, c.name, err, c.want)
		}
	}
	if n, _ := f.admin.UnprocessedLeaves([]uint64{1}); n != 0 {
		t.Fatalf("refused messages counted: %d", n)
	}

	// Fields are cleaned and cut to size; the text keeps its lines.
	m, err := vs.Leave("ok-1", desk.LeaveForm{Name: "\x1b]0;PWNED\x07" + strings.Repeat("名", 60), Email: " kefu@example.cn ", QQ: "10001",
		Text: "第一行\x1b[31m红\x1b[0m\n第二行<script>alert(1)</script>"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Name+m.Text, "\x1b\x07") || len([]rune(m.Name)) != 50 || m.Email != "kefu@example.cn" || m.QQ != "10001" ||
		m.Text != "第一行红\n第二行<script>alert(1)</script>" || m.SiteID != 1 || m.VisitorID != vs.ID {
		t.Fatalf("stored %+v", m)
	}
}

// TestLeaveMessageOncePerCID: a resent form is stored once and answered with the same message;
// online agents of the site hear of it once.
func TestLeaveMessageOncePerCID(t *testing.T) {
	f := newRecFixture(t)
	agent := f.session("xiaoyang")
	vs := f.mustArrive(1, f.key(), ipOther)
	form := desk.LeaveForm{Name: "李四", QQ: "123456789", Text: "想了解企业版价格"}
	m1, err := vs.Leave("cid-1", form)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := vs.Leave("cid-1", form)
	if err != nil || m2.ID != m1.ID {
		t.Fatalf("resent: %+v %v (first %d)", m2, err, m1.ID)
	}
	list, err := f.admin.LeaveMessages(1, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("stored %d: %v", len(list), err)
	}
	if n, _ := f.admin.UnprocessedLeaves([]uint64{1, f.north}); n != 1 {
		t.Fatalf("unprocessed %d", n)
	}
	notices := 0
	timeout := time.After(200 * time.Millisecond)
	for done := false; !done; {
		select {
		case ev := <-agent.Events():
			if n, ok := ev.(hub.Notice); ok && n.Kind == "leave" {
				notices++
				if n.VisitorID != vs.ID || n.Text != "想了解企业版价格" {
					t.Fatalf("notice %+v", n)
				}
			}
		case <-timeout:
			done = true
		}
	}
	if notices != 1 {
		t.Fatalf("%d notices", notices)
	}
}

// TestLeaveMessageRate: a visitor may leave LeavePerHour messages an hour.
func TestLeaveMessageRate(t *testing.T) {
	f := newRecFixture(t)
	vs := f.mustArrive(1, f.key(), ipOther)
	form := desk.LeaveForm{Phone: "13800138000", Text: "在吗"}
	for i := 0; i < desk.LeavePerHour; i++ {
		if _, err := vs.Leave(string(rune('a'+i)), form); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		f.clock.add(time.Minute)
	}
	if _, err := vs.Leave("z", form); !errors.Is(err, desk.ErrLeaveRate) {
		t.Fatalf("over the rate: %v", err)
	}
	// A resent form is still answered at the limit.
	if m, err := vs.Leave("a", form); err != nil || m.CID != "a" {
		t.Fatalf("resent at the limit: %+v %v", m, err)
	}
	other := f.mustArrive(1, f.key(), ipOther)
	if _, err := other.Leave("z", form); err != nil {
		t.Fatalf("another visitor: %v", err)
	}
	f.clock.add(56 * time.Minute)
	if _, err := vs.Leave("z", form); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

// TestLeaveMessagesProcessed: agents list and mark messages of their sites; the unprocessed
// count follows, survives a restart, and never counts another site's messages.
func TestLeaveMessagesProcessed(t *testing.T) {
	f := newRecFixture(t)
	agent := f.session("xiaoyang")
	form := desk.LeaveForm{Phone: "13800138000", Text: "留言"}
	var mine []*store.LeaveMessage
	for i := 0; i < 3; i++ {
		vs := f.mustArrive(1, f.key(), ipOther)
		m, err := vs.Leave("c", form)
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, m)
		f.clock.add(time.Second)
	}
	north := f.mustArrive(f.north, f.key(), ipOther)
	theirs, err := north.Leave("c", form)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := agent.UnprocessedLeaves([]uint64{1, f.north}); n != 3 {
		t.Fatalf("agent's count %d, want 3 (site %d is not theirs)", n, f.north)
	}
	if n, _ := f.admin.UnprocessedLeaves([]uint64{1, f.north}); n != 4 {
		t.Fatalf("admin's count %d", n)
	}
	if _, err := agent.LeaveMessages(f.north, nil); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("another site's messages: %v", err)
	}
	if _, err := agent.MarkProcessed(theirs.ID, true); !errors.Is(err, desk.ErrForbidden) {
		t.Fatalf("mark another site's message: %v", err)
	}
	if _, err := agent.MarkProcessed(999, true); !errors.Is(err, desk.ErrNoLeave) {
		t.Fatalf("mark a message that does not exist: %v", err)
	}
	m, err := agent.MarkProcessed(mine[1].ID, true)
	if err != nil || !m.Processed || m.ProcessedByName != "小杨" || m.ProcessedAt.IsZero() {
		t.Fatalf("marked %+v %v", m, err)
	}
	if _, err := agent.MarkProcessed(mine[1].ID, true); err != nil {
		t.Fatal(err)
	}
	if n, _ := agent.UnprocessedLeaves([]uint64{1}); n != 2 {
		t.Fatalf("after marking twice: %d", n)
	}
	yes, no := true, false
	done, _ := agent.LeaveMessages(1, &yes)
	open, _ := agent.LeaveMessages(1, &no)
	all, _ := agent.LeaveMessages(1, nil)
	if len(done) != 1 || len(open) != 2 || len(all) != 3 || all[0].ID != mine[2].ID {
		t.Fatalf("lists: %d processed, %d open, %d all (newest %d)", len(done), len(open), len(all), all[0].ID)
	}
	f.restart()
	if n, _ := f.admin.UnprocessedLeaves([]uint64{1, f.north}); n != 3 {
		t.Fatalf("after restart: %d", n)
	}
	m, err = f.admin.MarkProcessed(mine[1].ID, false)
	if err != nil || m.Processed || m.ProcessedBy != 0 {
		t.Fatalf("unmarked %+v %v", m, err)
	}
	if n, _ := f.admin.UnprocessedLeaves([]uint64{1}); n != 3 {
		t.Fatalf("after unmarking: %d", n)
	}
}
