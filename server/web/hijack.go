package web

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
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
	if n := brw.Reader.Buffered(); n > 0 {
		// What net/http read ahead is read first, so it is not lost. It cannot stay in a
		// buffer: the websocket library reads through a fresh one on the connection.
		b, _ := brw.Reader.Peek(n)
		c = &readAhead{Conn: c, r: bytes.NewReader(bytes.Clone(b))}
	}
	s.conn, s.br = c, bufio.NewReaderSize(c, 512)
	// The writer only carries the handshake's answer; frames are written through the
	// library's pooled buffers.
	return c, bufio.NewReadWriter(s.br, bufio.NewWriterSize(c, 512)), nil
}

// readAhead is a connection whose first bytes were already read from it.
type readAhead struct {
	net.Conn
	r *bytes.Reader
}

func (c *readAhead) Read(p []byte) (int, error) {
	if c.r.Len() > 0 {
		return c.r.Read(p)
	}
	return c.Conn.Read(p)
}
