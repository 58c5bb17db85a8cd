package tui

import (
	"strings"
	"testing"

	"kefu/server/desk"
	"kefu/server/i18n"
)

func TestCardFormSavesEveryField(t *testing.T) {
	f := newFixture(t)
	vs, _, err := f.desk.Arrive(desk.Arrival{SiteID: 1, Key: "card-visitor-00001", Page: desk.Page{URL: "http://x/", Title: "首页"}, IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer vs.Close()
	m := f.model(100, 32, i18n.ZH)
	d := &driver{t: t, m: m}
	d.run(m.openCard(vs.ID), 0)
	if m.card == nil || m.card.form == nil {
		t.Fatal("card form did not open")
	}
	d.typeText("王小明")
	d.keys(keyEnter)
	d.typeText("13800138000")
	for i := 0; i < 5; i++ {
		d.keys(keyEnter)
	}
	d.typeText("老客户")
	d.keys(keyEnter) // Enter on the last field submits
	if m.card != nil {
		t.Fatalf("form still open:\n%s", m.View())
	}
	got, err := f.as.Visitor(vs.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := got.Visitor.Card
	if c.Name != "王小明" || c.Phone != "13800138000" || c.Notes != "老客户" {
		t.Fatalf("card stored as %+v", c)
	}
	d.run(listen(m.as.Events(), m.watching), 0) // the hub tells the monitor
	if !strings.Contains(m.View(), "王小明") {
		t.Fatalf("monitor does not show the card name:\n%s", m.View())
	}
}
