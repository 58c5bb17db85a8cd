package tui

import (
	"strings"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/store"
	"kefu/tui/cells"
)

// cardDialog edits a visitor's card (访客名片) in a form.
type cardDialog struct {
	m         *Model
	visitorID uint64
	card      store.Card
	form      *huh.Form
}

type (
	cardLoadedMsg struct {
		visitorID uint64
		card      store.Card
		err       error
	}
	cardSavedMsg struct {
		visitorID uint64
		name      string // the card's name, if it has one
		err       error
	}
)

// openCard starts editing a visitor's card, loading what is stored.
func (m *Model) openCard(visitorID uint64) tea.Cmd {
	m.card = &cardDialog{m: m, visitorID: visitorID}
	as := m.as
	return func() tea.Msg {
		d, err := as.Visitor(visitorID, 0)
		if err != nil {
			return cardLoadedMsg{visitorID: visitorID, err: err}
		}
		return cardLoadedMsg{visitorID: visitorID, card: d.Visitor.Card}
	}
}

// start builds the form once the stored card is known.
func (cd *cardDialog) start(c store.Card) tea.Cmd {
	l := cd.m.lang
	cd.card = c
	limit := func(field string, n int) func(string) error {
		return func(s string) error {
			if utf8.RuneCountInString(s) > n {
				return cardErr(l.T("card.too_long", l.T("card."+field), n))
			}
			return nil
		}
	}
	input := func(field string, v *string, n int) huh.Field {
		return huh.NewInput().Title(l.T("card." + field)).Value(v).CharLimit(n).Validate(limit(field, n))
	}
	cd.form = cd.m.st.Embed(huh.NewForm(huh.NewGroup(
		input("name", &cd.card.Name, 30),
		input("phone", &cd.card.Phone, 30),
		input("qq", &cd.card.QQ, 20),
		input("email", &cd.card.Email, 80),
		input("wechat", &cd.card.WeChat, 40),
		input("company", &cd.card.Company, 60),
		huh.NewText().Title(l.T("card.notes")).Value(&cd.card.Notes).CharLimit(500).Lines(3),
	).Title(l.T("card.title", cd.m.visitorName(cd.visitorID))))).
		WithWidth(max(20, min(cd.m.width, 70)))
	return cd.form.Init()
}

type cardErr string

func (e cardErr) Error() string { return string(e) }

func (cd *cardDialog) update(msg tea.Msg) tea.Cmd {
	if cd.form == nil {
		if k, ok := msg.(tea.KeyMsg); ok && k.String() == "esc" {
			cd.m.card = nil
		}
		return nil
	}
	model, cmd := cd.form.Update(msg)
	if f, ok := model.(*huh.Form); ok {
		cd.form = f
	}
	switch cd.form.State {
	case huh.StateAborted:
		cd.m.card = nil
		return nil
	case huh.StateCompleted:
		as, id, c := cd.m.as, cd.visitorID, cd.card
		cd.m.card = nil
		return func() tea.Msg { return cardSavedMsg{visitorID: id, name: c.Name, err: as.SaveCard(id, c)} }
	}
	return cmd
}

func (cd *cardDialog) view(w, h int) string {
	if cd.form == nil {
		return cells.Place([]string{cd.m.st.Muted.Render(cd.m.lang.T("detail.loading"))}, w, h)
	}
	return cells.Place(strings.Split(cd.form.WithWidth(max(20, min(w, 70))).View(), "\n"), w, h)
}

// cardSaved reports how saving went and refreshes what the chat header shows.
func (m *Model) cardSaved(msg cardSavedMsg) tea.Cmd {
	if msg.err != nil {
		m.setNotice(m.lang.T("err."+errKey(msg.err), ""), true)
		return nil
	}
	name := cells.Safe(msg.name)
	if name == "" {
		name = m.visitorName(msg.visitorID)
	}
	m.setNotice(m.lang.T("card.saved", name), false)
	return m.chats.loadDetail(msg.visitorID)
}
