// Package plain turns untrusted text (everything a visitor types or a browser reports) into
// plain text that is safe to print on an agent's terminal: no escape sequences, no control
// characters, no bidirectional overrides, valid UTF-8.
//
// A terminal obeys what it prints: an ESC sequence from a visitor could move the cursor,
// rewrite the screen, set the window title, or worse. Everything shown in the workbench that
// did not come from kefu itself passes through Text or Line.
package plain

import (
	"strings"
	"unicode/utf8"
)

// Text returns s with escape sequences and control characters removed, keeping newlines.
// Tabs become a space; CR LF and lone CR become LF.
func Text(s string) string { return clean(s, false) }

// Line is Text for one-line fields (names, titles, URLs): newlines become spaces too.
func Line(s string) string { return clean(s, true) }

// Safe reports whether s would come out of Text unchanged.
func Safe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\n' && unsafeRune(r) {
			return false
		}
	}
	return true
}

func clean(s string, oneLine bool) string {
	if isPlain(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch {
		case r == 0x1b:
			i = skipEscape(s, i+1)
			continue
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // 8-bit OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
			continue
		case r == '\r':
			if !(i+1 < len(s) && s[i+1] == '\n') {
				if oneLine {
					b.WriteByte(' ')
				} else {
					b.WriteByte('\n')
				}
			}
		case r == '\n':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		case r == '\t':
			b.WriteByte(' ')
		case unsafeRune(r):
			// dropped
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain is the fast path: most text needs no change.
func isPlain(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			if c == '\n' && !oneLine {
				continue
			}
			return false
		}
		if c >= 0x80 {
			return Safe(s) && (!oneLine || !strings.ContainsRune(s, '\n'))
		}
	}
	return true
}

// unsafeRune: C0 and C1 controls, DEL, and the Unicode bidi controls that can make a line
// display differently from what it says.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// skipEscape returns the index after the escape sequence whose ESC was just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// ESC + intermediates (0x20–0x2f) + one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		i++
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte of a control sequence.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f:
			i++
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		default: // a broken sequence: stop before the stray byte and let the caller judge it
			return i
		}
	}
	return i
}

// skipString skips an OSC/DCS/… string up to BEL or ST (ESC \ or 0x9c).
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
		i++
	}
	return i
}
