// Package admintest drives the admin page without a terminal, the way the workbench's Bubble
// Tea program would: it runs the commands the page returns, feeds their messages back, and
// lets a test type, press keys and wait for what the page shows. The admin page's view tests
// and the end-to-end test of creating an agent through the forms use it.
package admintest

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"kefu/tui/admin"
)

// Driver runs one admin page at a fixed size.
type Driver struct {
	M    *admin.Model
	W, H int
	msgs chan tea.Msg
}

// New starts the page (Init) at w×h.
func New(m *admin.Model, w, h int) *Driver {
	d := &Driver{M: m, W: w, H: h, msgs: make(chan tea.Msg, 4096)}
	d.run(m.Init())
	return d
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

// run executes a command off the test's goroutine, as a program does, and queues its message.
func (d *Driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

// handle gives one message to the page, expanding batches and sequences and dropping what
// only a real terminal needs (cursor blinks, window-size queries).
func (d *Driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		go func() { // a sequence: one after the other, in order
			for _, c := range cmds {
				if c == nil {
					continue
				}
				if m := c(); m != nil {
					d.msgs <- m
				}
			}
		}()
		return
	}
	t := reflect.TypeOf(msg)
	if t.PkgPath() == "github.com/charmbracelet/bubbles/cursor" || t.PkgPath() == "github.com/charmbracelet/bubbletea" && t.Name() != "KeyMsg" {
		return
	}
	d.run(d.M.Update(msg))
}

// Settle processes messages until none has come for quiet.
func (d *Driver) Settle(quiet time.Duration) {
	for {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-time.After(quiet):
			return
		}
	}
}

// Send gives the page a message and settles.
func (d *Driver) Send(msg tea.Msg) {
	d.handle(msg)
	d.Settle(30 * time.Millisecond)
}

// Burst gives the page messages back to back, the way a program does when keys arrive
// faster than the commands they start finish: every message is handled before any of those
// commands runs; then it settles.
func (d *Driver) Burst(msgs ...tea.Msg) {
	var cmds []tea.Cmd
	for _, msg := range msgs {
		cmds = append(cmds, d.M.Update(msg))
	}
	for _, c := range cmds {
		d.run(c)
	}
	d.Settle(30 * time.Millisecond)
}

// Runes is the key message of typing s at once.
func Runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// Type types text into whatever has focus.
func (d *Driver) Type(s string) { d.Send(Runes(s)) }

// Press presses keys by name: "enter", "tab", "shift+tab", "esc", "up", "down", "left",
// "right", "space", "backspace", "pgup", "pgdown", "home", "end", "ctrl+c", or one character.
func (d *Driver) Press(keys ...string) {
	for _, k := range keys {
		d.Send(Key(k))
	}
}

// Key is the key message for a key name (see Press).
func Key(name string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "esc": tea.KeyEsc,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"backspace": tea.KeyBackspace, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "ctrl+c": tea.KeyCtrlC,
	}
	if t, ok := named[name]; ok {
		return tea.KeyMsg{Type: t}
	}
	if name == "space" {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

// View is the page as drawn, without styling.
func (d *Driver) View() string { return ansi.Strip(d.M.View(d.W, d.H)) }

// WaitFor processes messages until the page shows substr, or fails after timeout with the
// screen in the error.
func (d *Driver) WaitFor(substr string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for !strings.Contains(d.View(), substr) {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			return fmt.Errorf("admin page does not show %q after %v:\n%s", substr, timeout, d.View())
		}
	}
	return nil
}
