package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
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

// TestReadAtMost: a frame is read whole however the reader hands it over, into a buffer that
// grows past its pooled size; past max it stops at max, never reading the rest.
func TestReadAtMost(t *testing.T) {
	frame := strings.Repeat("消息", 3000) // 18,000 bytes
	for _, tc := range []struct {
		max  int
		want int
	}{
		{len(frame) + 1, len(frame)},
		{len(frame), len(frame)},
		{100, 100},
	} {
		r := iotest.OneByteReader(strings.NewReader(frame))
		got, err := readAtMost(r, make([]byte, 0, 16), tc.max)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want || string(got) != frame[:tc.want] {
			t.Errorf("max %d: read %d bytes; want the first %d", tc.max, len(got), tc.want)
		}
	}
	if _, err := readAtMost(iotest.ErrReader(errors.New("reset")), nil, 10); err == nil {
		t.Error("a failing reader's error was lost")
	}
}
