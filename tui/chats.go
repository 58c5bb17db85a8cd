package tui

import (
	"kefu/tui/cells"

	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/server/files"
	"kefu/server/hub"
	"kefu/store"
	"kefu/tui/canned"
)

// chats is the chat page: the chat list (对话列表) and the open conversation.
type chats struct {
	m      *Model
	order  []uint64 // conversation ids in list order
	active uint64
	ts     map[uint64]*transcript
	// visitors counts the chats in ts of each visitor: every visitor change on the agent's
	// sites (hundreds a second) asks whether it is one of theirs.
	visitors map[uint64]int
	details  map[uint64]*desk.VisitorDetail // by visitor id
	typing   map[uint64]string              // by conversation id
	input    chatInput

	queue   []outgoing // messages typed but not yet stored, sent one at a time
	sending bool

	confirmEnd uint64
	confirmAt  time.Time
	listMode   bool // narrow screens show the list or the chat, not both
	listTop    int  // the first chat the list shows when it does not fit

	// drafts keep what the agent typed in every chat but the active one (whose draft is
	// the input itself), so switching chats never moves text to another visitor.
	drafts map[uint64]string
	// lastView is the last live view of a listed visitor who left the site: the header keeps
	// their region and source.
	lastView map[uint64]*hub.VisitorView
	// side shows the visitor's facts and trail beside the chat on wide screens (ctrl+t).
	side      bool
	sideKey   sideKey
	sideFrame string
	// hint is the empty input as last drawn, for hintKey (see inputView).
	hint    string
	hintKey hintKey
}

// transcript is one conversation as this session knows it.
type transcript struct {
	conv    *hub.ConvView
	msgs    []store.Message // by seq
	loaded  bool
	unread  int
	ended   bool
	endedBy string
	scroll  int // lines scrolled up from the bottom
	// counted is the newest visitor message already counted as unread (or seen): a message
	// is counted once, whether its event or the transcript that holds it arrives first.
	counted uint64

	// The transcript's lines, laid out for cacheKey (width, language, reader, visitor name)
	// from its first cacheN messages: a new message at the end lays out only itself.
	cacheKey   string
	cacheN     int
	cacheLines []string

	line    string // the chat's line in the list, drawn for lineKey
	lineKey listKey

	// The visitor's view as the list last looked it up in live (every line of every frame
	// would otherwise search the site's visitors): good until an event about the visitor is
	// applied (seen) or live is replaced.
	vis     *hub.VisitorView
	visLive *live
}

// outgoing is a message the agent typed.
type outgoing struct {
	conv      uint64
	cid, text string
}

type (
	transcriptMsg struct {
		conv uint64
		msgs []store.Message
		err  error
	}
	detailMsg struct {
		visitorID uint64
		detail    *desk.VisitorDetail
	}
	sentMsg struct {
		out outgoing
		msg store.Message
		err error
	}
	openedMsg struct {
		conv *hub.ConvView
		err  error
		name string
	}
	bellOffMsg struct{}
)

func newChats(m *Model) *chats {
	c := &chats{m: m, ts: map[uint64]*transcript{}, visitors: map[uint64]int{}, details: map[uint64]*desk.VisitorDetail{}, typing: map[uint64]string{}, input: newChatInput(m.st, m.lang.T("chat.input_hint")),
		drafts: map[uint64]string{}, lastView: map[uint64]*hub.VisitorView{}, side: true}
	for _, conv := range m.live.convs {
		if c.wants(conv) {
			c.add(conv)
			c.order = append(c.order, conv.ID)
		}
	}
	sort.Slice(c.order, func(i, j int) bool { return c.order[i] < c.order[j] })
	if len(c.order) > 0 {
		c.active = c.order[0]
	}
	return c
}

// hasVisitor reports whether a visitor's chat is in the list (their facts show on the page).
func (c *chats) hasVisitor(visitorID uint64) bool { return c.visitors[visitorID] > 0 }

// seen forgets the views of a visitor the list looked up: an event about them is applied.
func (c *chats) seen(visitorID uint64) {
	if !c.hasVisitor(visitorID) {
		return
	}
	for _, t := range c.ts {
		if t.conv.VisitorID == visitorID {
			t.visLive = nil
		}
	}
}

// add puts a conversation's transcript in ts (not yet in the list's order).
func (c *chats) add(conv *hub.ConvView) {
	c.ts[conv.ID] = &transcript{conv: conv}
	c.visitors[conv.VisitorID]++
}

// wants says whether a conversation belongs in this agent's chat list: theirs, or a request
// nobody has taken yet.
func (c *chats) wants(conv *hub.ConvView) bool {
	return conv.AgentID == c.m.me || (conv.AgentID == 0 && (conv.State == store.ConvWaiting || conv.State == store.ConvQueued))
}

// loadAll fetches the transcripts and visitor details of every listed conversation.
func (c *chats) loadAll() tea.Cmd {
	var cmds []tea.Cmd
	for _, id := range c.order {
		cmds = append(cmds, c.load(id))
	}
	return tea.Batch(cmds...)
}

func (c *chats) load(convID uint64) tea.Cmd {
	t := c.ts[convID]
	if t == nil {
		return nil
	}
	as := c.m.as
	visitorID := t.conv.VisitorID
	return tea.Batch(
		func() tea.Msg {
			msgs, _, err := as.Transcript(convID, 0, 0)
			return transcriptMsg{conv: convID, msgs: msgs, err: err}
		},
		c.loadDetail(visitorID),
	)
}

// loadDetail fetches what the chat header shows of a visitor who may be offline.
func (c *chats) loadDetail(visitorID uint64) tea.Cmd {
	as := c.m.as
	return func() tea.Msg {
		d, err := as.Visitor(visitorID, 50)
		if err != nil {
			return nil
		}
		return detailMsg{visitorID: visitorID, detail: d}
	}
}

// convChanged keeps the list in step with the hub.
func (c *chats) convChanged(conv *hub.ConvView) tea.Cmd {
	t := c.ts[conv.ID]
	if conv.State == store.ConvEnded {
		if t == nil {
			return nil
		}
		if !c.tookPart(conv) {
			// A request nobody here took (the visitor left, or was blocked): nothing to
			// read back, so it leaves the list instead of lingering as ended.
			c.remove(conv.ID)
			return nil
		}
		t.conv, t.ended, t.endedBy = conv, true, conv.EndedBy
		t.cacheKey = ""
		return nil
	}
	if !c.wants(conv) {
		if t != nil {
			c.remove(conv.ID) // a colleague took the request
		}
		return nil
	}
	if t != nil {
		t.conv = conv
		return nil
	}
	c.add(conv)
	c.order = append(c.order, conv.ID)
	if c.active == 0 {
		c.setActive(conv.ID)
	}
	cmds := []tea.Cmd{c.load(conv.ID)}
	if conv.AgentID == 0 {
		cmds = append(cmds, c.m.alert(store.NotifyRequest, said(c.m.lang.T("notice.request", c.m.visitorName(conv.VisitorID))), conv.VisitorID, conv.ID))
	}
	return tea.Batch(cmds...)
}

// tookPart reports whether this agent served a conversation (it stays in their list, ended,
// until they close it).
func (c *chats) tookPart(conv *hub.ConvView) bool {
	if conv.AgentID == c.m.me {
		return true
	}
	for _, a := range conv.Agents {
		if a == c.m.me {
			return true
		}
	}
	return false
}

// remove takes a chat out of the list. A draft typed in it cannot go anywhere else: it is
// shown in a notice rather than silently dropped.
func (c *chats) remove(id uint64) {
	t := c.ts[id]
	if t == nil {
		return
	}
	draft := c.drafts[id]
	if c.active == id {
		draft = c.input.Value()
	}
	if strings.TrimSpace(draft) != "" {
		c.m.setNotice(c.m.lang.T("chat.draft_dropped", c.m.visitorName(t.conv.VisitorID), cells.Safe(draft)), true)
	}
	delete(c.drafts, id)
	delete(c.ts, id)
	if c.visitors[t.conv.VisitorID]--; c.visitors[t.conv.VisitorID] <= 0 {
		delete(c.visitors, t.conv.VisitorID)
		delete(c.lastView, t.conv.VisitorID)
	}
	for i, x := range c.order {
		if x == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	if c.active == id {
		c.active = 0
		c.input.Reset()
		if len(c.order) > 0 {
			c.setActive(c.order[len(c.order)-1])
		}
	}
}

// setActive opens a chat. The input is the open chat's draft: the one left is kept with its
// chat, and the chat opened gets back what was typed in it before.
func (c *chats) setActive(id uint64) {
	if id == c.active {
		return
	}
	if c.active != 0 {
		if v := c.input.Value(); v != "" {
			c.drafts[c.active] = v
		} else {
			delete(c.drafts, c.active)
		}
	}
	c.active = id
	c.input.Reset()
	if d := c.drafts[id]; d != "" {
		c.input.SetValue(d)
		c.input.CursorEnd()
	}
	delete(c.drafts, id)
}

// messageAdded puts a stored message into its transcript, in seq order.
func (c *chats) messageAdded(msg store.Message) tea.Cmd {
	t := c.ts[msg.ConvID]
	if t == nil {
		return nil
	}
	gap := t.loaded && len(t.msgs) > 0 && msg.Seq > t.msgs[len(t.msgs)-1].Seq+1
	added := t.insert(msg)
	var cmds []tea.Cmd
	if gap && added {
		cmds = append(cmds, c.load(msg.ConvID))
	}
	// Counted by the event, not by whether the message is new to the transcript: a
	// transcript loaded a moment earlier (a new request) may already hold it.
	if msg.From == store.FromVisitor && msg.Seq > t.counted {
		t.counted = msg.Seq
		delete(c.typing, msg.ConvID)
		if !(c.m.page == pageChats && c.active == msg.ConvID) {
			t.unread++
			m, vid := c.m, t.conv.VisitorID
			if msg.File != nil {
				file := msg.File.Name
				cmds = append(cmds, m.alert(store.NotifyFile, func() string {
					return m.lang.T("toast.file", m.visitorName(vid), cells.Safe(file))
				}, vid, msg.ConvID))
			} else {
				text := msg.Text
				cmds = append(cmds, m.alert(store.NotifyMessage, func() string {
					return m.lang.T("toast.message", m.visitorName(vid), cells.Cut(cells.Safe(text), 30))
				}, vid, msg.ConvID))
			}
		}
	}
	return tea.Batch(cmds...)
}

// insert adds a message unless its seq is already there; it reports whether it added.
func (t *transcript) insert(msg store.Message) bool {
	// The client id only matters to the store; a workbench keeps thousands of messages.
	msg.CID = ""
	i := sort.Search(len(t.msgs), func(i int) bool { return t.msgs[i].Seq >= msg.Seq })
	if i < len(t.msgs) && t.msgs[i].Seq == msg.Seq {
		return false
	}
	if i < len(t.msgs) {
		t.cacheKey = "" // a message in the middle: lay everything out again
	}
	t.msgs = append(t.msgs, store.Message{})
	copy(t.msgs[i+1:], t.msgs[i:])
	t.msgs[i] = msg
	return true
}

// update handles the chat page's own messages.
func (c *chats) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case transcriptMsg:
		if t := c.ts[msg.conv]; t != nil && msg.err == nil {
			for _, m := range msg.msgs {
				t.insert(m)
			}
			t.loaded = true
		}
	case detailMsg:
		c.details[msg.visitorID] = msg.detail
	case sentMsg:
		c.sending = false
		if msg.err != nil {
			c.m.setNotice(c.m.lang.T("err."+errKey(msg.err), ""), true)
			// Never lose what the agent typed: give it back if the input is free.
			if c.active == msg.out.conv {
				if strings.TrimSpace(c.input.Value()) == "" {
					c.input.SetValue(msg.out.text)
				}
			} else if strings.TrimSpace(c.drafts[msg.out.conv]) == "" && c.ts[msg.out.conv] != nil {
				c.drafts[msg.out.conv] = msg.out.text
			}
		} else if t := c.ts[msg.out.conv]; t != nil {
			t.insert(msg.msg)
		}
		return c.kick()
	case openedMsg:
		if msg.err != nil {
			c.m.setNotice(c.m.lang.T("err."+errKey(msg.err), msg.name), true)
			return nil
		}
		cmd := c.convChanged(msg.conv)
		c.m.live.setConv(msg.conv)
		c.activate(msg.conv.ID)
		c.m.page = pageChats
		return tea.Batch(cmd, c.markRead())
	case bellOffMsg:
		c.m.bell = false
	case expandedMsg:
		return c.expanded(msg)
	}
	return nil
}

// openWith starts or takes a chat with a visitor from the monitor (对话).
func (c *chats) openWith(visitorID uint64) tea.Cmd {
	// Already in the list: just go there.
	for _, id := range c.order {
		if t := c.ts[id]; t != nil && t.conv.VisitorID == visitorID && !t.ended && t.conv.AgentID == c.m.me {
			c.activate(id)
			c.m.page = pageChats
			return c.markRead()
		}
	}
	as := c.m.as
	name := c.m.visitorName(visitorID)
	return func() tea.Msg {
		conv, err := as.OpenChat(visitorID)
		return openedMsg{conv: conv, err: err, name: name}
	}
}

func (c *chats) activate(id uint64) {
	if _, ok := c.ts[id]; ok {
		c.setActive(id)
		c.listMode = false
	}
}

// step moves the list's selection one row (dir 1 down, -1 up) without opening the chat, as
// the arrows do in the narrow screens' list; it stops at the ends.
func (c *chats) step(dir int) {
	for i, id := range c.order {
		if id == c.active {
			if j := i + dir; j >= 0 && j < len(c.order) {
				c.setActive(c.order[j])
			}
			return
		}
	}
}

// next jumps to the next chat that needs the agent (a request or unread messages), else to
// the next chat in the list. It reports whether there was one.
func (c *chats) next() bool {
	if len(c.order) == 0 {
		return false
	}
	start := 0
	for i, id := range c.order {
		if id == c.active {
			start = i + 1
		}
	}
	for k := 0; k < len(c.order); k++ {
		id := c.order[(start+k)%len(c.order)]
		if t := c.ts[id]; t.unread > 0 || (t.conv.AgentID == 0 && !t.ended) {
			c.activate(id)
			return true
		}
	}
	c.activate(c.order[start%len(c.order)])
	return true
}

func (c *chats) prev() {
	for i, id := range c.order {
		if id == c.active && len(c.order) > 0 {
			c.activate(c.order[(i+len(c.order)-1)%len(c.order)])
			return
		}
	}
}

// markRead clears the active chat's unread count.
func (c *chats) markRead() tea.Cmd {
	if t := c.ts[c.active]; t != nil {
		t.unread = 0
	}
	return nil
}

func (c *chats) key(k tea.KeyMsg) tea.Cmd {
	narrow := c.m.width < narrowWidth
	if narrow && c.listMode {
		switch k.String() {
		case "up", "k":
			c.step(-1)
		case "down", "j":
			c.step(1)
		case "enter":
			c.listMode = false
			return c.markRead()
		}
		return nil
	}
	switch k.String() {
	case "esc":
		c.confirmEnd = 0
		if narrow {
			c.listMode = true
		}
		return nil
	case "ctrl+p":
		c.prev()
		return c.markRead()
	case "pgup":
		if t := c.ts[c.active]; t != nil {
			t.scroll += c.transcriptHeight() - 1
		}
		return nil
	case "pgdown":
		if t := c.ts[c.active]; t != nil {
			t.scroll = max(0, t.scroll-(c.transcriptHeight()-1))
		}
		return nil
	case "ctrl+e":
		return c.endActive()
	case "ctrl+t":
		if c.m.width >= sideMinWidth {
			c.side = !c.side
			return nil
		}
		if t := c.ts[c.active]; t != nil {
			return c.m.openDetail(t.conv.VisitorID)
		}
		return nil
	case "ctrl+g":
		if t := c.ts[c.active]; t != nil {
			return c.m.openCard(t.conv.VisitorID)
		}
		return nil
	case "ctrl+b":
		if t := c.ts[c.active]; t != nil {
			return c.m.openBlock(t.conv.VisitorID)
		}
		return nil
	case "ctrl+l":
		if t := c.ts[c.active]; t != nil && !t.ended && t.conv.AgentID == c.m.me {
			return c.m.openCommonFiles(t.conv)
		}
		return nil
	case "ctrl+r":
		if c.m.picker.IsOpen() {
			c.m.picker.Close()
			return c.input.Focus()
		}
		return c.m.picker.Open()
	case "ctrl+f":
		if t := c.ts[c.active]; t != nil && !t.ended && t.conv.AgentID == c.m.me {
			c.m.transfer = newTransferDialog(c.m, t.conv)
		}
		return nil
	case "enter":
		// "/price" on its own becomes the canned reply it names, to edit before sending.
		if v := strings.TrimSpace(c.input.Value()); strings.HasPrefix(v, "/") && !strings.ContainsAny(v, " \n") {
			return c.expandShortcut()
		}
		return c.submit()
	}
	return c.input.Update(k)
}

// submit sends what is typed; on a request nobody has taken, it takes it first.
func (c *chats) submit() tea.Cmd {
	t := c.ts[c.active]
	if t == nil {
		return nil
	}
	text := strings.TrimSpace(c.input.Value())
	if t.ended {
		if text != "" {
			c.m.setNotice(c.m.lang.T("err.ended"), true)
		}
		return nil
	}
	var cmds []tea.Cmd
	if t.conv.AgentID != c.m.me {
		as, convID, name := c.m.as, t.conv.ID, c.m.visitorName(t.conv.VisitorID)
		cmds = append(cmds, func() tea.Msg {
			conv, err := as.Accept(convID)
			return openedMsg{conv: conv, err: err, name: name}
		})
	}
	if text != "" {
		c.input.Reset()
		c.queue = append(c.queue, outgoing{conv: t.conv.ID, cid: newCID(), text: text})
		t.scroll = 0
		if len(cmds) > 0 {
			// Send after the accept has gone through.
			return tea.Sequence(cmds[0], c.kick())
		}
		cmds = append(cmds, c.kick())
	}
	return tea.Batch(cmds...)
}

// kick sends the next queued message; one at a time keeps them in the order typed.
func (c *chats) kick() tea.Cmd {
	if c.sending || len(c.queue) == 0 {
		return nil
	}
	out := c.queue[0]
	c.queue = c.queue[1:]
	c.sending = true
	as := c.m.as
	return func() tea.Msg {
		msg, err := as.Send(out.conv, out.cid, out.text)
		return sentMsg{out: out, msg: msg, err: err}
	}
}

// endActive ends the active chat after a second Ctrl+E; on an ended chat it closes it.
func (c *chats) endActive() tea.Cmd {
	t := c.ts[c.active]
	if t == nil {
		return nil
	}
	if t.ended {
		c.remove(t.conv.ID)
		return nil
	}
	if c.confirmEnd != t.conv.ID || c.m.now.Sub(c.confirmAt) > 5*time.Second {
		c.confirmEnd, c.confirmAt = t.conv.ID, c.m.now
		c.m.setNotice(c.m.lang.T("chat.confirm_end", c.m.visitorName(t.conv.VisitorID)), false)
		return nil
	}
	c.confirmEnd = 0
	as, convID, l := c.m.as, t.conv.ID, c.m.lang
	return func() tea.Msg {
		if err := as.End(convID); err != nil {
			return noticeMsg{text: l.T("err."+errKey(err), ""), err: true}
		}
		return noticeMsg{text: l.T("chat.ended_by_me")}
	}
}

// errKey maps a desk error to its catalog key suffix.
func errKey(err error) string {
	switch {
	case errors.Is(err, desk.ErrForbidden):
		return "forbidden"
	case errors.Is(err, desk.ErrNotYours):
		return "not_yours"
	case errors.Is(err, desk.ErrNoConv):
		return "no_conv"
	case errors.Is(err, desk.ErrVisitorGone):
		return "visitor_gone"
	case errors.Is(err, desk.ErrAlreadyInChat):
		return "in_chat"
	case errors.Is(err, desk.ErrTooLong):
		return "too_long"
	case errors.Is(err, desk.ErrEmpty):
		return "empty"
	case errors.Is(err, store.ErrConvEnded):
		return "ended"
	case errors.Is(err, desk.ErrRate):
		return "rate"
	case errors.As(err, new(desk.ErrCardField)):
		return "card_field"
	case errors.Is(err, desk.ErrAgentOffline):
		return "agent_offline"
	case errors.Is(err, desk.ErrTransferSelf):
		return "transfer_self"
	}
	return "failed"
}

// narrowWidth is below which the chat page shows the list or the chat, not both.
const narrowWidth = 60

// listWidth is the chat list's width on wide screens.
func (c *chats) listWidth() int {
	if c.m.width >= 100 {
		return 26
	}
	return 22
}

func (c *chats) transcriptHeight() int {
	return c.m.bodyHeight() - 2 - 1 - c.input.Height() - 1
}

// pickerWidth is the canned-replies panel's width beside the chat on wide screens.
const pickerWidth = 40

// sideMinWidth is from which width the visitor's facts and trail sit beside the chat; below
// it ctrl+t opens them full screen.
const sideMinWidth = 120

// sideWidth is the width of the visitor panel beside the chat.
func sideWidth(w int) int { return min(50, w/3) }

// sideShown reports whether the visitor panel is beside the chat at width w.
func (c *chats) sideShown(w int) bool {
	return c.side && w >= sideMinWidth && c.ts[c.active] != nil
}

// view renders the chat page in w×h cells, with the canned replies beside it (or over it on
// narrow screens) while they are open, else the visitor's facts and trail on wide screens.
func (c *chats) view(w, h int) string {
	switch {
	case c.m.picker.IsOpen() && w < 100:
		return c.m.picker.View(w, h)
	case c.m.picker.IsOpen():
		return c.beside(append(c.pageView(w-pickerWidth-1, h), c.m.picker.View(pickerWidth, h))...)
	case c.sideShown(w):
		sw := sideWidth(w)
		return c.beside(append(c.pageView(w-sw-1, h), c.sideView(sw, h))...)
	}
	return c.beside(c.pageView(w, h)...)
}

// beside joins blocks of the same height side by side with a rule between them: the chat
// list, the chat, the panel beside them. It is the last step of most frames, so it splits
// each block once and writes the frame in one allocation.
func (c *chats) beside(blocks ...string) string {
	if len(blocks) == 1 {
		return blocks[0]
	}
	sep := c.m.st.P.Muted.Render("│")
	cols := make([][]string, len(blocks))
	size := 0
	for i, b := range blocks {
		cols[i] = strings.Split(b, "\n")
		size += len(b)
	}
	rows := len(cols[0])
	var b strings.Builder
	b.Grow(size + rows*(len(blocks)-1)*len(sep))
	for row := 0; row < rows; row++ {
		if row > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(cols[0][row])
		for _, col := range cols[1:] {
			if row < len(col) {
				b.WriteString(sep)
				b.WriteString(col[row])
			}
		}
	}
	return b.String()
}

// sideView is the visitor panel: the active chat's visitor as the detail screen shows them.
func (c *chats) sideView(w, h int) string {
	m := c.m
	t := c.ts[c.active]
	d := c.details[t.conv.VisitorID]
	if d == nil {
		return cells.Place([]string{m.st.Muted.Render(cells.Cut(m.lang.T("detail.loading"), w))}, w, h)
	}
	// Kept while nothing it shows changed: the detail, the live row, the size, the second
	// (the stay clock).
	k := sideKey{d: d, v: m.live.visitor(t.conv.VisitorID), w: w, h: h, sec: m.now.Unix()}
	if k != c.sideKey || c.sideFrame == "" {
		c.sideKey, c.sideFrame = k, cells.Place(m.visitorLines(d, t.conv.VisitorID, w), w, h)
	}
	return c.sideFrame
}

// sideKey is what the visitor panel beside the chat was drawn from.
type sideKey struct {
	d    *desk.VisitorDetail
	v    *hub.VisitorView
	w, h int
	sec  int64
}

// pageView is the chat page without the panels beside it: the chat list and the chat, or at
// narrow widths one of them, as blocks for beside.
func (c *chats) pageView(w, h int) []string {
	if len(c.order) == 0 {
		return []string{cells.Place([]string{"", c.m.st.Muted.Render(cells.Cut(c.m.lang.T("chat.none"), w))}, w, h)}
	}
	if w < narrowWidth {
		if c.listMode {
			return []string{c.listView(w, h)}
		}
		return []string{c.chatView(w, h)}
	}
	lw := c.listWidth()
	return []string{c.listView(lw, h), c.chatView(w-lw-1, h)}
}

// needsMe reports whether a chat waits for the agent: a request or unread messages.
func (t *transcript) needsMe() bool {
	return t.unread > 0 || (t.conv.AgentID == 0 && !t.ended)
}

// newestRequest is the request that came in last, which the list highlights.
func (c *chats) newestRequest() uint64 {
	var newest *hub.ConvView
	for _, id := range c.order {
		t := c.ts[id]
		if t.conv.AgentID != 0 || t.ended {
			continue
		}
		if newest == nil || t.conv.Created.After(newest.Created) || (t.conv.Created.Equal(newest.Created) && t.conv.ID > newest.ID) {
			newest = t.conv
		}
	}
	if newest == nil {
		return 0
	}
	return newest.ID
}

// listView is the chat list. When it is longer than the screen it scrolls so the active
// chat is always in sight, with a line above and below saying how many more there are.
func (c *chats) listView(w, h int) string {
	m := c.m
	lines := []string{m.st.PaneTitle.Render(cells.Cut(m.lang.T("chat.list_title", len(c.order)), w))}
	rows, n := h-1, len(c.order)
	// fit is how many chats show from top, and whether a hint line goes above and below.
	fit := func(top int) (shown int, up, down bool) {
		up = top > 0
		shown = rows
		if up {
			shown--
		}
		if down = top+shown < n; down {
			shown--
		}
		return max(1, shown), up, down
	}
	at := 0
	for i, id := range c.order {
		if id == c.active {
			at = i
		}
	}
	top := max(0, min(c.listTop, n-1))
	if at < top {
		top = at
	}
	for shown, _, _ := fit(top); at >= top+shown; shown, _, _ = fit(top) {
		top++
	}
	for top > 0 { // no empty rows at the end while chats are hidden above
		if shown, _, _ := fit(top - 1); top-1+shown >= n && at < top-1+shown {
			top--
			continue
		}
		break
	}
	c.listTop = top
	shown, up, down := fit(top)
	last := min(n, top+shown)
	if up {
		lines = append(lines, c.moreLine(c.order[:top], "↑", w))
	}
	newest := c.newestRequest()
	for _, id := range c.order[top:last] {
		lines = append(lines, c.listLine(id, id == newest, w))
	}
	if down {
		lines = append(lines, c.moreLine(c.order[last:], "↓", w))
	}
	return cells.Place(lines, w, h)
}

// moreLine says how many chats are above (or below) the list's rows, and how many of them
// wait for the agent.
func (c *chats) moreLine(ids []uint64, arrow string, w int) string {
	if len(ids) == 0 {
		return ""
	}
	m := c.m
	waiting := 0
	for _, id := range ids {
		if c.ts[id].needsMe() {
			waiting++
		}
	}
	text := m.st.Muted.Render(arrow + " " + m.lang.T("chat.more", len(ids)))
	if waiting > 0 {
		text += m.st.Badge.Render(" " + m.lang.T("chat.more_waiting", waiting))
	}
	return cells.FitStyled(text, w)
}

// listLine is one chat of the list: a mark, the visitor, and what waits.
func (c *chats) listLine(id uint64, newest bool, w int) string {
	m := c.m
	t := c.ts[id]
	k := listKey{unread: t.unread, ended: t.ended, waiting: t.conv.AgentID == 0, newest: newest, active: id == c.active, w: w}
	// One look in the site's visitors for the name and the region, kept until the visitor
	// changes.
	if t.visLive != m.live {
		t.vis, t.visLive = m.live.visitor(t.conv.VisitorID), m.live
	}
	if v := t.vis; v != nil {
		k.name, k.region = m.nameOf(v), v.Region
	} else {
		k.name = m.visitorName(t.conv.VisitorID)
	}
	// A list line changes only when one of these does; a frame redraws every line.
	if t.line != "" && t.lineKey == k {
		return t.line
	}
	mark := "  "
	switch {
	case k.ended:
		mark = m.st.P.Muted.Render("× ")
	case k.waiting:
		mark = m.st.P.Waiting.Render("! ")
	case k.unread > 0:
		mark = m.st.P.Badge.Render("● ")
	}
	right := ""
	switch {
	case k.waiting && !k.ended && k.newest:
		right = " " + m.st.P.Newest.Render(m.lang.T("chat.newest"))
		if k.unread > 0 {
			right = m.st.P.Badge.Render(fmt.Sprintf(" %d", k.unread)) + right
		}
	case k.unread > 0:
		right = m.st.P.Badge.Render(fmt.Sprintf(" %d", k.unread))
	case k.waiting && !k.ended:
		right = m.st.P.Waiting.Render(" " + m.lang.T("chat.waiting"))
	case k.ended:
		right = m.st.P.Muted.Render(" " + m.lang.T("chat.ended"))
	}
	region := ""
	if k.region != "" {
		region = " " + cells.Safe(k.region)
	}
	avail := w - 2 - cells.Width(right)
	line := mark + cells.Fit(k.name+m.st.P.Muted.Render(region), avail) + right
	if k.active {
		line = m.st.P.ListActive.Render(cells.FitStyled(cells.Strip(line), w))
	}
	t.line, t.lineKey = line, k
	return line
}

// listKey is everything a chat's line in the list is drawn from.
type listKey struct {
	name, region                   string
	unread                         int
	ended, waiting, newest, active bool
	w                              int
}

func (c *chats) chatView(w, h int) string {
	m := c.m
	t := c.ts[c.active]
	if t == nil {
		return cells.Place(nil, w, h)
	}
	header := c.header(t, w)
	inputH := c.input.Height()
	bodyH := h - len(header) - inputH - 1
	if bodyH < 1 {
		bodyH = 1
	}
	lines := c.render(t, w)
	footer := ""
	if text := c.typing[t.conv.ID]; text != "" && !t.ended {
		footer = m.st.Muted.Render(cells.Cut(m.lang.T("chat.typing", cells.Safe(text)), w))
	}
	pendingLines := []string{}
	for _, o := range c.queue {
		if o.conv == t.conv.ID {
			pendingLines = append(pendingLines, m.st.Muted.Render(cells.Cut(m.lang.T("chat.sending", cells.Safe(o.text)), w)))
		}
	}
	// The transcript, then what is being sent, then the typing preview: only the rows on
	// screen are copied out of them (a long chat has thousands of lines).
	tail := pendingLines
	if footer != "" {
		tail = append(tail, footer)
	}
	total := len(lines) + len(tail)
	t.scroll = max(0, min(t.scroll, total-bodyH)) // never above the first line
	end := total - t.scroll
	start := max(0, end-bodyH)
	body := make([]string, 0, end-start)
	for i := start; i < end; i++ {
		if i < len(lines) {
			body = append(body, lines[i])
		} else {
			body = append(body, tail[i-len(lines)])
		}
	}

	var status string
	switch {
	case t.ended:
		status = m.st.Muted.Render(m.lang.T("chat.ended_hint"))
	default:
		// A request shows how to take it where the input's hint would be; what the agent
		// types (the reply that takes it) shows as it is typed.
		request := t.conv.AgentID == 0
		if request {
			c.input.SetHint(m.lang.T("chat.take_hint"), m.st.Waiting)
		} else {
			c.input.SetHint(m.lang.T("chat.input_hint"), m.st.Muted)
		}
		c.input.SetWidth(max(4, w-1))
		status = c.inputView(request)
	}
	out := make([]string, 0, h)
	out = append(out, header...)
	out = append(out, body...)
	out = append(out, make([]string, bodyH-len(body))...) // the transcript's rows, filled
	out = append(out, m.st.P.Muted.Render(strings.Repeat("─", w)))
	out = append(out, strings.Split(status, "\n")...)
	return cells.Place(out, w, h)
}

// inputView is the input as the textarea draws it. Drawing the hint of an empty input costs
// a quarter of a chat frame, so that drawing is kept while nothing it shows changed; what is
// typed is drawn every time.
func (c *chats) inputView(request bool) string {
	if c.input.Value() != "" {
		return c.input.View()
	}
	k := hintKey{text: c.input.Placeholder, request: request, w: c.input.Width(), h: c.input.Height(),
		focused: c.input.Focused()}
	if k != c.hintKey || c.hint == "" {
		c.hintKey, c.hint = k, c.input.View()
	}
	return c.hint
}

// hintKey is everything the empty input's hint is drawn from.
type hintKey struct {
	text    string
	request bool // the hint is the request's, in its own style
	w, h    int
	focused bool
}

// headerView is the visitor as the chat header knows them: live while on the site, else
// the last live view this session saw, else what the store says.
func (c *chats) headerView(visitorID uint64) (v *hub.VisitorView, online bool) {
	if v := c.m.live.visitor(visitorID); v != nil {
		return v, true
	}
	if v := c.lastView[visitorID]; v != nil {
		return v, false
	}
	if d := c.details[visitorID]; d != nil && d.View != nil {
		return d.View, false
	}
	return nil, false
}

// header is the chat header: who the visitor is, where from, what they read.
func (c *chats) header(t *transcript, w int) []string {
	m := c.m
	name := m.visitorName(t.conv.VisitorID)
	var region, ip, source, page string
	var visits, chatsN int
	if v, online := c.headerView(t.conv.VisitorID); v != nil {
		region, ip, visits, chatsN = cells.Safe(v.Region), cells.Safe(v.IP), v.Visits, v.Chats
		source = sourceCell(m, v)
		if online {
			page = pageCell(m, v)
		} else {
			page = m.st.Muted.Render(m.lang.T("chat.visitor_left"))
		}
	}
	if d := c.details[t.conv.VisitorID]; d != nil {
		// The store's counts are the visitor's own; an IP learnt later fills a gap.
		if ip == "" {
			ip = cells.Safe(d.Visitor.IP)
		}
		visits, chatsN = max(visits, d.Visitor.Visits), max(chatsN, d.Visitor.Chats)
	}
	first := m.st.PaneTitle.Render(name)
	if region != "" {
		first += " " + region
	}
	second := m.lang.T("chat.facts", visits, chatsN, ip)
	if source != "" {
		second += " · " + m.lang.T("chat.source", source)
	}
	third := m.lang.T("chat.page", page)
	return []string{cells.Cut(first, w), m.st.P.Muted.Render(cells.Cut(second, w)), m.st.P.Muted.Render(cells.Cut(third, w))}
}

// maxLinesPerMessage bounds how much of one message the transcript shows.
const maxLinesPerMessage = 200

// render lays out the transcript for width w. Lines are kept between frames: a message added
// at the end lays out only itself, so a long chat costs no more per message than a short one.
func (c *chats) render(t *transcript, w int) []string {
	m := c.m
	visitor := m.visitorName(t.conv.VisitorID)
	key := strconv.Itoa(w) + "/" + string(m.lang) + "/" + strconv.FormatUint(m.me, 10) + "/" + visitor
	if t.cacheKey != key || t.cacheN > len(t.msgs) {
		t.cacheKey, t.cacheN, t.cacheLines = key, 0, nil
	}
	for _, msg := range t.msgs[t.cacheN:] {
		t.cacheLines = c.layout(t.cacheLines, msg, visitor, w)
	}
	t.cacheN = len(t.msgs)
	return t.cacheLines
}

// layout appends the lines of one message at width w.
func (c *chats) layout(lines []string, msg store.Message, visitor string, w int) []string {
	m := c.m
	at := msg.At.Local().Format("15:04:05")
	if msg.From == store.FromSystem {
		// System lines wrap like messages: a transfer note is read in full.
		body := cells.Wrap(c.systemText(msg)+" "+at, max(1, w))
		if len(body) > maxLinesPerMessage {
			body = append(body[:maxLinesPerMessage], m.lang.T("chat.truncated", len(body)-maxLinesPerMessage))
		}
		for _, l := range body {
			lines = append(lines, m.st.MsgSystem.Render(l))
		}
		return lines
	}
	who := visitor
	style := m.st.MsgVisitor
	if msg.From == store.FromAgent {
		who = cells.Safe(msg.Name)
		if msg.AgentID == m.me {
			who = m.lang.T("chat.me")
		}
		style = m.st.MsgAgent
	}
	lines = append(lines, style.Bold(true).Render(cells.Cut(who, w-9))+" "+m.st.MsgMeta.Render(at))
	if msg.File != nil {
		lines = append(lines, "  "+style.Render(cells.Cut(m.lang.T("chat.file", cells.Safe(msg.File.Name), files.SizeText(msg.File.Size)), w-2)))
		if m.account != "" {
			for _, l := range cells.Wrap(desk.SCPCommand(m.account, m.host, m.port, msg), max(1, w-4)) {
				lines = append(lines, "    "+m.st.Muted.Render(l))
			}
		}
		return lines
	}
	body := cells.Wrap(cells.SafeText(msg.Text), max(1, w-2))
	if len(body) > maxLinesPerMessage {
		body = append(body[:maxLinesPerMessage], m.lang.T("chat.truncated", len(body)-maxLinesPerMessage))
	}
	for _, l := range body {
		lines = append(lines, "  "+style.Render(l))
	}
	return lines
}

// endedBlocked is how the desk marks the end of a chat whose visitor an agent blocked.
const endedBlocked = "blocked"

// systemText words a system line in the reader's language.
func (c *chats) systemText(msg store.Message) string {
	l := c.m.lang
	switch msg.Event {
	case desk.EventAccepted:
		return l.T("sys.accepted", cells.Safe(msg.Name))
	case desk.EventEnded:
		switch msg.Text {
		case string(store.FromVisitor):
			return l.T("sys.ended_by_visitor")
		case endedBlocked:
			return l.T("sys.ended_blocked")
		case string(store.FromSystem):
			return l.T("sys.ended_by_system")
		}
		return l.T("sys.ended_by_agent", cells.Safe(msg.Name))
	case desk.EventTransferred:
		return l.T("sys.transferred", cells.Safe(msg.Name))
	case desk.EventTransferNote:
		return l.T("sys.transfer_note", cells.Safe(msg.Name), cells.Safe(msg.Text))
	}
	return cells.Safe(msg.Text)
}

// expandedMsg is a "/shortcut" looked up among the canned replies.
type expandedMsg struct {
	input, text string
	ok          bool
}

// expandShortcut replaces a "/shortcut" in the input with its canned reply's text, reading the
// replies fresh so one added a moment ago by an admin counts.
func (c *chats) expandShortcut() tea.Cmd {
	input := strings.TrimSpace(c.input.Value())
	if text, ok := c.m.picker.Expand(input); ok {
		c.input.SetValue(text)
		c.input.CursorEnd()
		return nil
	}
	as, site := c.m.as, c.m.activeSite()
	return func() tea.Msg {
		list, err := as.CannedReplies(site)
		if err != nil {
			return expandedMsg{input: input}
		}
		text, ok := canned.Expand(list, input)
		return expandedMsg{input: input, text: text, ok: ok}
	}
}

// expanded puts a looked-up reply into the input, unless the agent typed on meanwhile.
func (c *chats) expanded(msg expandedMsg) tea.Cmd {
	if strings.TrimSpace(c.input.Value()) != msg.input {
		return nil
	}
	if !msg.ok {
		c.m.setNotice(c.m.lang.T("canned.no_shortcut", cells.Safe(msg.input)), true)
		return nil
	}
	c.input.SetValue(msg.text)
	c.input.CursorEnd()
	return c.m.picker.Load() // the picker's copy was stale
}
