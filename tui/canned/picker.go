package canned

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
)

// Picker is the side panel 常用语 of the chat page: the agent's personal replies and the
// site's public ones, in groups, numbered; a search box filters them by title or content, and
// Enter (or typing an entry's full number) hands the reply's text to the caller as a ChosenMsg.
// It has its own search input, so what the agent typed in the chat input stays there.
type Picker struct {
	ctx  Context
	keys pickerKeys

	open    bool
	loading bool
	seq     int
	site    uint64
	replies []store.CannedReply // personal first, then public
	byID    map[uint64]int      // reply id → index in replies
	err     error

	search textinput.Model
	shown  []int // indexes into replies that match the search, in display order
	sel    int   // index into shown
	offset int   // first body line drawn
}

type pickerKeys struct {
	Up, Down, PageUp, PageDown, Choose, Number, Close key.Binding
}

// NewPicker builds the picker, closed.
func NewPicker(ctx Context) *Picker {
	l := ctx.Lang
	return &Picker{
		ctx:    ctx,
		search: newSearch(ctx.Styles, l),
		keys: pickerKeys{
			Up:       binding(l, "canned.key.up", "↑", "up", "ctrl+p"),
			Down:     binding(l, "canned.key.down", "↓", "down", "ctrl+n"),
			PageUp:   binding(l, "canned.key.page_up", "pgup", "pgup"),
			PageDown: binding(l, "canned.key.page_down", "pgdown", "pgdown"),
			Choose:   binding(l, "canned.key.choose", "enter", "enter"),
			Number:   key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("01…", l.T("canned.key.number"))),
			Close:    binding(l, "canned.key.close", "esc", "esc"),
		},
	}
}

// Open shows the picker with an empty search box, focused, and (re)loads the replies of the
// active chat's site.
func (p *Picker) Open() tea.Cmd {
	p.open = true
	p.search.Reset()
	p.search.Focus()
	p.sel, p.offset = 0, 0
	p.filter()
	return p.Load()
}

// Load (re)reads the replies of the active chat's site without opening the picker, so that
// Expand has them: call it when the active chat changes.
func (p *Picker) Load() tea.Cmd {
	p.seq++
	p.loading = true
	seq, site, as := p.seq, p.ctx.site(), p.ctx.Agent
	return func() tea.Msg {
		msg := fetch(as, site)
		msg.owner, msg.seq = p, seq
		return msg
	}
}

// IsOpen reports whether the picker is showing.
func (p *Picker) IsOpen() bool { return p.open }

// Close hides the picker without a message (the caller closes it itself).
func (p *Picker) Close() {
	p.open = false
	p.search.Blur()
}

// Replies are the replies last loaded, personal first: what Expand needs.
func (p *Picker) Replies() []store.CannedReply { return p.replies }

// Expand is Expand with the replies last loaded.
func (p *Picker) Expand(input string) (string, bool) { return Expand(p.replies, input) }

// HelpKeys are the picker's keys, for the workbench's help.
func (p *Picker) HelpKeys() []key.Binding {
	k := p.keys
	return []key.Binding{k.Up, k.Down, k.Choose, k.Number, k.Close}
}

// Update handles the keys while the picker is open, and its own load messages at any time.
func (p *Picker) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.owner != p || msg.seq != p.seq {
			return nil
		}
		p.loading = false
		p.site, p.replies, p.err = msg.site, msg.replies, msg.readErr
		p.byID = make(map[uint64]int, len(p.replies))
		for i, c := range p.replies {
			p.byID[c.ID] = i
		}
		p.filter()
		return nil
	case tea.KeyMsg:
		if !p.open {
			return nil
		}
		return p.key(msg)
	}
	if !p.open {
		return nil
	}
	var cmd tea.Cmd
	p.search, cmd = p.search.Update(msg)
	return cmd
}

func (p *Picker) key(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, p.keys.Close):
		p.Close()
		return func() tea.Msg { return ClosedMsg{} }
	case key.Matches(k, p.keys.Choose):
		return p.choose()
	case key.Matches(k, p.keys.Up):
		p.sel = max(0, p.sel-1)
		return nil
	case key.Matches(k, p.keys.Down):
		p.sel = max(0, min(len(p.shown)-1, p.sel+1))
		return nil
	case key.Matches(k, p.keys.PageUp):
		p.sel = max(0, p.sel-10)
		return nil
	case key.Matches(k, p.keys.PageDown):
		p.sel = max(0, min(len(p.shown)-1, p.sel+10))
		return nil
	case k.String() == "/" && p.search.Value() == "":
		return nil // the search box already has the focus
	}
	before := p.search.Value()
	var cmd tea.Cmd
	p.search, cmd = p.search.Update(k)
	if p.search.Value() != before {
		p.sel, p.offset = 0, 0
		if p.filter() {
			return p.choose()
		}
	}
	return cmd
}

// filter recomputes the entries shown for the search. A query of digits also selects the
// entry of that number; typed in full ("05" of 36 replies) it chooses it, which filter
// reports.
func (p *Picker) filter() (choose bool) {
	q := strings.TrimSpace(p.search.Value())
	p.shown = p.shown[:0]
	matches := map[int]bool{}
	for _, c := range desk.SearchCanned(p.replies, q) {
		matches[p.byID[c.ID]] = true
	}
	num := -1
	if n, err := strconv.Atoi(q); err == nil && q[0] != '+' && q[0] != '-' && n >= 1 && n <= len(p.replies) {
		num = n - 1
		matches[num] = true
	}
	for i := range p.replies {
		if matches[i] {
			if i == num {
				p.sel = len(p.shown)
			}
			p.shown = append(p.shown, i)
		}
	}
	p.sel = max(0, min(p.sel, len(p.shown)-1))
	return num >= 0 && len(q) == numberWidth(len(p.replies))
}

// choose hands the selected reply to the caller and closes.
func (p *Picker) choose() tea.Cmd {
	if p.sel >= len(p.shown) {
		return nil
	}
	text := p.replies[p.shown[p.sel]].Text
	p.Close()
	return func() tea.Msg { return ChosenMsg{Text: text} }
}

// View draws the picker in exactly h lines of at most w cells.
func (p *Picker) View(w, h int) string {
	st, l := p.ctx.Styles, p.ctx.Lang
	head := st.PaneTitle.Render(l.T("canned.title"))
	if q := strings.TrimSpace(p.search.Value()); q != "" {
		head += " " + st.Muted.Render(fmt.Sprintf("%d/%d", len(p.shown), len(p.replies)))
	} else if len(p.replies) > 0 {
		head += " " + st.Muted.Render(fmt.Sprintf("(%d)", len(p.replies)))
	}
	lines := []string{cells.Cut(head, w)}
	prompt := st.Accent.Render(l.T("canned.search") + " ")
	p.search.Width = max(1, w-cells.Width(prompt)-1)
	lines = append(lines, cells.Cut(prompt+p.search.View(), w))

	footer := ""
	if h >= 8 {
		footer = st.Muted.Render(cells.Cut(l.T("canned.picker_keys"), w))
	}
	bodyH := h - len(lines)
	if footer != "" {
		bodyH--
	}
	body := p.body(w, bodyH)
	for len(body) < bodyH {
		body = append(body, "")
	}
	lines = append(lines, body...)
	if footer != "" {
		lines = append(lines, footer)
	}
	return cells.Place(lines, w, h)
}

// body is the list under the search box, scrolled to show the selection, in h lines.
func (p *Picker) body(w, h int) []string {
	st, l := p.ctx.Styles, p.ctx.Lang
	if h <= 0 {
		return nil
	}
	var msg []string
	switch {
	case p.loading && len(p.replies) == 0:
		msg = []string{st.Muted.Render(l.T("canned.loading"))}
	case len(p.replies) == 0 && p.err != nil:
		msg = cells.Wrap(st.Error.Render(explain(l, p.err)), w)
	case len(p.replies) == 0:
		msg = append([]string{st.Muted.Render(l.T("canned.none"))}, cells.Wrap(l.T("canned.none_hint"), w)...)
	case len(p.shown) == 0:
		msg = []string{st.Muted.Render(l.T("canned.no_match", cells.Safe(p.search.Value())))}
	}
	if msg != nil {
		for i := range msg {
			msg[i] = cells.Cut(msg[i], w)
		}
		return msg
	}
	lines, selLine := p.layout(w)
	if p.err != nil && len(lines) < h { // the personal ones came, the site's did not
		lines = append(lines, st.Error.Render(cells.Cut(explain(l, p.err), w)))
	}
	// Keep the selection in sight, with its group's header when it is just above.
	if selLine-1 < p.offset {
		p.offset = max(0, selLine-2)
	}
	if selLine >= p.offset+h {
		p.offset = selLine - h + 1
	}
	p.offset = max(0, min(p.offset, len(lines)-h))
	return lines[p.offset:min(len(lines), p.offset+h)]
}

// layout lays the shown replies out by scope and group, and says which line is selected.
func (p *Picker) layout(w int) (lines []string, selLine int) {
	st, l := p.ctx.Styles, p.ctx.Lang
	width := numberWidth(len(p.replies))
	// Counts per group of what is shown.
	type groupKey struct {
		personal bool
		name     string
	}
	counts := map[groupKey]int{}
	for _, i := range p.shown {
		c := &p.replies[i]
		counts[groupKey{c.Personal(), c.Group}]++
	}
	var last *groupKey
	for n, i := range p.shown {
		c := &p.replies[i]
		g := groupKey{c.Personal(), c.Group}
		if last == nil || last.personal != g.personal {
			scope := l.T("canned.mine")
			if !g.personal {
				scope = l.T("canned.public")
			}
			lines = append(lines, st.Accent.Render(cells.Cut(scope, w)))
		}
		if last == nil || *last != g {
			lines = append(lines, st.Muted.Render(cells.Cut(fmt.Sprintf("▾ %s(%d)", groupName(l, g.name), counts[g]), w)))
		}
		last = &g
		if n == p.sel {
			selLine = len(lines)
		}
		lines = append(lines, entryLine(st, i+1, width, c, w, n == p.sel))
	}
	return lines, selLine
}
