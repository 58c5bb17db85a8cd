package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kefu/server/desk"
	"kefu/server/web/wsclient"
)

// TestOversizedFrameIsAnsweredBeforeTheSocketCloses: a 100 KB frame gets an error frame in
// the visitor's language, then the socket closes; a hello that big gets the same.
func TestOversizedFrameIsAnsweredBeforeTheSocketCloses(t *testing.T) {
	s := newWSServer(t, desk.Config{})
	for _, tt := range []struct {
		lang, want string
	}{{"zh-CN,zh;q=0.9", "太大"}, {"en-US,en;q=0.9", "too big"}} {
		v := s.dial(wsclient.Options{Kind: "chat", Header: http.Header{"Accept-Language": {tt.lang}}})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := v.SendMessage(ctx, "big-1", strings.Repeat("很长的消息", 100<<10/15)); err != nil {
			t.Fatal(err)
		}
		f, err := v.Expect(ctx, "error")
		cancel()
		if err != nil {
			t.Fatalf("%s: no error frame before the close: %v", tt.lang, err)
		}
		if f.Code != "frame_too_big" || !strings.Contains(f.Text, tt.want) {
			t.Fatalf("%s: error %q %q", tt.lang, f.Code, f.Text)
		}
		select {
		case <-v.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the socket stayed open after an oversized frame", tt.lang)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+"/ws?site=1", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {s.base}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	hello, _ := json.Marshal(map[string]any{"t": "hello", "vid": wsclient.NewVid(), "kind": "page",
		"page": map[string]string{"url": "http://localhost/" + strings.Repeat("长", 40<<10), "title": "首页"}})
	if err := conn.Write(ctx, websocket.MessageText, hello); err != nil {
		t.Fatal(err)
	}
	_, data, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(data), `"code":"frame_too_big"`) {
		t.Fatalf("an oversized hello was answered %s (%v)", data, err)
	}
	if _, _, err := conn.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("after an oversized hello the socket closed with %v", err)
	}
}

// TestFrameAtTheLimitIsRead: a frame of exactly MaxFrame bytes, far past the pooled read
// buffer's first size, is read whole and answered for what it says (a message too long); one
// byte more is a frame too big. The same socket then sends an ordinary message.
func TestFrameAtTheLimitIsRead(t *testing.T) {
	s := newWSServer(t, desk.Config{})
	v := s.dial(wsclient.Options{Kind: "chat"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sized := func(cid string, n int) map[string]any {
		f := map[string]any{"t": "msg", "cid": cid, "text": ""}
		base, _ := json.Marshal(f)
		f["text"] = strings.Repeat("a", n-len(base))
		if b, _ := json.Marshal(f); len(b) != n {
			t.Fatalf("frame of %d bytes, want %d", len(b), n)
		}
		return f
	}
	if err := v.Send(ctx, sized("at-limit", MaxFrame)); err != nil {
		t.Fatal(err)
	}
	if f, err := v.Expect(ctx, "error"); err != nil || f.Code != "too_long" {
		t.Fatalf("a frame of MaxFrame bytes: error %q (%v), want too_long", f.Code, err)
	}
	if err := v.SendMessage(ctx, "small", "您好"); err != nil {
		t.Fatal(err)
	}
	if f, err := v.ExpectFunc(ctx, "ack", func(f wsclient.Frame) bool { return f.CID == "small" }); err != nil || f.Seq == 0 {
		t.Fatalf("the message after it: %v", err)
	}
	if err := v.Send(ctx, sized("past-limit", MaxFrame+1)); err != nil {
		t.Fatal(err)
	}
	if f, err := v.Expect(ctx, "error"); err != nil || f.Code != "frame_too_big" {
		t.Fatalf("a frame of MaxFrame+1 bytes: error %q (%v), want frame_too_big", f.Code, err)
	}
}
