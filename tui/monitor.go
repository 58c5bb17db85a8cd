package tui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
	"kefu/server/i18n"
	"kefu/tui/cells"
)

// column is one column of the visitor monitor (访客监控).
type column struct {
	id    string
	title string // catalog key of the header
	short string // catalog key of the header when the column is too narrow for title; "" cuts title
	// floor is the narrowest the column is worth showing: below it the column is dropped.
	// want is the width that shows typical data in full; max the most it takes of spare room.
	floor, want, max int
	priority         int  // lower stays longer when the terminal is narrow
	right            bool // numbers and clocks line up on the right
	desc             bool // sorting by it starts with the largest, longest or newest first
	// natural is the width of what the column shows for a visitor, when that can be less than
	// want (most visitors are from places shorter than 内蒙古自治区呼和浩特市).
	natural func(m *Model, v *hub.VisitorView) int
	cell    func(m *Model, v *hub.VisitorView) string
	// cmp orders two visitors by what the column shows, ascending. It must not allocate:
	// sorting thousands of visitors calls it tens of thousands of times.
	cmp func(a, b *hub.VisitorView) int
}

// The widest a region with its IP is wanted: 广东省广州市(113.99.155.142) fits.
const regionWant = 29

// pagePriority is the page column's: the sort column is kept as long as it.
const pagePriority = 4

// monitorColumns lists the columns in display order, as the product guide lists them. The
// priorities say what goes first on a narrow terminal: the agent, the source, the visit
// count, then last activity; who, where from, what they read and their state stay longest.
// Floors: a 9-digit visitor number (访客350901960) and 广东省广州市 with the start of its IP.
func monitorColumns(l i18n.Lang) []column {
	labels := func(keys ...string) int {
		w := 0
		for _, k := range keys {
			w = max(w, cells.Width(l.T(k)))
		}
		return w
	}
	kindW := labels("kind.new", "kind.returning", "kind.intent", "kind.member")
	chanW := labels("channel.pc", "channel.mobile", "channel.wechat")
	stateW := labels("state.browsing", "state.invited", "state.waiting", "state.queued", "state.chatting")
	region := func(v *hub.VisitorView) string {
		if l == i18n.EN && v.RegionEN != "" {
			return v.RegionEN
		}
		return v.Region
	}
	source := func(v *hub.VisitorView) string {
		if l == i18n.EN && v.SourceEN != "" {
			return v.SourceEN
		}
		return v.Source
	}
	return []column{
		{id: "kind", title: "col.kind", floor: kindW, want: kindW, max: kindW, priority: 5, desc: true, cell: kindCell,
			cmp: func(a, b *hub.VisitorView) int { return cmp.Compare(kindRank[a.Kind], kindRank[b.Kind]) }},
		{id: "channel", title: "col.channel", short: "col.channel_short", floor: chanW, want: chanW, max: chanW, priority: 6, cell: channelCell,
			cmp: func(a, b *hub.VisitorView) int { return cmp.Compare(channelRank[a.Channel], channelRank[b.Channel]) }},
		{id: "name", title: "col.name", floor: 13, want: 14, max: 20, priority: 1,
			cell:    func(m *Model, v *hub.VisitorView) string { return m.nameOf(v) },
			natural: func(m *Model, v *hub.VisitorView) int { return cells.Width(m.nameOf(v)) },
			cmp: func(a, b *hub.VisitorView) int {
				// Named visitors (a card, a member) before numbered ones, numbers in order.
				if c := boolOrder(a.Name == "", b.Name == ""); c != 0 {
					return c
				}
				if c := strings.Compare(a.Name, b.Name); c != 0 {
					return c
				}
				return cmp.Compare(a.ID, b.ID)
			}},
		{id: "visits", title: "col.visits", short: "col.visits_short", floor: 4, want: 4, max: 4, priority: 9, right: true, desc: true,
			cell: func(m *Model, v *hub.VisitorView) string { return strconv.Itoa(v.Visits) },
			cmp:  func(a, b *hub.VisitorView) int { return cmp.Compare(a.Visits, b.Visits) }},
		{id: "region", title: "col.region", floor: 18, want: regionWant, max: 36, priority: 3, cell: regionCell,
			natural: func(m *Model, v *hub.VisitorView) int {
				w := cells.Width(region(v))
				if v.IP != "" {
					w += cells.Width(v.IP) + 2
				}
				return w
			},
			cmp: func(a, b *hub.VisitorView) int {
				if c := emptyLast(region(a), region(b)); c != 0 {
					return c
				}
				return strings.Compare(a.IP, b.IP)
			}},
		{id: "stay", title: "col.stay", short: "col.stay_short", floor: 8, want: 8, max: 8, priority: 7, right: true, desc: true,
			cell: func(m *Model, v *hub.VisitorView) string { return clock(m.now.Sub(v.VisitStart)) },
			// A longer stay is an earlier start.
			cmp: func(a, b *hub.VisitorView) int { return b.VisitStart.Compare(a.VisitStart) }},
		{id: "last", title: "col.last", short: "col.last_short", floor: 8, want: 8, max: 8, priority: 8, right: true, desc: true,
			cell: func(m *Model, v *hub.VisitorView) string { return v.LastActive.Local().Format("15:04:05") },
			cmp:  func(a, b *hub.VisitorView) int { return a.LastActive.Compare(b.LastActive) }},
		{id: "source", title: "col.source", short: "col.source_short", floor: 8, want: 12, max: 24, priority: 10, cell: sourceCell,
			cmp: func(a, b *hub.VisitorView) int { return emptyLast(source(a), source(b)) }},
		// What the visitor is reading is what the agent most wants to see after who and where:
		// a typical title (价格方案 - 云帆软件) is shown whole before headers are spelt out.
		{id: "page", title: "col.page", floor: 16, want: 20, max: 80, priority: pagePriority, cell: pageCell,
			natural: func(m *Model, v *hub.VisitorView) int { return cells.Width(pageCell(m, v)) },
			cmp:     func(a, b *hub.VisitorView) int { return emptyLast(pageKey(a), pageKey(b)) }},
		{id: "agent", title: "col.agent", short: "col.agent_short", floor: 6, want: 8, max: 10, priority: 11,
			cell: func(m *Model, v *hub.VisitorView) string { return cells.Safe(v.AgentName) },
			cmp:  func(a, b *hub.VisitorView) int { return emptyLast(a.AgentName, b.AgentName) }},
		{id: "state", title: "col.state", floor: stateW, want: stateW, max: stateW, priority: 2, desc: true, cell: stateCell,
			cmp: func(a, b *hub.VisitorView) int { return cmp.Compare(stateRank[a.State], stateRank[b.State]) }},
	}
}

// Ranks of the columns that sort by meaning rather than by text: a descending sort puts the
// visitors worth most attention first — members, WeChat, a visitor asking for a chat.
var (
	kindRank    = map[hub.VisitorKind]int{hub.KindNew: 0, hub.KindReturning: 1, hub.KindIntent: 2, hub.KindMember: 3}
	channelRank = map[string]int{"pc": 0, "mobile": 1, "wechat": 2}
	stateRank   = map[hub.VisitorState]int{hub.StateBrowsing: 0, hub.StateInvited: 1, hub.StateChatting: 2, hub.StateQueued: 3, hub.StateWaiting: 4}
)

// emptyLast compares texts with an empty one (no agent, no region) after all others.
func emptyLast(a, b string) int {
	if (a == "") != (b == "") {
		return boolOrder(a == "", b == "")
	}
	return strings.Compare(a, b)
}

// boolOrder puts false before true.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func pageKey(v *hub.VisitorView) string {
	if v.PageTitle != "" {
		return v.PageTitle
	}
	return v.PageURL
}

// kindCell and stateCell are drawn for every row of every monitor frame: they use the
// session's resolved paints.
func kindCell(m *Model, v *hub.VisitorView) string {
	text := m.lang.T("kind." + string(v.Kind))
	switch v.Kind {
	case hub.KindNew:
		return m.st.P.KindNew.Render(text)
	case hub.KindReturning:
		return m.st.P.KindReturning.Render(text)
	case hub.KindIntent:
		return m.st.P.KindIntent.Render(text)
	case hub.KindMember:
		return m.st.P.KindMember.Render(text)
	}
	return text
}

func channelCell(m *Model, v *hub.VisitorView) string {
	if v.Channel == "" {
		return ""
	}
	return m.lang.T("channel." + v.Channel)
}

func regionCell(m *Model, v *hub.VisitorView) string {
	region := v.Region
	if m.lang == i18n.EN && v.RegionEN != "" {
		region = v.RegionEN
	}
	if v.IP == "" {
		return cells.Safe(region)
	}
	return cells.Safe(region) + "(" + cells.Safe(v.IP) + ")"
}

// utmPrefix is how server/source marks a source known only from the landing page's
// utm_source tag ("utm:newsletter"); the monitor words it in the agent's language.
const utmPrefix = "utm:"

func sourceCell(m *Model, v *hub.VisitorView) string {
	s := v.Source
	if m.lang == i18n.EN && v.SourceEN != "" {
		s = v.SourceEN
	}
	if s == "" {
		return m.lang.T("source.direct")
	}
	if tag, ok := strings.CutPrefix(s, utmPrefix); ok {
		return m.lang.T("source.utm", cells.Safe(tag))
	}
	return cells.Safe(s)
}

func pageCell(m *Model, v *hub.VisitorView) string {
	if v.PageTitle != "" {
		return cells.Safe(v.PageTitle)
	}
	return cells.Safe(v.PageURL)
}

func stateCell(m *Model, v *hub.VisitorView) string {
	text := m.lang.T("state." + string(v.State))
	switch v.State {
	case hub.StateChatting:
		return m.st.P.OK.Render(text)
	case hub.StateWaiting, hub.StateQueued:
		return m.st.P.Waiting.Render(text)
	case hub.StateInvited:
		return m.st.P.Accent.Render(text)
	}
	return m.st.P.Muted.Render(text)
}

// clock formats a duration as the monitor's HH:MM:SS.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// monitor is the visitor monitor page.
type monitor struct {
	m       *Model
	cols    []column
	rows    []*hub.VisitorView // sorted and filtered; rebuilt when dirty
	natural []int              // per column with a natural width: the widest of rows
	dirty   bool
	cursor  int
	offset  int
	selID   uint64
	// sortCol is the column the rows are sorted by; sortDesc puts the largest, longest,
	// newest (or for text, the last in order) first, as the header's ↓ says.
	sortCol  string
	sortDesc bool

	filtering bool
	filter    textinput.Model
}

func newMonitor(m *Model) *monitor {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = m.lang.T("monitor.filter_hint")
	ti.CharLimit = 60
	ti.PromptStyle = m.st.Accent
	ti.PlaceholderStyle = m.st.Muted
	ti.TextStyle = m.st.App
	ti.Cursor.Style = m.st.Accent
	cols := monitorColumns(m.lang)
	// Newest arrivals on top, as the product guide's monitor has them: the shortest stay first.
	return &monitor{m: m, cols: cols, natural: make([]int, len(cols)), dirty: true, sortCol: "stay", sortDesc: false, filter: ti}
}

func (mo *monitor) invalidate() { mo.dirty = true }

// off lets the sorted rows go while the agent is on another page (an agent at the chat page
// holds no copy of the visitor list but the live one); they are built again on the way back.
func (mo *monitor) off() {
	mo.rows, mo.dirty = nil, true
}

// changed takes a visitor's new view. When it keeps its place (same sort key, still matching
// the filter) it is swapped in; only otherwise are the rows sorted again — with thousands of
// visitors, most changes (a page view, a heartbeat of activity) move nobody. The order is a
// total one (the visitor id breaks ties), so an unchanged key means an unchanged place
// whichever way the column is sorted.
//
// The row is found by a binary search for the old view in the sorted rows, rather than by an
// index kept per agent: with 10,000 visitors and 100 agents watching, a map per agent costs
// more memory than the visitors' own sockets.
func (mo *monitor) changed(old, v *hub.VisitorView) {
	if mo.m.page != pageMonitor {
		mo.off()
		return
	}
	if mo.dirty || old == nil {
		mo.dirty = true
		return
	}
	i, found := slices.BinarySearchFunc(mo.rows, old, mo.order())
	if !found || mo.rows[i].ID != v.ID {
		mo.dirty = true
		return
	}
	if words := mo.words(); len(words) > 0 && !matches(mo.m, v, words) {
		mo.dirty = true
		return
	}
	if c := mo.sortCmp(); c != nil && c(old, v) != 0 {
		mo.dirty = true
		return
	}
	mo.rows[i] = v
	mo.measure(v)
}

// order is the rows' order: the sort column in the chosen direction, then the newest visitor
// first. It is total (ids are unique), so a view has exactly one place.
func (mo *monitor) order() func(a, b *hub.VisitorView) int {
	byCol, desc := mo.sortCmp(), mo.sortDesc
	return func(a, b *hub.VisitorView) int {
		if byCol != nil {
			c := byCol(a, b)
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(b.ID, a.ID)
	}
}

// sortCmp is the sort column's ascending order.
func (mo *monitor) sortCmp() func(a, b *hub.VisitorView) int {
	for _, c := range mo.cols {
		if c.id == mo.sortCol {
			return c.cmp
		}
	}
	return nil
}

// words is the filter, in lower case, split at spaces: a visitor must match every word.
func (mo *monitor) words() []string {
	return strings.Fields(strings.ToLower(mo.filter.Value()))
}

// measure widens the natural widths of the columns to fit v.
func (mo *monitor) measure(v *hub.VisitorView) {
	for i, c := range mo.cols {
		if c.natural != nil {
			mo.natural[i] = max(mo.natural[i], c.natural(mo.m, v))
		}
	}
}

// visible returns the sorted, filtered rows, rebuilding them only after a change.
func (mo *monitor) visible() []*hub.VisitorView {
	if !mo.dirty {
		return mo.rows
	}
	mo.dirty = false
	words := mo.words()
	rows := mo.rows[:0]
	for v := range mo.m.live.visitors() {
		if len(words) == 0 || matches(mo.m, v, words) {
			rows = append(rows, v)
		}
	}
	slices.SortFunc(rows, mo.order())
	mo.rows = rows
	clear(mo.natural)
	// Keep the selection on the same visitor across re-sorts.
	mo.cursor = 0
	for i, v := range rows {
		mo.measure(v)
		if v.ID == mo.selID {
			mo.cursor = i
		}
	}
	if len(rows) > 0 {
		mo.selID = rows[mo.cursor].ID
	}
	return rows
}

// matches reports whether every word (lower case) is in something the agent can see of the
// visitor, or in its other language's form: "Guangdong" finds 广东省 in the Chinese
// workbench, 推广 finds a campaign source.
func matches(m *Model, v *hub.VisitorView, words []string) bool {
	l := m.lang
	fields := [...]string{m.nameOf(v), v.Region, v.RegionEN, v.IP, v.PageTitle, v.PageURL,
		v.Source, v.SourceEN, sourceCell(m, v), v.Keyword, v.AgentName, strconv.FormatUint(v.ID, 10),
		l.T("kind." + string(v.Kind)), l.T("state." + string(v.State)), channelCell(m, v)}
	for _, w := range words {
		found := false
		for _, s := range fields {
			if strings.Contains(strings.ToLower(s), w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (mo *monitor) selected() *hub.VisitorView {
	rows := mo.visible()
	if mo.cursor < 0 || mo.cursor >= len(rows) {
		return nil
	}
	return rows[mo.cursor]
}

func (mo *monitor) move(delta int) {
	rows := mo.visible()
	if len(rows) == 0 {
		return
	}
	mo.cursor += delta
	if mo.cursor < 0 {
		mo.cursor = 0
	}
	if mo.cursor >= len(rows) {
		mo.cursor = len(rows) - 1
	}
	mo.selID = rows[mo.cursor].ID
}

func (mo *monitor) key(k tea.KeyMsg) tea.Cmd {
	m := mo.m
	if mo.filtering {
		switch k.String() {
		case "esc":
			mo.filtering = false
			mo.filter.SetValue("")
			mo.filter.Blur()
			mo.invalidate()
			return nil
		case "enter", "up", "down":
			mo.filtering = false
			mo.filter.Blur()
			return nil
		}
		var cmd tea.Cmd
		mo.filter, cmd = mo.filter.Update(k)
		mo.invalidate()
		return cmd
	}
	page := mo.bodyRows() - 1
	if page < 1 {
		page = 1
	}
	switch k.String() {
	case "up", "k":
		mo.move(-1)
	case "down", "j":
		mo.move(1)
	case "pgup":
		mo.move(-page)
	case "pgdown":
		mo.move(page)
	case "home", "g":
		mo.move(-len(mo.visible()))
	case "end", "G":
		mo.move(len(mo.visible()))
	case "/":
		mo.filtering = true
		return mo.filter.Focus()
	case "esc":
		if mo.filter.Value() != "" {
			mo.filter.SetValue("")
			mo.invalidate()
		}
	case "s", "S":
		mo.cycleSort(k.String() == "S")
	case "enter", "c":
		if v := mo.selected(); v != nil {
			return m.chats.openWith(v.ID)
		}
	case "i":
		if v := mo.selected(); v != nil {
			return m.inviteCmd(v.ID)
		}
	case "v":
		if v := mo.selected(); v != nil {
			return m.openDetail(v.ID)
		}
	case "e":
		if v := mo.selected(); v != nil {
			return m.openCard(v.ID)
		}
	case "b":
		if v := mo.selected(); v != nil {
			return m.openBlock(v.ID)
		}
	}
	return nil
}

// cycleSort moves the sort to the next visible column, in the direction a person expects
// first (longest stay, most visits, latest activity; names and places A to Z); S reverses it.
func (mo *monitor) cycleSort(reverse bool) {
	if reverse {
		mo.sortDesc = !mo.sortDesc
		mo.invalidate()
		return
	}
	cols := mo.layout(mo.m.width)
	next := 0
	for i, c := range cols {
		if c.id == mo.sortCol {
			next = (i + 1) % len(cols)
		}
	}
	if len(cols) > 0 {
		mo.sortCol, mo.sortDesc = cols[next].id, cols[next].desc
	}
	mo.invalidate()
}

// inviteCmd invites a visitor and reports the outcome.
func (m *Model) inviteCmd(visitorID uint64) tea.Cmd {
	as, l := m.as, m.lang
	name := m.visitorName(visitorID)
	return func() tea.Msg {
		if err := as.Invite(visitorID); err != nil {
			return noticeMsg{text: l.T("err."+errKey(err), name), err: true}
		}
		return noticeMsg{text: l.T("notice.invited", name)}
	}
}

// layoutCol is a column with its width and header for this frame.
type layoutCol struct {
	column
	w     int
	label string // the header, with the sort arrow
}

// grow shares the spare width once every column has what it wants: the page gets most.
var grow = map[string]int{"page": 4, "source": 2, "name": 2, "region": 1, "agent": 1}

// layout picks the columns that fit in w cells and their widths. Columns are taken most
// important first for as long as the next one fits at its floor; then the spare goes, in order of
// importance, to showing typical data in full (a region with its whole IP), then to full
// headers (访问次数 rather than 访问), then to the page and the other long texts.
func (mo *monitor) layout(w int) []layoutCol {
	l := mo.m.lang
	type plan struct {
		floor, want, full int
		title, short      string
	}
	plans := make([]plan, len(mo.cols))
	for i, c := range mo.cols {
		arrow := ""
		if c.id == mo.sortCol {
			arrow = mo.arrow()
		}
		p := plan{title: l.T(c.title) + arrow, short: l.T(c.title) + arrow}
		if c.short != "" {
			p.short = l.T(c.short) + arrow
		}
		p.full = cells.Width(p.title)
		p.floor = max(c.floor, min(cells.Width(p.short), p.full))
		if arrow != "" && p.full <= p.floor+2 {
			p.floor = max(p.floor, p.full) // the sorted column keeps its whole title when that costs little
		}
		p.want = c.want
		if c.natural != nil {
			p.want = min(p.want, mo.natural[i])
		}
		p.want = max(p.want, p.floor)
		plans[i] = p
	}
	byPri := make([]int, len(mo.cols))
	for i := range byPri {
		byPri[i] = i
	}
	// The column the rows are sorted by stays as long as the page does: an order the agent
	// chose and cannot see would be a puzzle.
	rank := func(i int) int {
		r := mo.cols[i].priority * 2
		if mo.cols[i].id == mo.sortCol {
			r = min(r, pagePriority*2+1)
		}
		return r
	}
	sort.SliceStable(byPri, func(a, b int) bool { return rank(byPri[a]) < rank(byPri[b]) })

	width := make([]int, len(mo.cols)) // 0: not shown
	used := 0
	for _, i := range byPri {
		need := plans[i].floor
		if used > 0 {
			need++ // separator
		}
		if used+need > w {
			break // a less important column does not take the place of a more important one
		}
		width[i] = plans[i].floor
		used += need
	}
	if used == 0 && w > 0 { // not even the name fits its floor: show what fits of it
		width[byPri[0]] = w
		used = w
	}
	spare := w - used
	raise := func(i, to int) {
		if width[i] > 0 && width[i] < to && spare > 0 {
			n := min(to-width[i], spare)
			width[i] += n
			spare -= n
		}
	}
	for _, i := range byPri {
		raise(i, plans[i].want)
	}
	for _, i := range byPri {
		if width[i] > 0 && plans[i].full-width[i] <= spare {
			raise(i, plans[i].full)
		}
	}
	for spare > 0 {
		grew := false
		for i, c := range mo.cols {
			for n := grow[c.id]; n > 0 && width[i] > 0 && width[i] < c.max && spare > 0; n-- {
				width[i]++
				spare--
				grew = true
			}
		}
		if !grew {
			break
		}
	}

	var out []layoutCol
	for i, c := range mo.cols {
		if width[i] == 0 {
			continue
		}
		label := plans[i].title
		if cells.Width(label) > width[i] {
			label = plans[i].short
		}
		out = append(out, layoutCol{column: c, w: width[i], label: label})
	}
	return out
}

// arrow is the sort column's mark: ↓ when the largest, longest or newest come first.
func (mo *monitor) arrow() string {
	if mo.sortDesc {
		return "↓"
	}
	return "↑"
}

// bodyRows is how many table rows fit on the page.
func (mo *monitor) bodyRows() int {
	h := mo.m.bodyHeight() - 2 // counts line, header
	if mo.filtering || mo.filter.Value() != "" {
		h--
	}
	return h
}

// view renders the monitor in w×h cells.
func (mo *monitor) view(w, h int) string {
	m := mo.m
	rows := mo.visible()
	cols := mo.layout(w)
	var lines []string

	chatting, invited, waiting := 0, 0, 0
	for v := range m.live.visitors() {
		switch v.State {
		case hub.StateChatting:
			chatting++
		case hub.StateInvited:
			invited++
		case hub.StateWaiting, hub.StateQueued:
			waiting++
		}
	}
	counts := m.lang.T("monitor.counts", m.live.visitorCount(), chatting, invited)
	if waiting > 0 {
		counts += m.st.Waiting.Render(m.lang.T("monitor.waiting", waiting))
	}
	lines = append(lines, m.st.Counts.Render(cells.Cut(counts, w)))

	var hdr []string
	for _, c := range cols {
		title := c.label
		if c.right {
			hdr = append(hdr, cells.FitRight(title, c.w))
		} else {
			hdr = append(hdr, cells.Fit(title, c.w))
		}
	}
	lines = append(lines, m.st.TableHeader.Render(strings.Join(hdr, " ")))

	body := h - len(lines)
	if mo.filtering || mo.filter.Value() != "" {
		body--
	}
	if body < 1 {
		body = 1
	}
	// Scroll so the cursor stays visible.
	if mo.cursor < mo.offset {
		mo.offset = mo.cursor
	}
	if mo.cursor >= mo.offset+body {
		mo.offset = mo.cursor - body + 1
	}
	if mo.offset > len(rows)-body {
		mo.offset = max(0, len(rows)-body)
	}
	if len(rows) == 0 {
		empty := m.lang.T("monitor.empty")
		if mo.filter.Value() != "" {
			empty = m.lang.T("monitor.no_match")
		}
		lines = append(lines, m.st.Muted.Render(cells.Cut(empty, w)))
	}
	for i := mo.offset; i < len(rows) && i < mo.offset+body; i++ {
		v := rows[i]
		row := make([]string, len(cols))
		for j, c := range cols {
			text := c.cell(m, v)
			if c.right {
				row[j] = cells.FitRight(text, c.w)
			} else {
				row[j] = cells.Fit(text, c.w)
			}
		}
		line := strings.Join(row, " ")
		if i == mo.cursor {
			line = m.st.RowSelected.Render(cells.FitStyled(cells.Strip(line), w))
		}
		lines = append(lines, line)
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	if mo.filtering || mo.filter.Value() != "" {
		mo.filter.Width = max(1, w-4)
		lines = append(lines[:h-1], mo.filter.View())
	}
	return cells.Place(lines, w, h)
}
