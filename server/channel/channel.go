// Package channel tells from a visitor's User-Agent header which channel
// (渠道) they came through — PC, mobile or WeChat — and with which browser,
// operating system, device and Chinese app.
//
// General parsing is github.com/mileusna/useragent; our own table adds the
// Chinese in-app browsers and browsers it does not know (WeChat, QQ, UC,
// 360, Quark, Alipay, DingTalk, Weibo, Baidu, Toutiao, Douyin…).
package channel

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mileusna/useragent"
)

// MaxInput is how much of a User-Agent header Parse reads. Real ones are
// under 500 bytes; the rest of a hostile one is ignored.
const MaxInput = 1 << 10

// maxField bounds each text field of a Client, in runes.
const maxField = 64

// Kind is the channel (渠道) a visitor came through, as the monitor shows it.
type Kind int

// The channels. WeChat wins over Mobile and PC: a visitor in WeChat's
// built-in browser, on a phone or on a PC, is a WeChat visitor. Tablets count
// as Mobile.
const (
	PC Kind = iota
	Mobile
	WeChat
)

var kindNames = [...]struct{ id, zh, en string }{
	PC:     {"pc", "PC", "PC"},
	Mobile: {"mobile", "手机", "Mobile"},
	WeChat: {"wechat", "微信", "WeChat"},
}

// String gives the stable id of the Kind, as stored and sent to the widget:
// "pc", "mobile", "wechat".
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "pc"
	}
	return kindNames[k].id
}

// Display is how the monitor shows the Kind: "PC", "手机", "微信".
func (k Kind) Display() string {
	if k < 0 || int(k) >= len(kindNames) {
		return kindNames[PC].zh
	}
	return kindNames[k].zh
}

// DisplayEN is the English form of Display: "PC", "Mobile", "WeChat".
func (k Kind) DisplayEN() string {
	if k < 0 || int(k) >= len(kindNames) {
		return kindNames[PC].en
	}
	return kindNames[k].en
}

// ParseKind reads a Kind back from its String form.
func ParseKind(s string) (Kind, bool) {
	for k, n := range kindNames {
		if n.id == s {
			return Kind(k), true
		}
	}
	return PC, false
}

// Client is what a User-Agent header says about a visitor's software.
type Client struct {
	Kind           Kind
	Browser        string // "Chrome", "Safari", "WeChat", "UC Browser"…; "" if unknown
	BrowserVersion string // "120.0.0.0", "8.0.47"…
	OS             string // "Windows", "macOS", "iOS", "Android", "Linux", "Harmony"…
	OSVersion      string // "10", "17.2", "14"…
	Device         string // "iPhone", "iPad", an Android model such as "SM-G9910"; often ""
	App            string // the Chinese app or browser: "微信", "QQ", "UC"…; "" for a plain browser
	Bot            bool   // a crawler or script, not a person
}

// Parse reads a User-Agent header. It never fails: an empty or meaningless
// header gives a PC Client with empty fields. Only the first MaxInput bytes
// are read, and every field is cleaned of control characters and bounded,
// so the result is safe to show in a terminal.
func Parse(ua string) Client {
	if len(ua) > MaxInput {
		ua = ua[:MaxInput]
	}
	if !utf8.ValidString(ua) {
		ua = strings.ToValidUTF8(ua, "")
	}
	if strings.TrimSpace(ua) == "" {
		return Client{}
	}

	p := useragent.Parse(ua)
	c := Client{
		Browser:        p.Name,
		BrowserVersion: p.Version,
		OS:             p.OS,
		OSVersion:      p.OSVersion,
		Device:         p.Device,
		Bot:            p.Bot || isBot(ua),
	}
	switch {
	case p.Name == p.String, notBrowsers[p.Name], strings.Contains(p.Name, " ") && p.Version == "" && !c.Bot:
		// The library names an unknown client after the whole header, a
		// free-text fragment of it or a platform token ("iPhone" for an iOS
		// web view); say nothing rather than that.
		c.Browser, c.BrowserVersion = "", ""
	case p.Name == "Trident":
		// Internet Explorer 11 says only "Trident/7.0; rv:11.0".
		c.Browser, c.BrowserVersion = useragent.InternetExplorer, tokenValue(ua, "rv:")
	}
	switch c.OS {
	case useragent.Windows:
		c.OSVersion = windowsVersion(c.OSVersion)
	case useragent.Android:
		c.Device = androidDevice(ua)
		if strings.Contains(platform(ua), "HarmonyOS") {
			// HarmonyOS 2–4 run Android apps and say both.
			c.OS, c.OSVersion = harmonyOS, ""
		}
	case useragent.Harmony:
		c.OS = harmonyOS // HarmonyOS NEXT says "OpenHarmony 4.1"
	}

	mobile := p.Mobile || p.Tablet || isMobileOS(c.OS)
	if a, ok := findApp(ua); ok {
		c.App = a.app
		c.Browser = a.browser
		c.BrowserVersion = a.versionIn(ua)
		if a.mobile {
			mobile = true
		}
	}
	switch {
	case c.App == appWeChat:
		c.Kind = WeChat
	case mobile:
		c.Kind = Mobile
	}

	c.Browser = clean(c.Browser)
	c.BrowserVersion = clean(c.BrowserVersion)
	c.OS = clean(c.OS)
	c.OSVersion = clean(c.OSVersion)
	c.Device = clean(c.Device)
	return c
}

// harmonyOS is Huawei's operating system, for phones and tablets.
const harmonyOS = "HarmonyOS"

// notBrowsers are platform tokens the library may fall back to as a
// browser name when it finds none.
var notBrowsers = map[string]bool{
	"iPhone": true, "iPad": true, "iPod": true, "Macintosh": true, "X11": true,
	"Linux": true, "Windows": true, "Mobile": true, "AppleWebKit": true, "Gecko": true,
}

// platform returns the first parenthesized part of a User-Agent, where
// browsers describe the system: "Linux; Android 13; SM-S9180 Build/TP1A".
func platform(ua string) string {
	i := strings.IndexByte(ua, '(')
	if i < 0 {
		return ""
	}
	rest := ua[i+1:]
	if j := strings.IndexByte(rest, ')'); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// androidDevice finds the phone model in an Android User-Agent: the part
// before " Build/" or, without one, the first part after "Android N" that is
// not a language tag or a web-view flag. Chrome's reduced User-Agent says
// only "K", which means no model.
func androidDevice(ua string) string {
	parts := strings.Split(platform(ua), ";")
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if i := strings.Index(p, " Build/"); i > 0 {
			return strings.TrimSpace(p[:i])
		}
		if m, ok := strings.CutSuffix(p, " Build"); ok {
			return strings.TrimSpace(m)
		}
	}
	after := false
	for _, p := range parts {
		p = strings.TrimSpace(p)
		switch {
		case strings.HasPrefix(p, "Android"):
			after = true
		case !after, isLanguageTag(p):
		case p == "wv" || p == "U" || p == "K" || p == "HarmonyOS" || strings.HasPrefix(p, "HMSCore"):
		case p != "":
			return p
		}
	}
	return ""
}

// isLanguageTag reports whether s looks like "zh-cn", "zh-CN" or "en".
func isLanguageTag(s string) bool {
	switch len(s) {
	case 2:
		return isLetters(s)
	case 5:
		return (s[2] == '-' || s[2] == '_') && isLetters(s[:2]) && isLetters(s[3:])
	}
	return false
}

func isLetters(s string) bool {
	for i := range len(s) {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// tokenValue returns the run of digits and dots after key in ua.
func tokenValue(ua, key string) string {
	i := strings.Index(ua, key)
	if i < 0 {
		return ""
	}
	rest := ua[i+len(key):]
	n := 0
	for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '.') {
		n++
	}
	return strings.Trim(rest[:n], ".")
}

// isMobileOS reports whether an operating system only runs on phones and
// tablets.
func isMobileOS(os string) bool {
	switch os {
	case useragent.Android, useragent.IOS, useragent.WindowsPhone, harmonyOS, useragent.BlackBerry:
		return true
	}
	return false
}

// windowsVersion turns a Windows NT version into the name people know. NT
// 10.0 is both Windows 10 and 11; the header cannot tell them apart.
func windowsVersion(nt string) string {
	switch nt {
	case "10.0":
		return "10"
	case "6.3":
		return "8.1"
	case "6.2":
		return "8"
	case "6.1":
		return "7"
	case "6.0":
		return "Vista"
	case "5.1", "5.2":
		return "XP"
	}
	return nt
}

// botMarkers are lower-case fragments that only crawlers, monitors and
// scripts put in a User-Agent. ("bot" alone would match phone brands such as
// Cubot.)
var botMarkers = []string{
	"bot/", "bot;", "bot)", "bot-", "spider", "crawler", "slurp", "yahoo! ",
	"curl/", "wget/", "python-requests", "python-urllib", "aiohttp", "go-http-client",
	"java/", "okhttp", "apache-httpclient", "libwww-perl", "scrapy", "headlesschrome",
	"phantomjs", "lighthouse", "pingdom", "uptimerobot", "facebookexternalhit",
	"bingpreview", "mediapartners-google", "adsbot", "feedfetcher", "yisouspider",
}

// isBot reports whether a header looks like a crawler's or a script's.
func isBot(ua string) bool {
	lower := strings.ToLower(ua)
	for _, m := range botMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}

// clean makes a field safe and short enough to show: no control or other
// non-printing characters, at most maxField runes.
func clean(s string) string {
	if s == "" {
		return ""
	}
	ok := utf8.RuneCountInString(s) <= maxField
	for _, r := range s {
		if !unicode.IsPrint(r) {
			ok = false
			break
		}
	}
	if ok {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if !unicode.IsPrint(r) {
			continue
		}
		if n == maxField {
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
