package geo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrMalformed is returned by Open for a database image that is not a
// well-formed ip2region v1 file.
var ErrMalformed = errors.New("geo: malformed ip2region database")

// Layout of an ip2region v1 (".db") image:
//
//	[0,8)      super block: first and last index entry offsets, uint32 LE
//	[8,…)      header index (a coarse B-tree level; we do not need it)
//	…          data records: 4-byte city id, then "国家|区域|省份|城市|ISP"
//	[first, last+12)  index: 12-byte entries of start IP, end IP (uint32 LE)
//	                  and a data pointer (low 24 bits offset, high 8 bits length)
const (
	superBlockSize = 8
	indexEntrySize = 12
	cityIDSize     = 4
	unknownField   = "0"
	intranetMarker = "内网IP"
)

// DB is an ip2region v1 database held in memory in a compact form: the start
// address of every range and the Region it maps to. It holds none of the image
// it was opened from. A DB is safe for concurrent use.
type DB struct {
	// starts[i] is the first address of range i; range i ends where range
	// i+1 starts. starts[0] is always 0, so every address has a range.
	starts []uint32
	// regions[i] indexes into table for range i.
	regions []uint16
	// table holds each distinct normalized Region once; table[0] is the
	// zero Region used for gaps in the image.
	table []Region
}

// Open parses an ip2region v1 database image. It validates the whole image
// and returns an error wrapping ErrMalformed rather than panicking on any
// input. The returned DB does not reference db.
func Open(db []byte) (*DB, error) {
	if len(db) < superBlockSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the super block", ErrMalformed, len(db))
	}
	first := uint64(binary.LittleEndian.Uint32(db[0:4]))
	last := uint64(binary.LittleEndian.Uint32(db[4:8]))
	switch {
	case first < superBlockSize || last < first:
		return nil, fmt.Errorf("%w: index pointers %d..%d out of order", ErrMalformed, first, last)
	case (last-first)%indexEntrySize != 0:
		return nil, fmt.Errorf("%w: index length %d is not a multiple of %d", ErrMalformed, last-first, indexEntrySize)
	case last+indexEntrySize > uint64(len(db)):
		return nil, fmt.Errorf("%w: index ends at %d beyond image size %d", ErrMalformed, last+indexEntrySize, len(db))
	}
	count := int((last-first)/indexEntrySize) + 1

	d := &DB{
		starts:  make([]uint32, 0, count+2),
		regions: make([]uint16, 0, count+2),
		table:   []Region{{}},
	}
	byPtr := make(map[uint32]uint16)    // data pointer → table index
	byValue := map[Region]uint16{{}: 0} // normalized Region → table index
	var names interner

	var next uint64 // first address not yet covered by a range
	for i := range count {
		e := db[int(first)+i*indexEntrySize:][:indexEntrySize]
		start := binary.LittleEndian.Uint32(e[0:4])
		end := binary.LittleEndian.Uint32(e[4:8])
		ptr := binary.LittleEndian.Uint32(e[8:12])
		if start > end {
			return nil, fmt.Errorf("%w: index entry %d: start %d after end %d", ErrMalformed, i, start, end)
		}
		if uint64(start) < next {
			return nil, fmt.Errorf("%w: index entry %d: range overlaps or is out of order", ErrMalformed, i)
		}

		ri, ok := byPtr[ptr]
		if !ok {
			r, err := parseRecord(db, ptr, &names)
			if err != nil {
				return nil, fmt.Errorf("%w: index entry %d: %w", ErrMalformed, i, err)
			}
			ri, ok = byValue[r]
			if !ok {
				if len(d.table) > math.MaxUint16 {
					return nil, fmt.Errorf("%w: more than %d distinct regions", ErrMalformed, math.MaxUint16+1)
				}
				ri = uint16(len(d.table))
				d.table = append(d.table, r)
				byValue[r] = ri
			}
			byPtr[ptr] = ri
		}

		if uint64(start) > next {
			d.add(uint32(next), 0) // a gap: unknown
		}
		d.add(start, ri)
		next = uint64(end) + 1
	}
	if next <= math.MaxUint32 {
		d.add(uint32(next), 0)
	}
	// Merging leaves about a third of the entries; copy them out so the
	// oversized arrays built above are not kept.
	d.starts = slices.Clone(d.starts)
	d.regions = slices.Clone(d.regions)
	d.table = slices.Clip(d.table)
	return d, nil
}

// add appends a range starting at start, merging it into the previous range
// when both map to the same Region.
func (d *DB) add(start uint32, region uint16) {
	if n := len(d.regions); n > 0 && d.regions[n-1] == region {
		return
	}
	d.starts = append(d.starts, start)
	d.regions = append(d.regions, region)
}

// parseRecord reads and normalizes the data record that ptr points to.
func parseRecord(db []byte, ptr uint32, names *interner) (Region, error) {
	off := int(ptr & 0x00ffffff)
	n := int(ptr >> 24)
	if n < cityIDSize || off+n > len(db) {
		return Region{}, fmt.Errorf("data record at %d length %d outside the image", off, n)
	}
	text := db[off+cityIDSize : off+n]
	if !utf8.Valid(text) {
		return Region{}, fmt.Errorf("data record at %d is not UTF-8", off)
	}
	var f [5]string
	rest := string(text) // one small copy; fields are interned below
	for i := range f {
		if i == len(f)-1 {
			if strings.IndexByte(rest, '|') >= 0 {
				return Region{}, fmt.Errorf("data record at %d has more than %d fields", off, len(f))
			}
			f[i] = rest
			break
		}
		j := strings.IndexByte(rest, '|')
		if j < 0 {
			return Region{}, fmt.Errorf("data record at %d has fewer than %d fields", off, len(f))
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	return normalize(f[0], f[2], f[3], f[4], names), nil
}

// Len reports how many address ranges the DB holds after merging neighbours
// that map to the same Region.
func (d *DB) Len() int { return len(d.starts) }

// Lookup returns the Region of an IPv4 address (or an IPv4-mapped IPv6
// address). Other addresses and addresses the database does not know give
// the zero Region. It does not allocate.
func (d *DB) Lookup(ip netip.Addr) Region {
	ip = ip.Unmap()
	if d == nil || !ip.Is4() {
		return Region{}
	}
	a := ip.As4()
	n := binary.BigEndian.Uint32(a[:])
	// Find the last range whose start is ≤ n; starts[0] == 0 guarantees one.
	lo, hi := 0, len(d.starts)
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if d.starts[mid] <= n {
			lo = mid
		} else {
			hi = mid
		}
	}
	return d.table[d.regions[lo]]
}

// interner shares one copy of each repeated name (country, province, ISP)
// across the table, so the DB does not keep thousands of copies of "中国".
type interner map[string]string

func (in *interner) name(s string) string {
	if s == "" {
		return ""
	}
	if *in == nil {
		*in = make(map[string]string)
	}
	if v, ok := (*in)[s]; ok {
		return v
	}
	s = strings.Clone(s)
	(*in)[s] = s
	return s
}
