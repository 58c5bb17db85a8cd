package admin

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
)

// settings is 设置中心 for the chosen site: invite window, chat window, consult icon, custom
// URL and the visitor details asked before a chat. Saving reaches open widgets at once.
type settings struct {
	m       *Model
	site    *store.Site
	loaded  bool
	err     string
	scroll  int
	scrolls bool // the page is taller than the screen: ↑↓ move it
}

type settingsLoadedMsg struct {
	site *store.Site
	err  error
}

func newSettings(m *Model) *settings { return &settings{m: m} }

func (s *settings) module() authz.Module { return authz.Settings }
func (s *settings) titleKey() string     { return "module.settings" }
func (s *settings) capturing() bool      { return false }
func (s *settings) stale()               { s.loaded = false }

func (s *settings) load(fresh bool) tea.Cmd {
	if s.loaded && s.site != nil && s.site.ID == s.m.siteID && !fresh {
		return nil
	}
	as, id := s.m.as, s.m.siteID
	return func() tea.Msg {
		site, err := as.SiteSettings(id)
		return settingsLoadedMsg{site: site, err: err}
	}
}

func (s *settings) update(msg tea.Msg) tea.Cmd {
	if msg, ok := msg.(settingsLoadedMsg); ok {
		if msg.err != nil {
			s.loaded, s.site, s.err = true, nil, desk.Explain(msg.err, s.m.lang)
			return nil
		}
		if msg.site.ID == s.m.siteID {
			s.loaded, s.site, s.err = true, msg.site, ""
		}
	}
	return nil
}

func (s *settings) helpKeys() []key.Binding {
	k := s.m.keys
	if s.scrolls {
		return []key.Binding{k.Edit, k.Up, k.Down}
	}
	return []key.Binding{k.Edit}
}

func (s *settings) key(k tea.KeyMsg) tea.Cmd {
	m := s.m
	switch {
	case key.Matches(k, m.keys.Edit) && s.site != nil:
		return m.open(s.form(s.site))
	case key.Matches(k, m.keys.Up):
		s.scroll = max(0, s.scroll-1)
	case key.Matches(k, m.keys.Down):
		s.scroll++
	}
	return nil
}

// preChatOptions are the visitor details a site may ask for, in the UI language.
func preChatOptions(m *Model) []huh.Option[string] {
	var out []huh.Option[string]
	for _, f := range desk.PreChatFields {
		out = append(out, huh.NewOption(m.lang.T("admin.pre."+f), f))
	}
	return out
}

func (s *settings) form(site *store.Site) *editor {
	m := s.m
	l := m.lang
	st := site.Settings
	secs, pages := fmt.Sprint(st.AutoInviteSecs), fmt.Sprint(st.AutoInvitePages)
	pre := append([]string(nil), st.PreChat...)
	if st.IconPos == "" {
		st.IconPos = desk.IconRight
	}
	as, id := m.as, site.ID
	return &editor{
		title: l.T("admin.form.settings", cells.Safe(site.Name)),
		build: func() *huh.Form {
			lb := m.labels("admin.f.auto_invite", "admin.f.auto_secs", "admin.f.auto_pages", "admin.f.chat_title", "admin.f.color",
				"admin.f.icon_text", "admin.f.icon_pos", "admin.f.custom_url")
			// Auto-invite needs a moment to invite at: checked on the pages, the last of
			// the three, with the seconds and the switch as they are now.
			pagesCheck := func(v string) error {
				if err := desk.ValidateCount("auto_invite_pages", 0, 100)(v); err != nil {
					return err
				}
				n, _ := desk.Atoi(v)
				sec, _ := desk.Atoi(secs)
				return desk.ValidateAutoInvite(st.AutoInvite, sec, n)
			}
			return huh.NewForm(huh.NewGroup(inline(lb.indent(),
				huh.NewText().Title(l.T("admin.f.invite_text")).Value(&st.InviteText).CharLimit(200).Lines(2).
					Placeholder(l.T("invite.default")),
				huh.NewConfirm().Title(lb.confirm("admin.f.auto_invite")).Inline(true).WithButtonAlignment(lipgloss.Left).Affirmative(l.T("admin.on")).Negative(l.T("admin.off")).
					Value(&st.AutoInvite),
				lb.input("admin.f.auto_secs", &secs, 4, l.T("admin.f.zero_off")).Validate(m.check(desk.ValidateCount("auto_invite_secs", 0, 3600))),
				lb.input("admin.f.auto_pages", &pages, 3, l.T("admin.f.zero_off")).Validate(m.check(pagesCheck)),
				lb.input("admin.f.chat_title", &st.ChatTitle, wide(40), cells.Safe(site.Name)).Validate(m.check(desk.ValidateShort("chat_title", 40))),
				huh.NewText().Title(l.T("admin.f.welcome")).Value(&st.Welcome).CharLimit(500).Lines(3),
				lb.input("admin.f.color", &st.Color, 7, "#1677ff").Validate(m.check(desk.ValidateColor)),
				lb.input("admin.f.icon_text", &st.IconText, wide(10), l.T("admin.f.icon_text_hint")).Validate(m.check(desk.ValidateShort("icon_text", 10))),
				choose(lb, "admin.f.icon_pos", &st.IconPos,
					huh.NewOption(l.T("admin.f.icon_right"), desk.IconRight), huh.NewOption(l.T("admin.f.icon_left"), desk.IconLeft)),
				lb.input("admin.f.custom_url", &st.CustomURL, 500, "https://").Validate(m.check(desk.ValidateURL)),
				huh.NewMultiSelect[string]().Title(l.T("admin.f.pre_chat")).Options(preChatOptions(m)...).Value(&pre).
					Height(len(desk.PreChatFields)+1),
			)...))
		},
		submit: func() tea.Cmd {
			out := st
			out.AutoInviteSecs, _ = desk.Atoi(secs)
			out.AutoInvitePages, _ = desk.Atoi(pages)
			out.PreChat = pre
			return m.run(l.T("admin.saved"), true, func() error { _, err := as.SaveSiteSettings(id, out); return err })
		},
	}
}

func (s *settings) view(w, h int) []string {
	m := s.m
	l := m.lang
	switch {
	case s.err != "":
		return []string{m.st.Error.Render(cells.Cut(s.err, w))}
	case !s.loaded || s.site == nil:
		return []string{m.st.Muted.Render(cells.Cut(l.T("admin.loading"), w))}
	}
	st := s.site.Settings
	or := func(v, def string) string {
		switch {
		case v != "":
			return v
		case def == "":
			return l.T("admin.none_short")
		}
		return l.T("admin.default_value", def)
	}
	auto := l.T("admin.off")
	if st.AutoInvite {
		var when []string
		if st.AutoInviteSecs > 0 {
			when = append(when, l.T("admin.auto_after_secs", st.AutoInviteSecs))
		}
		if st.AutoInvitePages > 0 {
			when = append(when, l.T("admin.auto_after_pages", st.AutoInvitePages))
		}
		auto = l.T("admin.auto_invite_on", strings.Join(when, l.T("admin.or")))
	}
	pos := l.T("admin.f.icon_right")
	if st.IconPos == desk.IconLeft {
		pos = l.T("admin.f.icon_left")
	}
	var pre []string
	for _, f := range st.PreChat {
		pre = append(pre, l.T("admin.pre."+f))
	}
	preText := strings.Join(pre, "、")
	if preText == "" {
		preText = l.T("admin.none_short")
	}
	type item struct{ label, value string }
	items := []struct {
		group string
		items []item
	}{
		{l.T("admin.group.invite"), []item{{l.T("admin.f.invite_text"), or(st.InviteText, l.T("invite.default"))}, {l.T("admin.f.auto_invite"), auto}}},
		{l.T("admin.group.chat"), []item{{l.T("admin.f.chat_title"), or(st.ChatTitle, s.site.Name)}, {l.T("admin.f.welcome"), or(st.Welcome, "")},
			{l.T("admin.f.color"), or(st.Color, "#1677ff")}}},
		{l.T("admin.group.icon"), []item{{l.T("admin.f.icon_text"), or(st.IconText, l.T("admin.f.icon_text_hint"))}, {l.T("admin.f.icon_pos"), pos}}},
		{l.T("admin.group.other"), []item{{l.T("admin.f.custom_url"), or(st.CustomURL, "")}, {l.T("admin.f.pre_chat"), preText}}},
	}
	labelW := 0
	for _, g := range items {
		for _, it := range g.items {
			labelW = max(labelW, cells.Width(it.label))
		}
	}
	labelW = min(labelW, w/3)
	var lines []string
	for _, g := range items {
		lines = append(lines, m.st.TableHeader.Render(cells.Cut(g.group, w)))
		for _, it := range g.items {
			vw := max(1, w-labelW-3)
			for i, v := range wrapText(cells.SafeText(it.value), vw) {
				label := ""
				if i == 0 {
					label = it.label
				}
				lines = append(lines, "  "+m.st.Muted.Render(cells.Fit(label, labelW))+" "+v)
			}
		}
	}
	lines = append(lines, "")
	lines = append(lines, wrapMuted(m, l.T("admin.settings_hint"), w)...)
	s.scrolls = len(lines) > h
	s.scroll = max(0, min(s.scroll, len(lines)-h))
	return lines[s.scroll:]
}
