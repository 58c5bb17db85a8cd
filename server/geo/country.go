package geo

// country names a country in the database's Chinese, in English, and by its
// ISO 3166-1 alpha-2 code.
type country struct {
	code, zh, en string
}

// countries covers the countries that send almost all traffic, in the
// database's own Chinese spelling. Rarer ones keep the database's Chinese
// name (from ip2region) or their ISO code (from iploc). The entries without a
// code are ip2region's names for whole continents.
var countries = []country{
	{"US", "美国", "United States"},
	{"JP", "日本", "Japan"},
	{"DE", "德国", "Germany"},
	{"GB", "英国", "United Kingdom"},
	{"KR", "韩国", "South Korea"},
	{"KP", "朝鲜", "North Korea"},
	{"BR", "巴西", "Brazil"},
	{"FR", "法国", "France"},
	{"CA", "加拿大", "Canada"},
	{"AU", "澳大利亚", "Australia"},
	{"IT", "意大利", "Italy"},
	{"NL", "荷兰", "Netherlands"},
	{"RU", "俄罗斯", "Russia"},
	{"IN", "印度", "India"},
	{"ES", "西班牙", "Spain"},
	{"MX", "墨西哥", "Mexico"},
	{"ZA", "南非", "South Africa"},
	{"BE", "比利时", "Belgium"},
	{"SE", "瑞典", "Sweden"},
	{"EG", "埃及", "Egypt"},
	{"PL", "波兰", "Poland"},
	{"CH", "瑞士", "Switzerland"},
	{"AR", "阿根廷", "Argentina"},
	{"ID", "印度尼西亚", "Indonesia"},
	{"CO", "哥伦比亚", "Colombia"},
	{"TR", "土耳其", "Turkey"},
	{"VN", "越南", "Vietnam"},
	{"NO", "挪威", "Norway"},
	{"FI", "芬兰", "Finland"},
	{"SG", "新加坡", "Singapore"},
	{"DK", "丹麦", "Denmark"},
	{"IE", "爱尔兰", "Ireland"},
	{"IR", "伊朗", "Iran"},
	{"MA", "摩洛哥", "Morocco"},
	{"AT", "奥地利", "Austria"},
	{"UA", "乌克兰", "Ukraine"},
	{"SA", "沙特阿拉伯", "Saudi Arabia"},
	{"CL", "智利", "Chile"},
	{"TH", "泰国", "Thailand"},
	{"CZ", "捷克", "Czechia"},
	{"RO", "罗马尼亚", "Romania"},
	{"IL", "以色列", "Israel"},
	{"TN", "突尼斯", "Tunisia"},
	{"NZ", "新西兰", "New Zealand"},
	{"MY", "马来西亚", "Malaysia"},
	{"PT", "葡萄牙", "Portugal"},
	{"VE", "委内瑞拉", "Venezuela"},
	{"KE", "肯尼亚", "Kenya"},
	{"HU", "匈牙利", "Hungary"},
	{"PK", "巴基斯坦", "Pakistan"},
	{"PH", "菲律宾", "Philippines"},
	{"GR", "希腊", "Greece"},
	{"DZ", "阿尔及利亚", "Algeria"},
	{"BG", "保加利亚", "Bulgaria"},
	{"AE", "阿联酋", "United Arab Emirates"},
	{"KZ", "哈萨克斯坦", "Kazakhstan"},
	{"PE", "秘鲁", "Peru"},
	{"LT", "立陶宛", "Lithuania"},
	{"NG", "尼日利亚", "Nigeria"},
	{"HR", "克罗地亚", "Croatia"},
	{"SK", "斯洛伐克", "Slovakia"},
	{"EC", "厄瓜多尔", "Ecuador"},
	{"SI", "斯洛文尼亚", "Slovenia"},
	{"UY", "乌拉圭", "Uruguay"},
	{"RS", "塞尔维亚", "Serbia"},
	{"KW", "科威特", "Kuwait"},
	{"LV", "拉脱维亚", "Latvia"},
	{"BD", "孟加拉", "Bangladesh"},
	{"BY", "白俄罗斯", "Belarus"},
	{"EE", "爱沙尼亚", "Estonia"},
	{"MD", "摩尔多瓦", "Moldova"},
	{"GE", "格鲁吉亚", "Georgia"},
	{"LU", "卢森堡", "Luxembourg"},
	{"CY", "塞浦路斯", "Cyprus"},
	{"OM", "阿曼", "Oman"},
	{"IS", "冰岛", "Iceland"},
	{"QA", "卡塔尔", "Qatar"},
	{"AZ", "阿塞拜疆", "Azerbaijan"},
	{"IQ", "伊拉克", "Iraq"},
	{"JO", "约旦", "Jordan"},
	{"MT", "马耳他", "Malta"},
	{"AM", "亚美尼亚", "Armenia"},
	{"LB", "黎巴嫩", "Lebanon"},
	{"LK", "斯里兰卡", "Sri Lanka"},
	{"NP", "尼泊尔", "Nepal"},
	{"BH", "巴林", "Bahrain"},
	{"KH", "柬埔寨", "Cambodia"},
	{"MN", "蒙古", "Mongolia"},
	{"AF", "阿富汗", "Afghanistan"},
	{"UZ", "乌兹别克斯坦", "Uzbekistan"},
	{"KG", "吉尔吉斯斯坦", "Kyrgyzstan"},
	{"TJ", "塔吉克斯坦", "Tajikistan"},
	{"TM", "土库曼斯坦", "Turkmenistan"},
	{"MM", "缅甸", "Myanmar"},
	{"LA", "老挝", "Laos"},
	{"BN", "文莱", "Brunei"},
	{"MV", "马尔代夫", "Maldives"},
	{"BT", "不丹", "Bhutan"},
	{"TL", "东帝汶", "Timor-Leste"},
	{"PG", "巴布亚新几内亚", "Papua New Guinea"},
	{"FJ", "斐济", "Fiji"},
	{"CU", "古巴", "Cuba"},
	{"PA", "巴拿马", "Panama"},
	{"CR", "哥斯达黎加", "Costa Rica"},
	{"PR", "波多黎各", "Puerto Rico"},
	{"DO", "多米尼加", "Dominican Republic"},
	{"GU", "关岛", "Guam"},
	{"MO", "澳门", "Macao"},
	{"HK", "香港", "Hong Kong"},
	{"TW", "台湾", "Taiwan"},
	{"CN", China, "China"},
	{"", "欧洲", "Europe"},
	{"", "亚太地区", "Asia Pacific"},
	{"", "非洲地区", "Africa"},
	{"", "北美地区", "North America"},
}

var (
	countriesByZH   = make(map[string]*country, len(countries))
	countriesByCode = make(map[string]*country, len(countries))
)

func init() {
	for i := range countries {
		c := &countries[i]
		countriesByZH[c.zh] = c
		if c.code != "" {
			countriesByCode[c.code] = c
		}
	}
}

// countryCode gives the ISO code of a country named in Chinese, or "".
func countryCode(zh string) string {
	if c, ok := countriesByZH[zh]; ok {
		return c.code
	}
	return ""
}

// countryEN gives the English name of a country: by its Chinese name, else
// by its code, else the code itself, else the Chinese name.
func countryEN(zh, code string) string {
	if c, ok := countriesByZH[zh]; ok {
		return c.en
	}
	if c, ok := countriesByCode[code]; ok {
		return c.en
	}
	if code != "" {
		return code
	}
	return zh
}

// regionOfCode builds the Region of an address that iploc places in the
// country with the given ISO code. Hong Kong, Macao and Taiwan become
// provinces of China, as the ip2region database has them, so that routing by
// area works the same for IPv4 and IPv6. "ZZ" and "" mean unknown.
func regionOfCode(code string) Region {
	switch code {
	case "", "ZZ":
		return Region{}
	case "HK", "MO", "TW":
		c := countriesByCode[code]
		return Region{Country: China, CountryCode: code, Province: c.zh}
	}
	if c, ok := countriesByCode[code]; ok {
		return Region{Country: c.zh, CountryCode: code}
	}
	return Region{Country: code, CountryCode: code}
}
