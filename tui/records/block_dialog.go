package records

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"kefu/server/desk"
	"kefu/store"
	"kefu/tui/cells"
	"kefu/tui/theme"
)

// BlockDoneMsg is what the block dialog emits when the block is made, or when making it
// failed (Err): the workbench closes the dialog and says so. The Block's Name is how the
// notice names the visitor: the stored name, else the name the workbench showed (访客N).
type BlockDoneMsg struct {
	Block *store.Block
	Err   error
}

// DialogClosedMsg is what the block dialog emits when the agent cancels it (Esc, or 取消).
type DialogClosedMsg struct{}

// Ways to block, the dialog's first choice.
const (
	byVisitor = "visitor" // the browser
	byBoth    = "both"    // the browser and the address it uses now
	byIPOnly  = "ip"      // the address only
)

// durations are the dialog's choices of how long a block lasts; 0 is forever.
var durations = []struct {
	label string
	d     time.Duration
}{
	{"block.dur.hour", time.Hour},
	{"block.dur.day", 24 * time.Hour},
	{"block.dur.week", 7 * 24 * time.Hour},
	{"block.dur.month", 30 * 24 * time.Hour},
	{"block.dur.forever", 0},
}

// BlockDialog asks how to block a visitor (屏蔽): by the visitor and/or their address, for how
// long, and why; then blocks them through the desk. It is a huh form embedded in the
// workbench, never run on its own.
type BlockDialog struct {
	ctx       Context
	visitorID uint64
	name, ip  string

	form       *huh.Form
	by         string
	dur        time.Duration
	reason     string
	confirm    bool
	submitting bool
}

// NewBlockDialog builds the dialog for a visitor; name is how the workbench shows them and ip
// their address ("" when not known: then only the visitor can be blocked).
func NewBlockDialog(ctx Context, visitorID uint64, visitorName, ip string) *BlockDialog {
	l := ctx.Lang
	d := &BlockDialog{ctx: ctx, visitorID: visitorID, name: cells.Safe(visitorName), ip: cells.Safe(ip),
		by: byVisitor, dur: 24 * time.Hour, confirm: true}
	if d.name == "" {
		d.name = l.T("visitor.number", visitorID)
	}
	var fields []huh.Field
	if d.ip != "" {
		fields = append(fields, huh.NewSelect[string]().Title(l.T("block.by")).Value(&d.by).Options(
			huh.NewOption(l.T("block.by.visitor"), byVisitor),
			huh.NewOption(l.T("block.by.both"), byBoth),
			huh.NewOption(l.T("block.by.ip"), byIPOnly),
		).Inline(true))
	}
	opts := make([]huh.Option[time.Duration], len(durations))
	for i, o := range durations {
		opts[i] = huh.NewOption(l.T(o.label), o.d)
	}
	fields = append(fields,
		huh.NewSelect[time.Duration]().Title(l.T("block.duration")).Value(&d.dur).Options(opts...).Inline(true),
		huh.NewInput().Title(l.T("block.reason")).Placeholder(l.T("block.reason_hint")).Value(&d.reason).CharLimit(desk.MaxBlockReasonRunes),
		huh.NewConfirm().Title(l.T("block.confirm")).Description(l.T("block.confirm_hint")).Affirmative(l.T("block.yes")).Negative(l.T("block.no")).Value(&d.confirm),
	)
	d.form = huh.NewForm(huh.NewGroup(fields...)).
		WithTheme(ctx.Styles.Huh()).
		WithShowHelp(false).
		WithKeyMap(theme.FormKeys())
	return d
}

// Init starts the form.
func (d *BlockDialog) Init() tea.Cmd { return d.form.Init() }

// Update passes keys to the form; once it is answered it blocks the visitor (BlockDoneMsg) or
// closes (DialogClosedMsg).
func (d *BlockDialog) Update(msg tea.Msg) tea.Cmd {
	if d.submitting {
		return nil
	}
	model, cmd := d.form.Update(msg)
	if f, ok := model.(*huh.Form); ok {
		d.form = f
	}
	switch d.form.State {
	case huh.StateAborted:
		return closed
	case huh.StateCompleted:
		if !d.confirm {
			return closed
		}
		d.submitting = true
		return d.blockCmd()
	}
	return cmd
}

func closed() tea.Msg { return DialogClosedMsg{} }

// blockCmd asks the desk to block, off the UI goroutine.
func (d *BlockDialog) blockCmd() tea.Cmd {
	as, id, by, dur, reason, name := d.ctx.Agent, d.visitorID, d.by, d.dur, d.reason, d.name
	return func() tea.Msg {
		var b *store.Block
		var err error
		if by == byIPOnly {
			b, err = as.BlockIP(id, reason, dur)
		} else {
			b, err = as.Block(id, by == byBoth, reason, dur)
		}
		if b != nil && b.Name == "" {
			b.Name = name // an anonymous visitor: the copy the desk returned, not the store
		}
		return BlockDoneMsg{Block: b, Err: err}
	}
}

// View draws the dialog in a box of at most w×h cells. When rows are short it gives up the
// spacing first, then the key hint, then the address line, so the choices stay.
func (d *BlockDialog) View(w, h int) string {
	st, l := d.ctx.Styles, d.ctx.Lang
	fw, fh := st.Dialog.GetHorizontalFrameSize(), st.Dialog.GetVerticalFrameSize()
	inner := max(10, min(w-fw, 60))
	title := st.PaneTitle.Render(cells.Cut(l.T("block.title", d.name), inner))
	ip := ""
	if d.ip != "" {
		ip = st.Muted.Render(cells.Cut(l.T("block.ip", d.ip), inner))
	}
	var form []string
	if d.submitting {
		form = []string{st.Muted.Render(l.T("block.working"))}
	} else {
		form = strings.Split(d.form.WithWidth(inner).View(), "\n")
		for len(form) > 0 && strings.TrimSpace(form[len(form)-1]) == "" {
			form = form[:len(form)-1] // huh pads the group to its tallest height
		}
	}
	hint := st.HelpDesc.Render(cells.Cut(l.T("block.keys"), inner))
	avail := max(1, h-fh)
	compose := func(spaced, withHint, withIP bool) []string {
		lines := []string{title}
		if withIP && ip != "" {
			lines = append(lines, ip)
		}
		if spaced {
			lines = append(lines, "")
		}
		lines = append(lines, form...)
		if withHint {
			if spaced {
				lines = append(lines, "")
			}
			lines = append(lines, hint)
		}
		return lines
	}
	lines := compose(true, true, true)
	for _, try := range [][3]bool{{false, true, true}, {false, false, true}, {false, false, false}} {
		if len(lines) <= avail {
			break
		}
		lines = compose(try[0], try[1], try[2])
	}
	if len(lines) > avail {
		lines = lines[:avail]
	}
	return st.Dialog.Render(cells.Place(lines, inner, len(lines)))
}
