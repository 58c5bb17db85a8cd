// Package geo tells where a visitor's IP address is (地域): province and city
// for China, country elsewhere, "local network" for private addresses.
//
// IPv4 addresses are looked up in ip2region's offline database (v1 format,
// data Apache-2.0), shipped gzipped inside the binary and refreshed with
// update.sh. IPv6 addresses, and IPv4 addresses ip2region does not know,
// fall back to the country from github.com/phuslu/iploc (IP2Location LITE
// data).
package geo

import (
	"bytes"
	"compress/gzip"
	_ "embed" // for the ip2region database
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"sync"

	"github.com/phuslu/iploc"
)

// compressed is ip2region.db (v1) from the npm package ip2region, gzipped.
//
//go:embed ip2region.db.gz
var compressed []byte

// maxImageSize bounds the decompressed image; the real one is about 8.7 MB.
const maxImageSize = 64 << 20

// defaultDB opens the embedded database on first use, not at package init:
// most programs and tests that import geo (every package above it) never look
// an address up, and opening costs ~0.1 s of CPU and ~18 MB of transient
// allocation (the 8.7 MB image and the index being built). The server calls
// Load at start so that the first visitor does not wait. Once open, the DB
// keeps ~1.8 MB: 231k merged range starts, their region indexes and 4.5k
// distinct Regions; the decompressed image is garbage as soon as Open
// returns.
var defaultDB = sync.OnceValues(func() (*DB, error) {
	image, err := gunzip(compressed)
	if err != nil {
		return nil, fmt.Errorf("geo: decompress embedded ip2region.db: %w", err)
	}
	db, err := Open(image)
	if err != nil {
		return nil, fmt.Errorf("geo: open embedded ip2region.db: %w", err)
	}
	return db, nil
})

// Load opens the embedded database now rather than on the first Lookup, and
// reports whether it is usable. The server calls it at start.
func Load() error {
	_, err := defaultDB()
	return err
}

// Lookup tells where ip is. It never fails: an address nothing is known
// about gives the zero Region (Display "未知"); private, loopback,
// link-local and unspecified addresses give Region{Local: true}.
func Lookup(ip netip.Addr) Region {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return Region{}
	case isLocal(ip):
		return Region{Local: true}
	}
	if ip.Is4() {
		if db, err := defaultDB(); err == nil {
			if r := db.Lookup(ip); r.Known() {
				return r
			}
		}
	}
	return regionOfCode(iploc.IPCountry(ip))
}

// isLocal reports whether ip can only be a machine on the same network as
// the server: a private, loopback, link-local or unspecified address, or
// IPv4 shared address space (carrier-grade NAT, 100.64.0.0/10).
func isLocal(ip netip.Addr) bool {
	if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
		return true
	}
	if ip.Is4() {
		a := ip.As4()
		return a[0] == 100 && a[1]&0xc0 == 64
	}
	return false
}

// gunzip decompresses a gzip stream into a buffer sized from its trailer, so
// the ~8.7 MB image is allocated once rather than grown by doubling.
func gunzip(gz []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	size := 0
	if len(gz) >= 4 {
		// ISIZE: the uncompressed length modulo 2³²; only a hint.
		if n := binary.LittleEndian.Uint32(gz[len(gz)-4:]); n <= maxImageSize {
			size = int(n)
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, maxImageSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxImageSize {
		return nil, fmt.Errorf("image larger than %d bytes", maxImageSize)
	}
	return buf.Bytes(), nil
}
