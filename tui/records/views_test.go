package records

import (
	"fmt"
	"strings"
	"testing"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
)

func TestBlockDialogGolden(t *testing.T) {
	f := newFixture(t)
	vs := f.visitor("113.99.15.142", "")
	for _, sz := range sizes {
		d := NewBlockDialog(f.ctx(i18n.ZH), vs.ID, "CC540862(超长的访客名片姓名)"+hostile, "113.99.15.142")
		dr := &driver{t: t, c: d}
		dr.run(d.Init(), 0)
		view := d.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h, false)
		golden(t, fmt.Sprintf("block-dialog-%dx%d", sz.w, sz.h), view)
	}
	// Short of rows, the choices and the buttons stay.
	d := NewBlockDialog(f.ctx(i18n.ZH), vs.ID, "访客1", "113.99.15.142")
	(&driver{t: t, c: d}).run(d.Init(), 0)
	if view := d.View(40, 14); !strings.Contains(view, "取消") || !strings.Contains(view, "屏蔽时长") {
		t.Errorf("at 40×14 the dialog loses its choices:\n%s", view)
	} else {
		checkFrame(t, view, 40, 14, false)
	}
	d = NewBlockDialog(f.ctx(i18n.EN), vs.ID, "", "")
	(&driver{t: t, c: d}).run(d.Init(), 0)
	golden(t, "block-dialog-en-noip-80x24", d.View(80, 24))
}

func TestBlocksGolden(t *testing.T) {
	f := newFixture(t)
	f.blocks()
	for _, sz := range sizes {
		b := NewBlocks(f.ctx(i18n.ZH))
		dr := &driver{t: t, c: b}
		dr.run(b.Init(), 0)
		dr.keys("a") // lifted and expired too
		view := b.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h, true)
		golden(t, fmt.Sprintf("blocks-%dx%d", sz.w, sz.h), view)
	}
	b := NewBlocks(f.ctx(i18n.EN))
	(&driver{t: t, c: b}).run(b.Init(), 0)
	view := b.View(120, 40)
	checkFrame(t, view, 120, 40, true)
	golden(t, "blocks-en-120x40", view)
}

func TestLeaveMessagesGolden(t *testing.T) {
	f := newFixture(t)
	f.leaves()
	for _, sz := range sizes {
		lm := NewLeaveMessages(f.ctx(i18n.ZH))
		dr := &driver{t: t, c: lm}
		dr.run(lm.Init(), 0)
		view := lm.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h, true)
		golden(t, fmt.Sprintf("leave-%dx%d", sz.w, sz.h), view)
		dr.keys("enter") // the newest: hostile and long
		view = lm.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h, true)
		golden(t, fmt.Sprintf("leave-read-%dx%d", sz.w, sz.h), view)
	}
	lm := NewLeaveMessages(f.ctx(i18n.EN))
	dr := &driver{t: t, c: lm}
	dr.run(lm.Init(), 0)
	dr.keys("down")
	view := lm.View(120, 40)
	checkFrame(t, view, 120, 40, true)
	golden(t, "leave-en-120x40", view)
	dr.keys("enter")
	golden(t, "leave-read-en-80x24", lm.View(80, 24))
}

// TestBlockDialogBlocks: the agent picks visitor and IP, forever, types a reason and confirms;
// the visitor is blocked as chosen.
func TestBlockDialogBlocks(t *testing.T) {
	f := newFixture(t)
	vs := f.visitor("113.99.15.142", "")
	d := NewBlockDialog(f.ctx(i18n.ZH), vs.ID, "访客1", "113.99.15.142")
	dr := &driver{t: t, c: d}
	dr.run(d.Init(), 0)
	dr.keys("right", "enter")                   // 访客和 IP
	dr.keys("right", "right", "right", "enter") // 1 天 → 永久
	dr.typeText("发广告")
	dr.keys("enter", "enter") // reason; 屏蔽
	if len(dr.out) != 1 {
		t.Fatalf("dialog said %#v\n%s", dr.out, d.View(80, 24))
	}
	done, ok := dr.out[0].(BlockDoneMsg)
	if !ok || done.Err != nil {
		t.Fatalf("dialog said %#v", dr.out[0])
	}
	b := done.Block
	if b.VisitorID != vs.ID || b.IP != "113.99.15.142" || !b.Until.IsZero() || b.Reason != "发广告" {
		t.Fatalf("blocked %+v", b)
	}
	// The notice names the anonymous visitor as the workbench did; the store keeps no name.
	if b.Name != "访客1" {
		t.Fatalf("the block's name for the notice: %q", b.Name)
	}
	if list, _ := f.as.Blocks(1, true); len(list) != 1 || list[0].Name != "" {
		t.Fatalf("blocks stored: %+v", list)
	}
}

// TestBlockDialogCancels: Esc, or choosing 取消, blocks nobody.
func TestBlockDialogCancels(t *testing.T) {
	f := newFixture(t)
	vs := f.visitor("113.99.15.142", "")
	for _, keys := range [][]string{{"esc"}, {"enter", "enter", "enter", "left", "enter"}} {
		d := NewBlockDialog(f.ctx(i18n.ZH), vs.ID, "访客1", "113.99.15.142")
		dr := &driver{t: t, c: d}
		dr.run(d.Init(), 0)
		dr.keys(keys...)
		if len(dr.out) != 1 {
			t.Fatalf("%v: dialog said %#v\n%s", keys, dr.out, d.View(80, 24))
		}
		if _, ok := dr.out[0].(DialogClosedMsg); !ok {
			t.Fatalf("%v: dialog said %#v", keys, dr.out[0])
		}
	}
	if list, _ := f.as.Blocks(1, false); len(list) != 0 {
		t.Fatalf("%d blocks stored", len(list))
	}
}

// TestBlocksLift: u asks, y lifts; any other key keeps the block.
func TestBlocksLift(t *testing.T) {
	f := newFixture(t)
	f.blocks()
	b := NewBlocks(f.ctx(i18n.ZH))
	dr := &driver{t: t, c: b}
	dr.run(b.Init(), 0)
	if len(b.items) != 2 {
		t.Fatalf("%d blocks in force listed", len(b.items))
	}
	dr.keys("u")
	if !b.Capturing() || !strings.Contains(b.View(80, 24), "解除对") {
		t.Fatalf("no confirmation:\n%s", b.View(80, 24))
	}
	dr.keys("n")
	if b.Capturing() || len(b.items) != 2 {
		t.Fatal("n did not cancel")
	}
	dr.keys("down", "u", "y")
	if len(b.items) != 1 || !strings.Contains(b.View(80, 24), "已解除屏蔽") {
		t.Fatalf("after lifting:\n%s", b.View(80, 24))
	}
	if active, _ := f.as.Blocks(1, true); len(active) != 1 || active[0].Reason != b.items[0].Reason {
		t.Fatalf("stored: %+v", active)
	}
}

// agentSession puts an agent of a built-in role ("agent", "app") serving site 1 at the
// workbench.
func (f *fixture) agentSession(builtin string) *desk.AgentSession {
	f.t.Helper()
	f.n++
	var id uint64
	err := f.db.Update(func(tx *store.Tx) error {
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		a := &store.Agent{Account: fmt.Sprintf("kefu%02d", f.n), Name: fmt.Sprintf("小杨%d", f.n), Seat: true,
			Sites: []store.SiteSeat{{SiteID: 1, MaxChats: 5}}}
		for _, r := range roles {
			if r.Builtin == builtin {
				a.RoleID = r.ID
			}
		}
		if err := tx.CreateAgent(a); err != nil {
			return err
		}
		id = a.ID
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	as, _, err := f.desk.StartAgentSession(id)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(as.Close)
	return as
}

// setRole gives an agent another built-in role, as an admin would meanwhile.
func (f *fixture) setRole(agentID uint64, builtin string) {
	f.t.Helper()
	err := f.db.Update(func(tx *store.Tx) error {
		a, err := tx.Agent(agentID)
		if err != nil {
			return err
		}
		roles, err := tx.Roles()
		for _, r := range roles {
			if r.Builtin == builtin {
				a.RoleID = r.ID
			}
		}
		if err != nil {
			return err
		}
		return tx.PutAgent(a)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// TestBlocksLiftNeedsAdmin: an ordinary agent sees the blocks but is told, on u and in the
// keys line, that lifting is for admins; an admin whose permission goes away meanwhile is
// refused by the desk and told the same.
func TestBlocksLiftNeedsAdmin(t *testing.T) {
	f := newFixture(t)
	f.blocks()
	ctx := f.ctx(i18n.ZH)
	ctx.Agent = f.agentSession("agent")
	b := NewBlocks(ctx)
	dr := &driver{t: t, c: b}
	dr.run(b.Init(), 0)
	if len(b.items) != 2 {
		t.Fatalf("%d blocks in force listed to an agent", len(b.items))
	}
	for _, sz := range []struct{ w, h int }{{80, 24}, {40, 20}} {
		view := b.View(sz.w, sz.h)
		checkFrame(t, view, sz.w, sz.h, true)
		if strings.Contains(view, "u 解除") {
			t.Errorf("an agent is offered lifting at %dx%d:\n%s", sz.w, sz.h, view)
		}
	}
	if !strings.Contains(b.View(80, 24), "解除屏蔽请找管理员") {
		t.Errorf("the keys line does not say who lifts:\n%s", b.View(80, 24))
	}
	for _, k := range b.HelpKeys() {
		if k.Help().Key == "u" {
			t.Error("the workbench's help offers an agent lifting")
		}
	}
	dr.keys("u")
	if b.Capturing() {
		t.Fatal("an agent was asked to confirm a lift")
	}
	if view := b.View(80, 24); !strings.Contains(view, "解除屏蔽需要该网站的「设置中心」权限") {
		t.Fatalf("no refusal:\n%s", view)
	}
	view := b.View(40, 20) // on a phone the refusal wraps instead of being cut
	checkFrame(t, view, 40, 20, true)
	if !strings.Contains(strings.ReplaceAll(view, "\n", ""), "请联系管理员。") {
		t.Fatalf("the refusal is cut at 40 columns:\n%s", view)
	}
	if active, _ := f.as.Blocks(1, true); len(active) != 2 {
		t.Fatalf("%d blocks in force after a refused lift", len(active))
	}

	// An app admin may lift; then their role becomes 普通客服 before they confirm.
	app := f.agentSession("app")
	ctx.Agent = app
	b = NewBlocks(ctx)
	dr = &driver{t: t, c: b}
	dr.run(b.Init(), 0)
	if !strings.Contains(b.View(80, 24), "u 解除屏蔽") {
		t.Fatalf("an admin is not offered lifting:\n%s", b.View(80, 24))
	}
	dr.keys("u")
	if !b.Capturing() {
		t.Fatal("u did not ask to confirm")
	}
	f.setRole(app.AgentID, "agent")
	dr.keys("y")
	view = b.View(80, 24)
	if !strings.Contains(view, "解除屏蔽需要该网站的「设置中心」权限") {
		t.Fatalf("the desk's refusal is not explained:\n%s", view)
	}
	if active, _ := f.as.Blocks(1, true); len(active) != 2 {
		t.Fatalf("%d blocks in force after a refused lift", len(active))
	}
	// The notice stays until the next key; then the keys line says who lifts.
	dr.keys("down")
	if view := b.View(80, 24); !strings.Contains(view, "解除屏蔽请找管理员") {
		t.Fatalf("after the refusal the keys line still offers lifting:\n%s", view)
	}
}

// TestLeaveMessagesMark: p marks processed, f filters, the count follows.
func TestLeaveMessagesMark(t *testing.T) {
	f := newFixture(t)
	f.leaves()
	lm := NewLeaveMessages(f.ctx(i18n.ZH))
	dr := &driver{t: t, c: lm}
	dr.run(lm.Init(), 0)
	if len(lm.items) != 3 || lm.Unprocessed() != 2 || UnprocessedCount(f.as, []uint64{1}) != 2 {
		t.Fatalf("%d listed, %d unprocessed", len(lm.items), lm.Unprocessed())
	}
	dr.keys("p") // the newest
	if lm.Unprocessed() != 1 || !lm.items[0].Processed || lm.items[0].ProcessedByName != "管理员" {
		t.Fatalf("after p: %d unprocessed, %+v", lm.Unprocessed(), lm.items[0])
	}
	dr.keys("f") // 未处理
	if len(lm.items) != 1 || lm.items[0].Name != "王小明" {
		t.Fatalf("unprocessed filter: %+v", lm.items)
	}
	dr.keys("f") // 已处理
	if len(lm.items) != 2 {
		t.Fatalf("processed filter: %d", len(lm.items))
	}
	dr.keys("enter")
	if !lm.Capturing() {
		t.Fatal("enter did not open the message")
	}
	dr.keys("p") // back to unprocessed, from the message
	if lm.open == nil || lm.open.Processed || lm.Unprocessed() != 2 {
		t.Fatalf("p in the message: %+v, %d", lm.open, lm.Unprocessed())
	}
	dr.keys("esc")
	if lm.Capturing() || len(lm.items) != 1 {
		t.Fatalf("esc: open %v, %d listed", lm.open != nil, len(lm.items))
	}
	if UnprocessedCount(f.as, []uint64{1}) != 2 {
		t.Fatal("the badge count differs")
	}
}

// TestLeaveReadScrolls: a long message scrolls to its last line and no further.
func TestLeaveReadScrolls(t *testing.T) {
	f := newFixture(t)
	f.leaves()
	lm := NewLeaveMessages(f.ctx(i18n.ZH))
	dr := &driver{t: t, c: lm}
	dr.run(lm.Init(), 0)
	dr.keys("enter")
	lm.View(40, 20)
	for i := 0; i < 100; i++ {
		dr.keys("pgdown")
	}
	view := lm.View(40, 20)
	checkFrame(t, view, 40, 20, true)
	if !strings.Contains(view, "最后一行。") {
		t.Fatalf("the end of the message is not shown:\n%s", view)
	}
}
