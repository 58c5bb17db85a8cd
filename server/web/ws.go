package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"kefu/server/desk"
	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/store"
)

// Timing of the visitor socket.
const (
	maxRateWait  = time.Second // how long a message over the rate may wait before it is refused
	helloTimeout = 10 * time.Second
	idleTimeout  = 60 * time.Second // the widget beats every 20 s
	writeTimeout = 10 * time.Second
)

// visitorConn is one visitor websocket: a reader (this handler's goroutine) and one writer
// goroutine that forwards hub events and replies in order.
type visitorConn struct {
	s       *Server
	ws      *websocket.Conn
	lang    i18n.Lang
	chat    bool
	vs      *desk.VisitorSession
	replies chan any
	closing chan struct{}
	once    sync.Once
	msgs    *rate.Limiter // messages
	small   *rate.Limiter // typing, page views
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	siteID, ok := siteParam(r)
	if !ok {
		http.Error(w, "missing site", http.StatusBadRequest)
		return
	}
	site, err := s.desk.Site(siteID)
	if err != nil || site.Disabled {
		http.Error(w, "unknown site", http.StatusNotFound)
		return
	}
	if !originAllowed(r, site) {
		s.log.Info("websocket origin refused", "origin", r.Header.Get("Origin"), "site", siteID)
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	ip := s.clientIP(r)
	if !s.admit(ip) {
		http.Error(w, "too many connections", http.StatusTooManyRequests)
		return
	}
	ws, err := websocket.Accept(smallHijack{w}, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		s.release(ip)
		return
	}
	// readFrame stops at MaxFrame+1 bytes and answers frame_too_big; the library's own limit,
	// which closes without a word, sits above it as a backstop.
	ws.SetReadLimit(MaxFrame + 1)
	c := &visitorConn{s: s, ws: ws, lang: langOf(r), replies: make(chan any, 32), closing: make(chan struct{}),
		msgs: rate.NewLimiter(5, 10), small: rate.NewLimiter(4, 20)}
	if !s.track(c) {
		ws.Close(websocket.StatusTryAgainLater, "shutting down")
		s.release(ip)
		return
	}
	// The socket lives on its own goroutine and the handler returns, so net/http lets go of
	// its per-connection state (conn, request, read and write buffers).
	ctx, ua := context.WithoutCancel(r.Context()), r.UserAgent()
	go func() {
		defer s.release(ip)
		defer s.untrack(c)
		c.run(ctx, siteID, ip, ua)
	}()
}

func (s *Server) admit(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[ip] >= s.cfg.MaxConnsPerIP {
		return false
	}
	s.perIP[ip]++
	return true
}

func (s *Server) release(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
}

func (s *Server) track(c *visitorConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *visitorConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// shutdown tells the browser to come back shortly and closes the socket.
func (c *visitorConn) shutdown() {
	c.reply(outBye{T: "bye", Code: "shutdown", Text: c.lang.T("visitor.shutdown")})
	c.stop()
}

func (c *visitorConn) stop() { c.once.Do(func() { close(c.closing) }) }

// reply queues a frame for the writer; a connection too slow to take replies is closed.
func (c *visitorConn) reply(v any) {
	select {
	case c.replies <- v:
	case <-c.closing:
	default:
		c.stop()
	}
}

func (c *visitorConn) fail(code string) {
	c.reply(outError{T: "error", Code: code, Text: c.lang.T("visitor.err." + code)})
}

func (c *visitorConn) run(ctx context.Context, siteID uint64, ip, ua string) {
	defer c.ws.CloseNow()
	hctx, cancel := context.WithTimeout(ctx, helloTimeout)
	data, err := c.readFrame(hctx)
	cancel()
	if errors.Is(err, errFrameTooBig) {
		c.write(ctx, c.tooBig())
		c.ws.Close(websocket.StatusMessageTooBig, "frame too big")
		return
	}
	if err != nil {
		return
	}
	hello, err := DecodeFrame(data)
	if err != nil || hello.T != "hello" {
		c.ws.Close(websocket.StatusPolicyViolation, "hello expected")
		return
	}
	c.chat = hello.Kind == "chat"
	a := desk.Arrival{SiteID: siteID, Key: hello.Vid, Chat: c.chat, IP: ip, UserAgent: ua}
	if hello.Page != nil {
		a.Page = desk.Page{URL: hello.Page.URL, Title: hello.Page.Title, Referrer: hello.Page.Ref}
	}
	if m := hello.Member; m != nil {
		a.Member = &desk.MemberClaim{ID: m.ID, Name: m.Name, TS: m.TS, Sig: m.Sig}
	}
	vs, welcome, err := c.s.desk.Arrive(a)
	if errors.Is(err, desk.ErrBlocked) {
		// A polite refusal and nothing else; the widget stops reconnecting.
		c.write(ctx, outBye{T: "bye", Code: "blocked", Text: c.lang.T("visitor.err.blocked")})
		c.ws.Close(websocket.StatusPolicyViolation, "blocked")
		return
	}
	if err != nil {
		c.ws.Close(websocket.StatusPolicyViolation, "refused")
		return
	}
	c.vs = vs
	defer vs.Close()

	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		c.writeLoop(ctx)
	}()
	defer func() {
		c.stop()
		writer.Wait()
	}()

	c.reply(c.welcomeFrame(hello.Vid, welcome))
	if c.chat && welcome.Conv != nil {
		var after uint64
		if hello.Resume != nil && hello.Resume.Conv == welcome.Conv.ID {
			after = hello.Resume.Seq
		}
		c.sendMessages(welcome.Conv.ID, after)
	}
	c.readLoop(ctx)
}

func (c *visitorConn) welcomeFrame(vid string, w desk.Welcome) outWelcome {
	out := outWelcome{T: "welcome", Vid: vid, Visit: w.Visits, Online: w.Online, Settings: siteSettings(w.Site)}
	if w.Conv != nil {
		out.Conv = convInfo(w.Conv, w.Agent)
	}
	return out
}

// siteSettings is what the widget shows of a site's settings (设置中心).
func siteSettings(site *store.Site) outSettings {
	st := site.Settings
	out := outSettings{Title: st.ChatTitle, Welcome: st.Welcome, Color: st.Color, IconText: st.IconText, IconPos: st.IconPos, InviteText: st.InviteText,
		CustomURL: st.CustomURL, PreChat: append([]string{}, st.PreChat...)}
	if out.Title == "" {
		out.Title = site.Name
	}
	return out
}

// outSettingsFrame tells an open widget that the site's settings changed, so it applies them
// without a reload.
type outSettingsFrame struct {
	T        string      `json:"t"`
	Settings outSettings `json:"settings"`
}

func convInfo(c *hub.ConvView, card *desk.AgentCard) *outConvInfo {
	info := &outConvInfo{ID: c.ID, State: string(c.State), Pos: c.QueuePos}
	if card != nil {
		info.Agent = &outAgent{Name: card.Name, Nick: card.Name, WorkNo: card.WorkNo, QQ: card.QQ, WeChat: card.WeChat}
	}
	if c.State == store.ConvEnded {
		info.Ended = &outEnding{By: c.EndedBy}
	}
	return info
}

func (c *visitorConn) sendMessages(convID, after uint64) {
	msgs, err := c.vs.Messages(convID, after)
	if err != nil {
		return
	}
	for _, m := range msgs {
		c.reply(c.s.msgFrame(m))
	}
}

func (c *visitorConn) readLoop(ctx context.Context) {
	for {
		rctx, cancel := context.WithTimeout(ctx, idleTimeout)
		data, err := c.readFrame(rctx)
		cancel()
		if errors.Is(err, errFrameTooBig) {
			c.reply(c.tooBig()) // the writer flushes it before it closes the socket
			return
		}
		if err != nil {
			return
		}
		select {
		case <-c.closing:
			return
		default:
		}
		f, err := DecodeFrame(data)
		if err != nil {
			c.fail("bad_request")
			continue
		}
		c.handle(f)
	}
}

func (c *visitorConn) handle(f Frame) {
	switch f.T {
	case "hb":
		c.vs.Heartbeat()
	case "pv":
		if !c.small.Allow() {
			return
		}
		c.vs.PageView(desk.Page{URL: f.Page.URL, Title: f.Page.Title, Referrer: f.Page.Ref})
	case "chat":
		if _, err := c.vs.RequestChat(); err != nil {
			c.fail("unavailable")
		}
	case "msg":
		// Frames that queued while an earlier send waited for its commit arrive together:
		// wait out a short bunching rather than refuse it; a real flood is refused.
		if r := c.msgs.Reserve(); !r.OK() || r.Delay() > maxRateWait {
			r.Cancel()
			c.fail("rate")
			return
		} else if d := r.Delay(); d > 0 {
			time.Sleep(d)
		}
		m, err := c.vs.Send(f.CID, f.Text)
		switch {
		case err == nil:
			c.reply(outAck{T: "ack", CID: f.CID, Conv: m.ConvID, Seq: m.Seq, At: m.At.UnixMilli()})
		case errors.Is(err, desk.ErrTooLong):
			c.fail("too_long")
		case errors.Is(err, desk.ErrEmpty):
			c.fail("empty")
		case errors.Is(err, store.ErrConvEnded):
			c.fail("ended")
		default:
			c.fail("unavailable")
		}
	case "typing":
		if c.small.Allow() {
			c.vs.Typing(f.Text)
		}
	case "end":
		if err := c.vs.End(); err != nil {
			c.fail("no_conv")
		}
	case "invite":
		if _, err := c.vs.AnswerInvite(*f.Accept); err != nil {
			c.reply(outBare{T: "invite_off"})
		}
	case "rate":
		if err := c.vs.Rate(f.Conv, f.Stars, f.Text); err != nil {
			c.fail("no_conv")
		}
	case "sync":
		c.sendMessages(f.Conv, f.After)
	case "leave":
		if !c.msgs.Allow() {
			c.fail("rate")
			return
		}
		m, err := c.vs.Leave(f.CID, desk.LeaveForm{Name: f.Name, Phone: f.Phone, Email: f.Email, QQ: f.QQ, Text: f.Text})
		if err != nil {
			c.fail(leaveRefusal(err))
			return
		}
		c.reply(outLeft{T: "left", CID: f.CID, At: m.Created.UnixMilli()})
	case "prechat":
		if !c.small.Allow() {
			c.fail("rate")
			return
		}
		if err := c.vs.PreChat(desk.PreChatForm{Name: f.Name, Phone: f.Phone, Email: f.Email, QQ: f.QQ}); err != nil {
			c.fail(preChatRefusal(err))
		}
	default:
		c.fail("bad_request")
	}
}

// outLeft acknowledges a leave message (留言): it is stored; a resent cid gets the same answer.
type outLeft struct {
	T   string `json:"t"`
	CID string `json:"cid"`
	At  int64  `json:"at"`
}

// leaveRefusal is the error code a visitor sees when their leave message is refused.
func leaveRefusal(err error) string {
	switch {
	case errors.Is(err, desk.ErrEmpty):
		return "leave_text"
	case errors.Is(err, desk.ErrTooLong):
		return "too_long"
	case errors.Is(err, desk.ErrNoContact):
		return "leave_contact"
	case errors.Is(err, desk.ErrBadEmail):
		return "leave_email"
	case errors.Is(err, desk.ErrBadQQ):
		return "leave_qq"
	case errors.Is(err, desk.ErrLeaveRate):
		return "leave_rate"
	case errors.Is(err, desk.ErrBadCID):
		return "bad_request"
	}
	return "unavailable"
}

// writeLoop is the connection's one forwarding goroutine: hub events and replies, in order,
// until the connection closes or the hub drops it.
func (c *visitorConn) writeLoop(ctx context.Context) {
	defer c.ws.CloseNow()
	events := c.vs.Events()
	for {
		var frame any
		select {
		case <-c.closing:
			// Flush what is queued (the shutdown notice) before closing.
			for {
				select {
				case v := <-c.replies:
					if c.write(ctx, v) != nil {
						return
					}
				default:
					c.ws.Close(websocket.StatusGoingAway, "bye")
					return
				}
			}
		case v := <-c.replies:
			frame = v
		case ev, ok := <-events:
			if !ok {
				// Dropped for falling behind: the browser reconnects and resumes.
				c.ws.Close(websocket.StatusTryAgainLater, "slow")
				c.stop()
				return
			}
			frame = c.eventFrame(ev)
		}
		if frame == nil {
			continue
		}
		if c.write(ctx, frame) != nil {
			c.stop()
			return
		}
		if b, ok := frame.(outBye); ok && b.Code != "shutdown" {
			c.ws.Close(websocket.StatusPolicyViolation, b.Code)
			c.stop()
			return
		}
	}
}

// readFrame reads one frame of at most MaxFrame bytes.
func (c *visitorConn) readFrame(ctx context.Context) ([]byte, error) {
	_, r, err := c.ws.Reader(ctx)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFrame+1))
	if err == nil && len(data) > MaxFrame {
		return nil, errFrameTooBig
	}
	return data, err
}

// errFrameTooBig: the visitor sent a frame over MaxFrame. They hear why, then the socket
// closes (the rest of the frame is never read).
var errFrameTooBig = errors.New("frame too big")

func (c *visitorConn) tooBig() outError {
	return outError{T: "error", Code: "frame_too_big", Text: c.lang.T("visitor.err.frame_too_big")}
}

func (c *visitorConn) write(ctx context.Context, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return c.ws.Write(wctx, websocket.MessageText, data)
}

// eventFrame turns a hub event into what this page needs to hear, or nil.
func (c *visitorConn) eventFrame(ev hub.Event) any {
	switch e := ev.(type) {
	case hub.MessageAdded:
		if c.chat && !e.M.Internal {
			return c.s.msgFrame(e.M)
		}
	case hub.ConvChanged:
		var card *desk.AgentCard
		if e.C.AgentID != 0 {
			card = c.s.desk.AgentCard(e.C.AgentID)
		}
		return outConv{T: "conv", Conv: convInfo(e.C, card), Pos: e.C.QueuePos}
	case hub.OpenChat:
		return outOpen{T: "open", Conv: e.ConvID}
	case hub.Invite:
		return outInvite{T: "invite", Text: e.Text, Agent: e.AgentName}
	case hub.InviteOff:
		return outBare{T: "invite_off"}
	case hub.Bye:
		if e.Code == "blocked" {
			return outBye{T: "bye", Code: e.Code, Text: c.lang.T("visitor.err.blocked")} // in the visitor's language
		}
		return outBye{T: "bye", Code: e.Code, Text: e.Text}
	case hub.Notice:
		switch e.Kind {
		case desk.NoticeSiteOnline, desk.NoticeSiteOffline:
			return outOnline{T: "online", Online: e.Kind == desk.NoticeSiteOnline}
		}
	case hub.SettingsChanged:
		if site, err := c.s.desk.Site(e.SiteID); err == nil {
			return outSettingsFrame{T: "settings", Settings: siteSettings(site)}
		}
	}
	return nil
}

func decodeJSONBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	return dec.Decode(v)
}
