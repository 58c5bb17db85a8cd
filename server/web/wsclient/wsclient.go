// Package wsclient is a visitor speaking kefu's websocket protocol (widget/PROTOCOL.md) the
// way the widget does, for end-to-end tests and the load tool.
package wsclient

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Frame is any server → client frame, decoded loosely.
type Frame struct {
	T      string          `json:"t"`
	Vid    string          `json:"vid"`
	Visit  int             `json:"visit"`
	Online bool            `json:"online"`
	CID    string          `json:"cid"`
	Conv   json.RawMessage `json:"conv"`
	Seq    uint64          `json:"seq"`
	At     int64           `json:"at"`
	From   string          `json:"from"`
	Name   string          `json:"name"`
	Text   string          `json:"text"`
	Code   string          `json:"code"`
	Event  string          `json:"event"`
	Agent  json.RawMessage `json:"agent"`
	Pos    int             `json:"pos"`
	Raw    []byte          `json:"-"`
}

// ConvInfo is the conversation object of welcome and conv frames.
type ConvInfo struct {
	ID    uint64 `json:"id"`
	State string `json:"state"`
	Agent *struct {
		Name   string `json:"name"`
		WorkNo string `json:"work_no"`
	} `json:"agent"`
}

// ConvInfo decodes a frame's conversation object (welcome, conv); nil if it has none.
func (f Frame) ConvInfo() *ConvInfo {
	if len(f.Conv) == 0 || f.Conv[0] != '{' {
		return nil
	}
	var c ConvInfo
	if json.Unmarshal(f.Conv, &c) != nil {
		return nil
	}
	return &c
}

// ConvID is the conversation id of an ack, msg or open frame.
func (f Frame) ConvID() uint64 {
	var id uint64
	if json.Unmarshal(f.Conv, &id) == nil {
		return id
	}
	if c := f.ConvInfo(); c != nil {
		return c.ID
	}
	return 0
}

// Options describe the visitor.
type Options struct {
	Base      string // "http://127.0.0.1:8080"
	Site      uint64 // default 1
	Vid       string // default: a new random id
	Kind      string // "page" (default) or "chat"
	URL       string
	Title     string
	Referrer  string
	Origin    string // default: Base
	UserAgent string
	Header    http.Header
	Resume    *[2]uint64 // conversation, seq
	// Member is a signed member identity as window.kefu.identify sends it: id, name, ts, sig.
	Member map[string]any
}

// Visitor is one websocket connection of a visitor.
type Visitor struct {
	Vid     string
	Welcome Frame
	conn    *websocket.Conn
	frames  chan Frame
	mu      sync.Mutex
	seen    []Frame
	closed  chan struct{}
	readErr error
}

// NewVid makes a visitor id like the widget's.
func NewVid() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Dial connects, says hello and waits for the welcome.
func Dial(ctx context.Context, o Options) (*Visitor, error) {
	if o.Site == 0 {
		o.Site = 1
	}
	if o.Vid == "" {
		o.Vid = NewVid()
	}
	if o.Kind == "" {
		o.Kind = "page"
	}
	if o.Origin == "" {
		o.Origin = o.Base
	}
	h := http.Header{}
	for k, v := range o.Header {
		h[k] = v
	}
	h.Set("Origin", o.Origin)
	if o.UserAgent != "" {
		h.Set("User-Agent", o.UserAgent)
	}
	wsURL := "ws" + strings.TrimPrefix(o.Base, "http") + fmt.Sprintf("/ws?site=%d", o.Site)
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	v := &Visitor{Vid: o.Vid, conn: conn, frames: make(chan Frame, 4096), closed: make(chan struct{})}
	hello := map[string]any{"t": "hello", "vid": o.Vid, "kind": o.Kind,
		"page": map[string]string{"url": o.URL, "title": o.Title, "ref": o.Referrer}}
	if o.Resume != nil {
		hello["resume"] = map[string]uint64{"conv": o.Resume[0], "seq": o.Resume[1]}
	}
	if o.Member != nil {
		hello["member"] = o.Member
	}
	if err := v.Send(ctx, hello); err != nil {
		conn.CloseNow()
		return nil, err
	}
	go v.read()
	w, err := v.Expect(ctx, "welcome")
	if err != nil {
		v.Close()
		return nil, err
	}
	v.Welcome = w
	return v, nil
}

func (v *Visitor) read() {
	defer close(v.closed)
	defer close(v.frames)
	for {
		_, data, err := v.conn.Read(context.Background())
		if err != nil {
			v.readErr = err
			return
		}
		var f Frame
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		f.Raw = data
		v.mu.Lock()
		v.seen = append(v.seen, f)
		v.mu.Unlock()
		select {
		case v.frames <- f:
		default: // a test that doesn't read doesn't block the connection
		}
	}
}

// Send writes a frame.
func (v *Visitor) Send(ctx context.Context, frame any) error {
	data, err := json.Marshal(frame)
	if err != nil {
		return err
	}
	return v.conn.Write(ctx, websocket.MessageText, data)
}

// SendMessage sends a chat message with a client id.
func (v *Visitor) SendMessage(ctx context.Context, cid, text string) error {
	return v.Send(ctx, map[string]string{"t": "msg", "cid": cid, "text": text})
}

// Expect waits for the next frame of type t, skipping others.
func (v *Visitor) Expect(ctx context.Context, t string) (Frame, error) {
	return v.ExpectFunc(ctx, t, func(Frame) bool { return true })
}

// ExpectFunc waits for the next frame of type t that ok accepts, skipping others.
func (v *Visitor) ExpectFunc(ctx context.Context, t string, ok func(Frame) bool) (Frame, error) {
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	for {
		select {
		case f, open := <-v.frames:
			if !open {
				return Frame{}, fmt.Errorf("connection closed while waiting for %q: %v", t, v.readErr)
			}
			if f.T == t && ok(f) {
				return f, nil
			}
		case <-ctx.Done():
			return Frame{}, fmt.Errorf("waiting for %q: %w", t, ctx.Err())
		}
	}
}

// Seen returns every frame received so far.
func (v *Visitor) Seen() []Frame {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Frame(nil), v.seen...)
}

// Done is closed when the connection is gone.
func (v *Visitor) Done() <-chan struct{} { return v.closed }

// Close closes the connection.
func (v *Visitor) Close() error {
	err := v.conn.Close(websocket.StatusNormalClosure, "bye")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Kill drops the connection without a close handshake, like a crashed tab.
func (v *Visitor) Kill() { v.conn.CloseNow() }
