package web

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"kefu/store"
)

func TestOriginAllowed(t *testing.T) {
	site := &store.Site{Domains: []string{"example.com", "*.shop.cn", "localhost", "[::1]"}}
	tests := []struct {
		origin, host string
		want         bool
	}{
		{"", "kefu.io", true}, // not a browser
		{"https://example.com", "kefu.io", true},
		{"https://EXAMPLE.com:8443", "kefu.io", true},
		{"https://evil-example.com", "kefu.io", false},
		{"https://example.com.evil.io", "kefu.io", false},
		{"https://a.shop.cn", "kefu.io", true},
		{"https://shop.cn", "kefu.io", true},
		{"https://xshop.cn", "kefu.io", false},
		{"http://localhost:3000", "kefu.io", true},
		{"http://[::1]:80", "kefu.io", true},
		{"https://kefu.io", "kefu.io", true}, // the chat page itself
		{"null", "kefu.io", false},
		{"https://other.org", "kefu.io", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "http://"+tt.host+"/ws?site=1", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if got := originAllowed(r, site); got != tt.want {
			t.Errorf("origin %q on %s: %v, want %v", tt.origin, tt.host, got, tt.want)
		}
	}
}

func TestClientIPTrustsOnlyConfiguredProxies(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	tests := []struct {
		peer, xff, want string
	}{
		{"203.0.113.9:5555", "", "203.0.113.9"},
		{"203.0.113.9:5555", "1.2.3.4", "203.0.113.9"}, // untrusted peer: header ignored
		{"10.1.2.3:5555", "113.99.15.142", "113.99.15.142"},
		{"10.1.2.3:5555", "6.6.6.6, 113.99.15.142", "113.99.15.142"}, // rightmost untrusted hop
		{"10.1.2.3:5555", "113.99.15.142, 10.9.9.9", "113.99.15.142"},
		{"10.1.2.3:5555", "garbage", "10.1.2.3"},
		{"[::ffff:10.1.2.3]:5555", "113.99.15.142", "113.99.15.142"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/ws", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("peer %s xff %q: %s, want %s", tt.peer, tt.xff, got, tt.want)
		}
	}
}

func TestDecodeFrame(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`{"t":"hello","vid":"abcdefghijklmnop","kind":"page","page":{"url":"http://x/","title":"t","ref":""}}`, true},
		{`{"t":"hello","kind":"admin"}`, false},
		{`{"t":"msg","cid":"c1","text":"你好"}`, true},
		{`{"t":"msg","text":"no cid"}`, false},
		{`{"t":"msg","cid":"` + strings.Repeat("x", 65) + `","text":"x"}`, false},
		{`{"t":"rate","conv":1,"stars":6}`, false},
		{`{"t":"rate","conv":1,"stars":5,"text":"好"}`, true},
		{`{"t":"invite"}`, false},
		{`{"t":"invite","accept":false}`, true},
		{`{"t":"pv"}`, false},
		{`{"t":"drop_tables"}`, false},
		{`not json`, false},
		{"{\"t\":\"msg\",\"cid\":\"c\",\"text\":\"\xff\"}", false},
		{`{"t":"msg","cid":"c","text":"` + strings.Repeat("a", MaxFrame) + `"}`, false},
	}
	for _, tt := range tests {
		_, err := DecodeFrame([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("DecodeFrame(%.60q): err %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{`{"t":"hello","vid":"abcdefghijklmnop","kind":"chat","resume":{"conv":1,"seq":2}}`,
		`{"t":"msg","cid":"1","text":"hi"}`, `{"t":"invite","accept":true}`, `{}`, `[]`, `{"t":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeFrame(data)
		if err != nil {
			return
		}
		switch fr.T {
		case "hello", "msg", "rate", "invite", "pv", "hb", "chat", "typing", "end", "sync", "leave":
		default:
			t.Fatalf("accepted unknown type %q", fr.T)
		}
		if fr.T == "invite" && fr.Accept == nil {
			t.Fatal("invite without accept")
		}
	})
}
