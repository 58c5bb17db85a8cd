package sshd

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// Screen paints a workbench's frames onto the agent's terminal, in the alternate screen.
//
// Bubble Tea's own renderer polls sixty times a second and, on every tick, copies the whole
// frame to see whether it changed, idle or not: with a hundred agents that was a quarter of
// everything the server allocated, and a new frame waited up to a tick before it left. Here
// the workbench hands a frame over when it has drawn one (Show, which never blocks); one
// goroutine paints the newest frame at once, only the lines that changed, in one write. A
// slow client gets fewer frames, never a queue of them.
type Screen struct {
	w io.Writer

	mu            sync.Mutex
	frame         string // the newest frame handed over
	pending       bool   // frame is not painted yet
	width, height int
	full          bool // repaint every line (first frame, resize)
	closing       bool

	wake    chan struct{}
	stopped chan struct{}
	shown   []string     // the lines on the terminal, painter only
	buf     bytes.Buffer // the painter's output, reused from frame to frame
}

// Terminal modes the workbench runs in: the alternate screen, no cursor (inputs draw their
// own), bracketed paste (a pasted CSV arrives as one paste, not as keys).
const (
	screenEnter = "\x1b[?1049h\x1b[?25l\x1b[?2004h\x1b[H\x1b[2J"
	screenLeave = "\x1b[?2004l\x1b[?25h\x1b[?1049l"
)

// NewScreen takes over the terminal behind w, of width×height cells.
func NewScreen(w io.Writer, width, height int) *Screen {
	s := &Screen{w: w, width: width, height: height, full: true, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	io.WriteString(w, screenEnter)
	go s.paint()
	return s
}

// Show hands over a frame: lines separated by "\n", each at most the screen's width.
func (s *Screen) Show(frame string) {
	s.mu.Lock()
	s.frame, s.pending = frame, true
	s.mu.Unlock()
	s.poke()
}

// Resize notes the terminal's new size; the next frame is painted whole.
func (s *Screen) Resize(width, height int) {
	s.mu.Lock()
	s.width, s.height, s.full = width, height, true
	s.mu.Unlock()
}

func (s *Screen) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Close paints the last frame handed over, then gives the terminal back as it was.
func (s *Screen) Close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.poke()
	<-s.stopped
	io.WriteString(s.w, screenLeave)
}

func (s *Screen) paint() {
	defer close(s.stopped)
	for range s.wake {
		s.mu.Lock()
		frame, pending, full, w, h, closing := s.frame, s.pending, s.full, s.width, s.height, s.closing
		s.pending, s.full = false, false
		s.mu.Unlock()
		if pending {
			if _, err := s.w.Write(s.changes(frame, full, w, h)); err != nil {
				return // the session is gone
			}
		}
		if closing {
			return
		}
	}
}

// changes is what turns the terminal from the lines shown into frame.
func (s *Screen) changes(frame string, full bool, w, h int) []byte {
	lines := strings.Split(frame, "\n")
	if h > 0 && len(lines) > h {
		lines = lines[:h]
	}
	b := &s.buf
	b.Reset()
	if full {
		s.shown = s.shown[:0]
		b.WriteString("\x1b[H\x1b[2J")
	}
	for i, line := range lines {
		if i < len(s.shown) && s.shown[i] == line {
			continue
		}
		b.WriteString("\x1b[")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(";1H")
		width := ansi.StringWidth(line)
		if w > 0 && width > w {
			line = ansi.Truncate(line, w, "")
			width = ansi.StringWidth(line) // w, or one less where a wide character was cut
		}
		b.WriteString(line)
		if w <= 0 || width < w {
			b.WriteString("\x1b[K") // the rest of the row, left from the line before
		}
	}
	if len(lines) < len(s.shown) {
		b.WriteString("\x1b[")
		b.WriteString(strconv.Itoa(len(lines) + 1))
		b.WriteString(";1H\x1b[J")
	}
	s.shown = append(s.shown[:0], lines...)
	return b.Bytes()
}
