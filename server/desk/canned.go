package desk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kefu/server/authz"
	"kefu/server/i18n"
	"kefu/server/plain"
	"kefu/store"
)

// Canned responses 常用语 (SPEC §4). Public replies belong to a site: anyone who may work on
// the site reads them, those with the settings permission (设置中心) on it maintain them.
// Personal replies belong to one agent, who alone reads and changes them, on every site.
// Every method checks the permission inside its own transaction, with the agent and role as
// stored at that moment.

// Refusals of canned reply actions, beside *FieldError and *CSVError.
var (
	ErrNoCanned  = errors.New("no such canned reply")
	ErrCSVTooBig = errors.New("CSV file too large")
	ErrCSVCoding = errors.New("CSV file is neither UTF-8 nor GBK")
)

// MaxCannedCSV is the largest CSV file ImportCannedCSV reads.
const MaxCannedCSV = 1 << 20

// maxCSVProblems is how many bad rows an import reports at once.
const maxCSVProblems = 10

// CannedInput is what an agent sets of a canned reply.
type CannedInput struct {
	Group    string
	Title    string
	Text     string
	Shortcut string // "price" or "/price"; stored lower-case without the slash
}

// clean makes the input safe to store and checks it against the limits.
func (in *CannedInput) clean() error {
	in.Group = strings.TrimSpace(plain.Line(in.Group))
	in.Title = strings.TrimSpace(plain.Line(in.Title))
	in.Text = strings.TrimSpace(plain.Text(in.Text))
	in.Shortcut = normShortcut(in.Shortcut)
	for _, err := range []error{ValidateCannedGroup(in.Group), ValidateCannedTitle(in.Title),
		ValidateCannedText(in.Text), ValidateCannedShortcut(in.Shortcut)} {
		if err != nil {
			return err
		}
	}
	return nil
}

func normShortcut(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "/"))
}

// ValidateCannedGroup checks a group name (分组): optional, at most 20 characters.
func ValidateCannedGroup(s string) error {
	if runes(strings.TrimSpace(plain.Line(s))) > store.MaxCannedGroup {
		return cannedFieldErr("group")
	}
	return nil
}

// ValidateCannedTitle checks a title (标题): optional, at most 50 characters.
func ValidateCannedTitle(s string) error {
	if runes(strings.TrimSpace(plain.Line(s))) > store.MaxCannedTitle {
		return cannedFieldErr("title")
	}
	return nil
}

// ValidateCannedText checks a reply's text (内容): 1–2000 characters.
func ValidateCannedText(s string) error {
	s = strings.TrimSpace(plain.Text(s))
	if s == "" || runes(s) > store.MaxCannedText {
		return cannedFieldErr("text")
	}
	return nil
}

// ValidateCannedShortcut checks a shortcut (快捷键): optional; letters, digits, '_' and '-',
// at most 20, with or without the leading '/'.
func ValidateCannedShortcut(s string) error {
	if s = normShortcut(s); s != "" && !store.ValidShortcut(s) {
		return cannedFieldErr("shortcut")
	}
	return nil
}

// cannedFieldErr explains a field of a canned reply that breaks its limit.
func cannedFieldErr(field string) error {
	switch field {
	case "group":
		return fieldErr(field, "canned.err.group", store.MaxCannedGroup)
	case "title":
		return fieldErr(field, "canned.err.title", store.MaxCannedTitle)
	case "text":
		return fieldErr(field, "canned.err.text", store.MaxCannedText)
	case "shortcut":
		return fieldErr(field, "canned.err.shortcut", store.MaxCannedShortcut)
	}
	return fieldErr(field, "canned.err.failed")
}

// cannedErr turns the store's refusals into the desk's.
func cannedErr(err error, shortcut string) error {
	var inv *store.CannedInvalidError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &inv):
		return cannedFieldErr(inv.Field)
	case errors.Is(err, store.ErrExists):
		return fieldErr("shortcut", "canned.err.shortcut_taken", "/"+shortcut)
	case errors.Is(err, store.ErrCannedFull):
		return fieldErr("", "canned.err.full", store.MaxCannedPerScope)
	case errors.Is(err, store.ErrNotFound):
		return ErrNoCanned
	}
	return err
}

// canIn checks a permission of the session's agent, as stored in tx.
func (s *AgentSession) canIn(tx *store.Tx, m authz.Module, siteID uint64) error {
	a, err := tx.Agent(s.AgentID)
	if err != nil {
		return ErrForbidden
	}
	r, err := tx.Role(a.RoleID)
	if err != nil || !authz.Can(a, r, m, siteID) {
		return ErrForbidden
	}
	return nil
}

// mayEditCanned checks that the agent may change replies of the scope: their own personal
// ones, or a site's public ones with the settings permission on that site (which must exist).
func (s *AgentSession) mayEditCanned(tx *store.Tx, siteID uint64, personal bool) error {
	if personal {
		return s.canIn(tx, authz.Workbench, 0)
	}
	if err := s.canIn(tx, authz.Settings, siteID); err != nil {
		return err
	}
	if _, err := tx.Site(siteID); err != nil {
		return ErrNoSite
	}
	return nil
}

// editable loads a reply the agent may change. Another agent's personal reply is not found,
// so its existence is not told.
func (s *AgentSession) editable(tx *store.Tx, id uint64) (*store.CannedReply, error) {
	c, err := tx.CannedReply(id)
	if err != nil || (c.Personal() && c.AgentID != s.AgentID) {
		return nil, ErrNoCanned
	}
	if err := s.mayEditCanned(tx, c.SiteID, c.Personal()); err != nil {
		return nil, err
	}
	return c, nil
}

// MayEditCanned reports whether the agent may maintain the site's public replies; screens use
// it to offer the actions, which check again.
func (s *AgentSession) MayEditCanned(siteID uint64) bool {
	return s.d.db.View(func(tx *store.Tx) error { return s.mayEditCanned(tx, siteID, false) }) == nil
}

// CannedReplies lists what the agent may insert in a chat on the site: their personal replies,
// then the site's public ones, each in display order. siteID 0 lists the personal ones only.
func (s *AgentSession) CannedReplies(siteID uint64) ([]store.CannedReply, error) {
	var out []store.CannedReply
	err := s.d.db.View(func(tx *store.Tx) error {
		if err := s.canIn(tx, authz.Workbench, siteID); err != nil {
			return err
		}
		mine, err := tx.AgentCanned(s.AgentID)
		if err != nil || siteID == 0 {
			out = mine
			return err
		}
		public, err := tx.SiteCanned(siteID)
		out = append(mine, public...)
		return err
	})
	return out, err
}

// CreateCanned adds a reply at the end of its group: the agent's own (personal), or a public
// one of the site.
func (s *AgentSession) CreateCanned(siteID uint64, personal bool, in CannedInput) (store.CannedReply, error) {
	if err := in.clean(); err != nil {
		return store.CannedReply{}, err
	}
	var out store.CannedReply
	err := s.d.db.Update(func(tx *store.Tx) error {
		if err := s.mayEditCanned(tx, siteID, personal); err != nil {
			return err
		}
		out = store.CannedReply{Group: in.Group, Title: in.Title, Text: in.Text, Shortcut: in.Shortcut}
		if personal {
			out.AgentID = s.AgentID
		} else {
			out.SiteID = siteID
		}
		return cannedErr(tx.CreateCanned(&out), in.Shortcut)
	})
	return out, err
}

// UpdateCanned changes a reply's group, title, text and shortcut.
func (s *AgentSession) UpdateCanned(id uint64, in CannedInput) (store.CannedReply, error) {
	if err := in.clean(); err != nil {
		return store.CannedReply{}, err
	}
	var out store.CannedReply
	err := s.d.db.Update(func(tx *store.Tx) error {
		c, err := s.editable(tx, id)
		if err != nil {
			return err
		}
		c.Group, c.Title, c.Text, c.Shortcut = in.Group, in.Title, in.Text, in.Shortcut
		if err := cannedErr(tx.PutCanned(c), in.Shortcut); err != nil {
			return err
		}
		out = *c
		return nil
	})
	return out, err
}

// DeleteCanned removes a reply.
func (s *AgentSession) DeleteCanned(id uint64) error {
	return s.d.db.Update(func(tx *store.Tx) error {
		if _, err := s.editable(tx, id); err != nil {
			return err
		}
		return cannedErr(tx.DeleteCanned(id), "")
	})
}

// MoveCanned moves a reply delta places within its group (上移 -1, 下移 +1).
func (s *AgentSession) MoveCanned(id uint64, delta int) error {
	return s.d.db.Update(func(tx *store.Tx) error {
		if _, err := s.editable(tx, id); err != nil {
			return err
		}
		_, err := tx.MoveCanned(id, delta)
		return cannedErr(err, "")
	})
}

// MoveCannedGroup moves a group of replies delta places among its scope's groups (上移 -1,
// 下移 +1): the agent's personal groups, or the site's public ones for whoever maintains them.
func (s *AgentSession) MoveCannedGroup(siteID uint64, personal bool, group string, delta int) error {
	return s.d.db.Update(func(tx *store.Tx) error {
		if err := s.mayEditCanned(tx, siteID, personal); err != nil {
			return err
		}
		site, agent := siteID, uint64(0)
		if personal {
			site, agent = 0, s.AgentID
		}
		_, err := tx.MoveCannedGroup(site, agent, strings.TrimSpace(plain.Line(group)), delta)
		return cannedErr(err, "")
	})
}

// CSVProblem is one bad row of an imported file; Line 0 is the file as a whole.
type CSVProblem struct {
	Line int
	Err  error
}

// CSVError refuses an imported file for the rows listed (at most the first ten); nothing of
// the file was stored.
type CSVError struct{ Problems []CSVProblem }

func (e *CSVError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d: %v", p.Line, p.Err)
	}
	return b.String()
}

// cannedColumns are the header names an imported file may use, English or Chinese.
var cannedColumns = map[string]string{
	"group": "group", "分组": "group",
	"title": "title", "标题": "title",
	"text": "text", "content": "text", "内容": "text",
	"shortcut": "shortcut", "快捷键": "shortcut", "快捷方式": "shortcut",
}

// CannedCSVHeader is the header row ExportCannedCSV writes and ImportCannedCSV reads.
var CannedCSVHeader = []string{"group", "title", "text", "shortcut"}

// ImportCannedCSV adds the replies of a CSV file (导入常用语) to the agent's personal ones or
// the site's public ones, at the end of their groups. The first row names the columns —
// group, title, text, shortcut, in any order (or 分组, 标题, 内容, 快捷键); only text is
// required. The file is UTF-8, with or without a BOM, or GBK as Excel saves it in China.
// It is all or nothing: any bad row refuses the whole file with a *CSVError naming the lines.
func (s *AgentSession) ImportCannedCSV(siteID uint64, personal bool, r io.Reader) (added int, err error) {
	return s.importCannedCSV(siteID, personal, r, false)
}

// CheckCannedCSV reads a CSV file as ImportCannedCSV does, with the same permission check and
// the same refusals, but stores nothing: how many replies the file would add. The workbench's
// import form shows it while the agent pastes.
func (s *AgentSession) CheckCannedCSV(siteID uint64, personal bool, r io.Reader) (int, error) {
	return s.importCannedCSV(siteID, personal, r, true)
}

func (s *AgentSession) importCannedCSV(siteID uint64, personal bool, r io.Reader, dry bool) (added int, err error) {
	if err := s.d.db.View(func(tx *store.Tx) error { return s.mayEditCanned(tx, siteID, personal) }); err != nil {
		return 0, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxCannedCSV+1))
	if err != nil {
		return 0, fmt.Errorf("read CSV: %w", err)
	}
	if len(data) > MaxCannedCSV {
		return 0, ErrCSVTooBig
	}
	rows, lines, problems, err := parseCannedCSV(data)
	if err != nil {
		return 0, err
	}
	list := make([]store.CannedReply, len(rows))
	for i, in := range rows {
		list[i] = store.CannedReply{Group: in.Group, Title: in.Title, Text: in.Text, Shortcut: in.Shortcut}
		if personal {
			list[i].AgentID = s.AgentID
		} else {
			list[i].SiteID = siteID
		}
	}
	check := func(tx *store.Tx) error {
		if err := s.mayEditCanned(tx, siteID, personal); err != nil {
			return err
		}
		var existing []store.CannedReply
		var err error
		if personal {
			existing, err = tx.AgentCanned(s.AgentID)
		} else {
			existing, err = tx.SiteCanned(siteID)
		}
		if err != nil {
			return err
		}
		// Name every bad row, the clashes with stored shortcuts too, before refusing.
		bad := append([]CSVProblem(nil), problems...)
		used := map[string]bool{}
		for _, c := range existing {
			used[c.Shortcut] = c.Shortcut != ""
		}
		for i, c := range list {
			if used[c.Shortcut] {
				bad = append(bad, CSVProblem{lines[i], fieldErr("shortcut", "canned.err.shortcut_taken", "/"+c.Shortcut)})
			}
		}
		if len(bad) > 0 {
			sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
			return &CSVError{bad[:min(len(bad), maxCSVProblems)]}
		}
		if len(list) == 0 {
			return &CSVError{[]CSVProblem{{0, fieldErr("", "canned.err.csv_empty")}}}
		}
		if len(existing)+len(list) > store.MaxCannedPerScope {
			return &CSVError{[]CSVProblem{{0, fieldErr("", "canned.err.full", store.MaxCannedPerScope)}}}
		}
		if dry {
			return nil
		}
		fresh := append([]store.CannedReply(nil), list...) // Update may run fn again
		return cannedErr(tx.AddCanned(fresh), "")
	}
	if dry {
		err = s.d.db.View(check)
	} else {
		err = s.d.db.Update(check)
	}
	if err != nil {
		return 0, err
	}
	return len(list), nil
}

// parseCannedCSV reads the good rows of an imported file with the line each starts on, and
// the problems of the bad ones. A file it cannot read at all is an error.
func parseCannedCSV(data []byte) (rows []CannedInput, lines []int, problems []CSVProblem, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if i := bytes.IndexRune(decoded, utf8.RuneError); err != nil || i >= 0 {
			line := 0
			if i >= 0 {
				line = bytes.Count(decoded[:i], []byte("\n")) + 1
			}
			return nil, nil, nil, &CSVError{[]CSVProblem{{line, ErrCSVCoding}}}
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil, nil, &CSVError{[]CSVProblem{{1, fieldErr("", "canned.err.csv_header")}}}
	}
	if err != nil {
		return nil, nil, nil, csvParseErr(err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		name, ok := cannedColumns[h]
		if !ok || seen[name] {
			return nil, nil, nil, &CSVError{[]CSVProblem{{1, fieldErr("", "canned.err.csv_column", plain.Line(h))}}}
		}
		cols[i], seen[name] = name, true
	}
	if !seen["text"] {
		return nil, nil, nil, &CSVError{[]CSVProblem{{1, fieldErr("", "canned.err.csv_header")}}}
	}
	shortcuts := map[string]int{} // shortcut → line it first appears on
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, csvParseErr(err).Problems...)
			break
		}
		line, _ := r.FieldPos(0)
		var in CannedInput
		blank := true
		for i, v := range rec {
			if strings.TrimSpace(v) == "" {
				continue
			}
			blank = false
			if i >= len(cols) || cols[i] == "" {
				err = fieldErr("", "canned.err.csv_extra")
				continue
			}
			switch cols[i] {
			case "group":
				in.Group = v
			case "title":
				in.Title = v
			case "text":
				in.Text = v
			case "shortcut":
				in.Shortcut = v
			}
		}
		if blank {
			continue
		}
		if err == nil {
			err = in.clean()
		}
		if err == nil && in.Shortcut != "" {
			if first, dup := shortcuts[in.Shortcut]; dup {
				err = fieldErr("shortcut", "canned.err.csv_dup", "/"+in.Shortcut, first)
			} else {
				shortcuts[in.Shortcut] = line
			}
		}
		if err != nil {
			problems = append(problems, CSVProblem{line, err})
			continue
		}
		rows = append(rows, in)
		lines = append(lines, line)
	}
	return rows, lines, problems, nil
}

func csvParseErr(err error) *CSVError {
	line := 0
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.Line
	}
	return &CSVError{[]CSVProblem{{line, fieldErr("", "canned.err.csv_syntax")}}}
}

// ExportCannedCSV writes the agent's personal replies, or the site's public ones, as a CSV
// file that ImportCannedCSV reads back (导出常用语).
func (s *AgentSession) ExportCannedCSV(siteID uint64, personal bool, w io.Writer) error {
	var list []store.CannedReply
	err := s.d.db.View(func(tx *store.Tx) error {
		var err error
		if personal {
			if err = s.canIn(tx, authz.Workbench, 0); err == nil {
				list, err = tx.AgentCanned(s.AgentID)
			}
			return err
		}
		if err = s.canIn(tx, authz.Workbench, siteID); err != nil {
			return err
		}
		if _, err := tx.Site(siteID); err != nil {
			return ErrNoSite
		}
		list, err = tx.SiteCanned(siteID)
		return err
	})
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(CannedCSVHeader)
	for _, c := range list {
		cw.Write([]string{c.Group, c.Title, c.Text, c.Shortcut})
	}
	cw.Flush()
	return cw.Error()
}

// SearchCanned keeps the replies whose title, text or shortcut contains every word of query,
// ignoring case; Chinese matches as a substring. An empty query keeps everything.
func SearchCanned(list []store.CannedReply, query string) []store.CannedReply {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return list
	}
	var out []store.CannedReply
next:
	for _, c := range list {
		hay := strings.ToLower(c.Title + "\x00" + c.Text + "\x00/" + c.Shortcut)
		for _, w := range words {
			if !strings.Contains(hay, w) {
				continue next
			}
		}
		out = append(out, c)
	}
	return out
}

// ExpandShortcut replaces a leading "/shortcut" of what the agent typed with the text of the
// reply that has that shortcut; what follows the shortcut stays. The first match in list
// wins, so with CannedReplies' order a personal reply shadows a public one.
func ExpandShortcut(list []store.CannedReply, input string) (string, bool) {
	s := strings.TrimLeft(input, " \t")
	if !strings.HasPrefix(s, "/") {
		return input, false
	}
	word, rest := s, ""
	if i := strings.IndexAny(s, " \t\n"); i >= 0 {
		word, rest = s[:i], s[i:]
	}
	name := strings.ToLower(word[1:])
	if name == "" {
		return input, false
	}
	for _, c := range list {
		if c.Shortcut == name {
			if strings.TrimSpace(rest) == "" {
				rest = ""
			}
			return c.Text + rest, true
		}
	}
	return input, false
}

// ExplainCanned is what a person reads when a canned reply action fails: a sentence in their
// language, a line per bad row of an imported file.
func ExplainCanned(err error, l i18n.Lang) string {
	var ce *CSVError
	var fe *FieldError
	switch {
	case errors.As(err, &ce):
		var out []string
		for _, p := range ce.Problems {
			if p.Line > 0 {
				out = append(out, l.T("canned.err.line", p.Line, ExplainCanned(p.Err, l)))
			} else {
				out = append(out, ExplainCanned(p.Err, l))
			}
		}
		return strings.Join(out, "\n")
	case errors.As(err, &fe):
		return l.T(fe.Key, fe.Args...)
	case errors.Is(err, ErrForbidden):
		return l.T("canned.err.forbidden")
	case errors.Is(err, ErrNoCanned), errors.Is(err, store.ErrNotFound):
		return l.T("canned.err.not_found")
	case errors.Is(err, ErrNoSite), errors.Is(err, ErrSiteDisabled):
		return l.T("canned.err.no_site")
	case errors.Is(err, ErrCSVTooBig):
		return l.T("canned.err.csv_too_big", MaxCannedCSV>>10)
	case errors.Is(err, ErrCSVCoding):
		return l.T("canned.err.csv_coding")
	}
	return l.T("canned.err.failed")
}
