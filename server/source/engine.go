package source

import "strings"

// engine is a search engine we recognise by its referrer.
type engine struct {
	id     string   // Source.Engine
	zh, en string   // EngineName
	hosts  []string // exact host names (lower case, no port)
	params []string // query parameters holding the keyword, in order of preference
	// matches, if set, recognises hosts beyond the exact list (regional
	// Google domains, Yahoo's country subdomains).
	matches func(host string) bool
}

// engines is our own table: no maintained Go library covers the Chinese
// engines. Hosts are listed exactly rather than by domain suffix so that a
// company's other sites (tieba.baidu.com, news.so.com) count as ordinary
// referring sites, not as searches.
var engines = []engine{
	{
		id: "baidu", zh: "百度", en: "Baidu",
		hosts:  []string{"www.baidu.com", "baidu.com", "m.baidu.com", "wap.baidu.com", "mbd.baidu.com", "www.baidu.cn"},
		params: []string{"wd", "word"},
	},
	{
		id: "so360", zh: "360搜索", en: "360 Search",
		hosts:  []string{"www.so.com", "so.com", "m.so.com", "www.haosou.com", "m.haosou.com", "so.360.cn", "www.so.360.cn"},
		params: []string{"q"},
	},
	{
		id: "sogou", zh: "搜狗", en: "Sogou",
		hosts:  []string{"www.sogou.com", "sogou.com", "m.sogou.com", "wap.sogou.com", "weixin.sogou.com"},
		params: []string{"query", "keyword"},
	},
	{
		id: "shenma", zh: "神马", en: "Shenma",
		hosts:  []string{"m.sm.cn", "sm.cn", "yz.m.sm.cn", "so.m.sm.cn", "quark.sm.cn", "www.sm.cn"},
		params: []string{"q"},
	},
	{
		id: "toutiao", zh: "头条搜索", en: "Toutiao Search",
		hosts:  []string{"so.toutiao.com", "m.toutiao.com"},
		params: []string{"keyword"},
	},
	{
		id: "chinaso", zh: "中国搜索", en: "ChinaSo",
		hosts:  []string{"www.chinaso.com", "m.chinaso.com"},
		params: []string{"q"},
	},
	{
		id: "google", zh: "谷歌", en: "Google",
		params:  []string{"q"},
		matches: isGoogle,
	},
	{
		id: "bing", zh: "必应", en: "Bing",
		hosts:  []string{"www.bing.com", "bing.com", "cn.bing.com", "global.bing.com", "m.bing.com"},
		params: []string{"q"},
	},
	{
		id: "yahoo", zh: "雅虎", en: "Yahoo",
		hosts:   []string{"search.yahoo.com", "search.yahoo.co.jp"},
		params:  []string{"p"},
		matches: func(h string) bool { return strings.HasSuffix(h, ".search.yahoo.com") },
	},
	{
		id: "yandex", zh: "Yandex", en: "Yandex",
		hosts:  []string{"yandex.ru", "yandex.com", "ya.ru", "yandex.com.tr", "yandex.kz", "yandex.by", "yandex.ua"},
		params: []string{"text"},
	},
	{
		id: "duckduckgo", zh: "DuckDuckGo", en: "DuckDuckGo",
		hosts:  []string{"duckduckgo.com", "html.duckduckgo.com", "lite.duckduckgo.com"},
		params: []string{"q"},
	},
	{
		id: "naver", zh: "Naver", en: "Naver",
		hosts:  []string{"search.naver.com", "m.search.naver.com"},
		params: []string{"query"},
	},
}

// appEngines maps Android apps, which refer as android-app://PACKAGE/, to
// the engine they search with.
var appEngines = map[string]string{
	"com.google.android.googlequicksearchbox": "google",
	"com.baidu.searchbox":                     "baidu",
	"com.qihoo.browser":                       "so360",
	"com.sogou.activity.src":                  "sogou",
}

var (
	enginesByHost = map[string]*engine{}
	enginesByID   = map[string]*engine{}
)

func init() {
	for i := range engines {
		e := &engines[i]
		enginesByID[e.id] = e
		for _, h := range e.hosts {
			enginesByHost[h] = e
		}
	}
}

// findEngine returns the engine a referring host belongs to, or nil.
func findEngine(host string) *engine {
	if e, ok := enginesByHost[host]; ok {
		return e
	}
	for i := range engines {
		if m := engines[i].matches; m != nil && m(host) {
			return &engines[i]
		}
	}
	return nil
}

// isGoogle reports whether host is Google's search in some country:
// google.com, www.google.com.hk, google.co.jp…
func isGoogle(host string) bool {
	host = strings.TrimPrefix(host, "www.")
	tld, ok := strings.CutPrefix(host, "google.")
	if !ok || tld == "" {
		return false
	}
	labels := strings.Split(tld, ".")
	if len(labels) > 2 {
		return false
	}
	for _, l := range labels {
		if len(l) < 2 || len(l) > 3 {
			return false
		}
	}
	return true
}

// EngineName gives an engine's name for people: EngineName("baidu", "zh")
// is "百度", EngineName("baidu", "en") is "Baidu". lang is a language tag;
// anything starting with "en" means English, everything else Chinese. An id
// we do not know is returned unchanged.
func EngineName(id, lang string) string {
	e, ok := enginesByID[id]
	if !ok {
		return id
	}
	if isEnglish(lang) {
		return e.en
	}
	return e.zh
}

func isEnglish(lang string) bool {
	return len(lang) >= 2 && strings.EqualFold(lang[:2], "en")
}
