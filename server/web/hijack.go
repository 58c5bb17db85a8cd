package web

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// smallHijack hands the websocket library small buffers instead of net/http's 4 KiB ones,
// which it would keep for the connection's life, and keeps the raw connection so the socket's
// timeouts can be deadlines on it (a context per read costs a timer and a goroutine-free
// callback for as long as a visitor reads a page).
type smallHijack struct {
	http.ResponseWriter
	conn net.Conn
}

func (s *smallHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	s.conn = c
	br := bufio.NewReaderSize(c, 512)
	if n := brw.Reader.Buffered(); n > 0 {
		// What net/http read ahead goes into the new buffer (the websocket library takes it
		// from there with Peek(Buffered())), so it is not lost.
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), c), max(512, n))
		br.Peek(n)
	}
	return c, bufio.NewReadWriter(br, bufio.NewWriterSize(c, 512)), nil
}
