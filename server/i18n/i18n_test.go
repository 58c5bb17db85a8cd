package i18n

import (
	"regexp"
	"sort"
	"testing"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// TestCatalogIsComplete: both languages for every key, with the same format verbs in the same
// order, so a translation can never print %!d(MISSING).
func TestCatalogIsComplete(t *testing.T) {
	keys := Keys()
	sort.Strings(keys)
	for _, k := range keys {
		zh, en := Pair(k)
		if zh == "" || en == "" {
			t.Errorf("%s: missing a language (zh %q, en %q)", k, zh, en)
		}
		a, b := verb.FindAllString(zh, -1), verb.FindAllString(en, -1)
		if len(a) != len(b) {
			t.Errorf("%s: verbs differ: zh %v, en %v", k, a, b)
			continue
		}
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("%s: verb %d differs: zh %s, en %s", k, i, a[i], b[i])
			}
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh": ZH, "zh-CN": ZH, "en": EN, "en-US": EN, "EN": EN, "fr": ZH, "": ZH} {
		if got, _ := Parse(in); got != want {
			t.Errorf("Parse(%q) = %s, want %s", in, got, want)
		}
	}
	if ZH.T("visitor.number", 7) != "访客7" || EN.T("visitor.number", 7) != "V7" {
		t.Error("T does not format")
	}
	if ZH.T("no.such.key") != "no.such.key" {
		t.Error("missing key should come back as itself")
	}
}
