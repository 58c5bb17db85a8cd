package geo

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// testRange is one index entry of a hand-made database image.
type testRange struct {
	start, end string // IPv4 addresses
	record     string // "国家|区域|省份|城市|ISP"
}

// buildImage lays out a v1 image the way ip2region's maker does: super
// block, (empty) header index, data records, then the index.
func buildImage(t testing.TB, ranges []testRange) []byte {
	t.Helper()
	img := make([]byte, superBlockSize)
	ptrs := make([]uint32, len(ranges))
	for i, r := range ranges {
		off := len(img)
		img = binary.LittleEndian.AppendUint32(img, uint32(1000+i)) // city id
		img = append(img, r.record...)
		ptrs[i] = uint32(len(img)-off)<<24 | uint32(off)
	}
	first := len(img)
	for i, r := range ranges {
		img = binary.LittleEndian.AppendUint32(img, ipv4(t, r.start))
		img = binary.LittleEndian.AppendUint32(img, ipv4(t, r.end))
		img = binary.LittleEndian.AppendUint32(img, ptrs[i])
	}
	last := len(img) - indexEntrySize
	if len(ranges) == 0 {
		last = first
	}
	binary.LittleEndian.PutUint32(img[0:4], uint32(first))
	binary.LittleEndian.PutUint32(img[4:8], uint32(last))
	return img
}

func ipv4(t testing.TB, s string) uint32 {
	t.Helper()
	a := netip.MustParseAddr(s).As4()
	return binary.BigEndian.Uint32(a[:])
}

var sampleRanges = []testRange{
	{"1.0.0.0", "1.0.0.255", "澳大利亚|0|0|0|0"},
	{"1.0.1.0", "1.0.3.255", "中国|0|福建省|福州市|电信"},
	{"1.0.4.0", "1.0.7.255", "中国|0|福建省|福州市|电信"}, // same region: merged
	{"14.150.0.0", "14.150.63.255", "中国|0|广东省|广州市|电信"},
	{"100.64.0.0", "100.127.255.255", "0|0|0|内网IP|内网IP"},
	{"203.198.0.0", "203.198.255.255", "中国|0|香港|0|电讯盈科"},
	{"210.241.224.0", "210.242.255.255", "中国|0|台湾省|台北|中华电信"},
	{"223.4.192.0", "223.7.255.255", "中国|0|内蒙古|呼和浩特市|0"},
}

func TestOpenLookup(t *testing.T) {
	db, err := Open(buildImage(t, sampleRanges))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want Region
	}{
		{"0.0.0.0", Region{}}, // before the first range: a gap
		{"0.255.255.255", Region{}},
		{"1.0.0.0", Region{Country: "澳大利亚", CountryCode: "AU"}},
		{"1.0.0.255", Region{Country: "澳大利亚", CountryCode: "AU"}},
		{"1.0.1.0", Region{Country: "中国", CountryCode: "CN", Province: "福建", City: "福州", ISP: "电信"}},
		{"1.0.7.255", Region{Country: "中国", CountryCode: "CN", Province: "福建", City: "福州", ISP: "电信"}},
		{"1.0.8.0", Region{}}, // gap after a range
		{"14.150.38.7", Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "广州", ISP: "电信"}},
		{"100.100.100.100", Region{Local: true}},
		{"203.198.7.66", Region{Country: "中国", CountryCode: "HK", Province: "香港", ISP: "电讯盈科"}},
		{"210.242.1.1", Region{Country: "中国", CountryCode: "TW", Province: "台湾", City: "台北", ISP: "中华电信"}},
		{"223.7.255.255", Region{Country: "中国", CountryCode: "CN", Province: "内蒙古", City: "呼和浩特"}},
		{"223.8.0.0", Region{}},
		{"255.255.255.255", Region{}}, // after the last range
		{"::ffff:14.150.38.7", Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "广州", ISP: "电信"}},
		{"2001:db8::1", Region{}}, // the v1 database is IPv4 only
	}
	for _, tt := range tests {
		if got := db.Lookup(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Lookup(%s) = %+v, want %+v", tt.ip, got, tt.want)
		}
	}
	if got := db.Lookup(netip.Addr{}); got != (Region{}) {
		t.Errorf("Lookup(invalid) = %+v, want zero", got)
	}
	// gap, AU, 福建 (two entries merged), gap, 广东, gap, local, gap, 香港, gap, 台湾, gap, 内蒙古, gap
	if got, want := db.Len(), 14; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	var nilDB *DB
	if got := nilDB.Lookup(netip.MustParseAddr("1.0.0.1")); got != (Region{}) {
		t.Errorf("nil DB Lookup = %+v, want zero", got)
	}
}

func TestOpenMalformed(t *testing.T) {
	good := buildImage(t, sampleRanges)
	put := func(img []byte, off int, v uint32) []byte {
		img = append([]byte(nil), img...)
		binary.LittleEndian.PutUint32(img[off:], v)
		return img
	}
	first := int(binary.LittleEndian.Uint32(good[0:4]))
	tests := []struct {
		name string
		img  []byte
	}{
		{"empty", nil},
		{"short super block", good[:7]},
		{"truncated index", good[:len(good)-1]},
		{"first before super block", put(good, 0, 4)},
		{"last before first", put(good, 4, uint32(first-indexEntrySize))},
		{"index not whole entries", put(good, 4, uint32(len(good)-indexEntrySize-1))},
		{"last beyond image", put(good, 4, uint32(len(good)))},
		{"start after end", put(good, first, ipv4(t, "1.0.1.0"))},
		{"ranges overlap", put(good, first+indexEntrySize, ipv4(t, "1.0.0.128"))},
		{"data pointer outside image", put(good, first+8, 60<<24|uint32(len(good)))},
		{"data shorter than city id", put(good, first+8, 3<<24|8)},
		{"too few fields", buildImage(t, []testRange{{"1.0.0.0", "1.0.0.255", "中国|0|广东省"}})},
		{"too many fields", buildImage(t, []testRange{{"1.0.0.0", "1.0.0.255", "中国|0|广东省|广州市|电信|x"}})},
		{"not UTF-8", buildImage(t, []testRange{{"1.0.0.0", "1.0.0.255", "中国|0|\xff|0|0"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(tt.img)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Open() = %v, %v; want ErrMalformed", db, err)
			}
		})
	}
}

func TestOpenDoesNotKeepImage(t *testing.T) {
	img := buildImage(t, sampleRanges)
	db, err := Open(img)
	if err != nil {
		t.Fatal(err)
	}
	for i := range img {
		img[i] = 0xff
	}
	want := Region{Country: "中国", CountryCode: "CN", Province: "广东", City: "广州", ISP: "电信"}
	if got := db.Lookup(netip.MustParseAddr("14.150.38.7")); got != want {
		t.Errorf("after overwriting the image, Lookup = %+v, want %+v", got, want)
	}
}

func TestOpenWholeAddressSpace(t *testing.T) {
	db, err := Open(buildImage(t, []testRange{
		{"0.0.0.0", "127.255.255.255", "美国|0|0|0|0"},
		{"128.0.0.0", "255.255.255.255", "日本|0|0|0|0"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Lookup(netip.MustParseAddr("255.255.255.255")).Country; got != "日本" {
		t.Errorf("Lookup(255.255.255.255).Country = %q, want 日本", got)
	}
	if got := db.Len(); got != 2 {
		t.Errorf("Len() = %d, want 2 (no trailing gap)", got)
	}
}

// FuzzReader feeds arbitrary bytes to Open as a database image: it must
// return an error or a DB whose lookups never panic.
func FuzzReader(f *testing.F) {
	f.Add(buildImage(f, sampleRanges), uint32(0x0e962607))
	f.Add(buildImage(f, sampleRanges[:1]), uint32(0x01000001))
	f.Add(buildImage(f, nil), uint32(0))
	f.Add([]byte{}, uint32(0))
	f.Add([]byte("\x08\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00"), uint32(1))
	embedded, err := gunzip(compressed)
	if err != nil {
		f.Fatal(err)
	}
	// The real header and the first few index entries, pointing at data
	// that is mostly cut off.
	first := binary.LittleEndian.Uint32(embedded)
	f.Add(embedded[:first+3*indexEntrySize], uint32(0x01000001))

	f.Fuzz(func(t *testing.T, img []byte, ip uint32) {
		db, err := Open(img)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Open error %v does not wrap ErrMalformed", err)
			}
			return
		}
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], ip)
		for _, addr := range []netip.Addr{netip.AddrFrom4(a), netip.IPv4Unspecified(), netip.AddrFrom4([4]byte{255, 255, 255, 255})} {
			r := db.Lookup(addr)
			_, _ = r.Display(), r.DisplayEN()
			if r.Local && r != (Region{Local: true}) {
				t.Fatalf("local region carries names: %+v", r)
			}
			if r.Province != "" && r.Country != China {
				t.Fatalf("province %q outside China (%q)", r.Province, r.Country)
			}
			if strings.Contains(r.Country+r.Province+r.City+r.ISP, "|") {
				t.Fatalf("field separator leaked into %+v", r)
			}
		}
	})
}
