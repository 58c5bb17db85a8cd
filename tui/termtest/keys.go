package termtest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// keys maps key names to the bytes an xterm sends for them in its default (normal cursor
// keys) mode, which is what Bubble Tea v1 expects.
var keys = map[string]string{
	"enter":     "\r",
	"esc":       "\x1b",
	"tab":       "\t",
	"shift+tab": "\x1b[Z",
	"backspace": "\x7f",
	"space":     " ",
	"up":        "\x1b[A",
	"down":      "\x1b[B",
	"right":     "\x1b[C",
	"left":      "\x1b[D",
	"home":      "\x1b[H",
	"end":       "\x1b[F",
	"pgup":      "\x1b[5~",
	"pgdown":    "\x1b[6~",
	"insert":    "\x1b[2~",
	"delete":    "\x1b[3~",
	"f1":        "\x1bOP",
	"f2":        "\x1bOQ",
	"f3":        "\x1bOR",
	"f4":        "\x1bOS",
	"f5":        "\x1b[15~",
	"f6":        "\x1b[17~",
	"f7":        "\x1b[18~",
	"f8":        "\x1b[19~",
	"f9":        "\x1b[20~",
	"f10":       "\x1b[21~",
	"f11":       "\x1b[23~",
	"f12":       "\x1b[24~",
}

// KeySequence returns the bytes a terminal sends for a named key: "enter", "esc", "tab",
// "shift+tab", "backspace", "space", the arrows "up" "down" "left" "right", "home", "end",
// "pgup", "pgdown", "insert", "delete", "f1"…"f12", "ctrl+a"…"ctrl+z", and "alt+" followed
// by one character or by any of those names. Names are case-insensitive; the character after
// "alt+" is not.
func KeySequence(name string) (string, error) {
	if rest, ok := cutPrefixFold(name, "alt+"); ok {
		if utf8.RuneCountInString(rest) == 1 {
			return "\x1b" + rest, nil
		}
		seq, err := KeySequence(rest)
		if err != nil {
			return "", err
		}
		return "\x1b" + seq, nil
	}
	lower := strings.ToLower(name)
	if seq, ok := keys[lower]; ok {
		return seq, nil
	}
	if rest, ok := strings.CutPrefix(lower, "ctrl+"); ok && len(rest) == 1 && rest[0] >= 'a' && rest[0] <= 'z' {
		return string(rune(rest[0] - 'a' + 1)), nil
	}
	return "", fmt.Errorf("termtest: unknown key %q", name)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
