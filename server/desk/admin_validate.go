package desk

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/server/geo"
	"kefu/server/plain"
	"kefu/store"
)

// Validation of what admins type. Each function is used twice: by the forms, to show the
// problem next to the field as it is typed, and by the desk, which never trusts a form.

// Limits of admin input.
const (
	MaxNameRunes     = 20 // 姓名: 2–20 characters
	MaxRoleNameRunes = 20 // 角色名称: at most 20 characters
	MaxSiteNameRunes = 40
	MinPassword      = 6
	MaxPassword      = 20
	MaxKeysPerAgent  = 20
	MaxMaxChats      = 99
)

var (
	accountRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$`)
	phoneRE   = regexp.MustCompile(`^(\+\d{1,3}-?)?\d{5,15}$`)
	emailRE   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)
	qqRE      = regexp.MustCompile(`^[1-9]\d{4,11}$`)
	colorRE   = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	hostRE    = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?$`)
)

func runes(s string) int { return utf8.RuneCountInString(s) }

// ValidateAccount checks an account (账号): 2–32 letters, digits, '_', '.', '-', starting
// with a letter or digit. It is the SSH user name, so nothing else.
func ValidateAccount(s string) error {
	if !accountRE.MatchString(s) {
		return fieldErr("account", "admin.err.account")
	}
	return nil
}

// ValidatePassword checks a password: 6–20 characters, no spaces.
func ValidatePassword(s string) error {
	n := runes(s)
	if n < MinPassword || n > MaxPassword || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return fieldErr("password", "admin.err.password", MinPassword, MaxPassword)
	}
	return nil
}

// ValidateName checks a person's name (姓名): 2–20 characters.
func ValidateName(s string) error {
	s = strings.TrimSpace(s)
	if n := runes(s); n < 2 || n > MaxNameRunes || plain.Line(s) != s {
		return fieldErr("name", "admin.err.name", 2, MaxNameRunes)
	}
	return nil
}

// ValidateNickname checks a nickname (昵称): optional, at most 20 characters.
func ValidateNickname(s string) error {
	s = strings.TrimSpace(s)
	if runes(s) > MaxNameRunes || plain.Line(s) != s {
		return fieldErr("nickname", "admin.err.nickname", MaxNameRunes)
	}
	return nil
}

// ValidateGender checks a gender (性别): unset, "male" or "female". Anything else is refused,
// not dropped, so a script's typo does not pass unnoticed.
func ValidateGender(s string) error {
	switch s {
	case "", "male", "female":
		return nil
	}
	return fieldErr("gender", "admin.err.gender")
}

// ValidatePhone checks a phone number (手机): optional; digits, maybe +country code.
func ValidatePhone(s string) error {
	if s != "" && !phoneRE.MatchString(s) {
		return fieldErr("phone", "admin.err.phone")
	}
	return nil
}

// ValidateEmail checks an e-mail address (邮箱): optional.
func ValidateEmail(s string) error {
	if s != "" && (len(s) > 100 || !emailRE.MatchString(s)) {
		return fieldErr("email", "admin.err.email")
	}
	return nil
}

// ValidateQQ checks a QQ number: optional, 5–12 digits.
func ValidateQQ(s string) error {
	if s != "" && !qqRE.MatchString(s) {
		return fieldErr("qq", "admin.err.qq")
	}
	return nil
}

// ValidateShort checks an optional one-line value of at most n characters (work number,
// WeChat, group).
func ValidateShort(field string, n int) func(string) error {
	return func(s string) error {
		if runes(s) > n || plain.Line(s) != s {
			return fieldErr(field, "admin.err.too_long", n)
		}
		return nil
	}
}

// ValidateRoleName checks a role name (角色名称): 1–20 characters.
func ValidateRoleName(s string) error {
	s = strings.TrimSpace(s)
	if n := runes(s); n < 1 || n > MaxRoleNameRunes || plain.Line(s) != s {
		return fieldErr("role_name", "admin.err.role_name", MaxRoleNameRunes)
	}
	return nil
}

// ValidateSiteName checks a site name: 1–40 characters.
func ValidateSiteName(s string) error {
	s = strings.TrimSpace(s)
	if n := runes(s); n < 1 || n > MaxSiteNameRunes || plain.Line(s) != s {
		return fieldErr("site_name", "admin.err.site_name", MaxSiteNameRunes)
	}
	return nil
}

// ParseDomains reads the domains of a site from what an admin typed: separated by commas,
// spaces or 、, each a host name, "*.host" or "host:port".
func ParseDomains(s string) ([]string, error) {
	var out []string
	for _, d := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || unicode.IsSpace(r) }) {
		d = strings.ToLower(strings.TrimSuffix(d, "/"))
		if u, err := url.Parse(d); err == nil && u.Host != "" {
			d = u.Host
		}
		if !hostRE.MatchString(d) && d != "[::1]" {
			return nil, fieldErr("domains", "admin.err.domain", plain.Line(d))
		}
		dup := false
		for _, o := range out {
			dup = dup || o == d
		}
		if !dup {
			out = append(out, d)
		}
	}
	if len(out) > 50 {
		return nil, fieldErr("domains", "admin.err.domains_many", 50)
	}
	return out, nil
}

// ValidateDomains is ParseDomains for a form field.
func ValidateDomains(s string) error {
	_, err := ParseDomains(s)
	return err
}

// ValidateSecret checks a site's secret for signed member identity: 16–128 printable
// characters without spaces, or empty to have one made.
func ValidateSecret(s string) error {
	if s == "" {
		return nil
	}
	if n := len(s); n < 16 || n > 128 || strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return fieldErr("secret", "admin.err.secret", 16)
	}
	return nil
}

// ValidateColor checks a colour: empty for the default, or #rgb / #rrggbb.
func ValidateColor(s string) error {
	if s != "" && !colorRE.MatchString(s) {
		return fieldErr("color", "admin.err.color")
	}
	return nil
}

// ValidateURL checks the custom chat URL (自定义URL): empty, or http(s)://….
func ValidateURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 500 || plain.Line(s) != s {
		return fieldErr("custom_url", "admin.err.url")
	}
	return nil
}

// ValidateCount checks a number typed into a form: digits only, lo..hi.
func ValidateCount(field string, lo, hi int) func(string) error {
	return func(s string) error {
		n, ok := atoi(s)
		if !ok || n < lo || n > hi {
			return fieldErr(field, "admin.err.range", lo, hi)
		}
		return nil
	}
}

func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// Atoi reads a number typed into a form (digits only); ok is false for anything else.
func Atoi(s string) (n int, ok bool) { return atoi(s) }

// Icon positions (咨询图标位置) the widget knows.
const (
	IconRight = "right"
	IconLeft  = "left"
)

// PreChatFields are the visitor details a site may ask for before a chat (访客注册设置).
var PreChatFields = []string{"name", "phone", "email", "qq"}

// cleanSettings checks a site's settings and returns them made safe.
func cleanSettings(s store.SiteSettings) (store.SiteSettings, error) {
	s.ChatTitle = strings.TrimSpace(plain.Line(s.ChatTitle))
	s.Welcome = strings.TrimSpace(plain.Text(s.Welcome))
	s.InviteText = strings.TrimSpace(plain.Text(s.InviteText))
	s.IconText = strings.TrimSpace(plain.Line(s.IconText))
	s.Color = strings.TrimSpace(s.Color)
	s.CustomURL = strings.TrimSpace(s.CustomURL)
	switch {
	case runes(s.ChatTitle) > 40:
		return s, fieldErr("chat_title", "admin.err.too_long", 40)
	case runes(s.Welcome) > 500:
		return s, fieldErr("welcome", "admin.err.too_long", 500)
	case runes(s.InviteText) > 200:
		return s, fieldErr("invite_text", "admin.err.too_long", 200)
	case runes(s.IconText) > 10:
		return s, fieldErr("icon_text", "admin.err.too_long", 10)
	case s.IconPos != "" && s.IconPos != IconRight && s.IconPos != IconLeft:
		return s, fieldErr("icon_pos", "admin.err.icon_pos")
	case s.AutoInviteSecs < 0 || s.AutoInviteSecs > 3600:
		return s, fieldErr("auto_invite_secs", "admin.err.range", 0, 3600)
	case s.AutoInvitePages < 0 || s.AutoInvitePages > 100:
		return s, fieldErr("auto_invite_pages", "admin.err.range", 0, 100)
	}
	if err := ValidateAutoInvite(s.AutoInvite, s.AutoInviteSecs, s.AutoInvitePages); err != nil {
		return s, err
	}
	if err := ValidateColor(s.Color); err != nil {
		return s, err
	}
	if err := ValidateURL(s.CustomURL); err != nil {
		return s, err
	}
	var pre []string
	for _, f := range s.PreChat {
		known := false
		for _, k := range PreChatFields {
			known = known || k == f
		}
		if !known {
			return s, fieldErr("pre_chat", "admin.err.pre_chat")
		}
		pre = append(pre, f)
	}
	s.PreChat = pre
	return s, nil
}

// ValidateAutoInvite checks that auto-invite, when on, has a moment to invite at: after some
// seconds on the site or some pages seen.
func ValidateAutoInvite(on bool, secs, pages int) error {
	if on && secs == 0 && pages == 0 {
		return fieldErr("auto_invite_secs", "admin.err.auto_invite")
	}
	return nil
}

// ValidRegion reports whether r may be one of an agent's regions (分流区域): a province's
// short name, an area name, or geo.Overseas.
func ValidRegion(r string) bool {
	for _, a := range geo.Areas {
		if r == a.Name {
			return true
		}
		for _, p := range a.Provinces {
			if r == p {
				return true
			}
		}
	}
	return false
}
