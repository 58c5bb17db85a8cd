package channel

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestParse runs real User-Agent headers, as browsers and apps send them.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		ua   string
		want Client
	}{
		{
			"Chrome on Windows 10",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Client{Kind: PC, Browser: "Chrome", BrowserVersion: "120.0.0.0", OS: "Windows", OSVersion: "10"},
		},
		{
			"Edge on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
			Client{Kind: PC, Browser: "Edge", BrowserVersion: "120.0.2210.91", OS: "Windows", OSVersion: "10"},
		},
		{
			"Firefox on Windows 7",
			"Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
			Client{Kind: PC, Browser: "Firefox", BrowserVersion: "115.0", OS: "Windows", OSVersion: "7"},
		},
		{
			"Internet Explorer 11 on Windows 7",
			"Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
			Client{Kind: PC, Browser: "Internet Explorer", BrowserVersion: "11.0", OS: "Windows", OSVersion: "7"},
		},
		{
			"Safari on macOS",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
			Client{Kind: PC, Browser: "Safari", BrowserVersion: "17.2", OS: "macOS", OSVersion: "10.15.7"},
		},
		{
			"Chrome on macOS",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
			Client{Kind: PC, Browser: "Chrome", BrowserVersion: "119.0.0.0", OS: "macOS", OSVersion: "10.15.7"},
		},
		{
			"Firefox on Linux",
			"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
			Client{Kind: PC, Browser: "Firefox", BrowserVersion: "121.0", OS: "Linux", OSVersion: "x86_64"},
		},
		{
			"Chrome on Linux",
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			Client{Kind: PC, Browser: "Chrome", BrowserVersion: "120.0.0.0", OS: "Linux", OSVersion: "x86_64"},
		},
		{
			"Safari on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
			Client{Kind: Mobile, Browser: "Safari", BrowserVersion: "17.2", OS: "iOS", OSVersion: "17.2", Device: "iPhone"},
		},
		{
			"Safari on iPad (iPadOS 12)",
			"Mozilla/5.0 (iPad; CPU OS 12_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1",
			Client{Kind: Mobile, Browser: "Safari", BrowserVersion: "12.1", OS: "iOS", OSVersion: "12.2", Device: "iPad"},
		},
		{
			"Chrome on Android, reduced UA",
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
			Client{Kind: Mobile, Browser: "Chrome", BrowserVersion: "120.0.0.0", OS: "Android", OSVersion: "10"},
		},
		{
			"Chrome on Android tablet",
			"Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Safari/537.36",
			Client{Kind: Mobile, Browser: "Chrome", BrowserVersion: "116.0.0.0", OS: "Android", OSVersion: "13", Device: "SM-X710"},
		},
		{
			"WeChat on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN",
			Client{Kind: WeChat, Browser: "WeChat", BrowserVersion: "8.0.47", OS: "iOS", OSVersion: "16.6", Device: "iPhone", App: "微信"},
		},
		{
			"WeChat on Android (X5 core)",
			"Mozilla/5.0 (Linux; Android 11; M2012K11AC Build/RKQ1.200826.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4343 MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/6181 MicroMessenger/8.0.28.2240(0x28001C35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
			Client{Kind: WeChat, Browser: "WeChat", BrowserVersion: "8.0.28.2240", OS: "Android", OSVersion: "11", Device: "M2012K11AC", App: "微信"},
		},
		{
			"WeChat mini program on Android, MQQBrowser core",
			"Mozilla/5.0 (Linux; Android 7.1.1; MI 6 Build/NMF26X; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/57.0.2987.132 MQQBrowser/6.2 TBS/043807 Mobile Safari/537.36 MicroMessenger/6.6.1.1220(0x26060135) NetType/4G Language/zh_CN miniProgram",
			Client{Kind: WeChat, Browser: "WeChat", BrowserVersion: "6.6.1.1220", OS: "Android", OSVersion: "7.1.1", Device: "MI 6", App: "微信"},
		},
		{
			"WeChat on Windows",
			"Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/53.0.2785.116 Safari/537.36 QBCore/4.0.1326.400 QQBrowser/9.0.2524.400 Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090819)",
			Client{Kind: WeChat, Browser: "WeChat", BrowserVersion: "7.0.20.1781", OS: "Windows", OSVersion: "10", App: "微信"},
		},
		{
			"WeChat on macOS",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) MicroMessenger/6.8.0(0x16080000) MacWechat/3.8.6(0x13080610) XWEB/30817 Flue",
			Client{Kind: WeChat, Browser: "WeChat", BrowserVersion: "6.8.0", OS: "macOS", OSVersion: "10.15.7", App: "微信"},
		},
		{
			"WeCom on Android is not the WeChat channel",
			"Mozilla/5.0 (Linux; Android 12; V2148A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/98.0.4758.101 Mobile Safari/537.36 wxwork/4.1.6 MicroMessenger/7.0.1 NetType/WIFI Language/zh ColorScheme/Light",
			Client{Kind: Mobile, Browser: "WeCom", BrowserVersion: "4.1.6", OS: "Android", OSVersion: "12", Device: "V2148A", App: "企业微信"},
		},
		{
			"QQ app on Android",
			"Mozilla/5.0 (Linux; Android 12; PEHM00 Build/SKQ1.210216.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046237 Mobile Safari/537.36 V1_AND_SQ_8.9.28_3700_YYB_D A_8092800 QQ/8.9.28.10155 NetType/WIFI WebP/0.3.0 AppId/537146874 Pixel/1080 StatusBarHeight/96 SimpleUISwitch/0 QQTheme/1000 StudyMode/0 CurrentMode/0 CurrentFontScale/1.0 GlobalDensityScale/0.9 AllowLandscape/false InMagicWin/0",
			Client{Kind: Mobile, Browser: "QQ", BrowserVersion: "8.9.28.10155", OS: "Android", OSVersion: "12", Device: "PEHM00", App: "QQ"},
		},
		{
			"QQ app on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 15_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/8.8.98.635 V1_IPH_SQ_8.8.98_1_APP_A Pixel/1170 MiniAppEnable SimpleUISwitch/0 StudyMode/0 CurrentMode/0 CurrentFontScale/1.000000 QQTheme/1000 Core/WKWebView Device/Apple(iPhone 13) NetType/WIFI QBWebViewType/1 WKType/1",
			Client{Kind: Mobile, Browser: "QQ", BrowserVersion: "8.8.98.635", OS: "iOS", OSVersion: "15.5", Device: "iPhone", App: "QQ"},
		},
		{
			"QQ Browser on Android",
			"Mozilla/5.0 (Linux; U; Android 10; zh-cn; PCAM00 Build/QKQ1.190918.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/13.2 Mobile Safari/537.36 COVC/046237",
			Client{Kind: Mobile, Browser: "QQ Browser", BrowserVersion: "13.2", OS: "Android", OSVersion: "10", Device: "PCAM00", App: "QQ浏览器"},
		},
		{
			"QQ Browser on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.71 Safari/537.36 Core/1.94.202.400 QQBrowser/11.9.5355.400",
			Client{Kind: PC, Browser: "QQ Browser", BrowserVersion: "11.9.5355.400", OS: "Windows", OSVersion: "10", App: "QQ浏览器"},
		},
		{
			"UC Browser on Android",
			"Mozilla/5.0 (Linux; U; Android 11; zh-CN; V2055A Build/RP1A.200720.012) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/15.3.8.1208 Mobile Safari/537.36",
			Client{Kind: Mobile, Browser: "UC Browser", BrowserVersion: "15.3.8.1208", OS: "Android", OSVersion: "11", Device: "V2055A", App: "UC"},
		},
		{
			"UC Browser on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X; zh-CN) AppleWebKit/537.51.1 (KHTML, like Gecko) Mobile/20D47 UCBrowser/15.3.0.2102 Mobile AliApp(TUnionSDK/0.1.20.4)",
			Client{Kind: Mobile, Browser: "UC Browser", BrowserVersion: "15.3.0.2102", OS: "iOS", OSVersion: "16.3", Device: "iPhone", App: "UC"},
		},
		{
			"360 Secure Browser on Windows",
			"Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.5359.95 Safari/537.36 QIHU 360SE",
			Client{Kind: PC, Browser: "360 Browser", OS: "Windows", OSVersion: "10", App: "360"},
		},
		{
			"360 Browser on Android",
			"Mozilla/5.0 (Linux; Android 10; HMA-AL00 Build/HUAWEIHMA-AL00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/83.0.4103.106 Mobile Safari/537.36 QihooBrowser/4.0.10",
			Client{Kind: Mobile, Browser: "360 Browser", BrowserVersion: "4.0.10", OS: "Android", OSVersion: "10", Device: "HMA-AL00", App: "360"},
		},
		{
			"Quark on Android",
			"Mozilla/5.0 (Linux; U; Android 12; zh-CN; 22041211AC Build/SP1A.210812.016) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 Quark/6.2.1.230 Mobile Safari/537.36",
			Client{Kind: Mobile, Browser: "Quark", BrowserVersion: "6.2.1.230", OS: "Android", OSVersion: "12", Device: "22041211AC", App: "夸克"},
		},
		{
			"Alipay on Android",
			"Mozilla/5.0 (Linux; U; Android 9; zh-CN; HLK-AL00 Build/HONORHLK-AL00) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.21.0.73 Mobile Safari/537.36 UCBS/3.21.0.73_191212221923 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.1.82.9020) AlipayClient/10.1.82.9020 Language/zh-Hans useStatusBar/true isConcaveScreen/false Region/CN",
			Client{Kind: Mobile, Browser: "Alipay", BrowserVersion: "10.1.82.9020", OS: "Android", OSVersion: "9", Device: "HLK-AL00", App: "支付宝"},
		},
		{
			"Alipay on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.3.20.6000) Nebula WK RVKType(1) AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.3.20.6000 Language/zh-Hans Region/CN NebulaX/1.0.0",
			Client{Kind: Mobile, Browser: "Alipay", BrowserVersion: "10.3.20.6000", OS: "iOS", OSVersion: "16.1", Device: "iPhone", App: "支付宝"},
		},
		{
			"DingTalk on Android",
			"Mozilla/5.0 (Linux; U; Android 10; zh-CN; ELE-AL00 Build/HUAWEIELE-AL00) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.1.210 Mobile Safari/537.36 AliApp(DingTalk/6.5.20) com.alibaba.android.rimet/26071225 Channel/700159 language/zh-CN abi/64 Hmos/1 UT4Aplus/0.2.25 colorScheme/light",
			Client{Kind: Mobile, Browser: "DingTalk", BrowserVersion: "6.5.20", OS: "Android", OSVersion: "10", Device: "ELE-AL00", App: "钉钉"},
		},
		{
			"DingTalk on Windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 dingtalk-win/1.0.0 nw(0.14.7) DingTalk(7.0.10-Release.3049107) Mojo/1.0.0 Native AppType(release) Channel/201200 DingTalk/7.0.10",
			Client{Kind: PC, Browser: "DingTalk", BrowserVersion: "7.0.10", OS: "Windows", OSVersion: "10", App: "钉钉"},
		},
		{
			"Weibo on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Weibo (iPhone14,2__weibo__12.4.0__iphone__os15.4)",
			Client{Kind: Mobile, Browser: "Weibo", BrowserVersion: "12.4.0", OS: "iOS", OSVersion: "15.4", Device: "iPhone", App: "微博"},
		},
		{
			"Weibo on Android",
			"Mozilla/5.0 (Linux; Android 10; ELS-AN00 Build/HUAWEIELS-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/88.0.4324.93 Mobile Safari/537.36 Weibo (HUAWEI-ELS-AN00__weibo__12.4.1__android__android10)",
			Client{Kind: Mobile, Browser: "Weibo", BrowserVersion: "12.4.1", OS: "Android", OSVersion: "10", Device: "ELS-AN00", App: "微博"},
		},
		{
			"Baidu app on Android",
			"Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.28 SP-engine/2.66.0 baiduboxapp/13.28.0.10 (Baidu; P1 12) NABar/1.0",
			Client{Kind: Mobile, Browser: "Baidu App", BrowserVersion: "13.28.0.10", OS: "Android", OSVersion: "12", Device: "NOH-AN00", App: "百度"},
		},
		{
			"Baidu app on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 SP-engine/3.16.0 main%2F1.0 baiduboxapp/13.38.0.10 (Baidu; P2 16.5) NABar/1.0 themeUA=Theme/default",
			Client{Kind: Mobile, Browser: "Baidu App", BrowserVersion: "13.38.0.10", OS: "iOS", OSVersion: "16.5", Device: "iPhone", App: "百度"},
		},
		{
			"Toutiao on Android",
			"Mozilla/5.0 (Linux; Android 11; PDVM00 Build/RP1A.200720.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/90.0.4430.91 Mobile Safari/537.36 NewsArticle/8.9.2 ToutiaoMicroApp/2.47.0.0 TTWebView/0902070030407 JsSdk/2 NetType/WIFI Channel/oppo_13_64 AppName/news_article app_version/8.9.2 ByteLocale/zh-CN ByteFullLocale/zh-CN Region/CN AppId/13 BytedanceWebview/d8a21c6",
			Client{Kind: Mobile, Browser: "Toutiao", BrowserVersion: "8.9.2", OS: "Android", OSVersion: "11", Device: "PDVM00", App: "今日头条"},
		},
		{
			"Douyin on iPhone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 aweme_230400 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/zh Region/CN AppTheme/light RevealType/Dialog WKWebView/1 BytedanceWebview/d8a21c6 app_version/23.4.0",
			Client{Kind: Mobile, Browser: "Douyin", BrowserVersion: "23.4.0", OS: "iOS", OSVersion: "16.0", Device: "iPhone", App: "抖音"},
		},
		{
			"Huawei Browser",
			"Mozilla/5.0 (Linux; Android 10; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.1.300 Mobile Safari/537.36",
			Client{Kind: Mobile, Browser: "Huawei Browser", BrowserVersion: "14.0.1.300", OS: "HarmonyOS", Device: "NOH-AN00", App: "华为浏览器"},
		},
		{
			"Huawei Browser on HarmonyOS NEXT",
			"Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
			Client{Kind: Mobile, Browser: "Huawei Browser", BrowserVersion: "5.0.4.300", OS: "HarmonyOS", OSVersion: "4.1", App: "华为浏览器"},
		},
		{
			"Xiaomi browser",
			"Mozilla/5.0 (Linux; U; Android 11; zh-cn; Mi 10 Pro Build/RKQ1.200826.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/79.0.3945.147 Mobile Safari/537.36 XiaoMi/MiuiBrowser/14.7.10",
			Client{Kind: Mobile, Browser: "Mi Browser", BrowserVersion: "14.7.10", OS: "Android", OSVersion: "11", Device: "Mi 10 Pro", App: "小米浏览器"},
		},
		{
			"Sogou Browser on Windows",
			"Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 SE 2.X MetaSr 1.0",
			Client{Kind: PC, Browser: "Sogou Browser", OS: "Windows", OSVersion: "10", App: "搜狗浏览器"},
		},
		{
			"Googlebot",
			"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			Client{Kind: PC, Browser: "Googlebot", BrowserVersion: "2.1", Bot: true},
		},
		{
			"Googlebot smartphone",
			"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.129 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			Client{Kind: Mobile, Browser: "Googlebot", BrowserVersion: "2.1", OS: "Android", OSVersion: "6.0.1", Device: "Nexus 5X", Bot: true},
		},
		{
			"Baiduspider",
			"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
			Client{Kind: PC, Browser: "Baiduspider", BrowserVersion: "2.0", Bot: true},
		},
		{
			"Baiduspider render",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 9_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13B143 Safari/601.1 (compatible; Baiduspider-render/2.0; +http://www.baidu.com/search/spider.html)",
			Client{Kind: Mobile, Browser: "Safari", BrowserVersion: "9.0", OS: "iOS", OSVersion: "9.1", Device: "iPhone", Bot: true},
		},
		{
			"Sogou spider",
			"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
			Client{Kind: PC, Browser: "Sogou web spider", BrowserVersion: "4.0", Bot: true},
		},
		{
			"curl",
			"curl/8.5.0",
			Client{Kind: PC, Browser: "curl", BrowserVersion: "8.5.0", Bot: true},
		},
		{"empty", "", Client{}},
		{"blank", "   ", Client{}},
		{"garbage", "asdf qwer zxcv", Client{}},
		{"only punctuation", ";;;(((///)))", Client{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.ua); got != tt.want {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.ua, got, tt.want)
			}
		})
	}
}

func TestParseHostile(t *testing.T) {
	long := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 " +
		strings.Repeat("A", 5000) + " MicroMessenger/8.0.47"
	tests := []struct {
		name string
		ua   string
		want Client
	}{
		{
			// The WeChat token lies past MaxInput and is not read.
			"oversized", long,
			Client{Kind: Mobile, OS: "iOS", OSVersion: "17.2", Device: "iPhone"},
		},
		{
			"terminal escapes in the browser name",
			"Mozilla/5.0 (Windows NT 10.0) Evil\x1b\x07/1.0",
			Client{Kind: PC, Browser: "Evil", BrowserVersion: "1.0", OS: "Windows", OSVersion: "10"},
		},
		{
			"terminal escapes in the device model",
			"Mozilla/5.0 (Linux; Android 13; Pwn\x1b[2J\x1b]0;owned\x07 Build/TP1A) Chrome/120.0.0.0 Mobile Safari/537.36",
			Client{Kind: Mobile, Browser: "Chrome", BrowserVersion: "120.0.0.0", OS: "Android", OSVersion: "13", Device: "owned"},
		},
		{
			"invalid UTF-8",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36 \xff\xfe",
			Client{Kind: PC, Browser: "Chrome", BrowserVersion: "120.0.0.0", OS: "Windows", OSVersion: "10"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.ua); got != tt.want {
				t.Errorf("Parse(%.200q)\n got %+v\nwant %+v", tt.ua, got, tt.want)
			}
		})
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		k                      Kind
		id, display, displayEN string
	}{
		{PC, "pc", "PC", "PC"},
		{Mobile, "mobile", "手机", "Mobile"},
		{WeChat, "wechat", "微信", "WeChat"},
		{Kind(-1), "pc", "PC", "PC"},
		{Kind(99), "pc", "PC", "PC"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.id {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.id)
		}
		if got := tt.k.Display(); got != tt.display {
			t.Errorf("Kind(%d).Display() = %q, want %q", tt.k, got, tt.display)
		}
		if got := tt.k.DisplayEN(); got != tt.displayEN {
			t.Errorf("Kind(%d).DisplayEN() = %q, want %q", tt.k, got, tt.displayEN)
		}
	}
	for _, k := range []Kind{PC, Mobile, WeChat} {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v; want %v, true", k.String(), got, ok, k)
		}
	}
	if _, ok := ParseKind("tablet"); ok {
		t.Error(`ParseKind("tablet") succeeded`)
	}
}

// FuzzParse checks that Parse never panics and always returns printable,
// bounded fields.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN",
		"Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/97.0.4692.98 Mobile Safari/537.36 T7/13.28 SP-engine/2.66.0 baiduboxapp/13.28.0.10 (Baidu; P1 12) NABar/1.0",
		"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
		"Weibo (x__weibo__",
		"QQ/ MicroMessenger/",
		"CrOS x86_64",
		"Android ( ; ; tablet",
		"\x1b]0;pwned\x07",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		c := Parse(ua)
		if c.Kind < PC || c.Kind > WeChat {
			t.Fatalf("Kind %d out of range", c.Kind)
		}
		for _, s := range []string{c.Browser, c.BrowserVersion, c.OS, c.OSVersion, c.Device, c.App} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxField {
				t.Fatalf("field %q is invalid or too long", s)
			}
			for _, r := range s {
				if !unicode.IsPrint(r) {
					t.Fatalf("field %q has non-printing %U", s, r)
				}
			}
		}
	})
}

var benchUAs = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN",
	"Mozilla/5.0 (Linux; Android 11; M2012K11AC Build/RKQ1.200826.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4343 MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/6181 MicroMessenger/8.0.28.2240(0x28001C35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Parse(benchUAs[i%len(benchUAs)])
		i++
	}
}
