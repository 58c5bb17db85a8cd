// Package source tells where a visitor came from (来源, 来源词): the search
// engine and keyword, or the referring site, or direct entry, plus the
// landing page's UTM campaign tags.
package source

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxInput is how much of a referrer or landing URL Parse reads.
const MaxInput = 4 << 10

// MaxKeyword bounds Keyword and the UTM fields, in runes.
const MaxKeyword = 100

// maxHost bounds a host name, as DNS does.
const maxHost = 253

// Source is where a visitor came from.
type Source struct {
	Engine  string // stable id: "baidu", "so360", "sogou", "shenma", "google", "bing", "toutiao", …; "" when not a search engine
	Keyword string // search keyword (utm_term if the referrer has none), trimmed, ≤ 100 runes
	Host    string // referring host when not an engine ("kf.qycn.com"), "" for direct

	UTMSource, UTMMedium, UTMCampaign string
}

// Parse reads the referrer (document.referrer or the Referer header) and
// the URL of the page the visitor landed on. An empty or unusable referrer
// ("javascript:", garbage) is direct entry; so is a referrer on the landing
// page's own site (the visitor moved within the site). Only the first
// MaxInput bytes of each are read.
func Parse(referrer, landingURL string) Source {
	referrer = strings.TrimSpace(truncate(referrer, MaxInput))
	landingURL = strings.TrimSpace(truncate(landingURL, MaxInput))

	var s Source
	landing := parseURL(landingURL)
	var lq url.Values
	if landing != nil {
		lq = query(landing.RawQuery)
		s.UTMSource = clean(lq.Get("utm_source"))
		s.UTMMedium = clean(lq.Get("utm_medium"))
		s.UTMCampaign = clean(lq.Get("utm_campaign"))
	}

	if ref := parseURL(referrer); ref != nil {
		switch ref.Scheme {
		case "http", "https":
			host := hostOf(ref)
			if host == "" || landing != nil && sameSite(host, hostOf(landing)) {
				break
			}
			if e := findEngine(host); e != nil {
				s.Engine = e.id
				s.Keyword = keyword(query(ref.RawQuery), e.params)
			} else {
				s.Host = host
			}
		case "android-app":
			// android-app://com.google.android.googlequicksearchbox/
			if id, ok := appEngines[strings.ToLower(ref.Host)]; ok {
				s.Engine = id
			} else if host := hostOf(ref); host != "" {
				s.Host = host
			}
		}
	}

	if s.Engine == "" && s.Host == "" && lq.Get("bd_vid") != "" {
		// Baidu's ad click id: the visitor clicked a Baidu ad, though the
		// referrer was stripped on the way.
		s.Engine = "baidu"
	}
	if s.Keyword == "" {
		s.Keyword = clean(lq.Get("utm_term"))
	}
	if s.Keyword == "" {
		s.Keyword = clean(lq.Get("bd_kw"))
	}
	return s
}

// Direct reports whether nothing tells where the visitor came from: no
// search engine, no referring site and no utm_source (直接输入).
func (s Source) Direct() bool {
	return s.Engine == "" && s.Host == "" && s.UTMSource == ""
}

// Display is how the monitor shows the Source: "百度(在线客服系统)", "百度",
// "kf.qycn.com", "utm:newsletter", "直接输入".
func (s Source) Display() string {
	switch {
	case s.Engine != "":
		return withKeyword(EngineName(s.Engine, "zh"), s.Keyword, "")
	case s.Host != "":
		return s.Host
	case s.UTMSource != "":
		return withKeyword("utm:"+s.UTMSource, s.Keyword, "")
	}
	return "直接输入"
}

// DisplayEN is the English form of Display: "Baidu (keyword)",
// "kf.qycn.com", "utm:newsletter", "Direct".
func (s Source) DisplayEN() string {
	switch {
	case s.Engine != "":
		return withKeyword(EngineName(s.Engine, "en"), s.Keyword, " ")
	case s.Host != "":
		return s.Host
	case s.UTMSource != "":
		return withKeyword("utm:"+s.UTMSource, s.Keyword, " ")
	}
	return "Direct"
}

func withKeyword(name, keyword, sep string) string {
	if keyword == "" {
		return name
	}
	return name + sep + "(" + keyword + ")"
}

// parseURL parses a referrer or landing URL, tolerating a missing scheme
// ("www.baidu.com/s?wd=…", as some trackers send it). It returns nil for
// anything without a usable shape.
func parseURL(raw string) *url.URL {
	if raw == "" {
		return nil
	}
	if !strings.Contains(raw, "://") {
		if i := strings.IndexByte(raw, ':'); i > 0 && isScheme(raw[:i]) && !strings.Contains(raw[:i], ".") {
			// "javascript:…", "about:blank", "data:…": not a place.
			u, err := url.Parse(raw)
			if err != nil {
				return nil
			}
			return u
		}
		raw = "http://" + strings.TrimPrefix(raw, "//")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u
}

func isScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// hostOf returns the URL's host name in lower case, without port or
// trailing dot, or "" when it is not a plausible host name.
func hostOf(u *url.URL) string {
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if h == "" || len(h) > maxHost || !utf8.ValidString(h) {
		return ""
	}
	for _, r := range h {
		switch {
		case r == '.' || r == '-' || r == '_' || r == ':':
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			// internationalized names: 中文.cn
		default:
			return ""
		}
	}
	return h
}

// sameSite reports whether two hosts are the same site, ignoring "www.".
func sameSite(a, b string) bool {
	return b != "" && strings.TrimPrefix(a, "www.") == strings.TrimPrefix(b, "www.")
}

// query parses a raw query, keeping the valid parameters of a malformed one.
func query(raw string) url.Values {
	v, _ := url.ParseQuery(raw)
	return v
}

// keyword returns the first non-empty keyword parameter, decoded.
func keyword(q url.Values, params []string) string {
	for _, p := range params {
		if v := q.Get(p); v != "" {
			if kw := clean(decode(v, q)); kw != "" {
				return kw
			}
		}
	}
	return ""
}

// decode turns a percent-decoded keyword into UTF-8. Old Baidu and 360
// referrers carry GBK bytes, announced by ie=gbk (or gb2312, gb18030) or
// recognisable as not being UTF-8.
func decode(v string, q url.Values) string {
	ie := strings.ToLower(q.Get("ie") + q.Get("oe") + q.Get("charset"))
	gbk := strings.Contains(ie, "gb")
	if !gbk && utf8.ValidString(v) {
		return v
	}
	if s, err := simplifiedchinese.GB18030.NewDecoder().String(v); err == nil {
		// The decoder turns bytes that are not GBK either into U+FFFD.
		return strings.ReplaceAll(s, string(utf8.RuneError), "")
	}
	return strings.ToValidUTF8(v, "")
}

// clean makes a keyword or tag safe to show: valid UTF-8, no control or
// other non-printing characters, runs of white space as one space, trimmed,
// at most MaxKeyword runes.
func clean(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r):
			continue
		}
		if n == MaxKeyword {
			break
		}
		if space {
			if n+1 == MaxKeyword {
				break
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// truncate cuts s to at most n bytes.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
