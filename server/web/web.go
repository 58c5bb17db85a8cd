// Package web is kefu's front door for visitors: the demo page, the embed script, the chat
// page and the visitor websocket. Everything a browser sends is untrusted; pages carry a
// strict Content-Security-Policy and never contain visitor-controlled HTML.
package web

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/widget"
)

// Config configures the web front door.
type Config struct {
	Desk *desk.Desk
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// MaxConnsPerIP caps simultaneous websockets from one address; default 64.
	MaxConnsPerIP int
	Log           *slog.Logger
}

// Server serves visitors over HTTP.
type Server struct {
	cfg  Config
	desk *desk.Desk
	log  *slog.Logger
	srv  *http.Server
	mux  *http.ServeMux

	mu       sync.Mutex
	conns    map[*visitorConn]struct{}
	perIP    map[string]int
	shutting bool
	wg       sync.WaitGroup
}

// New builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Desk == nil {
		return nil, errors.New("web: no desk")
	}
	if cfg.MaxConnsPerIP <= 0 {
		cfg.MaxConnsPerIP = 64
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, desk: cfg.Desk, log: cfg.Log, conns: map[*visitorConn]struct{}{}, perIP: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page("demo.html"))
	mux.HandleFunc("GET /chat", s.page("chat.html"))
	mux.HandleFunc("GET /widget.js", s.asset("widget.js"))
	mux.HandleFunc("GET /static/{file}", s.static)
	mux.HandleFunc("GET /ws", s.serveWS)
	mux.HandleFunc("POST /api/leave", s.leave)
	s.registerFiles(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux = mux
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// Handler is the HTTP handler (tests use it with httptest).
func (s *Server) Handler() http.Handler { return s.mux }

// Serve accepts HTTP connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting, tells every visitor connection to reconnect later, and waits for
// in-flight requests and messages to finish (bounded by ctx).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutting = true
	conns := make([]*visitorConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	err := s.srv.Shutdown(ctx)
	for _, c := range conns {
		c.shutdown()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return err
}

// securityHeaders go on every page.
func securityHeaders(h http.Header, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

const (
	// cspDemo is for the demo page: it may only run our own scripts.
	cspDemo = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	// cspChat is for the chat page, which customers' sites frame.
	cspChat = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *"
)

func (s *Server) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := fs.ReadFile(widget.Files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		csp := cspDemo
		if name == "chat.html" {
			csp = cspChat
		} else {
			h.Set("X-Frame-Options", "DENY")
		}
		securityHeaders(h, csp)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		w.Write(data)
	}
}

var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

func (s *Server) asset(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.serveAsset(w, r, name) }
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "" || strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".md") {
		http.NotFound(w, r)
		return
	}
	s.serveAsset(w, r, name)
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	data, err := fs.ReadFile(widget.Files, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ct := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ct = contentTypes[name[i:]]
	}
	if ct == "" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	if name == "widget.js" {
		// The embed script runs on customers' pages; it must be loadable cross-origin.
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	}
	w.Write(data)
}

// leave is the unload beacon.
func (s *Server) leave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1024)
	var body struct {
		Site uint64 `json:"site"`
		Vid  string `json:"vid"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.desk.Leaving(body.Site, body.Vid)
	w.WriteHeader(http.StatusNoContent)
}

// clientIP is the visitor's address: the peer, or X-Forwarded-For's last untrusted hop when
// the peer is a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// originAllowed checks a websocket's Origin: the page must be on one of the site's domains,
// or on kefu's own host (the chat page).
func originAllowed(r *http.Request, site *store.Site) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		// Not a browser (no Origin is sent only by non-browser clients, which CSRF can't
		// drive): allowed, like any API client.
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range site.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		d = strings.TrimSuffix(strings.TrimPrefix(d, "["), "]")
		switch {
		case d == "":
		case strings.HasPrefix(d, "*."):
			if strings.HasSuffix(host, d[1:]) || host == d[2:] {
				return true
			}
		case host == d:
			return true
		}
	}
	return false
}

func siteParam(r *http.Request) (uint64, bool) {
	id, err := strconv.ParseUint(r.URL.Query().Get("site"), 10, 64)
	return id, err == nil && id > 0
}

// langOf picks the visitor's language from Accept-Language.
func langOf(r *http.Request) i18n.Lang {
	al := r.Header.Get("Accept-Language")
	if al == "" {
		return i18n.ZH
	}
	first := strings.SplitN(strings.SplitN(al, ",", 2)[0], ";", 2)[0]
	if l, ok := i18n.Parse(first); ok {
		return l
	}
	return i18n.ZH
}
