package canned

import (
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/plain"
	"kefu/tui/cells"
)

// MaxPasteRunes is the most CSV text the import form takes; larger files come in over SSH
// (`canned import`), which the form shows how.
const MaxPasteRunes = 20000

// importer is the manager's CSV import form (导入常用语): the agent pastes CSV text —
// group,title,text,shortcut, as the SSH command reads it — and sees, while pasting, how many
// replies it would add or what is wrong with which line, in their language. Ctrl+S imports.
// The desk reads the text with the same parser and the same checks as the SSH command, all
// or nothing.
type importer struct {
	area   textarea.Model
	public bool   // into the site's public replies, else the agent's own
	site   uint64 // the site of the public replies

	seq      int    // of the newest check, so a stale answer is ignored
	asked    string // the text of the newest check, answered or not
	count    int    // how many replies the text would add
	problem  string // why it would be refused, one line per problem
	checking bool
	saving   bool
}

// checkedMsg is the desk's answer to a check of the pasted text.
type checkedMsg struct {
	owner *Manager
	seq   int
	count int
	err   error
}

func newImporter(m *Manager, public bool, site uint64) *importer {
	st, l := m.ctx.Styles, m.ctx.Lang
	ta := textarea.New()
	ta.ShowLineNumbers = true // the refusals name lines
	ta.Prompt = ""
	ta.Placeholder = l.T("canned.paste_placeholder")
	ta.CharLimit = MaxPasteRunes
	ta.MaxHeight = 0
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("enter", "alt+enter", "ctrl+j"))
	ta.FocusedStyle.CursorLine = st.App
	ta.FocusedStyle.Placeholder = st.Muted
	ta.FocusedStyle.LineNumber = st.Muted
	ta.FocusedStyle.CursorLineNumber = st.Accent
	ta.BlurredStyle.Placeholder = st.Muted
	ta.BlurredStyle.LineNumber = st.Muted
	ta.Cursor.Style = st.Accent
	ta.Cursor.SetMode(cursor.CursorStatic) // no blink: a frame every half second per session is waste
	ta.Focus()
	return &importer{area: ta, public: public, site: site}
}

// startImport opens the import form for the current tab, when it may be changed.
func (m *Manager) startImport() tea.Cmd {
	if !m.editable() {
		return nil
	}
	m.imp = newImporter(m, m.tab == tabPublic, m.site)
	m.mode = modeImport
	return nil
}

// updateImport handles keys (and the textarea's own messages) of the import form.
func (m *Manager) updateImport(msg tea.Msg) tea.Cmd {
	imp := m.imp
	if imp == nil {
		m.mode = modeList
		return nil
	}
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.keys.ImportBack):
			m.mode, m.imp = modeList, nil
			return nil
		case key.Matches(k, m.keys.ImportSave):
			return m.submitImport()
		}
		if k.Paste && !imp.saving {
			imp.area.InsertString(pastedCSV(string(k.Runes)))
			return m.checkImport()
		}
	}
	if imp.saving {
		return nil
	}
	var cmd tea.Cmd
	imp.area, cmd = imp.area.Update(msg)
	return tea.Batch(cmd, m.checkImport())
}

// checkImport asks the desk, in a command, what the pasted text would do, when it changed
// since the last time it asked: a key that only moves the cursor while a check runs does not
// start it again.
func (m *Manager) checkImport() tea.Cmd {
	imp := m.imp
	text := imp.area.Value()
	if text == imp.asked {
		return nil
	}
	imp.seq++
	imp.asked = text
	if strings.TrimSpace(text) == "" {
		imp.count, imp.problem, imp.checking = 0, "", false
		return nil
	}
	imp.checking = true
	seq, as, site, personal := imp.seq, m.ctx.Agent, imp.site, !imp.public
	return func() tea.Msg {
		n, err := as.CheckCannedCSV(site, personal, strings.NewReader(text))
		return checkedMsg{owner: m, seq: seq, count: n, err: err}
	}
}

func (m *Manager) checked(cm checkedMsg) tea.Cmd {
	imp := m.imp
	if imp == nil || cm.seq != imp.seq {
		return nil
	}
	imp.checking, imp.count, imp.problem = false, cm.count, ""
	if cm.err != nil {
		imp.count, imp.problem = 0, explain(m.ctx.Lang, cm.err)
	}
	return nil
}

// submitImport imports the pasted text; the manager reloads and says how many came in, or the
// form stays with the refusal.
func (m *Manager) submitImport() tea.Cmd {
	imp := m.imp
	if imp.saving {
		return nil
	}
	l := m.ctx.Lang
	text := imp.area.Value()
	if strings.TrimSpace(text) == "" {
		imp.problem = l.T("canned.paste_empty")
		return nil
	}
	imp.saving = true
	as, site, personal := m.ctx.Agent, imp.site, !imp.public
	return m.reload("import", func() (string, uint64, error) {
		n, err := as.ImportCannedCSV(site, personal, strings.NewReader(text))
		return l.T("canned.cmd.imported", n), 0, err
	}, 0, imp.public)
}

// importView draws the form in exactly h lines of at most w cells. When rows are short it
// gives up the SSH command first, then the header hint; the text and the verdict stay.
func (m *Manager) importView(w, h int) string {
	st, l := m.ctx.Styles, m.ctx.Lang
	imp := m.imp
	scope := l.T("canned.mine")
	if imp.public {
		scope = l.T("canned.public_of_site", imp.site)
	}
	title := st.PaneTitle.Render(cells.Cut(l.T("canned.import_into", scope), w))

	var hint []string
	for _, para := range strings.Split(l.T("canned.paste_hint"), "\n") {
		for _, s := range cells.Wrap(para, w) {
			hint = append(hint, st.Muted.Render(s))
		}
	}
	var verdict []string
	switch {
	case imp.saving:
		verdict = []string{st.Muted.Render(cells.Cut(l.T("canned.importing"), w))}
	case imp.problem != "":
		for _, p := range strings.Split(imp.problem, "\n") {
			for _, s := range cells.Wrap(cells.Safe(p), w) {
				verdict = append(verdict, st.Error.Render(s))
			}
		}
	case imp.checking:
		verdict = []string{st.Muted.Render(cells.Cut(l.T("canned.checking"), w))}
	case strings.TrimSpace(imp.area.Value()) == "":
		verdict = []string{st.Muted.Render(cells.Cut(l.T("canned.paste_waiting"), w))}
	default:
		verdict = []string{st.OK.Render(cells.Cut(l.T("canned.paste_ok", imp.count), w))}
	}
	var ssh []string
	ssh = append(ssh, st.Muted.Render(cells.Cut(l.T("canned.paste_big", MaxPasteRunes), w)))
	for _, s := range cells.Wrap(m.importCommand(imp.site, !imp.public), max(1, w-2)) {
		ssh = append(ssh, "  "+st.Accent.Render(s))
	}
	footer := st.Muted.Render(cells.Cut(l.T("canned.paste_keys"), w))

	const minArea = 3
	maxVerdict := max(1, h/4)
	if len(verdict) > maxVerdict {
		rest := len(verdict) - maxVerdict + 1
		verdict = append(verdict[:maxVerdict-1], st.Error.Render(cells.Cut(l.T("canned.paste_more", rest), w)))
	}
	fixed := 1 + len(verdict) + 1 // title, verdict, footer
	if fixed+minArea+len(hint)+len(ssh) > h {
		ssh = nil
	}
	if fixed+minArea+len(hint) > h {
		hint = nil
	}
	areaH := max(1, h-fixed-len(hint)-len(ssh))
	imp.area.SetWidth(max(1, w))
	imp.area.SetHeight(areaH)

	lines := append([]string{title}, hint...)
	lines = append(lines, splitLines(imp.area.View())...)
	lines = append(lines, verdict...)
	lines = append(lines, ssh...)
	if len(lines) > h-1 {
		lines = lines[:max(0, h-1)]
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	return cells.Place(append(lines, footer), w, h)
}

// pastedCSV is what a paste puts in the form: the text without escape sequences (which the
// textarea would only half remove) and, when it is tab-separated as Excel copies cells, the
// same rows as CSV.
func pastedCSV(s string) string {
	parts := strings.Split(s, "\t") // plain.Text would turn the tabs into spaces
	for i := range parts {
		parts[i] = plain.Text(parts[i])
	}
	s = strings.Join(parts, "\t")
	first, _, _ := strings.Cut(s, "\n")
	if !strings.Contains(first, "\t") || strings.Contains(first, ",") {
		return strings.ReplaceAll(s, "\t", " ")
	}
	r := csv.NewReader(strings.NewReader(s))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = '\t', -1, true
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return strings.ReplaceAll(s, "\t", " ")
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.String()
}

// importCommand is the SSH command that imports a CSV file into the same replies, with the
// account, host and port this workbench was reached by.
func (m *Manager) importCommand(site uint64, personal bool) string {
	c, l := m.ctx, m.ctx.Lang
	account, host := c.Account, c.Host
	if account == "" {
		account = l.T("canned.cmd_account")
	}
	if host == "" {
		host = l.T("canned.cmd_host")
	}
	cmd := "ssh "
	if c.Port != 0 && c.Port != 22 {
		cmd += fmt.Sprintf("-p %d ", c.Port)
	}
	cmd += cells.Safe(account) + "@" + cells.Safe(host) + " canned import"
	if personal {
		cmd += " --personal"
	} else {
		cmd += fmt.Sprintf(" --site %d", site)
	}
	return cmd + " < " + l.T("canned.cmd_file")
}
