package admin

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
)

// sshKeys lists one agent's SSH public keys and adds and removes them: inside 客服管理 for an
// agent the admin manages, and on its own (NewOwnKeys) as 我的 SSH 公钥, where every agent
// manages their own. The desk decides who may touch whose keys.
type sshKeys struct {
	m       *Model
	agentID uint64
	account string
	keys    []store.AuthorizedKey
	list    list
	loaded  bool
	err     string
}

type keysLoadedMsg struct {
	agent uint64
	keys  []store.AuthorizedKey
	err   error
}

func newSSHKeys(m *Model, agentID uint64, account string) *sshKeys {
	return &sshKeys{m: m, agentID: agentID, account: account}
}

func (k *sshKeys) load() tea.Cmd {
	as, id := k.m.as, k.agentID
	return func() tea.Msg {
		keys, err := as.Keys(id)
		return keysLoadedMsg{agent: id, keys: keys, err: err}
	}
}

func (k *sshKeys) update(msg keysLoadedMsg) {
	if msg.agent != k.agentID {
		return
	}
	k.loaded, k.keys, k.err = true, msg.keys, ""
	if msg.err != nil {
		k.err = desk.Explain(msg.err, k.m.lang)
	}
	k.list.clamp(len(k.keys))
}

func (k *sshKeys) helpKeys() []key.Binding {
	km := k.m.keys
	if len(k.keys) == 0 {
		return []key.Binding{km.New, km.Back}
	}
	return []key.Binding{km.New, km.Delete, km.Back}
}

// key handles a key of the list; back reports Esc, which leaves it.
func (k *sshKeys) key(msg tea.KeyMsg) (cmd tea.Cmd, back bool) {
	m := k.m
	if k.list.keyMove(msg, m.keys, len(k.keys), 5) {
		return nil, false
	}
	switch {
	case key.Matches(msg, m.keys.Back):
		return nil, true
	case key.Matches(msg, m.keys.New):
		return m.open(k.form()), false
	case key.Matches(msg, m.keys.Delete):
		i := k.list.cursor
		if i < 0 || i >= len(k.keys) {
			return nil, false
		}
		id, fp := k.agentID, k.keys[i].Fingerprint
		as := m.as
		return m.confirm("x", m.lang.T("admin.confirm_remove_key", fp), func() tea.Cmd {
			return tea.Sequence(m.run(m.lang.T("admin.key_removed"), false, func() error { return as.RemoveKey(id, fp) }), k.load())
		}), false
	}
	return nil, false
}

// form adds a key: one authorized_keys line, checked as it is typed.
func (k *sshKeys) form() *editor {
	m := k.m
	l := m.lang
	var line string
	as, id := m.as, k.agentID
	title := l.T("admin.form.add_key", cells.Safe(k.account))
	if id == m.as.AgentID {
		title = l.T("admin.form.add_own_key")
	}
	return &editor{
		title: title,
		build: func() *huh.Form {
			return huh.NewForm(huh.NewGroup(inline(0,
				huh.NewText().Title(l.T("admin.f.key")).Value(&line).CharLimit(16<<10).Lines(4).
					Placeholder(l.T("admin.f.key_hint")).Validate(m.check(func(s string) error { _, err := desk.ParseKey(s); return err })),
			)...))
		},
		submit: func() tea.Cmd {
			return tea.Sequence(m.run(l.T("admin.key_added"), false, func() error { _, err := as.AddKey(id, line); return err }), k.load())
		},
	}
}

func (k *sshKeys) title() string {
	if k.agentID == k.m.as.AgentID {
		return k.m.lang.T("admin.own_keys", cells.Safe(k.account))
	}
	return k.m.lang.T("admin.form.keys", cells.Safe(k.account))
}

func (k *sshKeys) view(w, h int) []string {
	m := k.m
	l := m.lang
	out := []string{m.st.PaneTitle.Render(cells.Cut(k.title(), w))}
	switch {
	case k.err != "":
		return append(out, m.st.Error.Render(cells.Cut(k.err, w)))
	case !k.loaded:
		return append(out, m.st.Muted.Render(cells.Cut(l.T("admin.loading"), w)))
	case len(k.keys) == 0:
		return append(out, wrapMuted(m, l.T("admin.keys_none", m.as.SSHPort()), w)...)
	}
	cols := []column{
		{title: l.T("admin.col.fingerprint"), min: 20, max: 52, prio: 1},
		{title: l.T("admin.col.comment"), min: 6, max: 24, prio: 2},
		{title: l.T("admin.col.added"), min: 16, max: 16, prio: 3},
	}
	var rows [][]string
	for _, key := range k.keys {
		rows = append(rows, []string{key.Fingerprint, key.Comment, key.Added.In(m.ctx.Now().Location()).Format("2006-01-02 15:04")})
	}
	out = append(out, m.table(cols, rows, &k.list, w, h-2)...)
	if len(out) < h {
		out = append(out, wrapMuted(m, l.T("admin.keys_login", m.as.SSHPort()), w)...)
	}
	return out
}
