package desk

import (
	"testing"
	"time"

	"kefu/store"
)

func TestVerifyMember(t *testing.T) {
	site := &store.Site{Secret: "s3cret"}
	now := time.Unix(1_800_000_000, 0)
	good := MemberClaim{ID: "m-1001", Name: "王小明", TS: now.Unix() - 60}
	good.Sig = SignMember(site.Secret, good.ID, good.Name, good.TS)
	tests := []struct {
		name   string
		change func(c *MemberClaim)
		ok     bool
	}{
		{"signed", func(c *MemberClaim) {}, true},
		{"forged name", func(c *MemberClaim) { c.Name = "管理员" }, false},
		{"forged id", func(c *MemberClaim) { c.ID = "m-1" }, false},
		{"no signature", func(c *MemberClaim) { c.Sig = "" }, false},
		{"signed with another secret", func(c *MemberClaim) { c.Sig = SignMember("other", c.ID, c.Name, c.TS) }, false},
		{"too old", func(c *MemberClaim) {
			c.TS = now.Add(-8 * 24 * time.Hour).Unix()
			c.Sig = SignMember(site.Secret, c.ID, c.Name, c.TS)
		}, false},
		{"from the future", func(c *MemberClaim) {
			c.TS = now.Add(time.Hour).Unix()
			c.Sig = SignMember(site.Secret, c.ID, c.Name, c.TS)
		}, false},
	}
	for _, tt := range tests {
		c := good
		tt.change(&c)
		m := verifyMember(site, &c, now)
		if (m != nil) != tt.ok {
			t.Errorf("%s: got %v, want ok=%v", tt.name, m, tt.ok)
		}
		if m != nil && (m.ID != c.ID || m.Name != c.Name) {
			t.Errorf("%s: member %+v", tt.name, m)
		}
	}
	if verifyMember(&store.Site{}, &good, now) != nil {
		t.Error("a site without a secret accepted a member")
	}
}
