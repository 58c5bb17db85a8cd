package channel

import "strings"

const appWeChat = "微信"

// app recognises one Chinese app (whose built-in browser the visitor is in)
// or Chinese browser by the tokens it adds to the User-Agent.
type app struct {
	tokens  []string // any of these, case-sensitive, identifies it
	app     string   // Client.App: "微信"
	browser string   // Client.Browser: "WeChat"
	// version is the token that precedes the version ("MicroMessenger/");
	// "" means the first of tokens.
	version string
	// mobile: the token exists only in phone and tablet builds.
	mobile bool
}

// apps is checked in order; the first match wins. Apps come before
// browsers because an app's built-in browser carries its engine's tokens
// too: WeChat and QQ on Android embed Tencent's X5 core and say
// "MQQBrowser", DingTalk says "AliApp" like Alipay, Toutiao and Douyin both
// say "BytedanceWebview".
var apps = []app{
	// WeCom (企业微信) also says MicroMessenger but is not the WeChat channel.
	{tokens: []string{"wxwork/"}, app: "企业微信", browser: "WeCom"},
	{tokens: []string{"MicroMessenger/", "WindowsWechat", "MacWechat"}, app: appWeChat, browser: "WeChat", version: "MicroMessenger/"},
	{tokens: []string{"DingTalk/"}, app: "钉钉", browser: "DingTalk"},
	{tokens: []string{"AlipayClient/"}, app: "支付宝", browser: "Alipay"},
	{tokens: []string{"__weibo__"}, app: "微博", browser: "Weibo", mobile: true},
	{tokens: []string{"AppName/aweme", "aweme_", "aweme/"}, app: "抖音", browser: "Douyin", version: "app_version/", mobile: true},
	{tokens: []string{"NewsArticle/", "AppName/news_article"}, app: "今日头条", browser: "Toutiao", version: "NewsArticle/", mobile: true},
	{tokens: []string{"baiduboxapp/"}, app: "百度", browser: "Baidu App", mobile: true},
	{tokens: []string{" QQ/"}, app: "QQ", browser: "QQ", mobile: true},
	{tokens: []string{"Quark/"}, app: "夸克", browser: "Quark"},
	{tokens: []string{"UCBrowser/", "UCWEB", "UBrowser/"}, app: "UC", browser: "UC Browser"},
	{tokens: []string{"MQQBrowser/", "QQBrowser/"}, app: "QQ浏览器", browser: "QQ Browser"},
	{tokens: []string{"QihooBrowser/", "QHBrowser/", "360SE", "360EE", "360Browser"}, app: "360", browser: "360 Browser"},
	{tokens: []string{"SogouMobileBrowser/", "MetaSr"}, app: "搜狗浏览器", browser: "Sogou Browser"},
	{tokens: []string{"baidubrowser/", "BIDUBrowser"}, app: "百度浏览器", browser: "Baidu Browser"},
	{tokens: []string{"HuaweiBrowser/"}, app: "华为浏览器", browser: "Huawei Browser", mobile: true},
	{tokens: []string{"MiuiBrowser/"}, app: "小米浏览器", browser: "Mi Browser", mobile: true},
	{tokens: []string{"VivoBrowser/"}, app: "vivo浏览器", browser: "vivo Browser", mobile: true},
	{tokens: []string{"HeyTapBrowser/", "OppoBrowser/"}, app: "OPPO浏览器", browser: "OPPO Browser", mobile: true},
	{tokens: []string{"LBBROWSER"}, app: "猎豹浏览器", browser: "Liebao Browser"},
	{tokens: []string{"2345Explorer/"}, app: "2345浏览器", browser: "2345 Explorer"},
}

// findApp returns the first app whose tokens appear in ua.
func findApp(ua string) (app, bool) {
	for _, a := range apps {
		for _, t := range a.tokens {
			if strings.Contains(ua, t) {
				return a, true
			}
		}
	}
	return app{}, false
}

// versionIn reads the app's version from ua: the run of digits and dots
// after its version token ("MicroMessenger/8.0.47(0x18002f2f)" → "8.0.47",
// "__weibo__12.9.0__iphone" → "12.9.0").
func (a app) versionIn(ua string) string {
	tokens := a.tokens
	if a.version != "" {
		tokens = []string{a.version}
	}
	for _, t := range tokens {
		i := strings.Index(ua, t)
		if i < 0 {
			continue
		}
		rest := ua[i+len(t):]
		if !strings.HasSuffix(t, "/") && !strings.HasSuffix(t, "_") {
			// "360SE", "WindowsWechat": a version may follow a slash.
			var ok bool
			if rest, ok = strings.CutPrefix(rest, "/"); !ok {
				continue
			}
		}
		if v := tokenValue(rest, ""); v != "" {
			return v
		}
	}
	return ""
}
