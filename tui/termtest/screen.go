// Package termtest lets tests and the load tool see what an agent's terminal shows: Screen is
// a small terminal emulator that understands what Bubble Tea v1 and lipgloss write, and Client
// is an SSH client with a pty that feeds a Screen, so an end-to-end test can type, press keys
// and wait for text the way a person at the workbench would.
package termtest

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// widths measures runes the way lipgloss (x/ansi) does, whatever the locale: East-Asian
// ambiguous characters such as "·" and box-drawing lines are one cell, not two.
var widths = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// Limits on what an unterminated or hostile sequence may make the Screen hold.
const (
	maxCSI = 64   // bytes of parameters and intermediates in one CSI or ESC sequence
	maxOSC = 4096 // bytes of one OSC string; the rest is dropped
)

// cell is one column of one row. A wide character lives in a lead cell (wide) followed by a
// continuation cell (cont) that holds nothing. text is "" for a blank cell; combining marks
// are appended to the text of the cell they follow.
type cell struct {
	text string
	wide bool
	cont bool
}

type cursor struct {
	x, y     int
	wrapNext bool
	valid    bool
}

type parseState uint8

const (
	stGround   parseState = iota
	stEscape              // after ESC
	stEscInter            // ESC followed by intermediate bytes, e.g. ESC ( B
	stCSI                 // ESC [
	stOSC                 // ESC ]
	stString              // DCS, SOS, PM, APC: swallowed until ST
)

// Screen is a terminal emulator just big enough to hold what Bubble Tea's standard renderer
// and lipgloss emit, so tests can assert on the text a person would see rather than on the
// escape sequences that drew it. Colours and other attributes are ignored. Write may be called
// from one goroutine while others call the readers.
type Screen struct {
	mu sync.Mutex

	w, h      int
	main, alt [][]cell
	grid      [][]cell // main or alt
	altActive bool

	x, y        int
	wrapNext    bool // the last column was written; the next printable wraps first (xterm)
	autowrap    bool
	top, bottom int       // scroll region, inclusive rows
	saved       [2]cursor // DECSC slots for the main and the alternate screen
	last        rune      // last printed character, for REP

	title string
	bells int

	state    parseState
	seq      []byte // parameters of the sequence being parsed, or the OSC string
	overflow bool   // the sequence grew past its limit and will be ignored
	u8       []byte // bytes of an incomplete UTF-8 character

	changed chan struct{} // closed and replaced after every Write
}

// NewScreen returns a blank screen of width×height cells with the cursor at the top left.
func NewScreen(width, height int) *Screen {
	s := &Screen{changed: make(chan struct{})}
	s.w, s.h = max(width, 1), max(height, 1)
	s.reset()
	return s
}

// reset puts the screen back in its power-on state, keeping its size and counters.
func (s *Screen) reset() {
	s.main = newGrid(s.w, s.h)
	s.alt = newGrid(s.w, s.h)
	s.grid = s.main
	s.altActive = false
	s.x, s.y, s.wrapNext = 0, 0, false
	s.autowrap = true
	s.top, s.bottom = 0, s.h-1
	s.saved = [2]cursor{}
}

func newGrid(w, h int) [][]cell {
	g := make([][]cell, h)
	for i := range g {
		g[i] = make([]cell, w)
	}
	return g
}

// Write feeds raw terminal output to the screen. Sequences may be split anywhere across
// calls. It never fails and never answers queries.
func (s *Screen) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	for _, b := range p {
		s.feed(b)
	}
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return len(p), nil
}

// changes returns a channel that is closed by the next Write. Take it before checking the
// screen so that no write can slip in between.
func (s *Screen) changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Resize changes the size of both the main and the alternate screen, keeping what fits at
// the top left. As in xterm, a shrinking height drops rows from the top if the cursor would
// otherwise fall off the bottom. The scroll region is reset to the whole screen.
func (s *Screen) Resize(width, height int) {
	width, height = max(width, 1), max(height, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if width == s.w && height == s.h {
		return
	}
	shift := 0
	if s.y >= height {
		shift = s.y - height + 1
	}
	resize := func(g [][]cell, shift int) [][]cell {
		n := newGrid(width, height)
		for y := range n {
			if y+shift < len(g) {
				copy(n[y], g[y+shift])
				fixRow(n[y])
			}
		}
		return n
	}
	mainShift, altShift := 0, 0
	if s.altActive {
		altShift = shift
	} else {
		mainShift = shift
	}
	s.main = resize(s.main, mainShift)
	s.alt = resize(s.alt, altShift)
	s.grid = s.main
	if s.altActive {
		s.grid = s.alt
	}
	s.w, s.h = width, height
	s.y -= shift
	s.x = min(s.x, width-1)
	s.wrapNext = false
	s.top, s.bottom = 0, height-1
}

// Lines returns the visible rows with trailing spaces trimmed. A wide character takes two
// cells but appears once.
func (s *Screen) Lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := make([]string, len(s.grid))
	// One buffer for every row (a watcher calls this after each write from the server).
	var b []byte
	for y, row := range s.grid {
		b = b[:0]
		for _, c := range row {
			switch {
			case c.cont:
			case c.text == "":
				b = append(b, ' ')
			default:
				b = append(b, c.text...)
			}
		}
		lines[y] = string(bytes.TrimRight(b, " "))
	}
	return lines
}

// String returns Lines joined by newlines.
func (s *Screen) String() string {
	return strings.Join(s.Lines(), "\n")
}

// Cursor returns the cursor's column and row, counted from 0.
func (s *Screen) Cursor() (x, y int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.x, s.y
}

// Bells returns how many BEL characters arrived outside escape sequences; kefu rings the bell
// to notify an agent.
func (s *Screen) Bells() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bells
}

// Title returns the window title last set with OSC 0 or OSC 2, or "".
func (s *Screen) Title() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.title
}

// feed advances the parser by one byte.
func (s *Screen) feed(b byte) {
	switch s.state {
	case stGround:
		s.ground(b)
	case stEscape:
		s.escape(b)
	case stEscInter:
		switch {
		case b >= 0x20 && b <= 0x2f:
		case b >= 0x30 && b <= 0x7e:
			s.state = stGround // charset designations and the like: ignored
		default:
			s.controlInSequence(b)
		}
	case stCSI:
		switch {
		case b >= 0x20 && b <= 0x3f:
			s.collect(b, maxCSI)
		case b >= 0x40 && b <= 0x7e:
			if !s.overflow {
				s.csi(b)
			}
			s.state = stGround
		case b == 0x7f || b >= 0x80:
			// not part of any sequence; ignored as xterm does
		default:
			s.controlInSequence(b)
		}
	case stOSC:
		switch b {
		case 0x07:
			s.osc()
			s.state = stGround
		case 0x1b: // the start of ST; the '\' that follows is swallowed in stEscape
			s.osc()
			s.state = stEscape
		case 0x18, 0x1a:
			s.state = stGround
		default:
			if b >= 0x20 {
				s.collect(b, maxOSC)
			}
		}
	case stString:
		switch b {
		case 0x1b:
			s.state = stEscape
		case 0x18, 0x1a:
			s.state = stGround
		}
	}
}

func (s *Screen) collect(b byte, limit int) {
	if len(s.seq) >= limit {
		s.overflow = true
		return
	}
	s.seq = append(s.seq, b)
}

// controlInSequence handles a C0 control met inside a CSI or ESC sequence: ESC starts over,
// CAN and SUB cancel, and the others are executed as if the sequence were not there.
func (s *Screen) controlInSequence(b byte) {
	switch b {
	case 0x1b:
		s.state = stEscape
	case 0x18, 0x1a:
		s.state = stGround
	default:
		if b < 0x20 {
			s.control(b)
		}
	}
}

func (s *Screen) ground(b byte) {
	if len(s.u8) > 0 {
		if b >= 0x80 && b <= 0xbf {
			s.u8 = append(s.u8, b)
			if utf8.FullRune(s.u8) {
				r, _ := utf8.DecodeRune(s.u8)
				s.u8 = s.u8[:0]
				s.print(r) // utf8.RuneError for a malformed character, as a terminal shows it
			}
			return
		}
		s.u8 = s.u8[:0]
		s.print(utf8.RuneError)
	}
	switch {
	case b < 0x20:
		s.control(b)
	case b < 0x7f:
		s.print(rune(b))
	case b == 0x7f:
	case b >= 0xc2 && b <= 0xf4:
		s.u8 = append(s.u8, b)
	default:
		s.print(utf8.RuneError)
	}
}

func (s *Screen) control(b byte) {
	switch b {
	case 0x07:
		s.bells++
	case 0x08:
		s.wrapNext = false
		if s.x > 0 {
			s.x--
		}
	case 0x09:
		if !s.wrapNext {
			s.x = min((s.x/8+1)*8, s.w-1)
		}
	case 0x0a, 0x0b, 0x0c:
		s.wrapNext = false
		s.index()
	case 0x0d:
		s.wrapNext = false
		s.x = 0
	case 0x1b:
		s.state = stEscape
	}
}

func (s *Screen) escape(b byte) {
	s.seq = s.seq[:0]
	s.overflow = false
	s.state = stGround
	switch b {
	case '[':
		s.state = stCSI
	case ']':
		s.state = stOSC
	case 'P', 'X', '^', '_':
		s.state = stString
	case '7':
		s.saveCursor()
	case '8':
		s.restoreCursor()
	case 'D':
		s.wrapNext = false
		s.index()
	case 'E':
		s.wrapNext = false
		s.x = 0
		s.index()
	case 'M':
		s.wrapNext = false
		s.reverseIndex()
	case 'c':
		s.reset()
	default:
		switch {
		case b >= 0x20 && b <= 0x2f:
			s.state = stEscInter
		case b < 0x20:
			s.state = stEscape
			s.controlInSequence(b)
		}
		// Other finals (keypad modes, ST's '\', tab sets…) change nothing we show.
	}
}

// csi dispatches a complete control sequence whose parameters are in s.seq.
func (s *Screen) csi(final byte) {
	var private byte
	params := s.seq
	if len(params) > 0 && params[0] >= '<' && params[0] <= '?' {
		private, params = params[0], params[1:]
	}
	var ps []int
	cur, have, sub := 0, false, false
	for _, c := range params {
		switch {
		case c >= '0' && c <= '9':
			if !sub {
				cur = min(cur*10+int(c-'0'), 65535)
				have = true
			}
		case c == ':':
			sub = true // sub-parameters only matter to SGR, which we ignore
		case c == ';':
			if !have {
				cur = -1
			}
			ps = append(ps, cur)
			cur, have, sub = 0, false, false
		default:
			return // intermediates or a misplaced private marker: nothing we implement
		}
	}
	if !have {
		cur = -1
	}
	ps = append(ps, cur)
	// n is a count or a position: missing or 0 means 1.
	n := func(i int) int {
		if i < len(ps) && ps[i] > 0 {
			return ps[i]
		}
		return 1
	}
	// mode is a selector: missing means 0.
	mode := func(i int) int {
		if i < len(ps) && ps[i] > 0 {
			return ps[i]
		}
		return 0
	}

	if private != 0 {
		if private == '?' && (final == 'h' || final == 'l') {
			for _, m := range ps {
				s.decMode(m, final == 'h')
			}
		}
		return // queries (DA2, XTVERSION, kitty keyboard…) are swallowed unanswered
	}

	switch final {
	case 'A':
		s.moveTo(s.x, s.clampUp(s.y-n(0)))
	case 'B', 'e':
		s.moveTo(s.x, s.clampDown(s.y+n(0)))
	case 'C', 'a':
		s.moveTo(s.x+n(0), s.y)
	case 'D':
		s.moveTo(s.x-n(0), s.y)
	case 'E':
		s.moveTo(0, s.clampDown(s.y+n(0)))
	case 'F':
		s.moveTo(0, s.clampUp(s.y-n(0)))
	case 'G', '`':
		s.moveTo(n(0)-1, s.y)
	case 'H', 'f':
		s.moveTo(n(1)-1, n(0)-1)
	case 'd':
		s.moveTo(s.x, n(0)-1)
	case 'J':
		s.eraseDisplay(mode(0))
	case 'K':
		s.eraseLine(mode(0))
	case 'L':
		if s.y >= s.top && s.y <= s.bottom {
			s.scrollDown(s.y, s.bottom, n(0))
			s.moveTo(0, s.y)
		}
	case 'M':
		if s.y >= s.top && s.y <= s.bottom {
			s.scrollUp(s.y, s.bottom, n(0))
			s.moveTo(0, s.y)
		}
	case 'S':
		s.scrollUp(s.top, s.bottom, n(0))
	case 'T':
		if len(ps) <= 1 { // with more parameters it is mouse tracking, not scrolling
			s.scrollDown(s.top, s.bottom, n(0))
		}
	case '@':
		s.insertChars(n(0))
	case 'P':
		s.deleteChars(n(0))
	case 'X':
		s.wrapNext = false
		s.clearCells(s.grid[s.y], s.x, s.x+n(0))
	case 'b':
		if s.last != 0 {
			for range min(n(0), s.w*s.h) {
				s.print(s.last)
			}
		}
	case 'r':
		top, bottom := n(0)-1, s.h-1
		if len(ps) > 1 && ps[1] > 0 {
			bottom = min(ps[1], s.h) - 1
		}
		if top < bottom {
			s.top, s.bottom = top, bottom
			s.moveTo(0, 0)
		}
	case 's':
		s.saveCursor()
	case 'u':
		s.restoreCursor()
	}
	// m (SGR), c (DA1), n (DSR), t (window ops), h/l (ANSI modes) and the rest are ignored.
}

// decMode sets or resets a DEC private mode. Only those that change what is on screen do
// anything; mouse, paste, focus and synchronized-output modes are accepted and ignored.
func (s *Screen) decMode(m int, set bool) {
	switch m {
	case 7:
		s.autowrap = set
	case 47:
		s.useAlt(set)
	case 1047:
		if !set && s.altActive {
			s.alt = newGrid(s.w, s.h)
			s.grid = s.alt
		}
		s.useAlt(set)
	case 1048:
		if set {
			s.saveCursor()
		} else {
			s.restoreCursor()
		}
	case 1049:
		if set {
			if s.altActive {
				return
			}
			s.saveCursor()
			s.useAlt(true)
			s.alt = newGrid(s.w, s.h)
			s.grid = s.alt
		} else {
			if !s.altActive {
				return
			}
			s.useAlt(false)
			s.restoreCursor()
		}
	}
}

func (s *Screen) useAlt(on bool) {
	s.altActive = on
	s.grid = s.main
	if on {
		s.grid = s.alt
	}
}

func (s *Screen) slot() *cursor {
	if s.altActive {
		return &s.saved[1]
	}
	return &s.saved[0]
}

func (s *Screen) saveCursor() {
	*s.slot() = cursor{x: s.x, y: s.y, wrapNext: s.wrapNext, valid: true}
}

func (s *Screen) restoreCursor() {
	c := s.slot()
	if !c.valid {
		s.moveTo(0, 0)
		return
	}
	s.moveTo(c.x, c.y)
	s.wrapNext = c.wrapNext && s.x == s.w-1
}

// osc handles a complete operating-system command. Only the title is kept; colour queries
// (OSC 11 ?), clipboard writes and hyperlinks are swallowed.
func (s *Screen) osc() {
	defer func() { s.seq = s.seq[:0] }()
	cmd, text, ok := strings.Cut(string(s.seq), ";")
	if !ok {
		return
	}
	if cmd == "0" || cmd == "2" {
		s.title = strings.ToValidUTF8(text, string(utf8.RuneError))
	}
}

// moveTo puts the cursor at x, y, clamped to the screen, and cancels a pending wrap.
func (s *Screen) moveTo(x, y int) {
	s.x = min(max(x, 0), s.w-1)
	s.y = min(max(y, 0), s.h-1)
	s.wrapNext = false
}

// clampUp keeps an upward move inside the scroll region if it started inside it.
func (s *Screen) clampUp(y int) int {
	if s.y >= s.top {
		return max(y, s.top)
	}
	return max(y, 0)
}

func (s *Screen) clampDown(y int) int {
	if s.y <= s.bottom {
		return min(y, s.bottom)
	}
	return min(y, s.h-1)
}

// index moves the cursor down a row, scrolling the region when it is at its bottom.
func (s *Screen) index() {
	switch {
	case s.y == s.bottom:
		s.scrollUp(s.top, s.bottom, 1)
	case s.y < s.h-1:
		s.y++
	}
}

func (s *Screen) reverseIndex() {
	switch {
	case s.y == s.top:
		s.scrollDown(s.top, s.bottom, 1)
	case s.y > 0:
		s.y--
	}
}

// scrollUp moves rows top..bottom up by n; blank rows come in at the bottom.
func (s *Screen) scrollUp(top, bottom, n int) {
	n = min(n, bottom-top+1)
	g := s.grid
	for y := top; y <= bottom; y++ {
		if y+n <= bottom {
			g[y] = g[y+n]
		} else {
			g[y] = make([]cell, s.w)
		}
	}
}

// scrollDown moves rows top..bottom down by n; blank rows come in at the top.
func (s *Screen) scrollDown(top, bottom, n int) {
	n = min(n, bottom-top+1)
	g := s.grid
	for y := bottom; y >= top; y-- {
		if y-n >= top {
			g[y] = g[y-n]
		} else {
			g[y] = make([]cell, s.w)
		}
	}
}

func (s *Screen) eraseLine(mode int) {
	s.wrapNext = false
	row := s.grid[s.y]
	switch mode {
	case 0:
		s.clearCells(row, s.x, s.w)
	case 1:
		s.clearCells(row, 0, s.x+1)
	case 2:
		s.clearCells(row, 0, s.w)
	}
}

func (s *Screen) eraseDisplay(mode int) {
	s.wrapNext = false
	switch mode {
	case 0:
		s.clearCells(s.grid[s.y], s.x, s.w)
		for y := s.y + 1; y < s.h; y++ {
			s.grid[y] = make([]cell, s.w)
		}
	case 1:
		for y := 0; y < s.y; y++ {
			s.grid[y] = make([]cell, s.w)
		}
		s.clearCells(s.grid[s.y], 0, s.x+1)
	case 2:
		for y := range s.grid {
			s.grid[y] = make([]cell, s.w)
		}
	}
	// 3 erases the scrollback, which we do not keep.
}

// clearCells blanks row[from:to] and any wide character cut in half by the edges.
func (s *Screen) clearCells(row []cell, from, to int) {
	from, to = max(from, 0), min(to, len(row))
	for i := from; i < to; i++ {
		row[i] = cell{}
	}
	fixRow(row)
}

func (s *Screen) insertChars(n int) {
	s.wrapNext = false
	row := s.grid[s.y]
	n = min(n, s.w-s.x)
	copy(row[s.x+n:], row[s.x:])
	for i := s.x; i < s.x+n; i++ {
		row[i] = cell{}
	}
	fixRow(row)
}

func (s *Screen) deleteChars(n int) {
	s.wrapNext = false
	row := s.grid[s.y]
	n = min(n, s.w-s.x)
	copy(row[s.x:], row[s.x+n:])
	for i := s.w - n; i < s.w; i++ {
		row[i] = cell{}
	}
	fixRow(row)
}

// fixRow blanks halves of wide characters whose other half is gone.
func fixRow(row []cell) {
	for i := range row {
		c := row[i]
		if c.wide && (i+1 >= len(row) || !row[i+1].cont) {
			row[i] = cell{}
		}
		if c.cont && (i == 0 || !row[i-1].wide) {
			row[i] = cell{}
		}
	}
}

// print puts a character at the cursor and advances it, wrapping first if the previous
// character filled the last column (xterm's deferred wrap).
func (s *Screen) print(r rune) {
	if r >= 0x80 && r <= 0x9f {
		return // C1 controls encoded as UTF-8 are not printable
	}
	w := widths.RuneWidth(r)
	if w == 0 {
		s.combine(r)
		return
	}
	if w > s.w {
		w = 1
	}
	s.last = r
	if s.wrapNext && s.autowrap {
		s.newline()
	}
	if s.x+w > s.w {
		if s.autowrap {
			s.newline() // a wide character does not fit in the last column: it goes to the next row
		} else {
			s.x = s.w - w
		}
	}
	row := s.grid[s.y]
	// Overwriting half of a wide character blanks the other half.
	if row[s.x].cont && s.x > 0 {
		row[s.x-1] = cell{}
	}
	if end := s.x + w - 1; row[end].wide && end+1 < s.w {
		row[end+1] = cell{}
	}
	row[s.x] = cell{text: string(r), wide: w == 2}
	if w == 2 {
		row[s.x+1] = cell{cont: true}
	}
	s.x += w
	s.wrapNext = false
	if s.x >= s.w {
		s.x = s.w - 1
		s.wrapNext = true
	}
}

func (s *Screen) newline() {
	s.x = 0
	s.wrapNext = false
	s.index()
}

// combine appends a zero-width character (a combining mark, a variation selector, a joiner)
// to the character before the cursor.
func (s *Screen) combine(r rune) {
	x := s.x - 1
	if s.wrapNext {
		x = s.x
	}
	row := s.grid[s.y]
	if x >= 0 && row[x].cont {
		x--
	}
	if x < 0 || row[x].text == "" {
		return
	}
	row[x].text += string(r)
}
