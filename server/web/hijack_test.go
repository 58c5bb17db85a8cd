package web

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSmallHijackKeepsReadAheadBytes: a client that pipelines its first websocket frame right
// behind the upgrade request (bytes net/http may already have read) loses nothing when the
// connection is handed over with small buffers.
func TestSmallHijackKeepsReadAheadBytes(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(&smallHijack{ResponseWriter: w}, r, nil)
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer ws.Close()
		ws.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		got <- string(data)
	}))
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := make([]byte, 16)
	rand.Read(key)
	req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key) + "\r\n\r\n"
	payload := []byte(`{"t":"hello","kind":"page"}`)
	frame := []byte{0x81, 0x80 | byte(len(payload)), 0, 0, 0, 0} // text, masked with a zero mask
	binary.BigEndian.PutUint32(frame[2:], 0)
	frame = append(frame, payload...)
	// Request and frame in one write: the server reads them together.
	if _, err := conn.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	select {
	case s := <-got:
		if s != string(payload) {
			t.Fatalf("server read %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the pipelined frame never arrived")
	}
}

// countingConn records each write that reaches the socket.
type countingConn struct {
	net.Conn
	writes [][]byte
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, append([]byte(nil), p...))
	return len(p), nil
}

// TestNetConnBatchesWrites: frames written while a batch is open leave together, in order, in
// one write; outside a batch every write goes through at once.
func TestNetConnBatchesWrites(t *testing.T) {
	under := &countingConn{}
	c := &netConn{Conn: under}
	c.Write([]byte("alone"))
	c.startBatch()
	c.Write([]byte("ack,"))
	c.Write([]byte("echo,"))
	c.Write([]byte("pong"))
	if len(under.writes) != 1 {
		t.Fatalf("%d writes before the flush, want only the one outside the batch", len(under.writes))
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("after"))
	got := []string{}
	for _, w := range under.writes {
		got = append(got, string(w))
	}
	if len(got) != 3 || got[0] != "alone" || got[1] != "ack,echo,pong" || got[2] != "after" {
		t.Fatalf("writes %q", got)
	}
	if c.flush() != nil || len(under.writes) != 3 {
		t.Fatal("an empty flush wrote something")
	}
}
