package desk_test

import (
	"strings"
	"testing"

	"kefu/server/desk"
	"kefu/server/i18n"
)

// TestSiteNamesAreUnique: a second site of a name (in any case, with spaces around) is
// refused with a sentence naming the problem; a site keeps its own name on edit.
func TestSiteNamesAreUnique(t *testing.T) {
	f := newAdminFixture(t)
	super := f.desk.CommandSession(f.agent("super"))
	for _, name := range []string{"华南分站", " 华南分站 ", "默认站点"} {
		_, err := super.CreateSite(desk.SiteInput{Name: name})
		if err == nil || !strings.Contains(desk.Explain(err, i18n.ZH), "已有同名的网站") {
			t.Fatalf("CreateSite(%q): %v (%s)", name, err, desk.Explain(err, i18n.ZH))
		}
	}
	site, err := super.CreateSite(desk.SiteInput{Name: "Yunfan Shop"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := super.CreateSite(desk.SiteInput{Name: "YUNFAN SHOP"}); err == nil {
		t.Fatal("a name differing only in case was accepted")
	}
	if _, err := super.UpdateSite(site.ID, desk.SiteInput{Name: "Yunfan Shop", Domains: []string{"shop.example.cn"}}); err != nil {
		t.Fatalf("keeping its own name: %v", err)
	}
	if _, err := super.UpdateSite(site.ID, desk.SiteInput{Name: "华北分站"}); err == nil || desk.Explain(err, i18n.EN) != "A site with that name exists; choose another name." {
		t.Fatalf("renaming onto another site: %v", err)
	}
}

// TestGenderIsCheckedNotDropped: an unknown gender is refused; unset, male and female pass.
func TestGenderIsCheckedNotDropped(t *testing.T) {
	f := newAdminFixture(t)
	super := f.desk.CommandSession(f.agent("super"))
	in := desk.AgentInput{Account: "xiaomei", Name: "小美", RoleID: f.roles["agent"], Password: "meimei01", Gender: "alien"}
	if _, err := super.CreateAgent(f.own, in); err == nil || !strings.Contains(desk.Explain(err, i18n.ZH), "性别只能是") {
		t.Fatalf("gender alien: %v", err)
	}
	in.Gender = "female"
	a, err := super.CreateAgent(f.own, in)
	if err != nil || a.Gender != "female" {
		t.Fatalf("gender female: %+v %v", a, err)
	}
	in.Gender, in.Password = "男性", ""
	if _, err := super.UpdateAgent(a.ID, in); err == nil {
		t.Fatal("UpdateAgent accepted gender 男性")
	}
}
