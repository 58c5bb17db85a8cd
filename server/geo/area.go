package geo

import "strings"

// Names of the two areas that are not groups of mainland provinces.
const (
	// HKMOTW is the area of Hong Kong, Macao and Taiwan.
	HKMOTW = "港澳台"
	// Overseas is the area of every address outside China.
	Overseas = "海外"
)

// Area is a routing area (分流区域) of SPEC §7: a named group of provinces
// that an agent can be set to receive visitors from.
type Area struct {
	Name      string   // "华北"
	NameEN    string   // "North China"
	Provinces []string // canonical short names, in the order the admin screen lists them
}

// Areas is the ordered list of routing areas with their provinces, for the
// admin screens: 华北 [北京 天津 …], …, 港澳台 [香港 澳门 台湾], 海外 [].
var Areas = []Area{
	{"华北", "North China", []string{"北京", "天津", "河北", "山西", "内蒙古"}},
	{"东北", "Northeast China", []string{"辽宁", "吉林", "黑龙江"}},
	{"华东", "East China", []string{"上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"}},
	{"华中", "Central China", []string{"河南", "湖北", "湖南"}},
	{"华南", "South China", []string{"广东", "广西", "海南"}},
	{"西南", "Southwest China", []string{"重庆", "四川", "贵州", "云南", "西藏"}},
	{"西北", "Northwest China", []string{"陕西", "甘肃", "青海", "宁夏", "新疆"}},
	{HKMOTW, "Hong Kong, Macao and Taiwan", []string{"香港", "澳门", "台湾"}},
	{Overseas, "Overseas", nil},
}

// province is one of China's 34 province-level divisions.
type province struct {
	short string // "广东": what Region.Province holds and routing uses
	full  string // "广东省": what Display shows
	en    string // "Guangdong"
}

var provinces = []province{
	{"北京", "北京市", "Beijing"},
	{"天津", "天津市", "Tianjin"},
	{"河北", "河北省", "Hebei"},
	{"山西", "山西省", "Shanxi"},
	{"内蒙古", "内蒙古自治区", "Inner Mongolia"},
	{"辽宁", "辽宁省", "Liaoning"},
	{"吉林", "吉林省", "Jilin"},
	{"黑龙江", "黑龙江省", "Heilongjiang"},
	{"上海", "上海市", "Shanghai"},
	{"江苏", "江苏省", "Jiangsu"},
	{"浙江", "浙江省", "Zhejiang"},
	{"安徽", "安徽省", "Anhui"},
	{"福建", "福建省", "Fujian"},
	{"江西", "江西省", "Jiangxi"},
	{"山东", "山东省", "Shandong"},
	{"河南", "河南省", "Henan"},
	{"湖北", "湖北省", "Hubei"},
	{"湖南", "湖南省", "Hunan"},
	{"广东", "广东省", "Guangdong"},
	{"广西", "广西壮族自治区", "Guangxi"},
	{"海南", "海南省", "Hainan"},
	{"重庆", "重庆市", "Chongqing"},
	{"四川", "四川省", "Sichuan"},
	{"贵州", "贵州省", "Guizhou"},
	{"云南", "云南省", "Yunnan"},
	{"西藏", "西藏自治区", "Tibet"},
	{"陕西", "陕西省", "Shaanxi"},
	{"甘肃", "甘肃省", "Gansu"},
	{"青海", "青海省", "Qinghai"},
	{"宁夏", "宁夏回族自治区", "Ningxia"},
	{"新疆", "新疆维吾尔自治区", "Xinjiang"},
	{"香港", "香港", "Hong Kong"},
	{"澳门", "澳门", "Macao"},
	{"台湾", "台湾", "Taiwan"},
}

// provinceIndex finds a province by short name, full name or the database's
// own spelling ("广东省", "台湾省", "内蒙古").
var provinceIndex = func() map[string]*province {
	m := make(map[string]*province, 3*len(provinces))
	for i := range provinces {
		p := &provinces[i]
		m[p.short] = p
		m[p.full] = p
		m[p.short+"省"] = p
		m[p.short+"市"] = p
		m[p.short+"特别行政区"] = p
		m[p.short+"自治区"] = p
	}
	return m
}()

// areaOf maps a province's short name to its area's name.
var areaOf = func() map[string]string {
	m := make(map[string]string, len(provinces))
	for _, a := range Areas {
		for _, p := range a.Provinces {
			m[p] = a.Name
		}
	}
	return m
}()

// canonicalProvince returns the short name of a province given in any of
// its common spellings.
func canonicalProvince(name string) (string, bool) {
	if p, ok := provinceIndex[strings.TrimSpace(name)]; ok {
		return p.short, true
	}
	return "", false
}

// ProvinceArea gives the routing area of a province: "华南" for "广东" (full
// names such as "广东省" are accepted too), "港澳台" for 香港 澳门 台湾, "海外"
// for the name of a country other than China ("美国"), and "" when unknown.
func ProvinceArea(province string) string {
	if p, ok := canonicalProvince(province); ok {
		return areaOf[p]
	}
	if province != "" && province != China {
		if _, ok := countriesByZH[province]; ok {
			return Overseas
		}
	}
	return ""
}

// ProvinceFullName gives the full name Display uses: "广东省", "北京市",
// "内蒙古自治区", "香港". Names it does not know are returned unchanged.
func ProvinceFullName(province string) string {
	if p, ok := provinceIndex[province]; ok {
		return p.full
	}
	return province
}

// ProvinceEN gives the English (pinyin) name of a province: "Guangdong",
// "Inner Mongolia", "Hong Kong". Names it does not know are returned
// unchanged.
func ProvinceEN(province string) string {
	if p, ok := provinceIndex[province]; ok {
		return p.en
	}
	return province
}

// provinceCountryCode gives the ISO 3166-1 code of a province-level division:
// HK, MO and TW have their own; the rest are CN.
func provinceCountryCode(short string) string {
	switch short {
	case "香港":
		return "HK"
	case "澳门":
		return "MO"
	case "台湾":
		return "TW"
	}
	return "CN"
}
