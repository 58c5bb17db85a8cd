package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Frame is a server → visitor frame of widget/PROTOCOL.md, decoded loosely: only what the
// load tools look at.
type Frame struct {
	T    string          `json:"t"`
	CID  string          `json:"cid"`
	Conv json.RawMessage `json:"conv"` // a number (ack, msg, open) or an object (welcome, conv)
	Seq  uint64          `json:"seq"`
	At   int64           `json:"at"`
	Code string          `json:"code"`
}

// ConvID is the conversation of an ack, msg or open frame, or of the conversation object of a
// welcome or conv frame; 0 if none.
func (f Frame) ConvID() uint64 {
	if len(f.Conv) == 0 || string(f.Conv) == "null" {
		return 0
	}
	var id uint64
	if json.Unmarshal(f.Conv, &id) == nil {
		return id
	}
	var c struct {
		ID uint64 `json:"id"`
	}
	if json.Unmarshal(f.Conv, &c) == nil {
		return c.ID
	}
	return 0
}

// Hello is the first frame a visitor sends.
type Hello struct {
	Vid    string // browser visitor id, 16–64 of [A-Za-z0-9_-]
	Kind   string // "page" or "chat"
	URL    string
	Title  string
	Resume *[2]uint64 // conversation, last seq seen
}

// Dialer opens visitor websockets to one kefu from many loopback source addresses
// (127.0.0.2, 127.0.0.3, …; Linux routes all of 127/8 to lo), so that kefu's cap on
// connections per client address does not refuse a load of thousands. Slot n of the load
// always uses the same address, at most PerAddr slots per address.
type Dialer struct {
	Base    string // http://127.0.0.1:port
	Site    uint64
	PerAddr int

	mu      sync.Mutex
	clients map[int]*http.Client
}

// NewDialer returns a dialer for the server at base ("http://127.0.0.1:8080"). perAddr is
// how many connections share one source address; keep it under the server's per-IP cap.
func NewDialer(base string, perAddr int) (*Dialer, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s is not a loopback address: the load tools only talk to 127.0.0.1 or ::1", base)
	}
	if perAddr <= 0 {
		perAddr = 32
	}
	return &Dialer{Base: base, Site: 1, PerAddr: perAddr, clients: map[int]*http.Client{}}, nil
}

// SetBase points the dialer at a restarted server.
func (d *Dialer) SetBase(base string) {
	d.mu.Lock()
	d.Base = base
	d.mu.Unlock()
}

func (d *Dialer) client(slot int) (*http.Client, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, _ := url.Parse(d.Base)
	if ip := net.ParseIP(u.Hostname()); ip.To4() == nil {
		// ::1 has no neighbours to borrow; one address it is.
		return http.DefaultClient, d.Base
	}
	n := slot / d.PerAddr
	c := d.clients[n]
	if c == nil {
		// 127.0.0.2 upwards: 127.0.0.2–251, then 127.0.1.2–251, …
		src := net.IPv4(127, 0, byte(n/250), byte(n%250+2))
		dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
		c = &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
		d.clients[n] = c
	}
	return c, d.Base
}

// Conn is one visitor websocket. Frames are handed to the OnFrame function given to Dial, on
// the connection's reading goroutine, in order.
type Conn struct {
	ws      *websocket.Conn
	Welcome Frame
	done    chan struct{}
}

// Dial connects slot's visitor, says hello and waits for the welcome. onFrame (may be nil)
// gets every later frame on the reading goroutine; it must not block for long.
func (d *Dialer) Dial(ctx context.Context, slot int, h Hello, onFrame func(Frame)) (*Conn, error) {
	client, base := d.client(slot)
	u, _ := url.Parse(base)
	wsURL := fmt.Sprintf("ws://%s/ws?site=%d", u.Host, d.Site)
	hdr := http.Header{}
	hdr.Set("Origin", base)
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: client, HTTPHeader: hdr,
		CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	hello := map[string]any{"t": "hello", "vid": h.Vid, "kind": h.Kind,
		"page": map[string]string{"url": h.URL, "title": h.Title}}
	if h.Resume != nil {
		hello["resume"] = map[string]uint64{"conv": h.Resume[0], "seq": h.Resume[1]}
	}
	c := &Conn{ws: ws, done: make(chan struct{})}
	if err := c.Send(ctx, hello); err != nil {
		ws.CloseNow()
		return nil, err
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			ws.CloseNow()
			return nil, fmt.Errorf("waiting for welcome: %w", err)
		}
		var f Frame
		if json.Unmarshal(data, &f) == nil && f.T == "welcome" {
			c.Welcome = f
			break
		}
	}
	go c.read(onFrame)
	return c, nil
}

func (c *Conn) read(onFrame func(Frame)) {
	defer close(c.done)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		var f Frame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		if onFrame != nil {
			onFrame(f)
		}
	}
}

// Send writes one frame.
func (c *Conn) Send(ctx context.Context, frame any) error {
	data, err := json.Marshal(frame)
	if err != nil {
		return err
	}
	return c.ws.Write(ctx, websocket.MessageText, data)
}

// SendMessage sends a chat message with its client id.
func (c *Conn) SendMessage(ctx context.Context, cid, text string) error {
	return c.Send(ctx, msgFrame{T: "msg", CID: cid, Text: text})
}

type msgFrame struct {
	T    string `json:"t"`
	CID  string `json:"cid"`
	Text string `json:"text"`
}

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Close closes with a normal closure, as a tab that goes away does.
func (c *Conn) Close() { c.ws.Close(websocket.StatusNormalClosure, "bye") }

// Kill drops the connection without a closing handshake.
func (c *Conn) Kill() { c.ws.CloseNow() }
