package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"kefu/server/plain"
	"kefu/store"
)

// MemberClaim is a logged-in member's identity as the site's page hands it to the widget. The
// site's server signs it with the site's secret, so it cannot be forged from a browser
// console: Sig = hex(HMAC-SHA256(secret, ID + "\n" + Name + "\n" + TS)), TS in Unix seconds.
type MemberClaim struct {
	ID   string
	Name string
	TS   int64
	Sig  string
}

// memberMaxAge is how long a signature stays good (a page may stay open for days).
const memberMaxAge = 7 * 24 * time.Hour

// SignMember computes the signature a site's server puts on a member identity; kefu's own
// tests and the admin's embed-code help use it.
func SignMember(secret, id, name string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id + "\n" + name + "\n" + strconv.FormatInt(ts, 10)))
	return hex.EncodeToString(mac.Sum(nil))
}

// verifyMember returns the member if the claim is correctly signed with the site's secret and
// recent; otherwise nil. The comparison is constant-time.
func verifyMember(site *store.Site, c *MemberClaim, now time.Time) *store.Member {
	if c == nil || c.ID == "" || len(c.ID) > 64 || len(c.Name) > 64 || site.Secret == "" {
		return nil
	}
	at := time.Unix(c.TS, 0)
	if now.Sub(at) > memberMaxAge || at.Sub(now) > 5*time.Minute {
		return nil
	}
	want := SignMember(site.Secret, c.ID, c.Name, c.TS)
	if !hmac.Equal([]byte(want), []byte(c.Sig)) {
		return nil
	}
	return &store.Member{ID: plain.Line(c.ID), Name: plain.Line(c.Name)}
}
