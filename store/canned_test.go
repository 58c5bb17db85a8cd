package store

import (
	"errors"
	"strings"
	"testing"
)

func TestCannedLimits(t *testing.T) {
	ok := CannedReply{SiteID: 1, Group: "售前", Title: "价格", Text: "企业版每年 3980 元。", Shortcut: "price"}
	tests := []struct {
		name   string
		change func(c *CannedReply)
		field  string
	}{
		{"valid", func(c *CannedReply) {}, ""},
		{"personal", func(c *CannedReply) { c.SiteID, c.AgentID = 0, 7 }, ""},
		{"no owner", func(c *CannedReply) { c.SiteID = 0 }, "scope"},
		{"two owners", func(c *CannedReply) { c.AgentID = 7 }, "scope"},
		{"title of 50 characters", func(c *CannedReply) { c.Title = strings.Repeat("标", 50) }, ""},
		{"title of 51 characters", func(c *CannedReply) { c.Title = strings.Repeat("标", 51) }, "title"},
		{"title on two lines", func(c *CannedReply) { c.Title = "价格\n方案" }, "title"},
		{"no title", func(c *CannedReply) { c.Title = "" }, ""},
		{"text of 2000 characters", func(c *CannedReply) { c.Text = strings.Repeat("文", 2000) }, ""},
		{"text of 2001 characters", func(c *CannedReply) { c.Text = strings.Repeat("文", 2001) }, "text"},
		{"blank text", func(c *CannedReply) { c.Text = " \n " }, "text"},
		{"multi-line text", func(c *CannedReply) { c.Text = "第一行\n第二行" }, ""},
		{"group of 20", func(c *CannedReply) { c.Group = strings.Repeat("组", 20) }, ""},
		{"group of 21", func(c *CannedReply) { c.Group = strings.Repeat("组", 21) }, "group"},
		{"no shortcut", func(c *CannedReply) { c.Shortcut = "" }, ""},
		{"shortcut of 20", func(c *CannedReply) { c.Shortcut = strings.Repeat("a", 20) }, ""},
		{"shortcut of 21", func(c *CannedReply) { c.Shortcut = strings.Repeat("a", 21) }, "shortcut"},
		{"shortcut with capitals", func(c *CannedReply) { c.Shortcut = "Price" }, "shortcut"},
		{"shortcut with slash", func(c *CannedReply) { c.Shortcut = "/price" }, "shortcut"},
		{"shortcut in Chinese", func(c *CannedReply) { c.Shortcut = "价格" }, "shortcut"},
		{"shortcut with _ and -", func(c *CannedReply) { c.Shortcut = "price_2-b" }, ""},
	}
	for _, tt := range tests {
		c := ok
		tt.change(&c)
		err := c.Check()
		var ie *CannedInvalidError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && (!errors.As(err, &ie) || ie.Field != tt.field):
			t.Errorf("%s: got %v, want invalid %s", tt.name, err, tt.field)
		}
	}
}

func TestCannedShortcutsAreUniquePerScope(t *testing.T) {
	db, _ := openTest(t)
	create := func(c CannedReply) error {
		return db.Update(func(tx *Tx) error { return tx.CreateCanned(&c) })
	}
	if err := create(CannedReply{SiteID: 1, Text: "企业版每年 3980 元", Shortcut: "price"}); err != nil {
		t.Fatal(err)
	}
	if err := create(CannedReply{SiteID: 1, Text: "另一个", Shortcut: "price"}); !errors.Is(err, ErrExists) {
		t.Fatalf("same shortcut on the same site: %v", err)
	}
	// Another site, and an agent's personal replies, are other scopes.
	for _, c := range []CannedReply{{SiteID: 2, Text: "x", Shortcut: "price"}, {AgentID: 5, Text: "y", Shortcut: "price"}} {
		if err := create(c); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
	}
	if err := create(CannedReply{AgentID: 5, Text: "z", Shortcut: "price"}); !errors.Is(err, ErrExists) {
		t.Fatalf("same personal shortcut: %v", err)
	}
	// Put keeps its own shortcut, refuses another's.
	var hi CannedReply
	err := db.Update(func(tx *Tx) error {
		hi = CannedReply{SiteID: 1, Text: "您好", Shortcut: "hi"}
		return tx.CreateCanned(&hi)
	})
	if err != nil {
		t.Fatal(err)
	}
	hi.Text = "您好！"
	if err := db.Update(func(tx *Tx) error { c := hi; return tx.PutCanned(&c) }); err != nil {
		t.Fatalf("put with its own shortcut: %v", err)
	}
	hi.Shortcut = "price"
	if err := db.Update(func(tx *Tx) error { c := hi; return tx.PutCanned(&c) }); !errors.Is(err, ErrExists) {
		t.Fatalf("put taking another's shortcut: %v", err)
	}
	hi.Shortcut, hi.SiteID = "hi", 2
	if err := db.Update(func(tx *Tx) error { c := hi; return tx.PutCanned(&c) }); err == nil {
		t.Fatal("put moved a reply to another site")
	}
	// A batch with a shortcut twice stores nothing.
	err = db.Update(func(tx *Tx) error {
		return tx.AddCanned([]CannedReply{{SiteID: 3, Text: "a", Shortcut: "dup"}, {SiteID: 3, Text: "b", Shortcut: "dup"}})
	})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("batch with a duplicate: %v", err)
	}
	db.View(func(tx *Tx) error {
		if list, _ := tx.SiteCanned(3); len(list) != 0 {
			t.Errorf("failed batch left %d replies", len(list))
		}
		return nil
	})
}

func TestCannedOrder(t *testing.T) {
	db, _ := openTest(t)
	titles := func(list []CannedReply) string {
		var s []string
		for _, c := range list {
			s = append(s, c.Group+"/"+c.Title)
		}
		return strings.Join(s, " ")
	}
	list := []CannedReply{
		{SiteID: 1, Group: "售后", Title: "退款", Text: "t"},
		{SiteID: 1, Title: "问候", Text: "t"},
		{SiteID: 1, Group: "售前", Title: "价格", Text: "t"},
		{SiteID: 1, Group: "售后", Title: "发票", Text: "t"},
		{SiteID: 1, Group: "售前", Title: "试用", Text: "t"},
		{AgentID: 9, Title: "我的", Text: "t"},
	}
	err := db.Update(func(tx *Tx) error {
		if err := tx.AddCanned(list[:5]); err != nil {
			return err
		}
		return tx.CreateCanned(&list[5])
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func() []CannedReply {
		var out []CannedReply
		db.View(func(tx *Tx) error { out, err = tx.SiteCanned(1); return err })
		return out
	}
	// Groups come in the order they were first used, replies in the order added.
	if got, want := titles(get()), "售后/退款 售后/发票 /问候 售前/价格 售前/试用"; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	// Move 发票 up past 退款; moving the first up again changes nothing.
	move := func(id uint64, delta int) bool {
		var moved bool
		if err := db.Update(func(tx *Tx) error { moved, err = tx.MoveCanned(id, delta); return err }); err != nil {
			t.Fatal(err)
		}
		return moved
	}
	if !move(list[3].ID, -1) {
		t.Fatal("发票 did not move")
	}
	if move(list[3].ID, -5) {
		t.Fatal("the first of a group moved up")
	}
	if got, want := titles(get()), "售后/发票 售后/退款 /问候 售前/价格 售前/试用"; got != want {
		t.Fatalf("after move %q, want %q", got, want)
	}
	// A reply moved to another group goes to its end.
	c := get()[2]
	c.Group = "售前"
	if err := db.Update(func(tx *Tx) error { return tx.PutCanned(&c) }); err != nil {
		t.Fatal(err)
	}
	if got, want := titles(get()), "售后/发票 售后/退款 售前/价格 售前/试用 售前/问候"; got != want {
		t.Fatalf("after regroup %q, want %q", got, want)
	}
	// Groups move as a whole, and stop at the ends.
	moveGroup := func(group string, delta int) bool {
		var moved bool
		if err := db.Update(func(tx *Tx) error { moved, err = tx.MoveCannedGroup(1, 0, group, delta); return err }); err != nil {
			t.Fatal(err)
		}
		return moved
	}
	if !moveGroup("售前", -1) {
		t.Fatal("售前 did not move up")
	}
	if moveGroup("售前", -1) {
		t.Fatal("the first group moved up")
	}
	if got, want := titles(get()), "售前/价格 售前/试用 售前/问候 售后/发票 售后/退款"; got != want {
		t.Fatalf("after moving the group %q, want %q", got, want)
	}
	// A new group, by a new reply or a reply moved into it, goes after the others; the
	// groups keep their places when replies come and go.
	err = db.Update(func(tx *Tx) error {
		return tx.CreateCanned(&CannedReply{SiteID: 1, Group: "其他", Title: "再见", Text: "t"})
	})
	if err != nil {
		t.Fatal(err)
	}
	x := get()[1]
	x.Group = "新组"
	if err := db.Update(func(tx *Tx) error { return tx.PutCanned(&x) }); err != nil {
		t.Fatal(err)
	}
	if got, want := titles(get()), "售前/价格 售前/问候 售后/发票 售后/退款 其他/再见 新组/试用"; got != want {
		t.Fatalf("after new groups %q, want %q", got, want)
	}
	if err := db.Update(func(tx *Tx) error { _, err := tx.MoveCannedGroup(1, 0, "没有这个组", 1); return err }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("moving a group that does not exist: %v", err)
	}
	if err := db.Update(func(tx *Tx) error { _, err := tx.MoveCannedGroup(1, 9, "售前", 1); return err }); err == nil {
		t.Fatal("a group of two scopes moved")
	}
	db.View(func(tx *Tx) error {
		mine, _ := tx.AgentCanned(9)
		if titles(mine) != "/我的" {
			t.Errorf("personal: %q", titles(mine))
		}
		return nil
	})
	if err := db.Update(func(tx *Tx) error { return tx.DeleteCanned(list[0].ID) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *Tx) error { return tx.DeleteCanned(list[0].ID) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

// TestCannedGroupsFromBefore: replies stored before groups had places (GroupOrder 0) sort by
// group name, before groups placed since; moving a group gives every group its place.
func TestCannedGroupsFromBefore(t *testing.T) {
	db, _ := openTest(t)
	err := db.Update(func(tx *Tx) error {
		b := tx.tx.Bucket(bCanned)
		for i, c := range []CannedReply{{Group: "售后", Title: "退款"}, {Group: "售前", Title: "价格"}, {Group: "售后", Title: "发票"}} {
			c.ID, c.SiteID, c.Text, c.Order = uint64(i+1), 1, "t", i+1
			if _, err := nextID(b); err != nil {
				return err
			}
			if err := putJSON(b, u64(c.ID), &c); err != nil {
				return err
			}
		}
		return tx.CreateCanned(&CannedReply{SiteID: 1, Group: "问候", Title: "您好", Text: "t"})
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func() string {
		var s []string
		db.View(func(tx *Tx) error {
			list, err := tx.SiteCanned(1)
			for _, c := range list {
				s = append(s, c.Group+"/"+c.Title)
			}
			return err
		})
		return strings.Join(s, " ")
	}
	if got, want := get(), "售前/价格 售后/退款 售后/发票 问候/您好"; got != want {
		t.Fatalf("old groups %q, want %q", got, want)
	}
	if err := db.Update(func(tx *Tx) error { _, err := tx.MoveCannedGroup(1, 0, "问候", -2); return err }); err != nil {
		t.Fatal(err)
	}
	if got, want := get(), "问候/您好 售前/价格 售后/退款 售后/发票"; got != want {
		t.Fatalf("after the move %q, want %q", got, want)
	}
}

func TestCannedPerScopeLimit(t *testing.T) {
	db, _ := openTest(t)
	list := make([]CannedReply, MaxCannedPerScope)
	for i := range list {
		list[i] = CannedReply{AgentID: 1, Text: "好的"}
	}
	if err := db.Update(func(tx *Tx) error { return tx.AddCanned(list) }); err != nil {
		t.Fatal(err)
	}
	err := db.Update(func(tx *Tx) error { return tx.CreateCanned(&CannedReply{AgentID: 1, Text: "再来一条"}) })
	if !errors.Is(err, ErrCannedFull) {
		t.Fatalf("reply %d: %v", MaxCannedPerScope+1, err)
	}
}
