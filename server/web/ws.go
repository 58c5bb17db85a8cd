package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
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
	// closeWait is how long a closing socket waits for the browser's own close frame (what
	// it still sends meanwhile is read and dropped, so the connection ends without a reset
	// that could lose our last frames).
	closeWait = 2 * time.Second
	// readLimit is the library's limit, a backstop far above MaxFrame: a frame up to it is
	// answered frame_too_big in words before the socket closes; past it the library closes
	// at once (1009).
	readLimit = 1 << 20
)

// upgrader turns a visitor's request into a websocket. The origin was checked before (per
// site); buffers for writing are taken from a pool only while a frame is written, so an idle
// visitor holds none.
var upgrader = websocket.Upgrader{
	CheckOrigin:      func(*http.Request) bool { return true },
	WriteBufferPool:  &sync.Pool{},
	WriteBufferSize:  4 << 10,
	HandshakeTimeout: helloTimeout,
}

// visitorConn is one visitor websocket, served by one goroutine: it reads the visitor's
// frames and handles them, and writes the answers itself. What the hub sends the visitor
// (their conversation's messages, an invitation) is queued by the hub's delivery and
// written by whoever holds the writing turn: the connection's own goroutine if it is
// writing anyway, or a short-lived goroutine started for the purpose. At 10,000 visitors no
// goroutine per visitor waits on a channel: the garbage collector walks every goroutine's
// stack at each cycle, and at the target load that was half its work.
type visitorConn struct {
	s  *Server
	ws *websocket.Conn
	// raw is the connection under ws; reads and writes time out by deadlines on it. br is
	// the buffer ws reads from.
	raw  net.Conn
	br   *bufio.Reader
	lang i18n.Lang
	chat bool
	vs   *desk.VisitorSession

	mu      sync.Mutex
	queue   []outItem // frames waiting for the writing turn, in order
	writing bool      // someone has the writing turn
	started bool      // the welcome is out: queued frames may follow
	// handling: the connection's goroutine is handling a frame and writes the queue when it
	// is done, so a delivery meanwhile (the echo of the message it is storing) starts no
	// goroutine of its own.
	handling bool
	closing  bool // nothing more is queued; the close frame follows what is
	code     int  // the close code, set by the first stopWith
	reason   string

	msgs  *rate.Limiter // messages
	small *rate.Limiter // typing, page views
}

// outItem is one queued frame: a hub event (turned into a frame when written) or a frame.
type outItem struct {
	ev    hub.Event
	frame any
}

// maxQueue is how many frames a visitor may fall behind before the socket is closed (the
// browser reconnects and resumes).
const maxQueue = 64

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
	hj := &smallHijack{ResponseWriter: w}
	ws, err := upgrader.Upgrade(hj, r, nil) // on failure it has answered the request
	if err != nil {
		s.release(ip)
		return
	}
	// read stops at MaxFrame+1 bytes and answers frame_too_big; the library's own limit,
	// which closes without a word, sits above it as a backstop.
	ws.SetReadLimit(readLimit)
	c := &visitorConn{s: s, ws: ws, raw: hj.conn, br: hj.br, lang: langOf(r), msgs: rate.NewLimiter(5, 10), small: rate.NewLimiter(4, 20)}
	if !s.track(c) {
		c.closeFrame(websocket.CloseTryAgainLater, "shutting down")
		ws.Close()
		s.release(ip)
		return
	}
	// The socket lives on its own goroutine and the handler returns, so net/http lets go of
	// its per-connection state (conn, request, read and write buffers).
	ua := r.UserAgent()
	go func() {
		defer s.release(ip)
		defer s.untrack(c)
		c.run(siteID, ip, ua)
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
	if take, _ := c.enqueue(outItem{frame: outBye{T: "bye", Code: "shutdown", Text: c.lang.T("visitor.shutdown")}}, false); take {
		go c.write() // not on the caller's goroutine: it tells every visitor in turn
	}
	c.stop()
}

// stop closes the connection: what is queued is written, then a close frame with the code of
// the first stopWith (going away if none); the connection's goroutine reads on until the
// browser closes too, for closeWait at most.
func (c *visitorConn) stop() { c.stopWith(websocket.CloseGoingAway, "bye") }

func (c *visitorConn) stopWith(code int, reason string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing, c.code, c.reason = true, code, reason
	take := c.started && !c.writing
	if take {
		c.writing = true
	}
	c.mu.Unlock()
	time.AfterFunc(closeWait, func() { c.ws.Close() })
	if take {
		go c.write()
	}
}

// send queues a frame for the visitor and writes it now if nobody else is writing. It is
// what the connection's goroutine calls for its answers (an ack, an error).
func (c *visitorConn) send(frame any) {
	if take, _ := c.enqueue(outItem{frame: frame}, true); take {
		c.write()
	}
}

// deliver is the hub's delivery of an event (called with the hub's lock held, from the
// goroutine that made the event): it only queues, and starts a writer if none is writing.
// A visitor too far behind is closed; false tells the hub to stop delivering.
func (c *visitorConn) deliver(ev hub.Event) bool {
	take, full := c.enqueue(outItem{ev: ev}, false)
	if full {
		c.stopWith(websocket.CloseTryAgainLater, "slow")
		return false
	}
	if take {
		go c.write()
	}
	return true
}

// enqueue adds an item and reports whether the caller got the writing turn; mine: the caller
// is the connection's own goroutine. Others' items are refused (full) past maxQueue.
func (c *visitorConn) enqueue(it outItem, mine bool) (take, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false, false
	}
	if !mine && len(c.queue) >= maxQueue {
		return false, true
	}
	c.queue = append(c.queue, it)
	if c.writing || !c.started || (c.handling && !mine) {
		return false, false
	}
	c.writing = true
	return true, false
}

// write is the writing turn: it writes the queue until it is empty, then, if the connection
// is closing, the close frame, and gives the turn back. A failed write closes.
func (c *visitorConn) write() {
	for {
		c.mu.Lock()
		items := c.queue
		c.queue = nil
		if len(items) == 0 {
			c.writing = false
			closing, code, reason := c.closing, c.code, c.reason
			c.mu.Unlock()
			if closing {
				c.closeFrame(code, reason)
			}
			return
		}
		c.mu.Unlock()
		nc, _ := c.raw.(*netConn)
		batch := nc != nil && len(items) > 1
		if batch {
			nc.startBatch()
		}
		for _, it := range items {
			frame := it.frame
			if it.ev != nil {
				frame = c.eventFrame(it.ev)
			}
			if frame == nil {
				continue
			}
			if c.writeFrame(frame) != nil {
				if batch {
					nc.flush()
				}
				c.fail()
				return
			}
			if b, ok := frame.(outBye); ok && b.Code != "shutdown" {
				// A bye (blocked, say) is the last frame: the close follows it.
				c.mu.Lock()
				c.queue = nil
				c.mu.Unlock()
				c.stopWith(websocket.ClosePolicyViolation, b.Code)
				break
			}
		}
		if batch && nc.flush() != nil {
			c.fail()
			return
		}
	}
}

// fail ends a connection whose write failed: nothing more is written.
func (c *visitorConn) fail() {
	c.mu.Lock()
	c.queue, c.closing = nil, true
	c.writing = true // nobody writes again
	c.mu.Unlock()
	c.ws.Close()
}

// refuse answers a frame with an error code.
func (c *visitorConn) refuse(code string) {
	c.send(outError{T: "error", Code: code, Text: c.lang.T("visitor.err." + code)})
}

// closeFrame tells the browser the socket is closing and why.
func (c *visitorConn) closeFrame(code int, reason string) {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

// closeAfterStart ends a socket refused before its reader started: the close frame, then
// what the browser still sends is read and dropped until its own close (or closeWait).
func (c *visitorConn) closeAfterStart(code int, reason string) {
	c.closeFrame(code, reason)
	c.raw.SetReadDeadline(time.Now().Add(closeWait))
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		io.Copy(io.Discard, r)
	}
}

func (c *visitorConn) run(siteID uint64, ip, ua string) {
	defer c.ws.Close()
	if !c.start(siteID, ip, ua) {
		return
	}
	defer c.vs.Close()
	c.readLoop()
}

// start reads the hello, admits the visitor and sends the welcome (and, for a chat page
// resuming, what it missed). It reports whether the visitor may stay. It is kept out of run
// so that its locals are not on the stack the connection then waits on (a goroutine blocked
// with more than about 1.2 KB of stack in use keeps 8 KB of it).
//
//go:noinline
func (c *visitorConn) start(siteID uint64, ip, ua string) bool {
	_, buf, err := c.read(helloTimeout)
	if errors.Is(err, errFrameTooBig) {
		c.writeFrame(c.tooBig())
		c.closeAfterStart(websocket.CloseMessageTooBig, "frame too big")
		return false
	}
	if err != nil {
		return false
	}
	hello, err := DecodeFrame(buf.Bytes())
	frameBufs.Put(buf)
	if err != nil || hello.T != "hello" {
		c.closeAfterStart(websocket.ClosePolicyViolation, "hello expected")
		return false
	}
	c.chat = hello.Kind == "chat"
	a := desk.Arrival{SiteID: siteID, Key: hello.Vid, Chat: c.chat, IP: ip, UserAgent: ua, Deliver: c.deliver}
	if hello.Page != nil {
		a.Page = desk.Page{URL: hello.Page.URL, Title: hello.Page.Title, Referrer: hello.Page.Ref}
	}
	if m := hello.Member; m != nil {
		a.Member = &desk.MemberClaim{ID: m.ID, Name: m.Name, TS: m.TS, Sig: m.Sig}
	}
	vs, welcome, err := c.s.desk.Arrive(a)
	if errors.Is(err, desk.ErrBlocked) {
		// A polite refusal and nothing else; the widget stops reconnecting.
		c.writeFrame(outBye{T: "bye", Code: "blocked", Text: c.lang.T("visitor.err.blocked")})
		c.closeAfterStart(websocket.ClosePolicyViolation, "blocked")
		return false
	}
	if err != nil {
		c.closeAfterStart(websocket.ClosePolicyViolation, "refused")
		return false
	}
	c.vs = vs
	// Nothing else writes yet (what the hub delivers waits in the queue), so the welcome
	// and what the visitor missed go out first.
	if c.writeFrame(c.welcomeFrame(hello.Vid, welcome)) != nil {
		return false
	}
	if c.chat && welcome.Conv != nil {
		var after uint64
		if hello.Resume != nil && hello.Resume.Conv == welcome.Conv.ID {
			after = hello.Resume.Seq
		}
		msgs, err := c.vs.Messages(welcome.Conv.ID, after)
		if err == nil {
			for _, m := range msgs {
				if c.writeFrame(c.s.msgFrame(m)) != nil {
					return false
				}
			}
		}
	}
	c.mu.Lock()
	c.started = true
	take := !c.writing && (len(c.queue) > 0 || c.closing)
	if take {
		c.writing = true
	}
	c.mu.Unlock()
	if take {
		c.write()
	}
	return true
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
		c.send(c.s.msgFrame(m))
	}
}

// readLoop reads the visitor's frames and handles each in turn. Once the connection is
// closing it reads on and drops what comes, until the browser's close frame ends the socket
// (or closeWait closes it).
func (c *visitorConn) readLoop() {
	defer c.stop()
	for {
		_, buf, err := c.read(idleTimeout)
		if errors.Is(err, errFrameTooBig) {
			c.send(c.tooBig()) // written before the socket closes
			c.stopWith(websocket.CloseMessageTooBig, "frame too big")
			continue // the rest of the frame is skipped by the next read
		}
		if err != nil {
			return
		}
		c.mu.Lock()
		closing := c.closing
		c.handling = !closing
		c.mu.Unlock()
		if closing {
			frameBufs.Put(buf)
			continue
		}
		c.frame(buf.Bytes())
		frameBufs.Put(buf)
		c.mu.Lock()
		c.handling = false
		take := c.started && !c.writing && len(c.queue) > 0
		if take {
			c.writing = true
		}
		c.mu.Unlock()
		if take {
			c.write() // what was delivered while the frame was handled
		}
	}
}

// frame decodes and handles one frame.
func (c *visitorConn) frame(data []byte) {
	f, err := DecodeFrame(data)
	if err != nil {
		c.refuse("bad_request")
		return
	}
	c.handle(f)
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
			c.refuse("unavailable")
		}
	case "msg":
		// Frames that queued while an earlier send waited for its commit arrive together:
		// wait out a short bunching rather than refuse it; a real flood is refused.
		r := c.msgs.Reserve()
		wait := r.Delay() // rate.InfDuration when the limiter can never allow it
		if wait > maxRateWait {
			r.Cancel()
			c.refuse("rate")
			return
		}
		time.Sleep(wait)
		m, err := c.vs.Send(f.CID, f.Text)
		switch {
		case err == nil:
			c.send(outAck{T: "ack", CID: f.CID, Conv: m.ConvID, Seq: m.Seq, At: m.At.UnixMilli()})
		case errors.Is(err, desk.ErrTooLong):
			c.refuse("too_long")
		case errors.Is(err, desk.ErrEmpty):
			c.refuse("empty")
		case errors.Is(err, store.ErrConvEnded):
			c.refuse("ended")
		default:
			c.refuse("unavailable")
		}
	case "typing":
		if c.small.Allow() {
			c.vs.Typing(f.Text)
		}
	case "end":
		if err := c.vs.End(); err != nil {
			c.refuse("no_conv")
		}
	case "invite":
		if _, err := c.vs.AnswerInvite(*f.Accept); err != nil {
			c.send(outBare{T: "invite_off"})
		}
	case "rate":
		if err := c.vs.Rate(f.Conv, f.Stars, f.Text); err != nil {
			c.refuse("no_conv")
		}
	case "sync":
		c.sendMessages(f.Conv, f.After)
	case "leave":
		if !c.msgs.Allow() {
			c.refuse("rate")
			return
		}
		m, err := c.vs.Leave(f.CID, desk.LeaveForm{Name: f.Name, Phone: f.Phone, Email: f.Email, QQ: f.QQ, Text: f.Text})
		if err != nil {
			c.refuse(leaveRefusal(err))
			return
		}
		c.send(outLeft{T: "left", CID: f.CID, At: m.Created.UnixMilli()})
	case "prechat":
		if !c.small.Allow() {
			c.refuse("rate")
			return
		}
		if err := c.vs.PreChat(desk.PreChatForm{Name: f.Name, Phone: f.Phone, Email: f.Email, QQ: f.QQ}); err != nil {
			c.refuse(preChatRefusal(err))
		}
	default:
		c.refuse("bad_request")
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

// read waits up to timeout for the visitor's next frame.
func (c *visitorConn) read(timeout time.Duration) (int, *bytes.Buffer, error) {
	c.raw.SetReadDeadline(time.Now().Add(timeout))
	if err := c.wait(); err != nil {
		return 0, nil, err
	}
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return 0, nil, err
	}
	// Taken only now a frame is here: an idle visitor holds no buffer.
	buf := frameBufs.Get().(*bytes.Buffer)
	buf.Reset()
	_, err = buf.ReadFrom(io.LimitReader(r, MaxFrame+1))
	if err == nil && buf.Len() > MaxFrame {
		err = errFrameTooBig
	}
	if err != nil {
		frameBufs.Put(buf)
		return typ, nil, err
	}
	return typ, buf, nil
}

// frameBufs are the buffers frames are read into (json decoding copies what it keeps): a
// frame read is garbage at once, thousands a second.
var frameBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}

// wait blocks until the visitor sends something. A visitor reading a page spends its life
// here, so it waits in the buffer the library reads from, with a few frames of stack, not
// inside the library's frame parser: the goroutine's stack stays small, and the collector,
// which walks every goroutine's stack at each cycle, has little to walk.
//
//go:noinline
func (c *visitorConn) wait() error {
	if c.br == nil || c.br.Buffered() > 0 {
		return nil
	}
	_, err := c.br.Peek(1)
	return err
}

// errFrameTooBig: the visitor sent a frame over MaxFrame. They hear why, then the socket
// closes (the rest of the frame is never read).
var errFrameTooBig = errors.New("frame too big")

func (c *visitorConn) tooBig() outError {
	return outError{T: "error", Code: "frame_too_big", Text: c.lang.T("visitor.err.frame_too_big")}
}

// writeFrame writes one frame now; only the holder of the writing turn (or start, before
// the turn exists) calls it.
func (c *visitorConn) writeFrame(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, data)
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
	case hub.SiteOnline:
		return outOnline{T: "online", Online: e.Online}
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
