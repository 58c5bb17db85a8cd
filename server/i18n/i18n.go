// Package i18n is kefu's one catalog of user-visible text: every sentence a visitor, an agent
// or an admin reads comes from here, in Chinese (zh-CN, the default) or English.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a UI language.
type Lang string

// Supported languages.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Parse maps a flag or Accept-Language value to a supported language; anything not English is
// Chinese.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "zh" || strings.HasPrefix(s, "zh-") || strings.HasPrefix(s, "zh_"):
		return ZH, true
	case s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_"):
		return EN, true
	}
	return ZH, false
}

// T returns the text for key in the language, formatted with args like fmt.Sprintf. A
// missing key returns the key itself, which the catalog test prevents.
func (l Lang) T(key string, args ...any) string {
	e, ok := catalog[key]
	if !ok {
		return key
	}
	f := e.zh
	if l == EN {
		f = e.en
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Has reports whether the catalog has the key.
func Has(key string) bool { _, ok := catalog[key]; return ok }

type entry struct{ zh, en string }

// add merges a part of the catalog kept in another file; a key defined twice is a bug.
func add(part map[string]entry) {
	for k, e := range part {
		if _, dup := catalog[k]; dup {
			panic("i18n: key defined twice: " + k)
		}
		catalog[k] = e
	}
}

// Keys returns every key; the catalog test uses it.
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	return out
}

// Pair returns the Chinese and English text of a key (for tests and the widget's settings).
func Pair(key string) (zh, en string) {
	e := catalog[key]
	return e.zh, e.en
}
