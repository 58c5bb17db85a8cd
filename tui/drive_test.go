package tui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// driver feeds keys to a workbench model and runs the commands they return, like the Bubble
// Tea runtime would, minus timers (ticks and cursor blinks are dropped).
type driver struct {
	t *testing.T
	m *Model
}

func (d *driver) run(cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 20 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(200 * time.Millisecond):
		return // a timer (tick, blink) or the event feed: not ours to wait for
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c, depth+1)
		}
	default:
		if v := reflect.ValueOf(msg); strings.Contains(v.Type().String(), "sequenceMsg") {
			for i := 0; i < v.Len(); i++ {
				d.run(v.Index(i).Interface().(tea.Cmd), depth+1)
			}
			return
		}
		_, next := d.m.Update(msg)
		d.run(next, depth+1)
	}
}

func (d *driver) keys(keys ...tea.KeyMsg) {
	for _, k := range keys {
		_, cmd := d.m.Update(k)
		d.run(cmd, 0)
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		d.keys(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

var (
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyTab   = tea.KeyMsg{Type: tea.KeyTab}
	keyEsc   = tea.KeyMsg{Type: tea.KeyEsc}
)
