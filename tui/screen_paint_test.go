package tui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/server/sshd"
	"kefu/tui/termtest"
)

// lockedScreen is a terminal emulator that can be written from the painter goroutine and read
// by the test.
type lockedScreen struct {
	mu sync.Mutex
	t  *termtest.Screen
	n  int // bytes written
}

func (l *lockedScreen) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += len(p)
	return l.t.Write(p)
}

func (l *lockedScreen) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t.Lines()
}

func (l *lockedScreen) written() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func waitRow(t *testing.T, term *lockedScreen, row int, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		lines := term.lines()
		if row < len(lines) && strings.TrimRight(lines[row], " ") == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("row %d is not %q; screen:\n%s", row, want, strings.Join(lines, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestScreenPaintsWhatChanged: frames the SSH screen (sshd.Screen) is handed reach the
// terminal whole and right (Chinese included), a new frame sends only the rows that changed, a
// shorter frame clears what was below it, and Close gives the terminal back.
func TestScreenPaintsWhatChanged(t *testing.T) {
	term := &lockedScreen{t: termtest.NewScreen(20, 5)}
	s := sshd.NewScreen(term, 20, 5)
	s.Show("访客监控 对话\n第二行\n第三行 abc\n第四行\n第五行")
	waitRow(t, term, 4, "第五行")
	waitRow(t, term, 0, "访客监控 对话")
	before := term.written()
	s.Show("访客监控 对话\n第二行\n第三行 已改\n第四行\n第五行")
	waitRow(t, term, 2, "第三行 已改")
	if n := term.written() - before; n > 40 {
		t.Errorf("one changed row took %d bytes", n)
	}
	s.Show("只有一行")
	waitRow(t, term, 0, "只有一行")
	waitRow(t, term, 1, "")
	waitRow(t, term, 4, "")
	s.Resize(10, 3)
	term.mu.Lock()
	term.t.Resize(10, 3)
	term.mu.Unlock()
	s.Show("窄屏幕第一行\n第二")
	waitRow(t, term, 0, "窄屏幕第一")
	waitRow(t, term, 1, "第二")
	s.Close()
	if got := term.lines()[0]; strings.TrimSpace(got) != "" {
		t.Errorf("after Close the normal screen shows %q", got)
	}
}
