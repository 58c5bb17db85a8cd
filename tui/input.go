package tui

import (
	"sync"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"kefu/server/desk"
	"kefu/tui/theme"
)

// inputHeight is the chat input's rows.
const inputHeight = 2

// chatInput is the chat's input box: bubbles' textarea while there is something in it,
// nothing while it is empty. A textarea reserves room for 10,000 lines when it is made and
// at every Reset (240 KB each time); a hundred workbenches waiting with empty inputs held
// 47 MB, a third of the server's heap at 10,000 visitors, and the garbage collector walked
// it at every cycle. An empty input is drawn as its hint by one textarea all sessions share.
type chatInput struct {
	ta      *textarea.Model
	st      *theme.Styles
	width   int
	focused bool
	// Placeholder is the hint shown while the input is empty, in placeholderStyle.
	Placeholder      string
	placeholderStyle lipgloss.Style
}

func newChatInput(st *theme.Styles, placeholder string) chatInput {
	return chatInput{st: st, width: 4, focused: true, Placeholder: placeholder, placeholderStyle: st.Muted}
}

// configure sets a textarea up as the chat input looks and behaves.
func configure(ta *textarea.Model, st *theme.Styles, placeholder string, pstyle lipgloss.Style, width int, focused bool) {
	ta.ShowLineNumbers = false
	ta.SetPromptFunc(2, func(line int) string {
		if line == 0 {
			return "> "
		}
		return "  "
	})
	ta.Placeholder = placeholder
	ta.CharLimit = desk.MaxMessageRunes
	ta.SetHeight(inputHeight)
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"))
	ta.KeyMap.LineNext = key.NewBinding(key.WithKeys("down"))
	ta.KeyMap.LinePrevious = key.NewBinding(key.WithKeys("up"))
	ta.FocusedStyle.CursorLine = st.App
	ta.FocusedStyle.Placeholder = pstyle
	ta.BlurredStyle.Placeholder = st.Muted
	ta.FocusedStyle.Prompt = st.Accent
	ta.Cursor.Style = st.Accent
	ta.SetWidth(width)
	if focused {
		ta.Focus()
	} else {
		ta.Blur()
	}
}

// editor is the textarea, made when the first key arrives.
func (in *chatInput) editor() *textarea.Model {
	if in.ta == nil {
		ta := textarea.New()
		configure(&ta, in.st, in.Placeholder, in.placeholderStyle, in.width, in.focused)
		in.ta = &ta
	}
	return in.ta
}

// Value is what is typed.
func (in *chatInput) Value() string {
	if in.ta == nil {
		return ""
	}
	return in.ta.Value()
}

// SetValue replaces what is typed (a draft coming back, a canned reply).
func (in *chatInput) SetValue(s string) {
	if s == "" {
		in.Reset()
		return
	}
	in.editor().SetValue(s)
}

// Reset empties the input and lets its textarea go.
func (in *chatInput) Reset() { in.ta = nil }

// CursorEnd moves the cursor to the end of what is typed.
func (in *chatInput) CursorEnd() {
	if in.ta != nil {
		in.ta.CursorEnd()
	}
}

// Focus gives the input the keyboard.
func (in *chatInput) Focus() tea.Cmd {
	in.focused = true
	if in.ta != nil {
		return in.ta.Focus()
	}
	return nil
}

// Focused reports whether the input has the keyboard.
func (in *chatInput) Focused() bool { return in.focused }

// Height is the input's rows.
func (in *chatInput) Height() int { return inputHeight }

// Width is the input's width in cells.
func (in *chatInput) Width() int { return in.width }

// SetWidth sets the input's width in cells.
func (in *chatInput) SetWidth(w int) {
	in.width = w
	if in.ta != nil {
		in.ta.SetWidth(w)
	}
}

// SetHint sets the hint shown while the input is empty and its style.
func (in *chatInput) SetHint(text string, style lipgloss.Style) {
	in.Placeholder, in.placeholderStyle = text, style
	if in.ta != nil {
		in.ta.Placeholder, in.ta.FocusedStyle.Placeholder = text, style
	}
}

// Update edits the input with a key.
func (in *chatInput) Update(msg tea.Msg) tea.Cmd {
	ta := in.editor()
	var cmd tea.Cmd
	*ta, cmd = ta.Update(msg)
	return cmd
}

// View draws the input: the textarea, or, while nothing is typed, the hint.
func (in *chatInput) View() string {
	if in.ta != nil {
		return in.ta.View()
	}
	hints.Lock()
	defer hints.Unlock()
	if hints.ta == nil {
		ta := textarea.New()
		hints.ta = &ta
	}
	configure(hints.ta, in.st, in.Placeholder, in.placeholderStyle, in.width, in.focused)
	return hints.ta.View()
}

// hints is the textarea that draws every session's empty input.
var hints struct {
	sync.Mutex
	ta *textarea.Model
}
