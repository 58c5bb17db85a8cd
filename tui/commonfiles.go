package tui

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"kefu/server/files"
	"kefu/server/hub"
	"kefu/store"
	"kefu/tui/cells"
)

// commonFiles picks one of the site's common files (常用文件) and sends it to the visitor as a
// download link. Admins fill the folders over scp/sftp (common/<site>/<folder>/<name>).
type commonFiles struct {
	m      *Model
	conv   *hub.ConvView
	list   []store.CommonFile
	cursor int
	err    error
	loaded bool
}

type (
	commonFilesMsg struct {
		list []store.CommonFile
		err  error
	}
	fileSentMsg struct {
		name string
		err  error
	}
)

func (m *Model) openCommonFiles(conv *hub.ConvView) tea.Cmd {
	m.common = &commonFiles{m: m, conv: conv}
	as, site := m.as, conv.SiteID
	return func() tea.Msg {
		list, err := as.CommonFiles(site)
		return commonFilesMsg{list: list, err: err}
	}
}

func (cf *commonFiles) key(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		cf.m.common = nil
	case "up", "k":
		cf.cursor = max(0, cf.cursor-1)
	case "down", "j":
		cf.cursor = min(max(0, len(cf.list)-1), cf.cursor+1)
	case "enter":
		if cf.cursor >= len(cf.list) {
			return nil
		}
		f := cf.list[cf.cursor]
		as, convID := cf.m.as, cf.conv.ID
		cf.m.common = nil
		return func() tea.Msg {
			_, err := as.SendCommonFile(convID, f.ID, newCID())
			return fileSentMsg{name: f.Name, err: err}
		}
	}
	return nil
}

func (cf *commonFiles) view(w, h int) string {
	m := cf.m
	l := m.lang
	lines := []string{m.st.PaneTitle.Render(cells.Cut(l.T("common.title", m.visitorName(cf.conv.VisitorID)), w)), ""}
	switch {
	case cf.err != nil:
		lines = append(lines, m.st.Error.Render(cells.Cut(l.T("err."+errKey(cf.err), ""), w)))
	case !cf.loaded:
		lines = append(lines, m.st.Muted.Render(l.T("detail.loading")))
	case len(cf.list) == 0:
		lines = append(lines, m.st.Muted.Render(cells.Cut(l.T("common.empty", cf.conv.SiteID), w)))
	}
	folder := "\x00"
	for i, f := range cf.list {
		if f.Folder != folder {
			folder = f.Folder
			name := cells.Safe(folder)
			if name == "" {
				name = l.T("common.no_folder")
			}
			lines = append(lines, m.st.Accent.Render(cells.Cut(name, w)))
		}
		size := files.SizeText(f.Size)
		line := fmt.Sprintf("  %s", cells.Fit(cells.Safe(f.Name), max(4, w-4-cells.Width(size))))
		line += " " + m.st.Muted.Render(size)
		if i == cf.cursor {
			line = m.st.ListActive.Render(cells.FitStyled(cells.Strip(line), w))
		}
		lines = append(lines, line)
	}
	return cells.Place(strings.Split(strings.Join(lines, "\n"), "\n"), w, h)
}

// fileRefusal words a file refusal, else the usual error text.
func (m *Model) fileRefusal(err error) string {
	var r *files.Refusal
	if errors.As(err, &r) {
		return r.Text(m.lang)
	}
	return m.lang.T("err."+errKey(err), "")
}
