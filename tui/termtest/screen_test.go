package termtest

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

const stats = "访客数 3 人 · 对话中 1 人"

// at is an expected cursor position.
type at struct{ x, y int }

func TestScreen(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		writes []string // fed one Write each
		want   []string // the top rows; every row below must be blank
		cursor *at
		bells  int
		title  string
	}{
		{name: "plain", w: 10, h: 3, writes: []string{"hello"}, want: []string{"hello"}, cursor: &at{5, 0}},
		{name: "crlf", w: 10, h: 3, writes: []string{"ab\r\ncd"}, want: []string{"ab", "cd"}, cursor: &at{2, 1}},
		{name: "lf keeps column", w: 10, h: 3, writes: []string{"ab\ncd"}, want: []string{"ab", "  cd"}},
		{name: "scroll at bottom", w: 10, h: 3, writes: []string{"a\r\nb\r\nc\r\nd"}, want: []string{"b", "c", "d"}, cursor: &at{1, 2}},
		{name: "backspace", w: 10, h: 2, writes: []string{"abc\bX"}, want: []string{"abX"}},
		{name: "backspace at left edge", w: 10, h: 2, writes: []string{"\b\bX"}, want: []string{"X"}},
		{name: "tab", w: 20, h: 2, writes: []string{"a\tb\tc"}, want: []string{"a       b       c"}},
		{name: "tab stops at the edge", w: 10, h: 2, writes: []string{"a\t\t\tb"}, want: []string{"a        b"}},
		{name: "chinese", w: 30, h: 2, writes: []string{stats}, want: []string{stats}, cursor: &at{ansi.StringWidth(stats), 0}},
		{name: "chinese padded by lipgloss", w: 30, h: 2, writes: []string{"|" + lipgloss.NewStyle().Width(26).Render(stats) + "|"},
			want: []string{"|" + stats + strings.Repeat(" ", 26-ansi.StringWidth(stats)) + "|"}},
		{name: "wide char split across writes", w: 10, h: 2, writes: []string{"\xe8\xae", "\xbf", "\xe5\xae\xa2"}, want: []string{"访客"}, cursor: &at{4, 0}},
		{name: "csi split across writes", w: 10, h: 3, writes: []string{"\x1b", "[", "2;", "3", "Hx"}, want: []string{"", "  x"}},
		{name: "osc split across writes", w: 10, h: 2, writes: []string{"\x1b]2;", "工作台", "\x1b", "\\ok"}, want: []string{"ok"}, title: "工作台"},
		{name: "deferred wrap", w: 5, h: 3, writes: []string{"abcde"}, want: []string{"abcde"}, cursor: &at{4, 0}},
		{name: "deferred wrap then crlf", w: 5, h: 3, writes: []string{"abcde\r\nf"}, want: []string{"abcde", "f"}},
		{name: "autowrap", w: 5, h: 3, writes: []string{"abcdefg"}, want: []string{"abcde", "fg"}, cursor: &at{2, 1}},
		{name: "autowrap off", w: 5, h: 3, writes: []string{"\x1b[?7labcdefg"}, want: []string{"abcdg"}},
		{name: "wrap scrolls", w: 3, h: 2, writes: []string{"abcdefg"}, want: []string{"def", "g"}},
		{name: "wide char at last column wraps", w: 5, h: 3, writes: []string{"abcd访"}, want: []string{"abcd", "访"}, cursor: &at{2, 1}},
		{name: "wide chars fill row", w: 4, h: 3, writes: []string{"访客数"}, want: []string{"访客", "数"}},
		{name: "overwrite right half of wide", w: 10, h: 2, writes: []string{"访客\x1b[2Gx"}, want: []string{" x客"}},
		{name: "overwrite left half of wide", w: 10, h: 2, writes: []string{"访客\rY"}, want: []string{"Y 客"}},
		{name: "wide over two halves", w: 10, h: 2, writes: []string{"访客\x1b[2G数"}, want: []string{" 数"}},
		{name: "combining mark", w: 10, h: 2, writes: []string{"e\u0301x"}, want: []string{"e\u0301x"}, cursor: &at{2, 0}},
		{name: "invalid utf-8", w: 10, h: 2, writes: []string{"\xffA\xe8B"}, want: []string{"\uFFFDA\uFFFDB"}},
		{name: "c1 control as utf-8 is not printed", w: 10, h: 2, writes: []string{"a\u009bb"}, want: []string{"ab"}},
		{name: "cursor moves", w: 10, h: 5, writes: []string{"\x1b[3;4Ha\x1b[Ab\x1b[2Bc\x1b[3Dd\x1b[2Ce"}, want: []string{"", "    b", "   a", "   d ce"}},
		{name: "moves clamp", w: 5, h: 3, writes: []string{"\x1b[99;99Hx\x1b[99Ay\x1b[99Dz"}, want: []string{"z   y", "", "    x"}},
		{name: "cha vpa hvp", w: 10, h: 4, writes: []string{"\x1b[5Ga\x1b[3db\x1b[2;2fc\x1b[Gd"}, want: []string{"    a", "dc", "     b"}},
		{name: "cup defaults", w: 10, h: 4, writes: []string{"\x1b[3;Ha\x1b[;3Hb\x1b[Hc"}, want: []string{"c b", "", "a"}},
		{name: "cnl cpl", w: 10, h: 4, writes: []string{"ab\x1b[2Ec\x1b[Fd"}, want: []string{"ab", "d", "c"}},
		{name: "erase line right", w: 10, h: 2, writes: []string{"abcdef\x1b[3D\x1b[K"}, want: []string{"abc"}},
		{name: "erase line left", w: 10, h: 2, writes: []string{"abcdef\x1b[3D\x1b[1K"}, want: []string{"    ef"}},
		{name: "erase whole line", w: 10, h: 2, writes: []string{"abcdef\x1b[2K"}, want: []string{""}, cursor: &at{6, 0}},
		{name: "erase line splits wide", w: 10, h: 2, writes: []string{"访客数\x1b[4G\x1b[K"}, want: []string{"访"}},
		{name: "erase below", w: 5, h: 3, writes: []string{"aaa\r\nbbb\r\nccc\x1b[2;2H\x1b[J"}, want: []string{"aaa", "b"}},
		{name: "erase above", w: 5, h: 3, writes: []string{"aaa\r\nbbb\r\nccc\x1b[2;2H\x1b[1J"}, want: []string{"", "  b", "ccc"}},
		{name: "erase all", w: 5, h: 3, writes: []string{"aaa\r\nbbb\x1b[2J"}, want: nil, cursor: &at{3, 1}},
		{name: "erase scrollback keeps screen", w: 5, h: 3, writes: []string{"aaa\x1b[3J"}, want: []string{"aaa"}},
		{name: "insert lines", w: 5, h: 4, writes: []string{"a\r\nb\r\nc\r\nd\x1b[2;3H\x1b[2L"}, want: []string{"a", "", "", "b"}, cursor: &at{0, 1}},
		{name: "delete lines", w: 5, h: 4, writes: []string{"a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[M"}, want: []string{"a", "c", "d"}},
		{name: "scroll region", w: 5, h: 5, writes: []string{"1\r\n2\r\n3\r\n4\r\n5\x1b[2;4r\x1b[4;1H\nx"}, want: []string{"1", "3", "4", "x", "5"}},
		{name: "insert lines in region", w: 5, h: 5, writes: []string{"1\r\n2\r\n3\r\n4\r\n5\x1b[2;4r\x1b[2;1H\x1b[L"}, want: []string{"1", "", "2", "3", "5"}},
		{name: "lines outside region untouched", w: 5, h: 4, writes: []string{"1\r\n2\r\n3\r\n4\x1b[1;2r\x1b[4;1H\x1b[L"}, want: []string{"1", "2", "3", "4"}},
		{name: "bubbletea region reset", w: 5, h: 4, writes: []string{"\x1b[2;3r\x1b[;4r\x1b[4;1H\nx"}, want: []string{"", "", "", "x"}},
		{name: "reverse index", w: 5, h: 3, writes: []string{"a\r\nb\x1b[H\x1bMc"}, want: []string{"c", "a", "b"}},
		{name: "scroll up down", w: 5, h: 3, writes: []string{"a\r\nb\r\nc\x1b[S"}, want: []string{"b", "c"}},
		{name: "insert delete erase chars", w: 10, h: 3, writes: []string{"abcdef\x1b[1;2H\x1b[2@\r\n", "abcdef\x1b[2;2H\x1b[2P\r\n", "abcdef\x1b[3;2H\x1b[2X"}, want: []string{"a  bcdef", "adef", "a  def"}},
		{name: "repeat", w: 10, h: 2, writes: []string{"-\x1b[4b"}, want: []string{"-----"}},
		{name: "sgr ignored", w: 20, h: 2, writes: []string{"\x1b[1;38;2;255;0;0mred\x1b[0m \x1b[38:5:196mx\x1b[m"}, want: []string{"red x"}},
		{name: "dec modes accepted", w: 10, h: 2, writes: []string{"\x1b[?25l\x1b[?2004h\x1b[?1000;1002;1003;1006h\x1b[?1004h\x1b[?2026hok\x1b[?25h\x1b[?2004l"}, want: []string{"ok"}},
		{name: "alt screen 1049", w: 10, h: 3, writes: []string{"main\x1b[?1049h", "\x1b[Halt\x1b[?1049l!"}, want: []string{"main!"}, cursor: &at{5, 0}},
		{name: "alt screen shows alt", w: 10, h: 3, writes: []string{"main\x1b[?1049h\x1b[2;1Halt"}, want: []string{"", "alt"}},
		{name: "alt screen cleared on entry", w: 10, h: 3, writes: []string{"\x1b[?1049hold\x1b[?1049l\x1b[?1049h"}, want: nil},
		{name: "alt screen 47 keeps content", w: 10, h: 3, writes: []string{"\x1b[?47hold\x1b[?47l\x1b[?47h"}, want: []string{"old"}},
		{name: "alt screen 1047 clears on exit", w: 10, h: 3, writes: []string{"\x1b[?1047hold\x1b[?1047l\x1b[?47h"}, want: nil},
		{name: "save restore esc", w: 10, h: 3, writes: []string{"ab\x1b7\x1b[3;5Hx\x1b8c"}, want: []string{"abc", "", "    x"}},
		{name: "save restore csi", w: 10, h: 3, writes: []string{"ab\x1b[s\x1b[3;5Hx\x1b[uc"}, want: []string{"abc", "", "    x"}},
		{name: "title bel", w: 10, h: 2, writes: []string{"\x1b]0;客服\x07ok"}, want: []string{"ok"}, title: "客服"},
		{name: "title st", w: 10, h: 2, writes: []string{"\x1b]2;a\x1b\\\x1b]1;icon\x07"}, title: "a"},
		{name: "queries swallowed", w: 10, h: 2, writes: []string{"\x1b]11;?\x07\x1b]11;?\x1b\\\x1b[c\x1b[>0q\x1b[6n\x1b[?u\x1b[?2026$pok"}, want: []string{"ok"}},
		{name: "hyperlink and clipboard", w: 10, h: 2, writes: []string{"\x1b]8;;https://kefu.example/\x1b\\link\x1b]8;;\x1b\\ \x1b]52;c;aGk=\x07"}, want: []string{"link"}},
		{name: "dcs apc pm sos ignored", w: 10, h: 2, writes: []string{"\x1bP+q544e\x1b\\a\x1b_Gf=1;AAAA\x07x\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d"}, want: []string{"abcd"}},
		{name: "charset designation", w: 10, h: 2, writes: []string{"\x1b(Ba\x1b)0b\x1b=\x1b>c"}, want: []string{"abc"}},
		{name: "bells", w: 10, h: 2, writes: []string{"a\a", "b\x1b]0;t\x07\x1bP\x07\x1b\\", "\a"}, want: []string{"ab"}, bells: 2, title: "t"},
		{name: "can aborts", w: 10, h: 2, writes: []string{"\x1b[31\x18x\x1b]0;t\x1ay"}, want: []string{"xy"}},
		{name: "control inside csi", w: 10, h: 3, writes: []string{"ab\x1b[\r2Cx"}, want: []string{"abx"}},
		{name: "esc restarts csi", w: 10, h: 3, writes: []string{"\x1b[12\x1b[2;1Hx"}, want: []string{"", "x"}},
		{name: "long csi ignored", w: 10, h: 3, writes: []string{"\x1b[" + strings.Repeat("9", 1000) + "Hx"}, want: []string{"x"}},
		{name: "long osc dropped", w: 10, h: 2, writes: []string{"\x1b]0;" + strings.Repeat("t", 10000) + "\x07ok"}, want: []string{"ok"}, title: strings.Repeat("t", maxOSC-2)},
		{name: "reset", w: 10, h: 2, writes: []string{"abc\x1b[?1049hx\x1bcy"}, want: []string{"y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScreen(tt.w, tt.h)
			for _, w := range tt.writes {
				if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(w))
				}
			}
			want := make([]string, tt.h)
			copy(want, tt.want)
			if got := s.Lines(); !equal(got, want) {
				t.Errorf("screen:\n%s\nwant:\n%s", frame(strings.Join(got, "\n")), frame(strings.Join(want, "\n")))
			}
			if tt.cursor != nil {
				if x, y := s.Cursor(); x != tt.cursor.x || y != tt.cursor.y {
					t.Errorf("cursor at %d,%d; want %d,%d", x, y, tt.cursor.x, tt.cursor.y)
				}
			}
			if got := s.Bells(); got != tt.bells {
				t.Errorf("Bells() = %d; want %d", got, tt.bells)
			}
			if got := s.Title(); got != tt.title {
				t.Errorf("Title() = %q; want %q", got, tt.title)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScreenByteAtATime(t *testing.T) {
	in := "\x1b[?1049h\x1b[H\x1b]2;客服\x07" + stats + "\x1b[K\r\n\x1b[1m第二行\x1b[0m\x1b[J"
	whole := NewScreen(30, 3)
	whole.Write([]byte(in))
	split := NewScreen(30, 3)
	for i := range len(in) {
		split.Write([]byte{in[i]})
	}
	if whole.String() != split.String() || whole.Title() != split.Title() {
		t.Errorf("byte at a time:\n%s\nwhole:\n%s", frame(split.String()), frame(whole.String()))
	}
	if got := whole.Lines()[:2]; got[0] != stats || got[1] != "第二行" {
		t.Errorf("Lines() = %q", got)
	}
}

func TestScreenResize(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		write  string
		nw, nh int
		want   []string
		cursor at
	}{
		{name: "grow", w: 4, h: 2, write: "ab\r\ncd", nw: 6, nh: 3, want: []string{"ab", "cd", ""}, cursor: at{2, 1}},
		{name: "narrower cuts wide char", w: 6, h: 2, write: "a访客", nw: 4, nh: 2, want: []string{"a访", ""}, cursor: at{3, 0}},
		{name: "narrower cuts half a wide char", w: 6, h: 2, write: "访客数", nw: 3, nh: 2, want: []string{"访", ""}, cursor: at{2, 0}},
		{name: "shorter keeps cursor row", w: 4, h: 4, write: "1\r\n2\r\n3\r\n4", nw: 4, nh: 2, want: []string{"3", "4"}, cursor: at{1, 1}},
		{name: "shorter above cursor", w: 4, h: 4, write: "1\r\n2", nw: 4, nh: 2, want: []string{"1", "2"}, cursor: at{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScreen(tt.w, tt.h)
			s.Write([]byte(tt.write))
			s.Resize(tt.nw, tt.nh)
			if got := s.Lines(); !equal(got, tt.want) {
				t.Errorf("Lines() = %q; want %q", got, tt.want)
			}
			if x, y := s.Cursor(); x != tt.cursor.x || y != tt.cursor.y {
				t.Errorf("cursor at %d,%d; want %d,%d", x, y, tt.cursor.x, tt.cursor.y)
			}
			// The screen must stay usable at the new size.
			s.Write([]byte("\x1b[99;99H访\r\n" + strings.Repeat("x", tt.nw*2)))
		})
	}
}

func TestScreenConcurrentReaders(t *testing.T) {
	s := NewScreen(20, 5)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			fmt.Fprintf(s, "\x1b[H%d %s\x07", i, stats)
		}
	}()
	for {
		select {
		case <-done:
			if s.Bells() != 200 {
				t.Errorf("Bells() = %d; want 200", s.Bells())
			}
			return
		default:
			_ = s.Lines()
			_, _ = s.Cursor()
			_ = s.Title()
		}
	}
}

// steps is an inline or full-screen Bubble Tea model whose view changes a few times, growing
// and shrinking, before it settles.
type steps struct {
	step  int
	quit  bool // quit after the last step
	box   lipgloss.Style
	width int
}

type stepMsg int

func nextStep(n int) tea.Cmd {
	return tea.Tick(5*time.Millisecond, func(time.Time) tea.Msg { return stepMsg(n) })
}

func (m steps) Init() tea.Cmd {
	return tea.Batch(tea.SetWindowTitle("客服工作台"),
		func() tea.Msg { return tea.WindowSizeMsg{Width: 30, Height: 8} })
}

func (m steps) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width = msg.Width
		return m, nextStep(1)
	case stepMsg:
		m.step = int(msg)
		if m.step < 3 {
			return m, nextStep(m.step + 1)
		}
		if m.quit {
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m steps) View() string {
	switch m.step {
	case 0:
		return "加载中…"
	case 1:
		return m.box.Render("第 1 步: 一条很长很长很长很长的消息") + "\n底部\n\n\n"
	case 2:
		return "第 2 步\n" + strings.Repeat("宽", 20) + "\n"
	}
	return m.box.Render(stats) + "\n完成\n"
}

func boxStyle() lipgloss.Style {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1)
}

// waitScreen waits until the screen contains want, without a Client.
func waitScreen(t *testing.T, s *Screen, want string) {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		changed := s.changes()
		if strings.Contains(s.String(), want) {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("screen never showed %q:\n%s", want, frame(s.String()))
		}
	}
}

func TestBubbleTeaAltScreen(t *testing.T) {
	s := NewScreen(30, 8)
	s.Write([]byte("$ kefu\r\n"))
	p := tea.NewProgram(steps{box: boxStyle()}, tea.WithInput(nil), tea.WithOutput(s),
		tea.WithAltScreen(), tea.WithoutSignalHandler())
	errc := make(chan error, 1)
	go func() { _, err := p.Run(); errc <- err }()

	waitScreen(t, s, "完成")
	line := strings.Repeat("─", ansi.StringWidth(stats)+2)
	want := []string{
		"╭" + line + "╮",
		"│ " + stats + " │",
		"╰" + line + "╯",
		"完成",
		"", "", "", "",
	}
	if got := s.Lines(); !equal(got, want) {
		t.Errorf("alt screen:\n%s\nwant:\n%s", frame(strings.Join(got, "\n")), frame(strings.Join(want, "\n")))
	}
	if got := s.Title(); got != "客服工作台" {
		t.Errorf("Title() = %q", got)
	}

	p.Quit()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want = []string{"$ kefu", "", "", "", "", "", "", ""}
	if got := s.Lines(); !equal(got, want) {
		t.Errorf("main screen after exit:\n%s", frame(strings.Join(got, "\n")))
	}
	if x, y := s.Cursor(); x != 0 || y != 1 {
		t.Errorf("cursor after exit at %d,%d; want 0,1", x, y)
	}
}

func TestBubbleTeaInline(t *testing.T) {
	s := NewScreen(30, 8)
	s.Write([]byte("$ kefu\r\n"))
	p := tea.NewProgram(steps{box: boxStyle(), quit: true}, tea.WithInput(nil), tea.WithOutput(s),
		tea.WithoutSignalHandler())
	if _, err := p.Run(); err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("─", ansi.StringWidth(stats)+2)
	want := []string{
		"$ kefu",
		"╭" + line + "╮",
		"│ " + stats + " │",
		"╰" + line + "╯",
		"完成",
		"", "", "",
	}
	if got := s.Lines(); !equal(got, want) {
		t.Errorf("inline:\n%s\nwant:\n%s", frame(strings.Join(got, "\n")), frame(strings.Join(want, "\n")))
	}
}
