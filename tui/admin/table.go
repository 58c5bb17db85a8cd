package admin

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"kefu/tui/cells"
)

// column is one column of an admin table. Widths are display cells.
type column struct {
	title    string // already in the UI language
	min, max int
	prio     int // lower stays longer when the terminal is narrow
	right    bool
}

// layout gives each column its width (0: hidden) so that the row fits w cells with one
// space between columns: columns of the highest prio go first until the rest fit at their
// minimum; then the space left goes, in prio order, to each column's title, then to what it
// needs to show its cells whole (want, at most max), and what is still left up to each max,
// left to right.
func layout(cols []column, want []int, w int) []int {
	widths := make([]int, len(cols))
	shown := make([]bool, len(cols))
	for i := range cols {
		shown[i] = true
	}
	need := func() int {
		n, c := 0, 0
		for i, col := range cols {
			if shown[i] {
				n += col.min
				c++
			}
		}
		return n + max(0, c-1)
	}
	for need() > w {
		drop := -1
		for i, col := range cols {
			if shown[i] && (drop < 0 || col.prio >= cols[drop].prio) {
				drop = i
			}
		}
		count := 0
		for _, s := range shown {
			if s {
				count++
			}
		}
		if count <= 1 {
			break
		}
		shown[drop] = false
	}
	left := w - need()
	for i, col := range cols {
		if shown[i] {
			widths[i] = min(col.min, w)
		}
	}
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cols[order[a]].prio < cols[order[b]].prio })
	// Titles whole first ("Online", not "Onl…"), then the cells.
	for _, i := range order {
		if shown[i] && left > 0 {
			add := min(left, max(0, min(cells.Width(cols[i].title), cols[i].max)-widths[i]))
			widths[i] += add
			left -= add
		}
	}
	for _, i := range order {
		if shown[i] && left > 0 && i < len(want) {
			add := min(left, max(0, min(want[i], cols[i].max)-widths[i]))
			widths[i] += add
			left -= add
		}
	}
	for i, col := range cols {
		if shown[i] && left > 0 {
			add := min(left, max(0, col.max-widths[i]))
			widths[i] += add
			left -= add
		}
	}
	return widths
}

// list is a cursor over n rows with a scroll offset.
type list struct {
	cursor, offset int
}

// keyMove moves the cursor for the navigation keys; it reports whether the key was one.
func (l *list) keyMove(k tea.KeyMsg, km keyMap, n, page int) bool {
	switch {
	case key.Matches(k, km.Up):
		l.cursor--
	case key.Matches(k, km.Down):
		l.cursor++
	case key.Matches(k, km.PageUp):
		l.cursor -= max(1, page)
	case key.Matches(k, km.PageDown):
		l.cursor += max(1, page)
	case key.Matches(k, km.Home):
		l.cursor = 0
	case key.Matches(k, km.End):
		l.cursor = n - 1
	default:
		return false
	}
	l.clamp(n)
	return true
}

func (l *list) clamp(n int) {
	l.cursor = max(0, min(l.cursor, n-1))
}

// window keeps the cursor on screen in h rows and returns the first row to show.
func (l *list) window(n, h int) int {
	l.clamp(n)
	if h < 1 {
		h = 1
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = max(0, min(l.offset, n-h))
	return l.offset
}

// table draws a header and the rows that fit in h lines, the cursor's row highlighted.
// Cells are outside text: they are made safe here.
func (m *Model) table(cols []column, rows [][]string, l *list, w, h int) []string {
	want := make([]int, len(cols))
	for i, c := range cols {
		want[i] = cells.Width(c.title)
		for _, r := range rows {
			if i < len(r) {
				want[i] = max(want[i], cells.Width(cells.Safe(r[i])))
			}
		}
	}
	widths := layout(cols, want, w)
	row := func(cells_ []string) string {
		var parts []string
		for i, c := range cols {
			if widths[i] == 0 {
				continue
			}
			text := ""
			if i < len(cells_) {
				text = cells.Safe(cells_[i])
			}
			if c.right {
				parts = append(parts, cells.FitRight(text, widths[i]))
			} else {
				parts = append(parts, cells.Fit(text, widths[i]))
			}
		}
		return strings.Join(parts, " ")
	}
	var head []string
	for _, c := range cols {
		head = append(head, c.title)
	}
	out := []string{m.st.TableHeader.Render(cells.Fit(row(head), w))}
	if h <= 1 {
		return out
	}
	if len(rows) == 0 {
		return append(out, m.st.Muted.Render(cells.Cut(m.lang.T("admin.empty"), w)))
	}
	first := l.window(len(rows), h-1)
	for i := first; i < len(rows) && len(out) < h; i++ {
		line := cells.Fit(row(rows[i]), w)
		if i == l.cursor {
			line = m.st.RowSelected.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// splitLines splits a rendered block into lines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
