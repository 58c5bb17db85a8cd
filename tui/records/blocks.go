package records

import (
	"errors"
	"sort"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
)

// Blocks is the blacklist screen (屏蔽列表): the blocks of the agent's sites, newest first,
// those in force or all of them, and lifting one after a confirmation. Every agent sees the
// list; lifting is for the site's admins (设置中心), and the screen says so to the others.
type Blocks struct {
	ctx     Context
	all     bool // lifted and expired blocks too
	items   []store.Block
	mayLift map[uint64]bool // by site, as the desk answered at the last load
	loaded  bool
	loading int // sequence of the newest load, so a stale answer is ignored
	err     error
	list    list
	rows    int    // list rows at the last View, for paging
	confirm uint64 // the block awaiting y to be lifted
	notice  string
	failed  bool
}

type (
	blocksLoadedMsg struct {
		seq     int
		items   []store.Block
		mayLift map[uint64]bool
		err     error
	}
	blockLiftedMsg struct {
		id  uint64
		err error
	}
)

// NewBlocks builds the blocks screen; Init loads it.
func NewBlocks(ctx Context) *Blocks { return &Blocks{ctx: ctx} }

// Init loads the list.
func (b *Blocks) Init() tea.Cmd { return b.load() }

func (b *Blocks) load() tea.Cmd {
	b.loading++
	seq, as, sites, all := b.loading, b.ctx.Agent, b.ctx.sites(), b.all
	return func() tea.Msg {
		var out []store.Block
		var firstErr error
		mayLift := map[uint64]bool{}
		for _, site := range sites {
			mayLift[site] = as.MayUnblock(site)
			bs, err := as.Blocks(site, !all)
			if err != nil {
				firstErr = err
				continue
			}
			out = append(out, bs...)
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
		if len(out) > 0 {
			firstErr = nil // some sites are enough to show
		}
		return blocksLoadedMsg{seq: seq, items: out, mayLift: mayLift, err: firstErr}
	}
}

// Capturing reports whether the screen takes every key (a confirmation is open).
func (b *Blocks) Capturing() bool { return b.confirm != 0 }

// HelpKeys are the screen's keys for the workbench's help; lifting only for those who may.
func (b *Blocks) HelpKeys() []key.Binding {
	l := b.ctx.Lang
	keys := []key.Binding{binding(l, "records.key.move", "↑/↓", "up", "down", "k", "j")}
	if b.mayLiftAny() {
		keys = append(keys, binding(l, "block.key.lift", "u", "u", "delete"))
	}
	return append(keys, binding(l, "block.key.all", "a", "a"), binding(l, "records.key.refresh", "r", "r"))
}

// Update handles keys and the desk's answers.
func (b *Blocks) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case RefreshMsg:
		return b.load()
	case blocksLoadedMsg:
		if msg.seq != b.loading {
			return nil
		}
		b.loaded, b.err, b.mayLift = true, msg.err, msg.mayLift
		if msg.err == nil {
			b.items = msg.items
		}
		b.list.clamp(len(b.items), max(1, b.rows))
	case blockLiftedMsg:
		if errors.Is(msg.err, desk.ErrForbidden) {
			b.notice, b.failed = b.ctx.Lang.T("block.err.lift_forbidden"), true
			return b.load() // the permission changed: the keys line follows
		}
		if msg.err != nil {
			b.notice, b.failed = errText(b.ctx.Lang, msg.err), true
			return nil
		}
		b.notice, b.failed = b.ctx.Lang.T("block.lifted"), false
		return b.load()
	case tea.KeyMsg:
		return b.key(msg)
	}
	return nil
}

func (b *Blocks) key(k tea.KeyMsg) tea.Cmd {
	if b.confirm != 0 {
		id := b.confirm
		b.confirm = 0
		switch k.String() {
		case "y", "Y", "enter":
			as := b.ctx.Agent
			return func() tea.Msg { return blockLiftedMsg{id: id, err: as.Unblock(id)} }
		}
		b.notice = ""
		return nil
	}
	b.notice = "" // the last answer is read once something else is done
	if b.list.keyNav(k, len(b.items), b.rows-1) {
		b.list.clamp(len(b.items), b.rows)
		return nil
	}
	switch k.String() {
	case "u", "delete":
		sel := b.selected()
		switch {
		case sel == nil || !sel.Active(b.ctx.now()):
		case !b.mayLift[sel.SiteID]:
			b.notice, b.failed = b.ctx.Lang.T("block.err.lift_forbidden"), true
		default:
			b.confirm = sel.ID
			b.notice = ""
		}
	case "a":
		b.all = !b.all
		b.list = list{}
		return b.load()
	case "r":
		return b.load()
	}
	return nil
}

func (b *Blocks) selected() *store.Block {
	if b.list.cursor < 0 || b.list.cursor >= len(b.items) {
		return nil
	}
	return &b.items[b.list.cursor]
}

// target is who a block refuses, as the list shows it.
func (b *Blocks) target(x *store.Block) string {
	l := b.ctx.Lang
	if x.VisitorID == 0 {
		return "IP " + cells.Safe(x.IP)
	}
	if x.Name != "" {
		return cells.Safe(x.Name)
	}
	return l.T("visitor.number", x.VisitorID)
}

// state words whether a block is in force, lifted or expired.
func (b *Blocks) state(x *store.Block) string {
	l := b.ctx.Lang
	switch {
	case !x.Lifted.IsZero():
		return l.T("block.state.lifted")
	case !x.Active(b.ctx.now()):
		return l.T("block.state.expired")
	}
	return l.T("block.state.active")
}

// until is how long a block lasts.
func (b *Blocks) until(x *store.Block) string {
	if x.Until.IsZero() {
		return b.ctx.Lang.T("block.dur.forever")
	}
	return stamp(x.Until, b.ctx.now())
}

// View draws the screen in w×h cells.
func (b *Blocks) View(w, h int) string {
	st, l := b.ctx.Styles, b.ctx.Lang
	now := b.ctx.now()
	show := l.T("block.showing_active")
	if b.all {
		show = l.T("block.showing_all")
	}
	lines := []string{cells.Cut(st.PaneTitle.Render(l.T("block.list_title"))+"  "+st.Counts.Render(l.T("block.count", len(b.items), show)), w)}

	var cols []column
	var cellsOf func(x *store.Block) []string
	switch {
	case w >= 100:
		cols = []column{{l.T("block.col.state"), 6}, {l.T("block.col.target"), 20}, {"IP", 15}, {l.T("block.col.until"), 11},
			{l.T("block.col.by"), 10}, {l.T("block.col.created"), 11}, {l.T("block.col.reason"), 0}}
		cellsOf = func(x *store.Block) []string {
			return []string{b.state(x), b.target(x), cells.Safe(x.IP), b.until(x), cells.Safe(x.ByName), stamp(x.Created, now), cells.Safe(x.Reason)}
		}
	case w >= 60:
		cols = []column{{l.T("block.col.state"), 6}, {l.T("block.col.target"), 18}, {l.T("block.col.until"), 11}, {l.T("block.col.reason"), 0}}
		cellsOf = func(x *store.Block) []string {
			return []string{b.state(x), b.target(x), b.until(x), cells.Safe(x.Reason)}
		}
	default:
		cols = []column{{l.T("block.col.target"), 14}, {l.T("block.col.until"), 11}, {l.T("block.col.reason"), 0}}
		cellsOf = func(x *store.Block) []string { return []string{b.target(x), b.until(x), cells.Safe(x.Reason)} }
	}
	cols = layout(cols, w, 4)

	foot := b.footer(w)
	rows := max(1, h-len(lines)-1-len(foot))
	b.rows = rows
	switch {
	case b.err != nil && len(b.items) == 0:
		lines = append(lines, st.Error.Render(cells.Cut(errText(l, b.err), w)))
	case !b.loaded:
		lines = append(lines, st.Muted.Render(l.T("records.loading")))
	case len(b.items) == 0:
		lines = append(lines, st.Muted.Render(cells.Cut(l.T("block.none"), w)))
	default:
		lines = append(lines, st.TableHeader.Render(row(cols, titles(cols))))
		b.list.clamp(len(b.items), rows)
		for i := b.list.offset; i < len(b.items) && i < b.list.offset+rows; i++ {
			x := &b.items[i]
			text := row(cols, cellsOf(x))
			switch {
			case i == b.list.cursor:
				text = st.RowSelected.Render(text)
			case !x.Active(now):
				text = st.Muted.Render(text)
			default:
				text = st.Row.Render(text)
			}
			lines = append(lines, text)
		}
	}
	body := cells.Place(lines, w, max(0, h-len(foot)))
	if len(foot) == 0 {
		return body
	}
	return body + "\n" + cells.Place(foot, w, len(foot))
}

// footer is the confirmation, the last notice, or the keys.
func (b *Blocks) footer(w int) []string {
	st, l := b.ctx.Styles, b.ctx.Lang
	switch {
	case b.confirm != 0:
		for i := range b.items {
			if b.items[i].ID == b.confirm {
				return []string{st.Notice.Render(cells.Cut(l.T("block.confirm_lift", b.target(&b.items[i])), w))}
			}
		}
	case b.notice != "" && b.failed:
		// A refusal is read in full, on narrow phones too: up to three lines.
		var out []string
		for i, s := range cells.Wrap(b.notice, w) {
			if i == 3 {
				break
			}
			out = append(out, st.Error.Render(s))
		}
		return out
	case b.notice != "":
		return []string{st.OK.Render(cells.Cut(b.notice, w))}
	}
	keys, short := l.T("block.keys_list"), l.T("block.keys_short")
	if !b.mayLiftAny() {
		keys, short = l.T("block.keys_list_nolift"), l.T("block.keys_short_nolift")
	}
	if cells.Width(keys) > w {
		keys = short
	}
	return []string{st.HelpDesc.Render(cells.Cut(keys, w))}
}

// mayLiftAny reports whether the agent may lift blocks on any of their sites (before the
// first load: yes, so the keys line does not flicker for admins).
func (b *Blocks) mayLiftAny() bool {
	if b.mayLift == nil {
		return true
	}
	for _, ok := range b.mayLift {
		if ok {
			return true
		}
	}
	return false
}
