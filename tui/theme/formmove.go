package theme

import (
	"reflect"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// UpdateForm gives a message to a huh form embedded in a session and makes the form's moves
// between fields happen at once.
//
// huh moves focus by returning a command (huh.NextField, huh.PrevField, and its own
// next-group command after the last field) whose message comes back through the program's
// queue. Keys the agent typed quickly after Enter are already in that queue, ahead of the
// move, so they landed in the field just left ("abc", Enter, "def" gave "abcdef") and the
// late moves then skipped fields. Here those commands run synchronously, inside the Update
// that handled the key: the next key always finds the next field focused. Every other
// command (cursor blinks, validation lookups) goes back to the program untouched.
func UpdateForm(f *huh.Form, msg tea.Msg) tea.Cmd {
	_, cmd := f.Update(msg)
	return settle(f, cmd, 0)
}

// settle runs the focus moves inside cmd, a tree of batches, and returns what is left.
func settle(f *huh.Form, cmd tea.Cmd, depth int) tea.Cmd {
	if cmd == nil || depth > 16 {
		return cmd
	}
	switch code(cmd) {
	case nextFieldCode, prevFieldCode, nextGroupCode, prevGroupCode:
		if f.State != huh.StateNormal {
			return nil
		}
		_, next := f.Update(cmd())
		return settle(f, next, depth+1)
	case batchCode:
		// Batch and Sequence share one closure; a sequence keeps its order, so only the
		// commands of a batch, which has none, are run here.
		batch, ok := cmd().(tea.BatchMsg)
		if !ok {
			return cmd
		}
		out := make([]tea.Cmd, 0, len(batch))
		for _, c := range batch {
			out = append(out, settle(f, c, depth+1))
		}
		return tea.Batch(out...)
	}
	return cmd
}

// code is a command's function code pointer: the same for every closure of one function.
func code(c tea.Cmd) uintptr { return reflect.ValueOf(c).Pointer() }

func noop() tea.Msg { return nil }

var (
	nextFieldCode = code(huh.NextField)
	prevFieldCode = code(huh.PrevField)
	batchCode     = code(tea.Batch(noop, noop))
	// huh's group moves are unexported; a one-field form leaving its only field shows them.
	nextGroupCode = groupMove(huh.NextField, "nextGroupMsg")
	prevGroupCode = groupMove(huh.PrevField, "prevGroupMsg")
)

// groupMove finds the command huh returns to leave a group, by moving off the only field of
// a throwaway form and checking the message of the command it answers with. It is 0 (never
// matched: those moves then arrive through the queue as before) if huh ever changes.
func groupMove(move tea.Cmd, msgName string) uintptr {
	f := huh.NewForm(huh.NewGroup(huh.NewNote().Title("probe")))
	f.Init()
	_, cmd := f.Update(move())
	var leaves []tea.Cmd
	var walk func(c tea.Cmd)
	walk = func(c tea.Cmd) {
		if c == nil {
			return
		}
		if code(c) == batchCode {
			if b, ok := c().(tea.BatchMsg); ok {
				for _, x := range b {
					walk(x)
				}
			}
			return
		}
		leaves = append(leaves, c)
	}
	walk(cmd)
	for _, c := range leaves {
		if code(c) == nextFieldCode || code(c) == prevFieldCode {
			continue
		}
		if msg := c(); msg != nil && reflect.TypeOf(msg).Name() == msgName && reflect.TypeOf(msg).PkgPath() == "github.com/charmbracelet/huh" {
			return code(c)
		}
	}
	return 0
}
