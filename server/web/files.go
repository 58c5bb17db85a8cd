package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"kefu/server/desk"
	"kefu/server/files"
	"kefu/server/i18n"
	"kefu/store"
)

// Upload limits. The size limit is the file store's.
const (
	uploadEvery      = 2 * time.Second // a visitor's sustained rate: one file per 2 s…
	uploadBurst      = 5               // …after a burst of 5
	uploadsAtOnce    = 16              // uploads in flight on the whole server
	uploadReadWindow = 5 * time.Minute // the longest one upload may take
	limiterIdle      = 10 * time.Minute
)

// Upload request headers (widget/PROTOCOL.md).
const (
	headerVid  = "X-Kefu-Vid"
	headerCid  = "X-Kefu-Cid"
	headerName = "X-Kefu-Name" // percent-encoded UTF-8 (encodeURIComponent)
)

// cspFile sandboxes a download opened in the browser: no script, no subresources.
const cspFile = "sandbox; default-src 'none'"

// fileRoutes serves visitors' uploads and every download link.
type fileRoutes struct {
	s     *Server
	slots chan struct{}

	mu       sync.Mutex
	limiters map[string]*visitorLimiter
	pruned   time.Time
}

type visitorLimiter struct {
	lim  *rate.Limiter
	used time.Time
}

// registerFiles adds the file routes to the mux.
func (s *Server) registerFiles(mux *http.ServeMux) {
	fr := &fileRoutes{s: s, slots: make(chan struct{}, uploadsAtOnce), limiters: map[string]*visitorLimiter{}}
	mux.HandleFunc("POST /api/file", fr.upload)
	mux.HandleFunc("GET /f/{token}/{name}", fr.download)
}

// outFile is the file of a msg frame.
type outFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	Type string `json:"type,omitempty"`
	URL  string `json:"url"`
}

// outFileMsg is a msg frame with a file.
type outFileMsg struct {
	outMsg
	File *outFile `json:"file"`
}

// msgFrame is the msg frame of a stored message; a file message carries its download link.
func (s *Server) msgFrame(m store.Message) any {
	f := outMsg{T: "msg", Conv: m.ConvID, Seq: m.Seq, CID: m.CID, From: string(m.From), Name: m.Name, Text: m.Text, At: m.At.UnixMilli(), Event: m.Event}
	if m.File == nil {
		return f
	}
	return outFileMsg{outMsg: f, File: s.fileInfo(m.File)}
}

func (s *Server) fileInfo(ref *store.FileRef) *outFile {
	u, err := s.desk.FileURL(ref)
	if err != nil {
		s.log.Warn("file link", "err", err)
	}
	return &outFile{Name: ref.Name, Size: ref.Size, Type: ref.Type, URL: u}
}

// uploadReply answers a stored upload like an ack, with the message's file.
type uploadReply struct {
	CID  string   `json:"cid,omitempty"`
	Conv uint64   `json:"conv"`
	Seq  uint64   `json:"seq"`
	At   int64    `json:"at"`
	File *outFile `json:"file"`
}

// upload is POST /api/file?site=ID: the chat page sends one file as the raw request body.
func (fr *fileRoutes) upload(w http.ResponseWriter, r *http.Request) {
	s := fr.s
	lang := langOf(r)
	siteID, ok := siteParam(r)
	if !ok {
		fr.refuse(w, http.StatusBadRequest, "bad_request", lang.T("visitor.err.bad_request"))
		return
	}
	site, err := s.desk.Site(siteID)
	if err != nil || site.Disabled {
		fr.refuse(w, http.StatusNotFound, "bad_request", lang.T("visitor.err.bad_request"))
		return
	}
	if !originAllowed(r, site) {
		s.log.Info("file upload origin refused", "origin", r.Header.Get("Origin"), "site", siteID)
		fr.refuse(w, http.StatusForbidden, "origin", lang.T("file.err.origin"))
		return
	}
	vid, cid := r.Header.Get(headerVid), r.Header.Get(headerCid)
	name, err := url.PathUnescape(r.Header.Get(headerName))
	if !desk.ValidKey(vid) || len(cid) > desk.MaxCIDLen || err != nil {
		fr.refuse(w, http.StatusBadRequest, "bad_request", lang.T("visitor.err.bad_request"))
		return
	}
	if !fr.allow(siteID, vid) {
		fr.refuse(w, http.StatusTooManyRequests, "rate", lang.T("visitor.err.rate"))
		return
	}
	fs, err := s.desk.Files()
	if err != nil {
		s.log.Error("file store", "err", err)
		fr.refuse(w, http.StatusServiceUnavailable, "unavailable", lang.T("visitor.err.unavailable"))
		return
	}
	limit := fs.MaxSize()
	if r.ContentLength > limit {
		fr.refuseFile(w, lang, files.TooLarge(limit))
		return
	}
	select {
	case fr.slots <- struct{}{}:
		defer func() { <-fr.slots }()
	default:
		fr.refuse(w, http.StatusServiceUnavailable, "unavailable", lang.T("visitor.err.unavailable"))
		return
	}
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadWindow))
	body := http.MaxBytesReader(w, r.Body, limit)
	m, err := s.desk.VisitorFile(siteID, vid, cid, name, body)
	var refusal *files.Refusal
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, uploadReply{CID: m.CID, Conv: m.ConvID, Seq: m.Seq, At: m.At.UnixMilli(), File: s.fileInfo(m.File)})
	case errors.As(err, &tooBig):
		fr.refuseFile(w, lang, files.TooLarge(limit))
	case errors.As(err, &refusal):
		fr.refuseFile(w, lang, refusal)
	case errors.Is(err, desk.ErrNoConv):
		fr.refuse(w, http.StatusConflict, "no_conv", lang.T("file.err.no_conv"))
	case errors.Is(err, store.ErrConvEnded):
		fr.refuse(w, http.StatusConflict, "ended", lang.T("visitor.err.ended"))
	case errors.Is(err, desk.ErrSiteDisabled), errors.Is(err, desk.ErrBadCID):
		fr.refuse(w, http.StatusBadRequest, "bad_request", lang.T("visitor.err.bad_request"))
	default:
		s.log.Warn("file upload", "site", siteID, "err", err)
		fr.refuse(w, http.StatusServiceUnavailable, "unavailable", lang.T("visitor.err.unavailable"))
	}
}

// allow takes a token from the visitor's upload limiter.
func (fr *fileRoutes) allow(siteID uint64, vid string) bool {
	now := time.Now()
	key := strconv.FormatUint(siteID, 10) + "/" + vid
	fr.mu.Lock()
	defer fr.mu.Unlock()
	if now.Sub(fr.pruned) > limiterIdle {
		for k, l := range fr.limiters {
			if now.Sub(l.used) > limiterIdle {
				delete(fr.limiters, k)
			}
		}
		fr.pruned = now
	}
	l := fr.limiters[key]
	if l == nil {
		l = &visitorLimiter{lim: rate.NewLimiter(rate.Every(uploadEvery), uploadBurst)}
		fr.limiters[key] = l
	}
	l.used = now
	return l.lim.AllowN(now, 1)
}

// uploadError is the body of a refused upload: the code for programs, the text for people.
type uploadError struct {
	Code  string `json:"code"`
	Text  string `json:"text"`
	Limit int64  `json:"limit,omitempty"`
}

func (fr *fileRoutes) refuse(w http.ResponseWriter, status int, code, text string) {
	writeJSON(w, status, uploadError{Code: code, Text: text})
}

func (fr *fileRoutes) refuseFile(w http.ResponseWriter, lang i18n.Lang, r *files.Refusal) {
	status := http.StatusUnsupportedMediaType
	switch r.Code {
	case "too_large":
		status = http.StatusRequestEntityTooLarge
		// The rest of a body over the limit is not worth reading.
		w.Header().Set("Connection", "close")
	case "empty":
		status = http.StatusBadRequest
	}
	writeJSON(w, status, uploadError{Code: r.Code, Text: r.Text(lang), Limit: r.Limit})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// download is GET /f/{token}/{name}: a stored file, always as an attachment, under the name
// its link was made for.
func (fr *fileRoutes) download(w http.ResponseWriter, r *http.Request) {
	s := fr.s
	name := r.PathValue("name")
	fs, err := s.desk.Files()
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	hash, ok := fs.Check(r.PathValue("token"), name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	var meta *store.FileMeta
	err = s.desk.DB().View(func(tx *store.Tx) error {
		var err error
		meta, err = tx.FileMeta(hash)
		return err
	})
	if err != nil {
		http.NotFound(w, r)
		return
	}
	f, err := fs.Open(hash)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", files.ServeType(meta.Type))
	h.Set("Content-Disposition", attachment(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", cspFile)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	// The link names one immutable content.
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", `"`+hash+`"`)
	http.ServeContent(w, r, "", info.ModTime(), f)
}

// attachment is a Content-Disposition that saves the file under name: an ASCII fallback for
// old clients and the exact UTF-8 name as RFC 5987 filename*.
func attachment(name string) string {
	var fallback strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';':
			fallback.WriteByte('_')
		default:
			fallback.WriteRune(r)
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes everything but RFC 5987's attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
