package web

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"sync"
)

// smallHijack hands the websocket library a small read buffer instead of net/http's 4 KiB ones,
// which it would keep for the connection's life, and keeps the raw connection so the socket's
// timeouts can be deadlines on it (a context per read costs a timer and a goroutine-free
// callback for as long as a visitor reads a page).
type smallHijack struct {
	http.ResponseWriter
	conn net.Conn
	br   *bufio.Reader // the buffer the library reads frames from
}

func (s *smallHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	nc := &netConn{Conn: c}
	if n := brw.Reader.Buffered(); n > 0 {
		// What net/http read ahead is read first, so it is not lost. It cannot stay in a
		// buffer: the websocket library reads through a fresh one on the connection.
		b, _ := brw.Reader.Peek(n)
		nc.ahead = bytes.NewReader(bytes.Clone(b))
	}
	s.conn, s.br = nc, bufio.NewReaderSize(nc, 512)
	// The writer only carries the handshake's answer; frames are written through the
	// library's pooled buffers.
	return nc, bufio.NewReadWriter(s.br, bufio.NewWriterSize(nc, 512)), nil
}

// netConn is a visitor's connection as the websocket library sees it: what net/http read
// ahead is read first, and frames written together can go out in one write.
type netConn struct {
	net.Conn
	ahead *bytes.Reader // nil when nothing was read ahead

	mu       sync.Mutex
	batching bool
	batch    []byte
}

func (c *netConn) Read(p []byte) (int, error) {
	if c.ahead != nil && c.ahead.Len() > 0 {
		return c.ahead.Read(p)
	}
	return c.Conn.Read(p)
}

// Write writes, or while a batch is open adds to it. The library serializes its writes
// (frames and control frames), so the batch keeps their order.
func (c *netConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.batching {
		c.batch = append(c.batch, p...)
		c.mu.Unlock()
		return len(p), nil
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// startBatch holds writes back until flush: a visitor's ack and the echo of their message,
// queued together, leave in one system call.
func (c *netConn) startBatch() {
	c.mu.Lock()
	c.batching = true
	c.mu.Unlock()
}

// flush writes what the batch holds and ends it. A large batch's buffer is not kept.
func (c *netConn) flush() error {
	c.mu.Lock()
	b := c.batch
	c.batching = false
	if cap(b) > 16<<10 {
		c.batch = nil
	} else {
		c.batch = b[:0]
	}
	if len(b) == 0 {
		c.mu.Unlock()
		return nil
	}
	// Written under the lock: a control frame written meanwhile must not overtake.
	_, err := c.Conn.Write(b)
	c.mu.Unlock()
	return err
}
