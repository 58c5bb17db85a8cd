package desk_test

import (
	"errors"
	"strings"
	"testing"

	"kefu/server/desk"
	"kefu/store"
)

// askBeforeChat sets the details a site asks before a chat (访客注册设置).
func (f *recFixture) askBeforeChat(site uint64, fields ...string) {
	f.t.Helper()
	st, err := f.admin.SiteSettings(site)
	if err != nil {
		f.t.Fatal(err)
	}
	s := st.Settings
	s.PreChat = fields
	if _, err := f.admin.SaveSiteSettings(site, s); err != nil {
		f.t.Fatal(err)
	}
}

func (f *recFixture) card(visitorID uint64) store.Card {
	f.t.Helper()
	var c store.Card
	err := f.db.View(func(tx *store.Tx) error {
		v, err := tx.Visitor(visitorID)
		if err == nil {
			c = v.Card
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// TestPreChatFillsOnlyEmptyFields: what a visitor gives before a chat goes into the empty
// fields of their card, cleaned; the monitor shows the name; a card an agent wrote keeps
// every value the agent wrote; fields the site does not ask for are dropped.
func TestPreChatFillsOnlyEmptyFields(t *testing.T) {
	f := newRecFixture(t)
	f.askBeforeChat(1, "name", "phone", "email")
	vs := f.mustArrive(1, f.key(), ipOther)

	err := vs.PreChat(desk.PreChatForm{Name: " \x1b]0;PWNED\x07王小明\x1b[31m<b>\u202e ", Phone: "+86 138-0013-8000",
		Email: "wang@example.cn", QQ: "123456789"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Card{Name: "王小明<b>", Phone: "+86 138-0013-8000", Email: "wang@example.cn"} // QQ: not asked
	if c := f.card(vs.ID); c != want {
		t.Fatalf("card %+v, want %+v", c, want)
	}
	if v := f.hub.Visitor(vs.ID); v == nil || v.Name != "王小明<b>" {
		t.Fatalf("monitor shows %+v", v)
	}

	// An agent writes the card; a second form changes none of what they wrote and fills
	// only what is still empty.
	if err := f.admin.SaveCard(vs.ID, store.Card{Name: "王经理", Company: "云帆软件", Notes: "老客户"}); err != nil {
		t.Fatal(err)
	}
	if err := vs.PreChat(desk.PreChatForm{Name: "冒名顶替", Phone: "13900000000", Email: "other@example.cn"}); err != nil {
		t.Fatal(err)
	}
	want = store.Card{Name: "王经理", Phone: "13900000000", Email: "other@example.cn", Company: "云帆软件", Notes: "老客户"}
	if c := f.card(vs.ID); c != want {
		t.Fatalf("card after an agent's edit %+v, want %+v", c, want)
	}
	if v := f.hub.Visitor(vs.ID); v == nil || v.Name != "王经理" {
		t.Fatalf("monitor shows %+v after the second form", v)
	}
	if err := vs.PreChat(desk.PreChatForm{Name: "又一次", Phone: "13700000000"}); err != nil {
		t.Fatal(err)
	}
	if c := f.card(vs.ID); c != want {
		t.Fatalf("a full card changed: %+v", c)
	}

	// A site that asks nothing takes nothing.
	north := f.mustArrive(f.north, f.key(), ipOther)
	if err := north.PreChat(desk.PreChatForm{Name: "李四", Phone: "13800138000"}); err != nil {
		t.Fatal(err)
	}
	if c := f.card(north.ID); c != (store.Card{}) {
		t.Fatalf("a site asking nothing stored %+v", c)
	}
}

// TestPreChatRefusals: over the card's limits or malformed, the whole form is refused and
// nothing is stored; at the limits it is taken.
func TestPreChatRefusals(t *testing.T) {
	f := newRecFixture(t)
	f.askBeforeChat(1, "name", "phone", "email", "qq")
	vs := f.mustArrive(1, f.key(), ipOther)
	for _, c := range []struct {
		name string
		form desk.PreChatForm
		want error
	}{
		{"name too long", desk.PreChatForm{Name: strings.Repeat("名", 31)}, desk.ErrCardField{Field: "name"}},
		{"email too long", desk.PreChatForm{Email: strings.Repeat("a", 70) + "@example.cn"}, desk.ErrCardField{Field: "email"}},
		{"phone with letters", desk.PreChatForm{Phone: "138abc00138"}, desk.ErrBadPhone},
		{"phone too short", desk.PreChatForm{Phone: "12345"}, desk.ErrBadPhone},
		{"phone too long", desk.PreChatForm{Phone: strings.Repeat("1", 21)}, desk.ErrBadPhone},
		{"phone over the card's limit", desk.PreChatForm{Phone: strings.Repeat("1", 31)}, desk.ErrCardField{Field: "phone"}},
		{"phone without digits", desk.PreChatForm{Phone: "+- - - -"}, desk.ErrBadPhone},
		{"phone of escapes", desk.PreChatForm{Phone: "\x1b[2J13800138000\x1b]0;x\x07;rm"}, desk.ErrBadPhone},
		{"bad email", desk.PreChatForm{Name: "张三", Email: "zhang@localhost"}, desk.ErrBadEmail},
		{"QQ too short", desk.PreChatForm{QQ: "1234"}, desk.ErrBadQQ},
		{"QQ with letters", desk.PreChatForm{QQ: "12345a"}, desk.ErrBadQQ},
		{"QQ too long", desk.PreChatForm{QQ: "1234567890123"}, desk.ErrBadQQ},
	} {
		err := vs.PreChat(c.form)
		var long desk.ErrCardField
		if !errors.Is(err, c.want) && !(errors.As(err, &long) && long == c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if c := f.card(vs.ID); c != (store.Card{}) {
		t.Fatalf("refused forms stored %+v", c)
	}
	at := desk.PreChatForm{Name: strings.Repeat("名", 30), Phone: "+86-10 8888 6666", Email: strings.Repeat("a", 69) + "@example.cn", QQ: "123456789012"}
	if err := vs.PreChat(at); err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	if c := f.card(vs.ID); c.Name != at.Name || c.Phone != at.Phone || c.Email != at.Email || c.QQ != at.QQ {
		t.Fatalf("stored %+v", c)
	}
}
