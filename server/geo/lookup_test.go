package geo

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// TestLookup checks real addresses against what the shipped database (and
// iploc, for IPv6) says about them. The product guide's screenshots show
// 218.29.214.x as 河南省郑州市; this ip2region release says 焦作, and the test
// asserts what we ship.
func TestLookup(t *testing.T) {
	tests := []struct {
		ip        string
		want      Region
		display   string
		displayEN string
		area      string
	}{
		{"113.99.15.142", Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "广州", ISP: "电信"}, "广东省广州市", "Guangdong Guangzhou", "华南"},
		{"14.150.38.213", Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "广州", ISP: "电信"}, "广东省广州市", "Guangdong Guangzhou", "华南"},
		{"101.81.49.211", Region{Country: "中国", CountryCode: "CN", Province: "上海", City: "上海", ISP: "电信"}, "上海市", "Shanghai", "华东"},
		{"124.127.244.29", Region{Country: "中国", CountryCode: "CN", Province: "北京", City: "北京", ISP: "电信"}, "北京市", "Beijing", "华北"},
		{"218.29.214.66", Region{Country: "中国", CountryCode: "CN", Province: "河南", City: "焦作", ISP: "联通"}, "河南省焦作市", "Henan Jiaozuo", "华中"},
		{"114.114.114.114", Region{Country: "中国", CountryCode: "CN", Province: "江苏", City: "南京"}, "江苏省南京市", "Jiangsu Nanjing", "华东"},
		{"120.24.78.68", Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "深圳", ISP: "阿里云"}, "广东省深圳市", "Guangdong Shenzhen", "华南"},
		{"223.5.5.5", Region{Country: "中国", CountryCode: "CN", Province: "浙江", City: "杭州", ISP: "阿里云"}, "浙江省杭州市", "Zhejiang Hangzhou", "华东"},
		{"203.198.7.66", Region{Country: "中国", CountryCode: "HK", Province: "香港", ISP: "电讯盈科"}, "香港", "Hong Kong", "港澳台"},
		{"202.175.3.3", Region{Country: "中国", CountryCode: "MO", Province: "澳门", ISP: "澳门电讯"}, "澳门", "Macao", "港澳台"},
		{"210.242.1.1", Region{Country: "中国", CountryCode: "TW", Province: "台湾", ISP: "中华电信"}, "台湾", "Taiwan", "港澳台"},
		{"8.8.8.8", Region{Country: "美国", CountryCode: "US", ISP: "Level3"}, "美国", "United States", "海外"},
		{"1.1.1.1", Region{Country: "澳大利亚", CountryCode: "AU"}, "澳大利亚", "Australia", "海外"},
		{"::ffff:113.99.15.142", Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "广州", ISP: "电信"}, "广东省广州市", "Guangdong Guangzhou", "华南"},
		// IPv6: country only, from iploc.
		{"2001:4860:4860::8888", Region{Country: "美国", CountryCode: "US"}, "美国", "United States", "海外"},
		{"240e:47d:c20:1627:30a3:ba0d:a5e6:ec19", Region{Country: "中国", CountryCode: "CN"}, "中国", "China", ""},
		{"2a00:1450:4001:82b::200e", Region{Country: "德国", CountryCode: "DE"}, "德国", "Germany", "海外"},
		// Local network, by address class.
		{"::1", Region{Local: true}, "本地网络", "Local network", ""},
		{"127.0.0.1", Region{Local: true}, "本地网络", "Local network", ""},
		{"10.0.0.1", Region{Local: true}, "本地网络", "Local network", ""},
		{"172.16.5.4", Region{Local: true}, "本地网络", "Local network", ""},
		{"192.168.1.1", Region{Local: true}, "本地网络", "Local network", ""},
		{"169.254.10.20", Region{Local: true}, "本地网络", "Local network", ""},
		{"100.64.0.1", Region{Local: true}, "本地网络", "Local network", ""},
		{"0.0.0.0", Region{Local: true}, "本地网络", "Local network", ""},
		{"fe80::1", Region{Local: true}, "本地网络", "Local network", ""},
		{"fd12:3456::1", Region{Local: true}, "本地网络", "Local network", ""},
		{"::", Region{Local: true}, "本地网络", "Local network", ""},
		// ip2region marks the reserved top of the space as 内网IP too.
		{"255.255.255.255", Region{Local: true}, "本地网络", "Local network", ""},
		// Documentation addresses: nobody knows them.
		{"2001:db8::1", Region{}, "未知", "Unknown", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			got := Lookup(netip.MustParseAddr(tt.ip))
			if got != tt.want {
				t.Errorf("Lookup = %+v, want %+v", got, tt.want)
			}
			if d := got.Display(); d != tt.display {
				t.Errorf("Display() = %q, want %q", d, tt.display)
			}
			if d := got.DisplayEN(); d != tt.displayEN {
				t.Errorf("DisplayEN() = %q, want %q", d, tt.displayEN)
			}
			if a := got.Area(); a != tt.area {
				t.Errorf("Area() = %q, want %q", a, tt.area)
			}
		})
	}
	if got := Lookup(netip.Addr{}); got != (Region{}) {
		t.Errorf("Lookup(invalid) = %+v, want zero", got)
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct {
		r         Region
		display   string
		displayEN string
	}{
		{Region{Country: "中国", Province: "内蒙古", City: "呼和浩特"}, "内蒙古自治区呼和浩特市", "Inner Mongolia Hohhot"},
		{Region{Country: "中国", Province: "内蒙古", City: "锡林郭勒"}, "内蒙古自治区锡林郭勒", "Inner Mongolia"},
		{Region{Country: "中国", Province: "内蒙古", City: "兴安盟"}, "内蒙古自治区兴安盟", "Inner Mongolia"},
		{Region{Country: "中国", Province: "广西", City: "南宁"}, "广西壮族自治区南宁市", "Guangxi Nanning"},
		{Region{Country: "中国", Province: "宁夏", City: "银川"}, "宁夏回族自治区银川市", "Ningxia Yinchuan"},
		{Region{Country: "中国", Province: "新疆", City: "伊犁"}, "新疆维吾尔自治区伊犁", "Xinjiang"},
		{Region{Country: "中国", Province: "西藏", City: "阿里地区"}, "西藏自治区阿里地区", "Tibet"},
		{Region{Country: "中国", Province: "西藏", City: "日喀则"}, "西藏自治区日喀则市", "Tibet"},
		{Region{Country: "中国", Province: "云南", City: "大理"}, "云南省大理", "Yunnan Dali"},
		{Region{Country: "中国", Province: "吉林", City: "吉林"}, "吉林省吉林市", "Jilin Jilin"},
		{Region{Country: "中国", Province: "吉林"}, "吉林省", "Jilin"},
		{Region{Country: "中国", Province: "重庆", City: "重庆"}, "重庆市", "Chongqing"},
		{Region{Country: "中国", Province: "天津", City: "天津"}, "天津市", "Tianjin"},
		{Region{Country: "中国", Province: "湖北", City: "襄阳"}, "湖北省襄阳市", "Hubei Xiangyang"},
		{Region{Country: "中国", Province: "台湾", City: "台北"}, "台湾台北市", "Taiwan Taipei"},
		{Region{Country: "中国", Province: "台湾", City: "屏东县"}, "台湾屏东县", "Taiwan"},
		{Region{Country: "中国", Province: "香港", City: "荃湾"}, "香港荃湾", "Hong Kong"},
		{Region{Country: "中国", CountryCode: "CN"}, "中国", "China"},
		{Region{Country: "欧洲"}, "欧洲", "Europe"},
		// An iploc code we have no name for.
		{Region{Country: "ZW", CountryCode: "ZW"}, "ZW", "ZW"},
		// An ip2region name we have no English for.
		{Region{Country: "瓦努阿图"}, "瓦努阿图", "瓦努阿图"},
		{Region{Country: "马尔代夫", CountryCode: "MV"}, "马尔代夫", "Maldives"},
		{Region{Local: true}, "本地网络", "Local network"},
		{Region{}, "未知", "Unknown"},
		{Region{ISP: "电信"}, "未知", "Unknown"},
	}
	for _, tt := range tests {
		if got := tt.r.Display(); got != tt.display {
			t.Errorf("%+v.Display() = %q, want %q", tt.r, got, tt.display)
		}
		if got := tt.r.DisplayEN(); got != tt.displayEN {
			t.Errorf("%+v.DisplayEN() = %q, want %q", tt.r, got, tt.displayEN)
		}
	}
}

func TestProvinceArea(t *testing.T) {
	tests := []struct{ province, want string }{
		{"北京", "华北"}, {"天津", "华北"}, {"河北", "华北"}, {"山西", "华北"}, {"内蒙古", "华北"},
		{"辽宁", "东北"}, {"吉林", "东北"}, {"黑龙江", "东北"},
		{"上海", "华东"}, {"江苏", "华东"}, {"浙江", "华东"}, {"安徽", "华东"}, {"福建", "华东"}, {"江西", "华东"}, {"山东", "华东"},
		{"河南", "华中"}, {"湖北", "华中"}, {"湖南", "华中"},
		{"广东", "华南"}, {"广西", "华南"}, {"海南", "华南"},
		{"重庆", "西南"}, {"四川", "西南"}, {"贵州", "西南"}, {"云南", "西南"}, {"西藏", "西南"},
		{"陕西", "西北"}, {"甘肃", "西北"}, {"青海", "西北"}, {"宁夏", "西北"}, {"新疆", "西北"},
		{"香港", "港澳台"}, {"澳门", "港澳台"}, {"台湾", "港澳台"},
		// Full and database spellings.
		{"广东省", "华南"}, {"北京市", "华北"}, {"内蒙古自治区", "华北"}, {"广西壮族自治区", "华南"},
		{"新疆维吾尔自治区", "西北"}, {"台湾省", "港澳台"}, {"香港特别行政区", "港澳台"}, {" 广东 ", "华南"},
		// Outside China, unknown.
		{"美国", "海外"}, {"日本", "海外"}, {"中国", ""}, {"", ""}, {"火星", ""}, {"加利福尼亚", ""},
	}
	for _, tt := range tests {
		if got := ProvinceArea(tt.province); got != tt.want {
			t.Errorf("ProvinceArea(%q) = %q, want %q", tt.province, got, tt.want)
		}
	}
}

func TestAreas(t *testing.T) {
	seen := map[string]string{}
	var names []string
	for _, a := range Areas {
		names = append(names, a.Name)
		if a.NameEN == "" {
			t.Errorf("area %s has no English name", a.Name)
		}
		for _, p := range a.Provinces {
			if prev, ok := seen[p]; ok {
				t.Errorf("province %s in both %s and %s", p, prev, a.Name)
			}
			seen[p] = a.Name
			if ProvinceArea(p) != a.Name {
				t.Errorf("ProvinceArea(%s) = %q, want %q", p, ProvinceArea(p), a.Name)
			}
		}
	}
	if got, want := strings.Join(names, " "), "华北 东北 华东 华中 华南 西南 西北 港澳台 海外"; got != want {
		t.Errorf("areas = %s, want %s", got, want)
	}
	if len(seen) != 34 || len(provinces) != 34 {
		t.Errorf("areas cover %d provinces, table has %d; want 34", len(seen), len(provinces))
	}
	for _, p := range provinces {
		if _, ok := seen[p.short]; !ok {
			t.Errorf("province %s is in no area", p.short)
		}
	}
}

// rawRecords returns every distinct data record of the embedded database,
// split into its five fields, without normalizing.
func rawRecords(t *testing.T) [][]string {
	t.Helper()
	img, err := gunzip(compressed)
	if err != nil {
		t.Fatal(err)
	}
	first := binary.LittleEndian.Uint32(img[0:4])
	last := binary.LittleEndian.Uint32(img[4:8])
	seen := map[uint32]bool{}
	var out [][]string
	for off := first; off <= last; off += indexEntrySize {
		ptr := binary.LittleEndian.Uint32(img[off+8:])
		if seen[ptr] {
			continue
		}
		seen[ptr] = true
		at, n := ptr&0xffffff, ptr>>24
		out = append(out, strings.Split(string(img[at+cityIDSize:at+n]), "|"))
	}
	return out
}

// TestDataNames checks our name tables against every record of the shipped
// database, so that a refresh (update.sh) that brings new spellings fails
// here rather than showing odd names to agents.
func TestDataNames(t *testing.T) {
	// Cities the database names without 市 that are cities all the same.
	citiesWithoutShi := map[string]bool{
		"吐鲁番": true, "哈密": true, "济源": true, "襄阳": true, "儋州": true, "铜仁": true, "毕节": true,
		"海东": true, "山南": true, "日喀则": true, "昌都": true, "林芝": true, "那曲": true,
		"台北": true, "新北": true, "桃园": true, "台中": true, "台南": true, "高雄": true, "基隆": true,
	}
	cities := map[string]bool{}
	for _, f := range rawRecords(t) {
		country, province, city := f[0], f[2], f[3]
		if country != China {
			continue
		}
		if province != unknownField {
			if _, ok := canonicalProvince(province); !ok {
				t.Errorf("province %q is not in the province table", province)
			}
		}
		if city == unknownField {
			continue
		}
		short := shortCity(city)
		cities[short] = true
		full := CityFullName(short)
		switch {
		case strings.HasSuffix(city, "市") || cityWithoutSuffix[short]:
			if full != city {
				t.Errorf("CityFullName(%q) = %q, want the database's %q", short, full, city)
			}
		case citiesWithoutShi[city]:
			if full != city+"市" {
				t.Errorf("CityFullName(%q) = %q, want %q", short, full, city+"市")
			}
		case strings.HasSuffix(city, "县") || strings.HasSuffix(city, "地区") || strings.HasSuffix(city, "盟"):
			if full != city {
				t.Errorf("CityFullName(%q) = %q, want %q", short, full, city)
			}
		default:
			t.Errorf("city %q (%s) has no 市 and is in neither cityWithoutSuffix nor the test's list of cities", city, province)
		}
	}
	for c := range cityPinyin {
		if !cities[c] {
			t.Errorf("cityPinyin has %q, which the database never names", c)
		}
	}
	for c := range cityWithoutSuffix {
		if !cities[c] {
			t.Errorf("cityWithoutSuffix has %q, which the database never names", c)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"113.99.15.142", "8.8.8.8", "10.0.0.1", "2001:4860:4860::8888"} {
		ip := netip.MustParseAddr(s)
		if n := testing.AllocsPerRun(100, func() { Lookup(ip) }); n != 0 {
			t.Errorf("Lookup(%s) allocates %v times, want 0", s, n)
		}
	}
}

func TestLookupConcurrent(t *testing.T) {
	ips := []netip.Addr{
		netip.MustParseAddr("113.99.15.142"),
		netip.MustParseAddr("2001:4860:4860::8888"),
		netip.MustParseAddr("8.8.8.8"),
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				Lookup(ips[(i+j)%len(ips)])
			}
		})
	}
	wg.Wait()
}

// benchIPs is a mix of Chinese, foreign and unknown IPv4 addresses.
var benchIPs = func() []netip.Addr {
	var ips []netip.Addr
	for _, s := range []string{
		"113.99.15.142", "14.150.38.213", "101.81.49.211", "124.127.244.29", "218.29.214.66",
		"114.114.114.114", "8.8.8.8", "1.1.1.1", "223.5.5.5", "39.156.66.10", "61.135.169.121",
		"203.198.7.66", "45.76.1.1", "185.199.108.153", "58.250.137.36", "36.110.1.1",
	} {
		ips = append(ips, netip.MustParseAddr(s))
	}
	return ips
}()

func BenchmarkLookup(b *testing.B) {
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Lookup(benchIPs[i%len(benchIPs)])
		i++
	}
}

// BenchmarkLookupRandom spreads lookups over the whole address space, so
// most of them miss the CPU cache, as a busy server's would.
func BenchmarkLookupRandom(b *testing.B) {
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	ips := make([]netip.Addr, 4096)
	x := uint32(2463534242)
	for i := range ips {
		x ^= x << 13 // xorshift32: fixed, so runs compare
		x ^= x >> 17
		x ^= x << 5
		ips[i] = netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Lookup(ips[i%len(ips)])
		i++
	}
}

func BenchmarkLookupIPv6(b *testing.B) {
	ip := netip.MustParseAddr("240e:47d:c20:1627:30a3:ba0d:a5e6:ec19")
	Lookup(ip) // iploc inflates its IPv6 table on first use
	b.ReportAllocs()
	for b.Loop() {
		Lookup(ip)
	}
}

// BenchmarkOpen measures what the first Lookup (or Load) costs.
func BenchmarkOpen(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		img, err := gunzip(compressed)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Open(img); err != nil {
			b.Fatal(err)
		}
	}
}
