package canned

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
	"kefu/tui/theme"
)

// Manager is the screen where canned replies are kept (常用语设置): the agent's personal
// replies, and the chosen site's public ones if the agent may read them — to change those,
// the settings permission on the site. Add and edit in a form, delete after a confirmation,
// move replies up and down within their group and whole groups among the groups, search by
// title or content; CSV text comes in through a paste form, and CSV files over SSH
// (`canned import`), which the form shows how. The replies are read again whenever the
// screen is shown (RefreshMsg), after every change and on r, so an import done over SSH
// meanwhile shows.
type Manager struct {
	ctx  Context
	keys managerKeys

	seq     int
	loading bool
	site    uint64
	mine    []store.CannedReply
	public  []store.CannedReply
	mayRead bool
	mayEdit bool
	readErr error

	tab    int // tabMine or tabPublic
	sel    int // index into the tab's shown replies
	selID  uint64
	offset int

	search    textinput.Model
	searching bool

	imp *importer // the CSV import form, in modeImport

	mode       mode
	form       *huh.Form
	in         *desk.CannedInput // the values the form edits
	editID     uint64            // 0: a new reply
	formPublic bool              // the form's reply is public
	formErr    string            // the server's refusal of the last save
	saving     bool

	notice    string
	noticeErr bool
	w, h      int // the size of the last View, for the form
}

type mode int

const (
	modeList mode = iota
	modeForm
	modeConfirm
	modeImport
)

const (
	tabMine = iota
	tabPublic
)

type managerKeys struct {
	Up, Down, PageUp, PageDown, Tab, Add, Edit, Delete, MoveUp, MoveDown, GroupUp, GroupDown, Search, Import, Refresh key.Binding
	ImportSave, ImportBack                                                                                            key.Binding // in the import form
}

// NewManager builds the manager; Init loads it.
func NewManager(ctx Context) *Manager {
	l := ctx.Lang
	return &Manager{
		ctx:    ctx,
		search: newSearch(ctx.Styles, l),
		keys: managerKeys{
			Up:         binding(l, "canned.key.up", "↑", "up", "k"),
			Down:       binding(l, "canned.key.down", "↓", "down", "j"),
			PageUp:     binding(l, "canned.key.page_up", "pgup", "pgup"),
			PageDown:   binding(l, "canned.key.page_down", "pgdown", "pgdown"),
			Tab:        binding(l, "canned.key.scope", "←→", "left", "right", "h", "l"),
			Add:        binding(l, "canned.key.add", "a", "a", "n"),
			Edit:       binding(l, "canned.key.edit", "e", "e", "enter"),
			Delete:     binding(l, "canned.key.delete", "d", "d", "delete"),
			MoveUp:     binding(l, "canned.key.move_up", "K", "K", "shift+up"),
			MoveDown:   binding(l, "canned.key.move_down", "J", "J", "shift+down"),
			GroupUp:    binding(l, "canned.key.group_up", "[", "[", "alt+up"),
			GroupDown:  binding(l, "canned.key.group_down", "]", "]", "alt+down"),
			Search:     binding(l, "canned.key.search", "/", "/"),
			Import:     binding(l, "canned.key.import_paste", "i", "i"),
			Refresh:    binding(l, "canned.key.refresh", "r", "r"),
			ImportSave: binding(l, "canned.key.import_save", "ctrl+s", "ctrl+s"),
			ImportBack: binding(l, "canned.key.import_back", "esc", "esc"),
		},
	}
}

// Init loads the replies of the chosen site.
func (m *Manager) Init() tea.Cmd { return m.reload("", nil, 0, false) }

// Capturing reports whether a form, the search box or a question has the keys, so the
// workbench must pass them all here (Tab and Esc included).
func (m *Manager) Capturing() bool { return m.mode != modeList || m.searching }

// HelpKeys are the manager's keys, for the workbench's help: the import form's own while it
// is open.
func (m *Manager) HelpKeys() []key.Binding {
	k := m.keys
	if m.mode == modeImport {
		return []key.Binding{k.ImportSave, k.ImportBack}
	}
	return []key.Binding{k.Up, k.Down, k.Tab, k.Add, k.Edit, k.Delete, k.MoveUp, k.MoveDown, k.GroupUp, k.GroupDown, k.Search, k.Import, k.Refresh}
}

// reload runs an action (nil: none) and reads the replies again, in a command; then the
// reply selID (or the one the action names) is selected, on the public tab if public.
func (m *Manager) reload(action string, do func() (notice string, id uint64, err error), selID uint64, public bool) tea.Cmd {
	m.seq++
	m.loading = true
	seq, site, as := m.seq, m.ctx.site(), m.ctx.Agent
	return func() tea.Msg {
		var notice string
		var err error
		if do != nil {
			var id uint64
			if notice, id, err = do(); id != 0 {
				selID = id
			}
		}
		msg := fetch(as, site)
		msg.owner, msg.seq = m, seq
		msg.action, msg.err, msg.notice, msg.selID, msg.publicT = action, err, notice, selID, public
		return msg
	}
}

// shown are the current tab's replies that match the search.
func (m *Manager) shown() []store.CannedReply {
	list := m.mine
	if m.tab == tabPublic {
		list = m.public
	}
	return desk.SearchCanned(list, m.search.Value())
}

func (m *Manager) selected() *store.CannedReply {
	list := m.shown()
	if m.sel < 0 || m.sel >= len(list) {
		return nil
	}
	c := list[m.sel]
	return &c
}

// selectID moves the selection to the reply with the id, if shown.
func (m *Manager) selectID(id uint64) {
	for i, c := range m.shown() {
		if c.ID == id {
			m.sel = i
			return
		}
	}
	m.sel = max(0, min(m.sel, len(m.shown())-1))
}

func (m *Manager) setNotice(text string, isErr bool) { m.notice, m.noticeErr = text, isErr }

// Update handles keys and the manager's own messages.
func (m *Manager) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.owner != m || msg.seq != m.seq {
			return nil
		}
		return m.loaded(msg)
	case checkedMsg:
		if msg.owner != m {
			return nil
		}
		return m.checked(msg)
	case RefreshMsg:
		if m.loading {
			return nil // a load under way reads the replies as they are now
		}
		return m.reload("", nil, m.selID, m.tab == tabPublic)
	}
	switch m.mode {
	case modeForm:
		return m.updateForm(msg)
	case modeConfirm:
		if k, ok := msg.(tea.KeyMsg); ok {
			return m.confirm(k)
		}
		return nil
	case modeImport:
		return m.updateImport(msg)
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if m.searching {
			var cmd tea.Cmd
			m.search, cmd = m.search.Update(msg)
			return cmd
		}
		return nil
	}
	if m.searching {
		return m.searchKey(k)
	}
	return m.listKey(k)
}

func (m *Manager) loaded(lm loadedMsg) tea.Cmd {
	m.loading = false
	m.site, m.readErr, m.mayRead, m.mayEdit = lm.site, lm.readErr, lm.mayRead, lm.mayEdit
	m.mine, m.public = nil, nil
	for _, c := range lm.replies {
		if c.Personal() {
			m.mine = append(m.mine, c)
		} else {
			m.public = append(m.public, c)
		}
	}
	if !m.mayRead {
		m.tab = tabMine
	}
	switch {
	case lm.action == "import" && m.imp != nil && lm.err != nil:
		m.imp.saving, m.imp.problem = false, explain(m.ctx.Lang, lm.err)
		return nil
	case lm.action == "import":
		m.mode, m.imp = modeList, nil
		m.setNotice(lm.notice, false)
	case lm.err != nil && lm.action == "save":
		// Give the form back with what was typed and the refusal above it.
		m.formErr = explain(m.ctx.Lang, lm.err)
		return m.startForm()
	case lm.err != nil:
		m.setNotice(explain(m.ctx.Lang, lm.err), true)
	case lm.action == "save":
		m.mode, m.form = modeList, nil
		m.setNotice(lm.notice, false)
	case lm.notice != "":
		m.setNotice(lm.notice, false)
	}
	if lm.selID != 0 {
		if lm.publicT && m.mayRead {
			m.tab = tabPublic
		} else if !lm.publicT {
			m.tab = tabMine
		}
		m.selectID(lm.selID)
	} else {
		m.selectID(m.selID)
	}
	if c := m.selected(); c != nil {
		m.selID = c.ID
	}
	return nil
}

func (m *Manager) move(delta int) {
	n := len(m.shown())
	m.sel = max(0, min(n-1, m.sel+delta))
	if c := m.selected(); c != nil {
		m.selID = c.ID
	}
}

func (m *Manager) listKey(k tea.KeyMsg) tea.Cmd {
	m.notice = ""
	keys := m.keys
	switch {
	case key.Matches(k, keys.Up):
		m.move(-1)
	case key.Matches(k, keys.Down):
		m.move(1)
	case key.Matches(k, keys.PageUp):
		m.move(-10)
	case key.Matches(k, keys.PageDown):
		m.move(10)
	case key.Matches(k, keys.Tab):
		if m.mayRead {
			m.tab = 1 - m.tab
			m.sel, m.offset = 0, 0
			m.move(0)
		}
	case key.Matches(k, keys.Search):
		m.searching = true
		return m.search.Focus()
	case key.Matches(k, keys.Import):
		return m.startImport()
	case key.Matches(k, keys.Refresh):
		return m.reload("", nil, m.selID, m.tab == tabPublic)
	case key.Matches(k, keys.GroupUp), key.Matches(k, keys.GroupDown):
		c := m.selected()
		if c == nil || !m.editable() {
			return nil
		}
		delta := -1
		if key.Matches(k, keys.GroupDown) {
			delta = 1
		}
		as, site, personal, group, id := m.ctx.Agent, m.site, c.Personal(), c.Group, c.ID
		return m.reload("move", func() (string, uint64, error) { return "", 0, as.MoveCannedGroup(site, personal, group, delta) }, id, !personal)
	case key.Matches(k, keys.Add):
		if !m.editable() {
			return nil
		}
		in := &desk.CannedInput{}
		if c := m.selected(); c != nil {
			in.Group = c.Group
		}
		m.in, m.editID, m.formPublic, m.formErr = in, 0, m.tab == tabPublic, ""
		return m.startForm()
	case key.Matches(k, keys.Edit):
		c := m.selected()
		if c == nil || !m.editable() {
			return nil
		}
		m.in = &desk.CannedInput{Group: c.Group, Title: c.Title, Text: c.Text, Shortcut: c.Shortcut}
		m.editID, m.formPublic, m.formErr = c.ID, !c.Personal(), ""
		return m.startForm()
	case key.Matches(k, keys.Delete):
		if m.selected() != nil && m.editable() {
			m.mode = modeConfirm
		}
	case key.Matches(k, keys.MoveUp), key.Matches(k, keys.MoveDown):
		c := m.selected()
		if c == nil || !m.editable() {
			return nil
		}
		delta := -1
		if key.Matches(k, keys.MoveDown) {
			delta = 1
		}
		as, id := m.ctx.Agent, c.ID
		return m.reload("move", func() (string, uint64, error) { return "", 0, as.MoveCanned(id, delta) }, id, !c.Personal())
	}
	return nil
}

// editable says whether the current tab may be changed, and tells the agent when not.
func (m *Manager) editable() bool {
	if m.tab == tabPublic && !m.mayEdit {
		m.setNotice(m.ctx.Lang.T("canned.read_only"), true)
		return false
	}
	return true
}

func (m *Manager) searchKey(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.search.Reset()
		fallthrough
	case "enter":
		m.searching = false
		m.search.Blur()
		m.selectID(m.selID)
		return nil
	case "up", "down":
		m.searching = false
		m.search.Blur()
		return m.listKey(k)
	}
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(k)
	m.sel, m.offset = 0, 0
	m.move(0)
	return cmd
}

func (m *Manager) confirm(k tea.KeyMsg) tea.Cmd {
	m.mode = modeList
	c := m.selected()
	if c == nil || (k.String() != "y" && k.String() != "Y") {
		return nil
	}
	as, id, l, title := m.ctx.Agent, c.ID, m.ctx.Lang, titleOf(c)
	m.sel = max(0, m.sel-1)
	if next := m.shown(); m.sel < len(next) {
		m.selID = next[m.sel].ID
	}
	return m.reload("delete", func() (string, uint64, error) { return l.T("canned.deleted", title), 0, as.DeleteCanned(id) }, 0, false)
}

// titleOf names a reply in a sentence: its title, else the start of its text.
func titleOf(c *store.CannedReply) string {
	if c.Title != "" {
		return cells.Safe(c.Title)
	}
	return cells.Cut(cells.Safe(c.Text), 20)
}

// startForm (re)builds the form on m.in at the last known size.
func (m *Manager) startForm() tea.Cmd {
	l := m.ctx.Lang
	in := m.in
	m.mode, m.saving = modeForm, false
	m.form = huh.NewForm(huh.NewGroup(
		huh.NewInput().Title(l.T("canned.f.group")).Placeholder(l.T("canned.group_default")).
			CharLimit(store.MaxCannedGroup).Value(&in.Group).Validate(check(l, desk.ValidateCannedGroup)),
		huh.NewInput().Title(l.T("canned.f.title")).CharLimit(store.MaxCannedTitle).Value(&in.Title).
			Validate(check(l, desk.ValidateCannedTitle)),
		huh.NewText().Title(l.T("canned.f.text")).Description(l.T("canned.f.text_hint")).CharLimit(store.MaxCannedText).
			Lines(4).ExternalEditor(false).Value(&in.Text).Validate(check(l, desk.ValidateCannedText)),
		huh.NewInput().Title(l.T("canned.f.shortcut")).Description(l.T("canned.f.shortcut_hint")).
			CharLimit(store.MaxCannedShortcut+1).Value(&in.Shortcut).Validate(check(l, desk.ValidateCannedShortcut)),
	)).WithTheme(m.ctx.Styles.Huh()).WithKeyMap(theme.FormKeys()).WithShowHelp(false).WithShowErrors(true).WithAccessible(false)
	if m.w > 0 {
		m.form.WithWidth(m.w).WithHeight(m.formHeight(m.h))
	}
	return m.form.Init()
}

// formHeight is what huh gets under the title and refusal lines, and above the key line.
func (m *Manager) formHeight(h int) int {
	used := 2
	if m.formErr != "" {
		used++
	}
	return max(4, h-used)
}

func (m *Manager) updateForm(msg tea.Msg) tea.Cmd {
	if m.saving || m.form == nil {
		return nil
	}
	f, cmd := m.form.Update(msg)
	if f, ok := f.(*huh.Form); ok {
		m.form = f
	}
	switch m.form.State {
	case huh.StateAborted:
		m.mode, m.form = modeList, nil
		return nil
	case huh.StateCompleted:
		m.saving = true
		as, in, id, public, site, l := m.ctx.Agent, *m.in, m.editID, m.formPublic, m.ctx.site(), m.ctx.Lang
		return m.reload("save", func() (string, uint64, error) {
			var c store.CannedReply
			var err error
			if id == 0 {
				c, err = as.CreateCanned(site, !public, in)
			} else {
				c, err = as.UpdateCanned(id, in)
			}
			if err != nil {
				return "", 0, err
			}
			return l.T("canned.saved", titleOf(&c)), c.ID, nil
		}, id, public)
	}
	return cmd
}

// View draws the manager in exactly h lines of at most w cells.
func (m *Manager) View(w, h int) string {
	if m.w != w || m.h != h {
		m.w, m.h = w, h
		if m.form != nil {
			m.form.WithWidth(w).WithHeight(m.formHeight(h))
		}
	}
	if h <= 0 || w <= 0 {
		return ""
	}
	switch {
	case m.mode == modeForm:
		return m.formView(w, h)
	case m.mode == modeImport && m.imp != nil:
		return m.importView(w, h)
	}
	st, l := m.ctx.Styles, m.ctx.Lang
	lines := []string{cells.Cut(st.PaneTitle.Render(l.T("canned.manager_title")), w), m.tabs(w)}
	if m.searching || m.search.Value() != "" {
		prompt := st.Accent.Render(l.T("canned.search") + " ")
		m.search.Width = max(1, w-cells.Width(prompt)-1)
		lines = append(lines, cells.Cut(prompt+m.search.View(), w))
	}
	foot := []string{m.footer(w)}
	if m.notice != "" && m.noticeErr && m.mode == modeList && !m.searching && h >= 8 {
		// A refusal is read in full, on narrow phones too: up to two lines.
		foot = nil
		for i, s := range cells.Wrap(m.notice, w) {
			if i < 2 {
				foot = append(foot, m.ctx.Styles.Error.Render(s))
			}
		}
	}
	lines = append(lines, m.body(w, h-len(lines)-len(foot))...)
	for len(lines) < h-len(foot) {
		lines = append(lines, "")
	}
	return cells.Place(append(lines[:h-len(foot)], foot...), w, h)
}

// tabs is the line of scopes: 我的常用语 and, if readable, the site's 公共常用语.
func (m *Manager) tabs(w int) string {
	st, l := m.ctx.Styles, m.ctx.Lang
	tab := func(on bool, s string) string {
		if on {
			return st.TabActive.Render(s)
		}
		return st.Tab.Render(s)
	}
	line := tab(m.tab == tabMine, l.T("canned.tab_mine", len(m.mine)))
	if m.mayRead {
		line += tab(m.tab == tabPublic, l.T("canned.tab_public", len(m.public)))
		if !m.mayEdit {
			line += st.Muted.Render(l.T("canned.read_only_tag"))
		}
	}
	return cells.Cut(line, w)
}

func (m *Manager) body(w, h int) []string {
	st, l := m.ctx.Styles, m.ctx.Lang
	list := m.shown()
	total := len(m.mine)
	if m.tab == tabPublic {
		total = len(m.public)
	}
	switch {
	case m.loading && total == 0:
		return []string{st.Muted.Render(cells.Cut(l.T("canned.loading"), w))}
	case total == 0:
		out := []string{st.Muted.Render(cells.Cut(l.T("canned.none"), w))}
		for _, s := range cells.Wrap(l.T("canned.none_hint_keys"), w) {
			out = append(out, st.Muted.Render(s))
		}
		if m.readErr != nil && m.tab == tabMine && m.site != 0 && !m.mayRead {
			out = append(out, "", st.Muted.Render(cells.Cut(explain(l, m.readErr), w)))
		}
		return out
	case len(list) == 0:
		return []string{st.Muted.Render(cells.Cut(l.T("canned.no_match", cells.Safe(m.search.Value())), w))}
	}
	wide := w >= 80
	var lines []string
	selLine := 0
	if wide {
		lines = append(lines, st.TableHeader.Render(" "+m.row(l.T("canned.col_no"), l.T("canned.f.title"), l.T("canned.f.shortcut"), l.T("canned.f.text"), w-1)))
	}
	width := numberWidth(total)
	counts := map[string]int{}
	for _, c := range list {
		counts[c.Group]++
	}
	// Numbers follow the whole tab, as the picker shows them, even while searching.
	number := map[uint64]int{}
	all := m.mine
	if m.tab == tabPublic {
		all = m.public
	}
	for i, c := range all {
		number[c.ID] = i + 1
	}
	for i := range list {
		c := &list[i]
		if i == 0 || list[i-1].Group != c.Group {
			lines = append(lines, st.Muted.Render(cells.Cut(fmt.Sprintf("▾ %s(%d)", groupName(l, c.Group), counts[c.Group]), w)))
		}
		if i == m.sel {
			selLine = len(lines)
		}
		if wide {
			shortcut := ""
			if c.Shortcut != "" {
				shortcut = "/" + cells.Safe(c.Shortcut)
			}
			lines = append(lines, mark(st, m.row(fmt.Sprintf("%0*d.", width, number[c.ID]), cells.Safe(c.Title), shortcut, cells.Safe(c.Text), w-1), w, i == m.sel))
		} else {
			lines = append(lines, entryLine(st, number[c.ID], width, c, w, i == m.sel))
		}
	}
	head := 0
	if wide {
		head = 1 // the column titles stay
	}
	if h <= head {
		return lines[:max(0, h)]
	}
	rows, rowsH := lines[head:], h-head
	sel := selLine - head
	if sel-1 < m.offset {
		m.offset = max(0, sel-1)
	}
	if sel >= m.offset+rowsH {
		m.offset = sel - rowsH + 1
	}
	m.offset = max(0, min(m.offset, len(rows)-rowsH))
	return append(lines[:head], rows[m.offset:min(len(rows), m.offset+rowsH)]...)
}

// row lays out a wide table row: number, title, shortcut, then the text in what is left.
func (m *Manager) row(no, title, shortcut, text string, w int) string {
	titleW := min(30, max(12, w/4))
	return cells.Fit(no, 5) + cells.Fit(title, titleW) + " " + cells.Fit(shortcut, 15) + " " + cells.Cut(text, max(1, w-5-titleW-17))
}

// footer is the notice, the delete question or the keys.
func (m *Manager) footer(w int) string {
	st, l := m.ctx.Styles, m.ctx.Lang
	switch {
	case m.mode == modeConfirm:
		if c := m.selected(); c != nil {
			return st.Warn.Render(cells.Cut(l.T("canned.confirm_delete", titleOf(c)), w))
		}
	case m.notice != "" && m.noticeErr:
		return st.Error.Render(cells.Cut(m.notice, w))
	case m.notice != "":
		return st.Notice.Render(cells.Cut(m.notice, w))
	case m.searching:
		return st.Muted.Render(cells.Cut(l.T("canned.search_keys"), w))
	}
	choices := []string{l.T("canned.keys_long"), l.T("canned.keys_medium"), l.T("canned.keys_short")}
	if m.tab == tabPublic && !m.mayEdit {
		choices = []string{l.T("canned.keys_ro_long"), l.T("canned.keys_ro_short")}
	}
	keys := choices[len(choices)-1]
	for _, c := range choices {
		if cells.Width(c) <= w {
			keys = c
			break
		}
	}
	return st.Muted.Render(cells.Cut(keys, w))
}

func (m *Manager) formView(w, h int) string {
	st, l := m.ctx.Styles, m.ctx.Lang
	title := l.T("canned.add_mine")
	switch {
	case m.editID != 0:
		title = l.T("canned.edit")
	case m.formPublic:
		title = l.T("canned.add_public")
	}
	lines := []string{st.PaneTitle.Render(cells.Cut(title, w))}
	if m.formErr != "" {
		lines = append(lines, st.Error.Render(cells.Cut(m.formErr, w)))
	}
	if m.saving {
		lines = append(lines, st.Muted.Render(cells.Cut(l.T("canned.saving"), w)))
	} else if m.form != nil {
		lines = append(lines, splitLines(m.form.View())...)
	}
	if len(lines) > h-1 {
		lines = lines[:h-1]
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	return cells.Place(append(lines, st.Muted.Render(cells.Cut(l.T("canned.form_keys"), w))), w, h)
}
