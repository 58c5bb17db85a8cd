package records

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/store"
	"kefu/tui/cells"
)

// Filters of the leave messages list, in the order f cycles through them.
const (
	showAll = iota
	showUnprocessed
	showProcessed
	filterCount
)

// LeaveMessages is the leave messages screen (留言记录): the messages of the agent's sites,
// newest first, with how many wait to be dealt with; a filter by processed state; one opened
// to read all of it; marking it processed (已处理) or back.
type LeaveMessages struct {
	ctx         Context
	filter      int
	items       []store.LeaveMessage
	unprocessed int
	loaded      bool
	loading     int
	err         error
	list        list
	rows        int
	open        *store.LeaveMessage // the message being read, nil on the list
	scroll      int
	bodyRows    int
	notice      string
	failed      bool
}

type (
	leavesLoadedMsg struct {
		seq         int
		items       []store.LeaveMessage
		unprocessed int
		err         error
	}
	leaveMarkedMsg struct {
		m   *store.LeaveMessage
		err error
	}
)

// NewLeaveMessages builds the leave messages screen; Init loads it.
func NewLeaveMessages(ctx Context) *LeaveMessages { return &LeaveMessages{ctx: ctx} }

// Init loads the list.
func (lm *LeaveMessages) Init() tea.Cmd { return lm.load() }

func (lm *LeaveMessages) load() tea.Cmd {
	lm.loading++
	seq, as, sites := lm.loading, lm.ctx.Agent, lm.ctx.sites()
	var processed *bool
	switch lm.filter {
	case showUnprocessed:
		processed = new(bool)
	case showProcessed:
		processed = new(bool)
		*processed = true
	}
	return func() tea.Msg {
		var out []store.LeaveMessage
		var firstErr error
		for _, site := range sites {
			ms, err := as.LeaveMessages(site, processed)
			if err != nil {
				firstErr = err
				continue
			}
			out = append(out, ms...)
		}
		sort.SliceStable(out, func(i, j int) bool {
			if !out[i].Created.Equal(out[j].Created) {
				return out[i].Created.After(out[j].Created)
			}
			return out[i].ID > out[j].ID
		})
		if len(out) > 0 {
			firstErr = nil
		}
		return leavesLoadedMsg{seq: seq, items: out, unprocessed: UnprocessedCount(as, sites), err: firstErr}
	}
}

// Unprocessed is the count of unprocessed messages as of the last load.
func (lm *LeaveMessages) Unprocessed() int { return lm.unprocessed }

// Capturing reports whether the screen takes every key (a message is open: Esc closes it).
func (lm *LeaveMessages) Capturing() bool { return lm.open != nil }

// HelpKeys are the screen's keys for the workbench's help.
func (lm *LeaveMessages) HelpKeys() []key.Binding {
	l := lm.ctx.Lang
	if lm.open != nil {
		return []key.Binding{
			binding(l, "records.key.scroll", "↑/↓", "up", "down", "k", "j"),
			binding(l, "leave.key.mark", "p", "p", " "),
			binding(l, "records.key.back", "esc", "esc", "q"),
		}
	}
	return []key.Binding{
		binding(l, "records.key.move", "↑/↓", "up", "down", "k", "j"),
		binding(l, "leave.key.open", "enter", "enter"),
		binding(l, "leave.key.mark", "p", "p", " "),
		binding(l, "leave.key.filter", "f", "f"),
		binding(l, "records.key.refresh", "r", "r"),
	}
}

// Update handles keys and the desk's answers.
func (lm *LeaveMessages) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case RefreshMsg:
		return lm.load()
	case leavesLoadedMsg:
		if msg.seq != lm.loading {
			return nil
		}
		lm.loaded, lm.err = true, msg.err
		if msg.err == nil {
			lm.items, lm.unprocessed = msg.items, msg.unprocessed
		}
		lm.list.clamp(len(lm.items), max(1, lm.rows))
	case leaveMarkedMsg:
		if msg.err != nil {
			lm.notice, lm.failed = errText(lm.ctx.Lang, msg.err), true
			return nil
		}
		key := "leave.marked"
		if !msg.m.Processed {
			key = "leave.unmarked"
		}
		lm.notice, lm.failed = lm.ctx.Lang.T(key), false
		if lm.open != nil && lm.open.ID == msg.m.ID {
			lm.open = msg.m
		}
		return lm.load()
	case tea.KeyMsg:
		if lm.open != nil {
			return lm.readKey(msg)
		}
		return lm.listKey(msg)
	}
	return nil
}

func (lm *LeaveMessages) listKey(k tea.KeyMsg) tea.Cmd {
	if lm.list.keyNav(k, len(lm.items), lm.rows-1) {
		lm.list.clamp(len(lm.items), lm.rows)
		return nil
	}
	switch k.String() {
	case "enter":
		if sel := lm.selected(); sel != nil {
			m := *sel
			lm.open, lm.scroll, lm.notice = &m, 0, ""
		}
	case "p", " ":
		if sel := lm.selected(); sel != nil {
			return lm.mark(sel)
		}
	case "f":
		lm.filter = (lm.filter + 1) % filterCount
		lm.list = list{}
		return lm.load()
	case "r":
		return lm.load()
	}
	return nil
}

func (lm *LeaveMessages) readKey(k tea.KeyMsg) tea.Cmd {
	page := max(1, lm.bodyRows-1)
	switch k.String() {
	case "esc", "q", "enter":
		lm.open, lm.notice = nil, ""
	case "up", "k":
		lm.scroll = max(0, lm.scroll-1)
	case "down", "j":
		lm.scroll++
	case "pgup":
		lm.scroll = max(0, lm.scroll-page)
	case "pgdown":
		lm.scroll += page
	case "home", "g":
		lm.scroll = 0
	case "p", " ":
		return lm.mark(lm.open)
	}
	return nil
}

// mark flips a message between processed and unprocessed.
func (lm *LeaveMessages) mark(m *store.LeaveMessage) tea.Cmd {
	as, id, to := lm.ctx.Agent, m.ID, !m.Processed
	return func() tea.Msg {
		got, err := as.MarkProcessed(id, to)
		return leaveMarkedMsg{m: got, err: err}
	}
}

func (lm *LeaveMessages) selected() *store.LeaveMessage {
	if lm.list.cursor < 0 || lm.list.cursor >= len(lm.items) {
		return nil
	}
	return &lm.items[lm.list.cursor]
}

// who is the name the visitor gave, else their number.
func (lm *LeaveMessages) who(m *store.LeaveMessage) string {
	if n := cells.Safe(m.Name); n != "" {
		return n
	}
	return lm.ctx.Lang.T("visitor.number", m.VisitorID)
}

// contact is the first way to reach the visitor.
func contact(m *store.LeaveMessage) string {
	switch {
	case m.Phone != "":
		return cells.Safe(m.Phone)
	case m.Email != "":
		return cells.Safe(m.Email)
	case m.QQ != "":
		return "QQ " + cells.Safe(m.QQ)
	}
	return ""
}

func (lm *LeaveMessages) stateText(m *store.LeaveMessage) string {
	if m.Processed {
		return lm.ctx.Lang.T("leave.state.processed")
	}
	return lm.ctx.Lang.T("leave.state.unprocessed")
}

// View draws the screen in w×h cells.
func (lm *LeaveMessages) View(w, h int) string {
	if lm.open != nil {
		return lm.readView(w, h)
	}
	st, l := lm.ctx.Styles, lm.ctx.Lang
	now := lm.ctx.now()
	filters := []string{l.T("leave.filter.all"), l.T("leave.filter.unprocessed"), l.T("leave.filter.processed")}
	title := st.PaneTitle.Render(l.T("leave.title")) + "  " + st.Badge.Render(l.T("leave.unprocessed_count", lm.unprocessed))
	var chips []string
	for i, f := range filters {
		if i == lm.filter {
			chips = append(chips, st.TabActive.Render("["+f+"]"))
		} else {
			chips = append(chips, st.Tab.Render(" "+f+" "))
		}
	}
	lines := []string{cells.Cut(title, w), cells.Cut(strings.Join(chips, ""), w)}

	var cols []column
	var cellsOf func(m *store.LeaveMessage) []string
	switch {
	case w >= 100:
		cols = []column{{l.T("leave.col.time"), 11}, {l.T("leave.col.state"), 6}, {l.T("leave.col.name"), 12}, {l.T("leave.col.phone"), 14},
			{l.T("leave.col.email"), 20}, {"QQ", 12}, {l.T("leave.col.text"), 0}}
		cellsOf = func(m *store.LeaveMessage) []string {
			return []string{stamp(m.Created, now), lm.stateText(m), lm.who(m), cells.Safe(m.Phone), cells.Safe(m.Email), cells.Safe(m.QQ), cells.Safe(m.Text)}
		}
	case w >= 60:
		cols = []column{{l.T("leave.col.time"), 11}, {l.T("leave.col.state"), 6}, {l.T("leave.col.name"), 10}, {l.T("leave.col.contact"), 16},
			{l.T("leave.col.text"), 0}}
		cellsOf = func(m *store.LeaveMessage) []string {
			return []string{stamp(m.Created, now), lm.stateText(m), lm.who(m), contact(m), cells.Safe(m.Text)}
		}
	default:
		cols = []column{{"", 1}, {l.T("leave.col.time"), 11}, {l.T("leave.col.name"), 8}, {l.T("leave.col.text"), 0}}
		cellsOf = func(m *store.LeaveMessage) []string {
			mark := "●"
			if m.Processed {
				mark = " "
			}
			return []string{mark, stamp(m.Created, now), lm.who(m), cells.Safe(m.Text)}
		}
	}
	cols = layout(cols, w, 4)

	keys := l.T("leave.keys_list")
	if cells.Width(keys) > w {
		keys = l.T("leave.keys_short")
	}
	foot := lm.footer(w, keys)
	rows := max(1, h-len(lines)-1-len(foot))
	lm.rows = rows
	switch {
	case lm.err != nil && len(lm.items) == 0:
		lines = append(lines, st.Error.Render(cells.Cut(errText(l, lm.err), w)))
	case !lm.loaded:
		lines = append(lines, st.Muted.Render(l.T("records.loading")))
	case len(lm.items) == 0:
		lines = append(lines, st.Muted.Render(cells.Cut(l.T("leave.none"), w)))
	default:
		lines = append(lines, st.TableHeader.Render(row(cols, titles(cols))))
		lm.list.clamp(len(lm.items), rows)
		for i := lm.list.offset; i < len(lm.items) && i < lm.list.offset+rows; i++ {
			m := &lm.items[i]
			text := row(cols, cellsOf(m))
			switch {
			case i == lm.list.cursor:
				text = st.RowSelected.Render(text)
			case m.Processed:
				text = st.Muted.Render(text)
			default:
				text = st.Row.Render(text)
			}
			lines = append(lines, text)
		}
	}
	return cells.Place(lines, w, h-len(foot)) + "\n" + cells.Place(foot, w, len(foot))
}

// readView draws one message in full: who, how to reach them, its state, and the text
// wrapped to the width, scrolled.
func (lm *LeaveMessages) readView(w, h int) string {
	st, l := lm.ctx.Styles, lm.ctx.Lang
	m := lm.open
	now := lm.ctx.now()
	state := st.Warn.Render(lm.stateText(m))
	if m.Processed {
		state = st.OK.Render(lm.stateText(m))
	}
	head := []string{cells.Cut(st.PaneTitle.Render(l.T("leave.read_title", m.ID))+"  "+state, w)}
	visitor := l.T("visitor.number", m.VisitorID)
	if name := cells.Safe(m.Name); name != "" {
		visitor = fmt.Sprintf("%s (%s)", name, visitor)
	}
	facts := [][2]string{
		{l.T("leave.col.time"), stamp(m.Created, now)},
		{l.T("leave.col.visitor"), visitor},
		{l.T("leave.col.phone"), cells.Safe(m.Phone)},
		{l.T("leave.col.email"), cells.Safe(m.Email)},
		{"QQ", cells.Safe(m.QQ)},
	}
	if m.Processed {
		facts = append(facts, [2]string{l.T("leave.col.state"), l.T("leave.processed_by", cells.Safe(m.ProcessedByName), stamp(m.ProcessedAt, now))})
	}
	label := 0
	for _, f := range facts {
		label = max(label, cells.Width(f[0]))
	}
	label = min(label+1, max(1, w/3))
	for _, f := range facts {
		if f[1] != "" {
			head = append(head, st.Muted.Render(cells.Fit(f[0], label))+cells.Cut(f[1], max(1, w-label)))
		}
	}
	head = append(head, st.Muted.Render(strings.Repeat("─", max(1, w))))

	body := cells.Wrap(cells.SafeText(m.Text), max(1, w))
	foot := lm.footer(w, l.T("leave.keys_read"))
	rows := max(1, h-len(head)-len(foot))
	lm.bodyRows = rows
	lm.scroll = max(0, min(lm.scroll, len(body)-rows))
	end := min(len(body), lm.scroll+rows)
	lines := append(head, body[lm.scroll:end]...)
	return cells.Place(lines, w, h-len(foot)) + "\n" + cells.Place(foot, w, len(foot))
}

// footer is the last notice, or the keys.
func (lm *LeaveMessages) footer(w int, keys string) []string {
	st := lm.ctx.Styles
	switch {
	case lm.notice != "" && lm.failed:
		return []string{st.Error.Render(cells.Cut(lm.notice, w))}
	case lm.notice != "":
		return []string{st.OK.Render(cells.Cut(lm.notice, w))}
	}
	return []string{st.HelpDesc.Render(cells.Cut(keys, w))}
}
