package tui

import (
	"kefu/tui/cells"

	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/hub"
	"kefu/server/i18n"
)

// column is one column of the visitor monitor (访客监控).
type column struct {
	id       string
	title    string // catalog key
	min, max int    // display cells
	priority int    // lower stays longer when the terminal is narrow
	right    bool
	cell     func(m *Model, v *hub.VisitorView) string
	less     func(a, b *hub.VisitorView) bool
}

// columns in display order, as the product guide lists them.
func monitorColumns() []column {
	return []column{
		{id: "kind", title: "col.kind", min: 4, max: 4, priority: 6, cell: kindCell,
			less: func(a, b *hub.VisitorView) bool { return a.Kind < b.Kind }},
		{id: "channel", title: "col.channel", min: 4, max: 4, priority: 7, cell: channelCell,
			less: func(a, b *hub.VisitorView) bool { return a.Channel < b.Channel }},
		{id: "name", title: "col.name", min: 8, max: 18, priority: 1, cell: func(m *Model, v *hub.VisitorView) string { return m.nameOf(v) },
			less: func(a, b *hub.VisitorView) bool { return a.Name+fmt.Sprint(a.ID) < b.Name+fmt.Sprint(b.ID) }},
		{id: "visits", title: "col.visits", min: 4, max: 4, priority: 10, right: true,
			cell: func(m *Model, v *hub.VisitorView) string { return fmt.Sprint(v.Visits) },
			less: func(a, b *hub.VisitorView) bool { return a.Visits < b.Visits }},
		{id: "region", title: "col.region", min: 10, max: 28, priority: 3, cell: regionCell,
			less: func(a, b *hub.VisitorView) bool { return a.Region+a.IP < b.Region+b.IP }},
		{id: "stay", title: "col.stay", min: 8, max: 8, priority: 9, right: true,
			cell: func(m *Model, v *hub.VisitorView) string { return clock(m.now.Sub(v.VisitStart)) },
			less: func(a, b *hub.VisitorView) bool { return a.VisitStart.After(b.VisitStart) }},
		{id: "last", title: "col.last", min: 8, max: 8, priority: 11, right: true,
			cell: func(m *Model, v *hub.VisitorView) string { return v.LastActive.Local().Format("15:04:05") },
			less: func(a, b *hub.VisitorView) bool { return a.LastActive.Before(b.LastActive) }},
		{id: "source", title: "col.source", min: 8, max: 24, priority: 8, cell: sourceCell,
			less: func(a, b *hub.VisitorView) bool { return a.Source < b.Source }},
		{id: "page", title: "col.page", min: 10, max: 60, priority: 4, cell: pageCell,
			less: func(a, b *hub.VisitorView) bool { return a.PageTitle+a.PageURL < b.PageTitle+b.PageURL }},
		{id: "agent", title: "col.agent", min: 6, max: 10, priority: 5, cell: func(m *Model, v *hub.VisitorView) string { return cells.Safe(v.AgentName) },
			less: func(a, b *hub.VisitorView) bool { return a.AgentName < b.AgentName }},
		{id: "state", title: "col.state", min: 6, max: 8, priority: 2, cell: stateCell,
			less: func(a, b *hub.VisitorView) bool { return a.State < b.State }},
	}
}

func kindCell(m *Model, v *hub.VisitorView) string {
	st := map[hub.VisitorKind]func(...string) string{
		hub.KindNew: m.st.KindNew.Render, hub.KindReturning: m.st.KindReturning.Render,
		hub.KindIntent: m.st.KindIntent.Render, hub.KindMember: m.st.KindMember.Render,
	}[v.Kind]
	text := m.lang.T("kind." + string(v.Kind))
	if st == nil {
		return text
	}
	return st(text)
}

func channelCell(m *Model, v *hub.VisitorView) string {
	if v.Channel == "" {
		return ""
	}
	return m.lang.T("channel." + v.Channel)
}

func regionCell(m *Model, v *hub.VisitorView) string {
	region := v.Region
	if m.lang == i18n.EN {
		region = v.RegionEN
	}
	if v.IP == "" {
		return cells.Safe(region)
	}
	return cells.Safe(region) + "(" + cells.Safe(v.IP) + ")"
}

func sourceCell(m *Model, v *hub.VisitorView) string {
	if m.lang == i18n.EN && v.SourceEN != "" {
		return cells.Safe(v.SourceEN)
	}
	if v.Source == "" {
		return m.lang.T("source.direct")
	}
	return cells.Safe(v.Source)
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
		return m.st.OK.Render(text)
	case hub.StateWaiting, hub.StateQueued:
		return m.st.Waiting.Render(text)
	case hub.StateInvited:
		return m.st.Accent.Render(text)
	}
	return m.st.Muted.Render(text)
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
	index   map[uint64]int     // visitor id → position in rows
	dirty   bool
	cursor  int
	offset  int
	selID   uint64
	sortCol string
	sortRev bool

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
	return &monitor{m: m, cols: monitorColumns(), dirty: true, sortCol: "stay", filter: ti}
}

func (mo *monitor) invalidate() { mo.dirty = true }

// changed takes a visitor's new view. When it keeps its place (same sort key, still matching
// the filter) it is swapped in; only otherwise are the rows sorted again — with thousands of
// visitors, most changes (a page view, a heartbeat of activity) move nobody.
func (mo *monitor) changed(old, v *hub.VisitorView) {
	i, ok := mo.index[v.ID]
	if mo.dirty || old == nil || !ok || i >= len(mo.rows) || mo.rows[i].ID != v.ID {
		mo.dirty = true
		return
	}
	if q := strings.ToLower(strings.TrimSpace(mo.filter.Value())); q != "" && !matches(mo.m, v, q) {
		mo.dirty = true
		return
	}
	if less := mo.less(); less != nil && (less(old, v) || less(v, old)) {
		mo.dirty = true
		return
	}
	mo.rows[i] = v
}

// less is the sort column's order.
func (mo *monitor) less() func(a, b *hub.VisitorView) bool {
	for _, c := range mo.cols {
		if c.id == mo.sortCol {
			return c.less
		}
	}
	return nil
}

// visible returns the sorted, filtered rows, rebuilding them only after a change.
func (mo *monitor) visible() []*hub.VisitorView {
	if !mo.dirty {
		return mo.rows
	}
	mo.dirty = false
	q := strings.ToLower(strings.TrimSpace(mo.filter.Value()))
	rows := mo.rows[:0]
	for _, v := range mo.m.live.visitors {
		if q == "" || matches(mo.m, v, q) {
			rows = append(rows, v)
		}
	}
	less := mo.less()
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if less != nil {
			if mo.sortRev {
				a, b = b, a
			}
			if less(a, b) {
				return true
			}
			if less(b, a) {
				return false
			}
		}
		return rows[i].ID > rows[j].ID
	})
	mo.rows = rows
	if mo.index == nil {
		mo.index = make(map[uint64]int, len(rows))
	}
	clear(mo.index)
	// Keep the selection on the same visitor across re-sorts.
	mo.cursor = 0
	for i, v := range rows {
		mo.index[v.ID] = i
		if v.ID == mo.selID {
			mo.cursor = i
		}
	}
	if len(rows) > 0 {
		mo.selID = rows[mo.cursor].ID
	}
	return rows
}

func matches(m *Model, v *hub.VisitorView, q string) bool {
	for _, s := range []string{m.nameOf(v), v.Region, v.RegionEN, v.IP, v.PageTitle, v.PageURL, v.Source, v.SourceEN, v.Keyword, v.AgentName, fmt.Sprint(v.ID)} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
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

// cycleSort moves the sort to the next visible column; S reverses it.
func (mo *monitor) cycleSort(reverse bool) {
	if reverse {
		mo.sortRev = !mo.sortRev
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
		mo.sortCol, mo.sortRev = cols[next].id, false
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

// layoutCol is a column with its width for this frame.
type layoutCol struct {
	column
	w int
}

// comfortable widths of the columns that say who and where: while they would be narrower,
// the least important of the other columns makes room.
var comfortable = map[string]int{"name": 12, "region": 18, "page": 20}

// layout picks the columns that fit in w cells, most important first, and shares out the
// spare width. At narrow widths the least important columns go first.
func (mo *monitor) layout(w int) []layoutCol {
	// A column is never narrower than its title (plus the arrow when sorted by it).
	cols := make([]column, len(mo.cols))
	copy(cols, mo.cols)
	for i := range cols {
		tw := cells.Width(mo.m.lang.T(cols[i].title))
		if cols[i].id == mo.sortCol {
			tw++
		}
		cols[i].min = max(cols[i].min, tw)
		cols[i].max = max(cols[i].max, tw)
	}
	byPri := make([]int, len(cols))
	for i := range byPri {
		byPri[i] = i
	}
	sort.Slice(byPri, func(a, b int) bool { return cols[byPri[a]].priority < cols[byPri[b]].priority })
	limit := len(cols)
	for {
		out := fitColumns(cols, byPri[:limit], w)
		if limit <= 3 || comfortableEnough(out) {
			return out
		}
		limit--
	}
}

func comfortableEnough(out []layoutCol) bool {
	for _, c := range out {
		if want, ok := comfortable[c.id]; ok && c.w < min(want, c.max) {
			return false
		}
	}
	return true
}

// fitColumns lays out the columns in allowed (indexes by priority) that fit in w.
func fitColumns(cols []column, allowed []int, w int) []layoutCol {
	keep := make([]bool, len(cols))
	used := 0
	for _, i := range allowed {
		need := cols[i].min
		if used > 0 {
			need++ // separator
		}
		if used+need > w {
			continue
		}
		keep[i] = true
		used += need
	}
	var out []layoutCol
	for i, c := range cols {
		if keep[i] {
			out = append(out, layoutCol{column: c, w: c.min})
		}
	}
	// Share the spare width, the page and where-from columns first.
	grow := map[string]int{"page": 4, "region": 3, "source": 2, "name": 2, "agent": 1, "state": 1}
	spare := w - used
	for spare > 0 {
		grew := false
		for i := range out {
			for n := grow[out[i].id]; n > 0 && spare > 0 && out[i].w < out[i].max; n-- {
				out[i].w++
				spare--
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	return out
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
	for _, v := range m.live.visitors {
		switch v.State {
		case hub.StateChatting:
			chatting++
		case hub.StateInvited:
			invited++
		case hub.StateWaiting, hub.StateQueued:
			waiting++
		}
	}
	counts := m.lang.T("monitor.counts", len(m.live.visitors), chatting, invited)
	if waiting > 0 {
		counts += m.st.Waiting.Render(m.lang.T("monitor.waiting", waiting))
	}
	lines = append(lines, m.st.Counts.Render(cells.Cut(counts, w)))

	var hdr []string
	for _, c := range cols {
		title := m.lang.T(c.title)
		if c.id == mo.sortCol {
			if mo.sortRev {
				title += "↑"
			} else {
				title += "↓"
			}
		}
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
