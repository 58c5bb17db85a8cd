package geo

import "strings"

// China is the Country of every address in mainland China, Hong Kong, Macao
// and Taiwan, as the ip2region database spells it.
const China = "中国"

// Region is where an IP address is, as far as the offline database knows.
type Region struct {
	Country     string // "中国", "美国", … ("" if unknown)
	CountryCode string // ISO 3166-1 alpha-2 ("CN", "HK", "US"…) when known, else ""
	Province    string // canonical short name as used for routing: "广东", "北京", "内蒙古", "广西", "香港", "台湾"… ("" if unknown / outside China)
	City        string // "广州" (short, no 市) or ""
	ISP         string // "电信" … or ""
	Local       bool   // private, loopback, link-local
}

// Known reports whether anything is known about the address: a country or
// that it is on the local network.
func (r Region) Known() bool { return r.Local || r.Country != "" }

// Area is the routing area (分流区域) of the Region: "华南" for 广东, "港澳台",
// "海外" outside China, "" when unknown (including China with no province).
func (r Region) Area() string {
	switch {
	case r.Local || r.Country == "":
		return ""
	case r.Country != China:
		return Overseas
	}
	return ProvinceArea(r.Province)
}

// Display is how the monitor shows the Region in Chinese: "广东省广州市",
// "北京市", "内蒙古自治区呼和浩特市", "香港", "美国", "本地网络", "未知".
func (r Region) Display() string {
	switch {
	case r.Local:
		return "本地网络"
	case r.Country == "":
		return "未知"
	case r.Province == "":
		return r.Country
	}
	s := ProvinceFullName(r.Province)
	if c := CityFullName(r.City); c != s { // 北京市 is not 北京市北京市; 吉林省 has a 吉林市
		s += c
	}
	return s
}

// DisplayEN is the English form of Display: "Guangdong Guangzhou",
// "Beijing", "United States", "Local network", "Unknown". Cities are given
// only when their pinyin is in our table; countries we have no English name
// for fall back to the ISO code, then to the Chinese name.
func (r Region) DisplayEN() string {
	switch {
	case r.Local:
		return "Local network"
	case r.Country == "":
		return "Unknown"
	case r.Province == "":
		return countryEN(r.Country, r.CountryCode)
	}
	s := ProvinceEN(r.Province)
	if CityFullName(r.City) != ProvinceFullName(r.Province) {
		if c, ok := cityPinyin[r.City]; ok {
			s += " " + c
		}
	}
	return s
}

// normalize turns the fields of an ip2region record into a Region with
// canonical short names. Names are shared through in.
func normalize(country, province, city, isp string, in *interner) Region {
	if city == intranetMarker || isp == intranetMarker {
		return Region{Local: true}
	}
	country, province, city, isp = known(country), known(province), known(city), known(isp)
	r := Region{ISP: in.name(isp)}
	if country != China {
		r.Country = in.name(country)
		r.CountryCode = countryCode(country)
		return r
	}
	r.Country = China
	r.CountryCode = "CN"
	if p, ok := canonicalProvince(province); ok {
		r.Province = p
		r.CountryCode = provinceCountryCode(p)
	} else {
		// Not a name we know; keep it, minus an administrative suffix.
		r.Province = in.name(strings.TrimSuffix(province, "省"))
	}
	r.City = in.name(shortCity(city))
	return r
}

// known maps ip2region's "0" (unknown) to "".
func known(field string) string {
	if field == unknownField {
		return ""
	}
	return strings.TrimSpace(field)
}

// shortCity drops the 市 of a city name ("广州市" → "广州") but keeps names
// where 市 is part of a one-character stem.
func shortCity(city string) string {
	if s, ok := strings.CutSuffix(city, "市"); ok && len([]rune(s)) >= 2 {
		return s
	}
	return city
}

// CityFullName gives the full administrative name of a short city name:
// "广州" → "广州市", while autonomous prefectures, leagues and districts the
// database names without a suffix ("大理", "锡林郭勒", "荃湾") and names that
// already end in 市, 县, 区, 盟 or 旗 are shown as they are. (州 is no such
// suffix: 广州, 杭州 and 郑州 are cities.)
func CityFullName(city string) string {
	if city == "" || cityWithoutSuffix[city] {
		return city
	}
	for _, suffix := range []string{"市", "县", "区", "盟", "旗"} {
		if strings.HasSuffix(city, suffix) {
			return city
		}
	}
	return city + "市"
}

// cityWithoutSuffix lists the short names in the database that are not
// cities (市): autonomous prefectures (自治州), prefectures (地区), leagues
// (盟) and Hong Kong districts. A test checks this against the data.
var cityWithoutSuffix = map[string]bool{
	// 黑龙江, 内蒙古
	"大兴安岭": true, "锡林郭勒": true, "阿拉善": true,
	// 吉林, 湖北, 湖南
	"延边": true, "恩施": true, "湘西": true,
	// 四川, 贵州, 云南
	"阿坝": true, "甘孜": true, "凉山": true, "黔东南": true, "黔南": true, "黔西南": true,
	"楚雄": true, "红河": true, "文山": true, "西双版纳": true, "大理": true, "德宏": true,
	"怒江": true, "迪庆": true,
	// 甘肃, 青海
	"临夏": true, "甘南": true, "海北": true, "黄南": true, "海南": true, "果洛": true,
	"玉树": true, "海西": true,
	// 新疆
	"昌吉": true, "博尔塔拉": true, "巴音郭楞": true, "克孜勒苏": true, "伊犁": true,
	"阿克苏": true, "喀什": true, "和田": true, "塔城": true, "阿勒泰": true,
	// 香港
	"荃湾": true, "沙田": true,
}
