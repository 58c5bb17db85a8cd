package web

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/store"
)

// BenchmarkVisitorMemory connects idle visitors (a hello, then only the open socket, as a
// visitor reading a page is) to the real visitor front door and reports what each one costs
// the server: live heap and goroutine stack bytes, and goroutines. The visitors are raw TCP
// connections without goroutines or buffers of their own, so what is measured is the
// server's (about 0.4 KB of it is the client's socket). Issue 6's goal is ≤ 30 KB of RSS per
// visitor; the load tool measures RSS, this measures where it goes.
func BenchmarkVisitorMemory(b *testing.B) {
	const visitors = 2000
	dir := b.TempDir()
	db, err := store.Open(dir, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: log})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	seedFiles(&testing.T{}, db)
	w, err := New(Config{Desk: d, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: w.Handler()}
	go hs.Serve(l)
	defer hs.Close()
	addr := l.Addr().String()

	for i := 0; i < b.N; i++ {
		before := memNow()
		conns := make([]net.Conn, 0, visitors)
		for v := 0; v < visitors; v++ {
			// kefu admits 64 sockets per address: spread over 127.0.0.2, .3, …
			c, err := rawVisitor(addr, net.IPv4(127, 0, byte(v/64/250), byte(2+v/64%250)), fmt.Sprintf("memvisitor%08d", v))
			if err != nil {
				b.Fatalf("visitor %d: %v", v, err)
			}
			conns = append(conns, c)
		}
		after := memNow()
		b.ReportMetric(float64(after.heap-before.heap)/visitors, "heap-B/visitor")
		b.ReportMetric(float64(after.stack-before.stack)/visitors, "stack-B/visitor")
		b.ReportMetric(float64(after.heap+after.stack-before.heap-before.stack)/visitors, "B/visitor")
		b.ReportMetric(float64(after.goroutines-before.goroutines)/visitors, "goroutines/visitor")
		for _, c := range conns {
			c.Close()
		}
		// Let the server notice and let go before the next round.
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before.goroutines+10 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

type memFigures struct {
	heap, stack uint64
	goroutines  int
}

func memNow() memFigures {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memFigures{heap: ms.HeapAlloc, stack: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// rawVisitor opens a visitor websocket by hand, says hello and waits for the welcome, keeping
// nothing but the connection.
func rawVisitor(addr string, from net.IP, vid string) (net.Conn, error) {
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: from}, Timeout: 5 * time.Second}
	c, err := dialer.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /ws?site=1 HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://localhost\r\n\r\n", addr)
	br := bufio.NewReaderSize(c, 16)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("upgrade: %v %v", resp, err)
	}
	hello := fmt.Sprintf(`{"t":"hello","vid":%q,"kind":"page","page":{"url":"http://localhost/pricing","title":"价格 - 云帆软件","ref":""}}`, vid)
	if _, err := c.Write(maskedText(hello)); err != nil {
		c.Close()
		return nil, err
	}
	// The welcome frame: a 2- or 4-byte header, then the JSON.
	var h [4]byte
	if _, err := io.ReadFull(br, h[:2]); err != nil {
		c.Close()
		return nil, err
	}
	n := int(h[1] & 0x7f)
	if n == 126 {
		if _, err := io.ReadFull(br, h[2:4]); err != nil {
			c.Close()
			return nil, err
		}
		n = int(binary.BigEndian.Uint16(h[2:4]))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil || !strings.Contains(string(body), `"welcome"`) {
		c.Close()
		return nil, fmt.Errorf("welcome: %q %v", body, err)
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// maskedText is a client → server text frame (clients must mask).
func maskedText(s string) []byte {
	p := []byte(s)
	out := []byte{0x81}
	switch {
	case len(p) < 126:
		out = append(out, 0x80|byte(len(p)))
	default:
		out = append(out, 0x80|126, byte(len(p)>>8), byte(len(p)))
	}
	var key [4]byte
	rand.Read(key[:])
	out = append(out, key[:]...)
	for i, c := range p {
		out = append(out, c^key[i%4])
	}
	return out
}
