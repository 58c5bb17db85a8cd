package source

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const landing = "https://kf.example.cn/index.html"

// TestParse runs referrers as search engines and sites really send them.
func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		referrer  string
		landing   string
		want      Source
		display   string
		displayEN string
	}{
		{
			"Baidu PC, UTF-8",
			"https://www.baidu.com/s?ie=utf-8&f=8&rsv_bp=1&tn=baidu&wd=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D&oq=&rsv_pq=f2b0b5a8000b8c0a&rsv_t=1d2aW",
			landing,
			Source{Engine: "baidu", Keyword: "在线客服"},
			"百度(在线客服)", "Baidu (在线客服)",
		},
		{
			"Baidu PC, product guide keyword",
			"https://www.baidu.com/s?wd=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D%E7%B3%BB%E7%BB%9F&rsv_spt=1",
			landing,
			Source{Engine: "baidu", Keyword: "在线客服系统"},
			"百度(在线客服系统)", "Baidu (在线客服系统)",
		},
		{
			"Baidu result link hides the keyword",
			"https://www.baidu.com/link?url=7xQBvbAPYnT3kJYzLgbk1h4cSmV8sY0zDtBjpJ9YeWMCrTCBJmGMmCFZgqT8ek4e&wd=&eqid=e5a3b58c0001d3f30000000665a0f5b1",
			landing,
			Source{Engine: "baidu"},
			"百度", "Baidu",
		},
		{
			"Baidu origin only (strict-origin-when-cross-origin)",
			"https://www.baidu.com/",
			landing,
			Source{Engine: "baidu"},
			"百度", "Baidu",
		},
		{
			"Baidu mobile, word=",
			"https://m.baidu.com/s?from=1000539d&word=%E5%AE%A2%E6%9C%8D%E8%BD%AF%E4%BB%B6+%E5%85%8D%E8%B4%B9",
			landing,
			Source{Engine: "baidu", Keyword: "客服软件 免费"},
			"百度(客服软件 免费)", "Baidu (客服软件 免费)",
		},
		{
			"Baidu, GBK announced by ie=gbk",
			"http://www.baidu.com/s?ie=gbk&wd=%D4%DA%CF%DF%BF%CD%B7%FE",
			landing,
			Source{Engine: "baidu", Keyword: "在线客服"},
			"百度(在线客服)", "Baidu (在线客服)",
		},
		{
			"Baidu, GBK bytes without ie",
			"http://www.baidu.com/s?wd=%D4%DA%CF%DF%BF%CD%B7%FE",
			landing,
			Source{Engine: "baidu", Keyword: "在线客服"},
			"百度(在线客服)", "Baidu (在线客服)",
		},
		{
			"Baidu ad",
			"https://www.baidu.com/baidu.php?url=a000000aa5f3BzX1Zz0&us=newvui&xst=mWdn",
			landing,
			Source{Engine: "baidu"},
			"百度", "Baidu",
		},
		{
			"Tieba is a site, not a search",
			"https://tieba.baidu.com/p/8712345678",
			landing,
			Source{Host: "tieba.baidu.com"},
			"tieba.baidu.com", "tieba.baidu.com",
		},
		{
			"360 search",
			"https://www.so.com/s?ie=utf-8&fr=none&src=360sou_newhome&nlpv=basenlp_hc_23&q=%E5%AE%A2%E6%9C%8D%E7%B3%BB%E7%BB%9F",
			landing,
			Source{Engine: "so360", Keyword: "客服系统"},
			"360搜索(客服系统)", "360 Search (客服系统)",
		},
		{
			"360 search, GBK",
			"https://www.so.com/s?ie=gbk&q=%BF%CD%B7%FE",
			landing,
			Source{Engine: "so360", Keyword: "客服"},
			"360搜索(客服)", "360 Search (客服)",
		},
		{
			"Sogou PC",
			"https://www.sogou.com/web?query=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D&_asf=www.sogou.com&_ast=&w=01019900&p=40040100&ie=utf8&from=index-nologin",
			landing,
			Source{Engine: "sogou", Keyword: "在线客服"},
			"搜狗(在线客服)", "Sogou (在线客服)",
		},
		{
			"Sogou mobile, keyword=",
			"https://m.sogou.com/web/searchList.jsp?keyword=%E5%AE%A2%E6%9C%8D&pid=sogou-waps-7880d7226e872b77",
			landing,
			Source{Engine: "sogou", Keyword: "客服"},
			"搜狗(客服)", "Sogou (客服)",
		},
		{
			"Shenma",
			"https://m.sm.cn/s?q=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D%E8%BD%AF%E4%BB%B6&from=smor&safe=1&snum=6",
			landing,
			Source{Engine: "shenma", Keyword: "在线客服软件"},
			"神马(在线客服软件)", "Shenma (在线客服软件)",
		},
		{
			"Google",
			"https://www.google.com/search?q=live+chat+software&oq=live+chat&sourceid=chrome&ie=UTF-8",
			landing,
			Source{Engine: "google", Keyword: "live chat software"},
			"谷歌(live chat software)", "Google (live chat software)",
		},
		{
			"Google Hong Kong, origin only",
			"https://www.google.com.hk/",
			landing,
			Source{Engine: "google"},
			"谷歌", "Google",
		},
		{
			"Google app on Android",
			"android-app://com.google.android.googlequicksearchbox/",
			landing,
			Source{Engine: "google"},
			"谷歌", "Google",
		},
		{
			"Bing China",
			"https://cn.bing.com/search?q=%E5%AE%A2%E6%9C%8D%E7%B3%BB%E7%BB%9F&form=QBLH&sp=-1&pq=",
			landing,
			Source{Engine: "bing", Keyword: "客服系统"},
			"必应(客服系统)", "Bing (客服系统)",
		},
		{
			"Toutiao search",
			"https://so.toutiao.com/search?dvpf=pc&source=input&keyword=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D",
			landing,
			Source{Engine: "toutiao", Keyword: "在线客服"},
			"头条搜索(在线客服)", "Toutiao Search (在线客服)",
		},
		{
			"Yahoo",
			"https://search.yahoo.com/search?p=customer+service+chat&fr=yfp-t",
			landing,
			Source{Engine: "yahoo", Keyword: "customer service chat"},
			"雅虎(customer service chat)", "Yahoo (customer service chat)",
		},
		{
			"Yahoo Japan",
			"https://search.yahoo.co.jp/search?p=%E3%83%81%E3%83%A3%E3%83%83%E3%83%88",
			landing,
			Source{Engine: "yahoo", Keyword: "チャット"},
			"雅虎(チャット)", "Yahoo (チャット)",
		},
		{
			"Yandex",
			"https://yandex.ru/search/?text=%D0%BE%D0%BD%D0%BB%D0%B0%D0%B9%D0%BD+%D1%87%D0%B0%D1%82&lr=213",
			landing,
			Source{Engine: "yandex", Keyword: "онлайн чат"},
			"Yandex(онлайн чат)", "Yandex (онлайн чат)",
		},
		{
			"DuckDuckGo",
			"https://duckduckgo.com/?q=live+chat&t=h_&ia=web",
			landing,
			Source{Engine: "duckduckgo", Keyword: "live chat"},
			"DuckDuckGo(live chat)", "DuckDuckGo (live chat)",
		},
		{
			"Naver",
			"https://search.naver.com/search.naver?where=nexearch&query=%EC%B1%84%ED%8C%85",
			landing,
			Source{Engine: "naver", Keyword: "채팅"},
			"Naver(채팅)", "Naver (채팅)",
		},
		{
			"an ordinary site",
			"https://kf.qycn.com/help/install.html",
			landing,
			Source{Host: "kf.qycn.com"},
			"kf.qycn.com", "kf.qycn.com",
		},
		{
			"host name case, port and trailing dot",
			"HTTP://News.QQ.com.:8080/a/20240101/000001.htm",
			landing,
			Source{Host: "news.qq.com"},
			"news.qq.com", "news.qq.com",
		},
		{
			"referrer without a scheme",
			"www.baidu.com/s?wd=%E5%AE%A2%E6%9C%8D",
			landing,
			Source{Engine: "baidu", Keyword: "客服"},
			"百度(客服)", "Baidu (客服)",
		},
		{
			"same site is internal",
			"https://kf.example.cn/pricing.html",
			landing,
			Source{},
			"直接输入", "Direct",
		},
		{
			"same site with and without www",
			"https://www.kf.example.cn/",
			"http://kf.example.cn:8080/",
			Source{},
			"直接输入", "Direct",
		},
		{"empty", "", landing, Source{}, "直接输入", "Direct"},
		{"javascript:", "javascript:alert(document.cookie)", landing, Source{}, "直接输入", "Direct"},
		{"about:blank", "about:blank", landing, Source{}, "直接输入", "Direct"},
		{"garbage", "%%%zz::/??##", landing, Source{}, "直接输入", "Direct"},
		{"bad host characters", "http://evil\x1b[2J.com/", landing, Source{}, "直接输入", "Direct"},
		{"no landing page", "https://kf.qycn.com/", "", Source{Host: "kf.qycn.com"}, "kf.qycn.com", "kf.qycn.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.referrer, tt.landing)
			if got != tt.want {
				t.Errorf("Parse(%q, %q)\n got %+v\nwant %+v", tt.referrer, tt.landing, got, tt.want)
			}
			if d := got.Display(); d != tt.display {
				t.Errorf("Display() = %q, want %q", d, tt.display)
			}
			if d := got.DisplayEN(); d != tt.displayEN {
				t.Errorf("DisplayEN() = %q, want %q", d, tt.displayEN)
			}
			if got.Direct() != (tt.display == "直接输入") {
				t.Errorf("Direct() = %v for %q", got.Direct(), tt.display)
			}
		})
	}
}

func TestParseUTM(t *testing.T) {
	tests := []struct {
		name     string
		referrer string
		landing  string
		want     Source
		display  string
	}{
		{
			"newsletter, no referrer",
			"",
			"https://kf.example.cn/?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale",
			Source{UTMSource: "newsletter", UTMMedium: "email", UTMCampaign: "spring_sale"},
			"utm:newsletter",
		},
		{
			"paid search keeps the referrer's keyword",
			"https://www.baidu.com/s?wd=%E5%AE%A2%E6%9C%8D",
			"https://kf.example.cn/lp?utm_source=baidu&utm_medium=cpc&utm_campaign=brand&utm_term=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D",
			Source{Engine: "baidu", Keyword: "客服", UTMSource: "baidu", UTMMedium: "cpc", UTMCampaign: "brand"},
			"百度(客服)",
		},
		{
			"utm_term stands in for a hidden keyword",
			"https://www.baidu.com/link?url=abc",
			"https://kf.example.cn/lp?utm_source=baidu&utm_medium=cpc&utm_term=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D",
			Source{Engine: "baidu", Keyword: "在线客服", UTMSource: "baidu", UTMMedium: "cpc"},
			"百度(在线客服)",
		},
		{
			"utm_term without a referrer",
			"",
			"https://kf.example.cn/?utm_source=wechat&utm_term=%E5%AE%A2%E6%9C%8D",
			Source{Keyword: "客服", UTMSource: "wechat"},
			"utm:wechat(客服)",
		},
		{
			"Baidu ad click id without a referrer",
			"",
			"https://kf.example.cn/lp?bd_vid=11722938517624987339",
			Source{Engine: "baidu"},
			"百度",
		},
		{
			"Baidu ad click id and keyword",
			"",
			"https://kf.example.cn/lp?bd_vid=11722938517624987339&bd_kw=%E5%AE%A2%E6%9C%8D",
			Source{Engine: "baidu", Keyword: "客服"},
			"百度(客服)",
		},
		{
			"same-site referrer keeps the landing tags",
			"https://kf.example.cn/a",
			"https://kf.example.cn/b?utm_source=poster",
			Source{UTMSource: "poster"},
			"utm:poster",
		},
		{
			"hostile tags are cleaned",
			"",
			"https://kf.example.cn/?utm_source=%1B%5B31mred%1B%5B0m&utm_campaign=a%0D%0Ab",
			Source{UTMSource: "[31mred[0m", UTMCampaign: "a b"},
			"utm:[31mred[0m",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.referrer, tt.landing)
			if got != tt.want {
				t.Errorf("Parse(%q, %q)\n got %+v\nwant %+v", tt.referrer, tt.landing, got, tt.want)
			}
			if d := got.Display(); d != tt.display {
				t.Errorf("Display() = %q, want %q", d, tt.display)
			}
		})
	}
}

func TestKeywordCleaning(t *testing.T) {
	long := strings.Repeat("客", 150)
	tests := []struct {
		name, wd, want string
	}{
		{"trimmed", "%20%20%E5%AE%A2%E6%9C%8D%20%20", "客服"},
		{"inner white space collapses", "a%09%09b%E3%80%80c", "a b c"},
		{"control characters dropped", "%E5%AE%A2%00%07%1B%E6%9C%8D", "客服"},
		{"bidi override dropped", "%E2%80%AEabc", "abc"},
		{"capped at 100 runes", long, strings.Repeat("客", MaxKeyword)},
		{"a bad escape drops the parameter", "%E5%AE%A2%E6%9C%8D%zz", ""},
		{"neither UTF-8 nor GBK", "%FF%FF%FF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse("https://www.baidu.com/s?wd="+tt.wd, "").Keyword
			if got != tt.want {
				t.Errorf("keyword = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseCapsInput(t *testing.T) {
	// The keyword parameter lies past MaxInput and is not read.
	ref := "https://www.baidu.com/s?pad=" + strings.Repeat("x", MaxInput) + "&wd=%E5%AE%A2"
	if got := Parse(ref, ""); got != (Source{Engine: "baidu"}) {
		t.Errorf("Parse(oversized) = %+v, want engine without keyword", got)
	}
}

func TestEngineName(t *testing.T) {
	tests := []struct{ id, lang, want string }{
		{"baidu", "zh", "百度"}, {"baidu", "en", "Baidu"}, {"baidu", "zh-CN", "百度"}, {"baidu", "en-US", "Baidu"},
		{"baidu", "", "百度"}, {"so360", "zh", "360搜索"}, {"so360", "en", "360 Search"},
		{"sogou", "zh", "搜狗"}, {"sogou", "EN", "Sogou"}, {"shenma", "zh", "神马"}, {"shenma", "en", "Shenma"},
		{"google", "zh", "谷歌"}, {"google", "en", "Google"}, {"bing", "zh", "必应"}, {"bing", "en", "Bing"},
		{"toutiao", "zh", "头条搜索"}, {"toutiao", "en", "Toutiao Search"},
		{"altavista", "zh", "altavista"}, {"", "en", ""},
	}
	for _, tt := range tests {
		if got := EngineName(tt.id, tt.lang); got != tt.want {
			t.Errorf("EngineName(%q, %q) = %q, want %q", tt.id, tt.lang, got, tt.want)
		}
	}
	for _, e := range engines {
		if e.zh == "" || e.en == "" || len(e.params) == 0 {
			t.Errorf("engine %s is incomplete", e.id)
		}
	}
}

func TestIsGoogle(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"google.com", true}, {"www.google.com", true}, {"www.google.com.hk", true}, {"google.co.jp", true},
		{"www.google.de", true}, {"google.evil.example.com", false}, {"notgoogle.com", false},
		{"google.", false}, {"docs.google.com", false}, {"google.x", false},
	}
	for _, tt := range tests {
		if got := isGoogle(tt.host); got != tt.want {
			t.Errorf("isGoogle(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it returns is
// safe to show.
func FuzzParse(f *testing.F) {
	f.Add("https://www.baidu.com/s?ie=utf-8&wd=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D", landing)
	f.Add("http://www.baidu.com/s?wd=%D4%DA%CF%DF%BF%CD%B7%FE", "")
	f.Add("android-app://com.google.android.googlequicksearchbox/", "x")
	f.Add("javascript:alert(1)", "https://a.example/?utm_source=%1B&utm_term=%FF")
	f.Add("//[::1]:80/%zz?q=%", "kf.example.cn/?bd_vid=1")
	f.Add("www.google.com.hk", "http://www.google.com.hk/")
	f.Fuzz(func(t *testing.T, referrer, landingURL string) {
		s := Parse(referrer, landingURL)
		for _, v := range []string{s.Engine, s.Keyword, s.Host, s.UTMSource, s.UTMMedium, s.UTMCampaign, s.Display(), s.DisplayEN()} {
			if !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 in %+v", s)
			}
			for _, r := range v {
				if !unicode.IsPrint(r) {
					t.Fatalf("non-printing %U in %+v", r, s)
				}
			}
		}
		for _, v := range []string{s.Keyword, s.UTMSource, s.UTMMedium, s.UTMCampaign} {
			if utf8.RuneCountInString(v) > MaxKeyword || v != strings.TrimSpace(v) {
				t.Fatalf("field %q is too long or untrimmed", v)
			}
		}
		if len(s.Host) > maxHost {
			t.Fatalf("host %q is too long", s.Host)
		}
		if s.Engine != "" && s.Host != "" {
			t.Fatalf("both engine and host in %+v", s)
		}
	})
}

var benchReferrers = []string{
	"https://www.baidu.com/s?ie=utf-8&f=8&rsv_bp=1&tn=baidu&wd=%E5%9C%A8%E7%BA%BF%E5%AE%A2%E6%9C%8D&oq=&rsv_pq=f2b0b5a8000b8c0a",
	"http://www.baidu.com/s?ie=gbk&wd=%D4%DA%CF%DF%BF%CD%B7%FE",
	"https://www.google.com/",
	"https://kf.qycn.com/help/install.html",
	"",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Parse(benchReferrers[i%len(benchReferrers)], "https://kf.example.cn/lp?utm_source=baidu&utm_medium=cpc")
		i++
	}
}
