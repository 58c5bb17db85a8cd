package sshd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kefu/server/desk"
	"kefu/server/plain"
	"kefu/store"
)

// runCanned is `canned list|import|export`: canned responses 常用语 for scripts and for the
// CSV files the workbench cannot receive.
//
//	ssh -p 2222 admin@host canned list [--site N] [--personal] [--json]
//	ssh -p 2222 admin@host canned import --site N [--personal] < 常用语.csv
//	ssh -p 2222 admin@host canned export --site N [--personal] > 常用语.csv
func runCanned(c *cmdContext) error {
	usage := usageError{c.lang.T("canned.cmd.usage", c.sess.User())}
	if len(c.args) == 0 {
		return usage
	}
	sub := strings.ToLower(c.args[0])
	fs := flag.NewFlagSet("canned "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	site := fs.Uint64("site", 0, "")
	personal := fs.Bool("personal", false, "")
	if err := fs.Parse(c.args[1:]); err != nil || fs.NArg() > 0 {
		return usage
	}
	siteGiven := false
	fs.Visit(func(f *flag.Flag) { siteGiven = siteGiven || f.Name == "site" })
	as := c.s.desk.CommandSession(c.agent.ID)
	refuse := func(err error) error { return errors.New(desk.ExplainCanned(err, c.lang)) }
	switch sub {
	case "list":
		id := *site
		switch {
		case *personal:
			id = 0
		case !siteGiven:
			id = store.DefaultSiteID
		}
		list, err := as.CannedReplies(id)
		if err != nil {
			return refuse(err)
		}
		return c.cannedList(list)
	case "import":
		if !siteGiven && !*personal {
			return usage
		}
		n, err := as.ImportCannedCSV(*site, *personal, c.sess)
		if err != nil {
			return refuse(err)
		}
		return c.print(map[string]int{"added": n}, c.lang.T("canned.cmd.imported", n))
	case "export":
		if !siteGiven && !*personal {
			return usage
		}
		// A BOM first, so that Excel in China opens the file as UTF-8; import skips it.
		var out strings.Builder
		out.WriteString("\ufeff")
		if err := as.ExportCannedCSV(*site, *personal, &out); err != nil {
			return refuse(err)
		}
		_, err := io.WriteString(c.out, out.String())
		return err
	}
	return usage
}

// cannedJSON is one reply as `canned list --json` prints it.
type cannedJSON struct {
	ID       uint64 `json:"id"`
	No       int    `json:"no"` // the number the picker shows
	Scope    string `json:"scope"`
	Site     uint64 `json:"site,omitempty"`
	Group    string `json:"group"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Shortcut string `json:"shortcut,omitempty"`
}

func (c *cmdContext) cannedList(list []store.CannedReply) error {
	if c.json {
		out := make([]cannedJSON, len(list))
		for i, r := range list {
			scope := "public"
			if r.Personal() {
				scope = "personal"
			}
			out[i] = cannedJSON{ID: r.ID, No: i + 1, Scope: scope, Site: r.SiteID, Group: r.Group, Title: r.Title, Text: r.Text, Shortcut: r.Shortcut}
		}
		return c.print(out, "")
	}
	if len(list) == 0 {
		return c.print(nil, c.lang.T("canned.none"))
	}
	l := c.lang
	fmt.Fprintln(c.out, padCells(l.T("canned.cmd.col_no"), 5)+padCells(l.T("canned.cmd.col_scope"), 6)+
		padCells(l.T("canned.cmd.col_group"), 12)+padCells(l.T("canned.cmd.col_title"), 22)+
		padCells(l.T("canned.cmd.col_shortcut"), 16)+l.T("canned.cmd.col_text"))
	for i, r := range list {
		scope, group := l.T("canned.scope_public"), r.Group
		if r.Personal() {
			scope = l.T("canned.scope_personal")
		}
		if group == "" {
			group = l.T("canned.group_default")
		}
		shortcut := ""
		if r.Shortcut != "" {
			shortcut = "/" + r.Shortcut
		}
		fmt.Fprintln(c.out, padCells(fmt.Sprintf("%02d", i+1), 5)+padCells(scope, 6)+padCells(plain.Line(group), 12)+
			padCells(plain.Line(r.Title), 22)+padCells(shortcut, 16)+ansi.Truncate(plain.Line(r.Text), 60, "…"))
	}
	return nil
}

// padCells cuts s to w-1 display cells and pads it to w (Chinese takes two cells).
func padCells(s string, w int) string {
	s = ansi.Truncate(s, w-1, "…")
	return s + strings.Repeat(" ", w-ansi.StringWidth(s))
}
