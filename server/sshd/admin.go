package sshd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
)

// Admin commands for scripts: the same actions, checks and refusals as the admin screens,
// through desk.CommandSession. Usage mistakes exit 2, refusals exit 1, each with one clear
// line in the agent's language.

func (s *Server) adminCommands() []command {
	return []command{
		{"site list", "cmd.site_list", runSiteList},
		{"site add", "cmd.site_add", runSiteAdd},
		{"agent list", "cmd.agent_list", runAgentList},
		{"agent add", "cmd.agent_add", runAgentAdd},
		{"agent disable", "cmd.agent_disable", func(c *cmdContext) error { return runAgentDisable(c, true) }},
		{"agent enable", "cmd.agent_enable", func(c *cmdContext) error { return runAgentDisable(c, false) }},
		{"role list", "cmd.role_list", runRoleList},
		{"keys list", "cmd.keys_list", runKeysList},
		{"keys add", "cmd.keys_add", runKeysAdd},
		{"keys remove", "cmd.keys_remove", runKeysRemove},
		{"records list", "cmd.records_list", runRecordsList},
	}
}

// session is the desk session the command acts as.
func (c *cmdContext) session() *desk.AgentSession { return c.s.desk.CommandSession(c.agent.ID) }

// refuse turns a desk error into the refusal the script sees (exit 1).
func (c *cmdContext) refuse(err error) error { return errors.New(desk.Explain(err, c.lang)) }

// usage makes the command print its usage line and exit 2.
func (c *cmdContext) usage(key string) error {
	return usageError{c.lang.T("cmd.usage_prefix") + c.lang.T(key)}
}

// Flags that take a value, of the admin commands (and of canned, which parses its own): what
// follows one of them is its value, even when it is "--json".
var (
	siteAddFlags   = []string{"domains", "domain", "secret"}
	agentListFlags = []string{"site"}
	agentAddFlags  = []string{"name", "nickname", "password", "role", "site", "phone", "email", "work-no", "qq", "wechat", "gender"}
	keysFlags      = []string{"agent"}
	recordsFlags   = []string{"site", "before", "limit"}
)

// takesValue reports whether --name takes the next argument as its value in some command.
func takesValue(name string) bool {
	for _, list := range [][]string{siteAddFlags, agentListFlags, agentAddFlags, keysFlags, recordsFlags} {
		for _, n := range list {
			if n == name {
				return true
			}
		}
	}
	return false
}

// takeJSON takes the --json flag out of a command line when it stands on its own, not when it
// is the value of a flag before it: in `agent add bob --name --json` it is bob's name, and
// the command refuses it like any other bad name instead of adding an agent called "".
func takeJSON(args []string) (rest []string, json bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--json" {
			json = true
			continue
		}
		rest = append(rest, a)
		if name, ok := strings.CutPrefix(a, "--"); ok && !strings.Contains(name, "=") && takesValue(name) && i+1 < len(args) {
			i++
			rest = append(rest, args[i])
		}
	}
	return rest, json
}

// flags are a command's arguments: --name value, --name=value, bare words.
type flags struct {
	named map[string]string
	words []string
}

// parseFlags reads args; bool names take no value. An unknown --name is a usage error.
func parseFlags(args []string, valued, boolean []string) (flags, bool) {
	f := flags{named: map[string]string{}}
	has := func(list []string, n string) bool {
		for _, x := range list {
			if x == n {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || a == "--" {
			f.words = append(f.words, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		switch {
		case has(boolean, name) && !hasVal:
			f.named[name] = "true"
		case has(valued, name) && hasVal:
			f.named[name] = val
		case has(valued, name) && i+1 < len(args):
			i++
			f.named[name] = args[i]
		default:
			return f, false
		}
	}
	return f, true
}

func (f flags) has(name string) bool { _, ok := f.named[name]; return ok }

// readInput reads what the script piped in (a key, a password), at most 64 KiB.
func (c *cmdContext) readInput() string {
	b, _ := io.ReadAll(io.LimitReader(c.sess, 64<<10))
	return strings.TrimSpace(string(b))
}

// table writes rows with columns padded by display width (Chinese takes two cells).
func table(w io.Writer, header []string, rows [][]string) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = ansi.StringWidth(h)
	}
	for _, r := range rows {
		for i, cell := range r {
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	line := func(cols []string) {
		var b strings.Builder
		for i, cell := range cols {
			b.WriteString(cell)
			if i < len(cols)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
}

func yesNo(l i18n.Lang, v bool) string {
	if v {
		return l.T("admin.yes")
	}
	return l.T("admin.no")
}

// --- site ---

type siteJSON struct {
	ID       uint64   `json:"id"`
	Name     string   `json:"name"`
	Domains  []string `json:"domains"`
	Secret   string   `json:"secret"`
	Disabled bool     `json:"disabled"`
	Embed    string   `json:"embed"`
}

func (c *cmdContext) siteJSON(s store.Site) siteJSON {
	return siteJSON{ID: s.ID, Name: s.Name, Domains: append([]string{}, s.Domains...), Secret: s.Secret, Disabled: s.Disabled,
		Embed: c.s.desk.EmbedCode(s.ID)}
}

func runSiteList(c *cmdContext) error {
	if len(c.args) > 0 {
		return c.usage("cmd.usage_site_list")
	}
	sites, err := c.session().Sites()
	if err != nil {
		return c.refuse(err)
	}
	if c.json {
		out := []siteJSON{}
		for _, s := range sites {
			out = append(out, c.siteJSON(s))
		}
		return c.print(out, "")
	}
	var rows [][]string
	for _, s := range sites {
		state := c.lang.T("admin.enabled")
		if s.Disabled {
			state = c.lang.T("admin.disabled")
		}
		rows = append(rows, []string{strconv.FormatUint(s.ID, 10), s.Name, strings.Join(s.Domains, ","), state})
	}
	table(c.out, []string{"ID", c.lang.T("admin.col.site_name"), c.lang.T("admin.col.domains"), c.lang.T("admin.col.state")}, rows)
	return nil
}

func runSiteAdd(c *cmdContext) error {
	f, ok := parseFlags(c.args, siteAddFlags, nil)
	if !ok || len(f.words) != 1 {
		return c.usage("cmd.usage_site_add")
	}
	in := desk.SiteInput{Name: f.words[0], Secret: f.named["secret"]}
	for _, k := range []string{"domains", "domain"} {
		if v := f.named[k]; v != "" {
			in.Domains = append(in.Domains, v)
		}
	}
	site, err := c.session().CreateSite(in)
	if err != nil {
		return c.refuse(err)
	}
	return c.print(c.siteJSON(*site), c.lang.T("cmd.site_added", site.Name, site.ID)+"\n"+c.s.desk.EmbedCode(site.ID))
}

// --- agent ---

type agentJSON struct {
	ID       uint64           `json:"id"`
	Account  string           `json:"account"`
	Name     string           `json:"name"`
	Nickname string           `json:"nickname,omitempty"`
	Role     string           `json:"role"`
	RoleID   uint64           `json:"role_id"`
	Phone    string           `json:"phone,omitempty"`
	Email    string           `json:"email,omitempty"`
	WorkNo   string           `json:"work_no,omitempty"`
	Seat     bool             `json:"seat"`
	Disabled bool             `json:"disabled"`
	Online   bool             `json:"online"`
	Sites    []store.SiteSeat `json:"sites"`
}

func toAgentJSON(r desk.AgentRow) agentJSON {
	sites := r.Sites
	if sites == nil {
		sites = []store.SiteSeat{}
	}
	return agentJSON{ID: r.ID, Account: r.Account, Name: r.Name, Nickname: r.Nickname, Role: r.RoleName, RoleID: r.RoleID,
		Phone: r.Phone, Email: r.Email, WorkNo: r.WorkNo, Seat: r.Seat, Disabled: r.Disabled, Online: r.Online, Sites: sites}
}

func runAgentList(c *cmdContext) error {
	f, ok := parseFlags(c.args, agentListFlags, nil)
	if !ok || len(f.words) > 1 {
		return c.usage("cmd.usage_agent_list")
	}
	var site uint64
	if v, has := f.named["site"]; has {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return c.usage("cmd.usage_agent_list")
		}
		site = n
	}
	query := ""
	if len(f.words) == 1 {
		query = f.words[0]
	}
	rows, err := c.session().ListAgents(site, query)
	if err != nil {
		return c.refuse(err)
	}
	if c.json {
		out := []agentJSON{}
		for _, r := range rows {
			out = append(out, toAgentJSON(r))
		}
		return c.print(out, "")
	}
	var lines [][]string
	for _, r := range rows {
		state := c.lang.T("admin.enabled")
		if r.Disabled {
			state = c.lang.T("admin.disabled")
		}
		lines = append(lines, []string{strconv.FormatUint(r.ID, 10), r.Account, r.Name, r.Nickname, r.RoleName,
			yesNo(c.lang, r.Seat), state, yesNo(c.lang, r.Online)})
	}
	l := c.lang
	table(c.out, []string{"ID", l.T("admin.col.account"), l.T("admin.col.name"), l.T("admin.col.nickname"), l.T("admin.col.role"),
		l.T("admin.col.seat"), l.T("admin.col.state"), l.T("admin.col.online")}, lines)
	return nil
}

// findRole resolves a role by id or name.
func (c *cmdContext) findRole(name string) (uint64, error) {
	roles, err := c.session().Roles()
	if err != nil {
		return 0, err
	}
	for _, r := range roles {
		if strconv.FormatUint(r.ID, 10) == name || strings.EqualFold(r.Name, name) || (r.Builtin != "" && r.Builtin == name) {
			return r.ID, nil
		}
	}
	return 0, desk.ErrNoRole
}

func runAgentAdd(c *cmdContext) error {
	f, ok := parseFlags(c.args, agentAddFlags, []string{"no-seat", "password-stdin"})
	if !ok || len(f.words) != 1 || f.named["name"] == "" {
		return c.usage("cmd.usage_agent_add")
	}
	in := desk.AgentInput{Account: f.words[0], Name: f.named["name"], Nickname: f.named["nickname"], Password: f.named["password"],
		Phone: f.named["phone"], Email: f.named["email"], WorkNo: f.named["work-no"], QQ: f.named["qq"], WeChat: f.named["wechat"],
		Gender: gender(f.named["gender"]), Seat: !f.has("no-seat")}
	if f.has("password-stdin") {
		in.Password = strings.TrimRight(firstLine(c.readInput()), "\r")
	}
	if in.Password == "" {
		return c.usage("cmd.usage_agent_add")
	}
	roleName := f.named["role"]
	if roleName == "" {
		roleName = "agent"
	}
	roleID, err := c.findRole(roleName)
	if err != nil {
		return c.refuse(err)
	}
	in.RoleID = roleID
	site := store.DefaultSiteID
	if v, has := f.named["site"]; has {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return c.usage("cmd.usage_agent_add")
		}
		site = n
	}
	a, err := c.session().CreateAgent(site, in)
	if err != nil {
		return c.refuse(err)
	}
	row, err := c.session().AgentDetail(a.ID)
	if err != nil {
		return c.refuse(err)
	}
	return c.print(toAgentJSON(*row), c.lang.T("cmd.agent_added", a.Account, a.ID))
}

// gender reads --gender: male or female, in English or Chinese; anything else goes to the desk
// as typed, which refuses it.
func gender(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "male", "m", "男":
		return "male"
	case "female", "f", "女":
		return "female"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// findAgent resolves an account, phone or email to an agent id.
func (c *cmdContext) findAgent(login string) (uint64, error) {
	id, err := c.session().FindAgent(login)
	if err != nil {
		return 0, err
	}
	return id, nil
}

func runAgentDisable(c *cmdContext, disable bool) error {
	key := "cmd.usage_agent_disable"
	if !disable {
		key = "cmd.usage_agent_enable"
	}
	if len(c.args) != 1 {
		return c.usage(key)
	}
	id, err := c.findAgent(c.args[0])
	if err != nil {
		return c.refuse(err)
	}
	if err := c.session().SetAgentDisabled(id, disable); err != nil {
		return c.refuse(err)
	}
	// The agent by their account, whichever login (phone, e-mail) the script named them by.
	row, err := c.session().AgentDetail(id)
	if err != nil {
		return c.refuse(err)
	}
	done := "cmd.agent_disabled"
	if !disable {
		done = "cmd.agent_enabled"
	}
	return c.print(map[string]any{"id": id, "account": row.Account, "disabled": disable}, c.lang.T(done, row.Account))
}

// --- role ---

func runRoleList(c *cmdContext) error {
	if len(c.args) > 0 {
		return c.usage("cmd.usage_role_list")
	}
	roles, err := c.session().Roles()
	if err != nil {
		return c.refuse(err)
	}
	if c.json {
		type roleJSON struct {
			ID      uint64                 `json:"id"`
			Name    string                 `json:"name"`
			Builtin string                 `json:"builtin,omitempty"`
			Agents  int                    `json:"agents"`
			Perms   map[string]store.Scope `json:"perms"`
		}
		out := []roleJSON{}
		for _, r := range roles {
			out = append(out, roleJSON{ID: r.ID, Name: r.Name, Builtin: r.Builtin, Agents: r.Agents, Perms: r.Perms})
		}
		return c.print(out, "")
	}
	var rows [][]string
	for _, r := range roles {
		kind := c.lang.T("admin.role_custom")
		if r.Builtin != "" {
			kind = c.lang.T("admin.role_builtin")
		}
		rows = append(rows, []string{strconv.FormatUint(r.ID, 10), r.Name, kind, strconv.Itoa(r.Agents)})
	}
	l := c.lang
	table(c.out, []string{"ID", l.T("admin.col.role_name"), l.T("admin.col.kind"), l.T("admin.col.holders")}, rows)
	return nil
}

// --- keys ---

// keyTarget is the agent a keys command acts on: --agent ACCOUNT, else oneself.
func (c *cmdContext) keyTarget(f flags) (uint64, error) {
	if v := f.named["agent"]; v != "" {
		return c.findAgent(v)
	}
	return c.agent.ID, nil
}

func runKeysList(c *cmdContext) error {
	f, ok := parseFlags(c.args, keysFlags, nil)
	if !ok || len(f.words) > 0 {
		return c.usage("cmd.usage_keys_list")
	}
	id, err := c.keyTarget(f)
	if err != nil {
		return c.refuse(err)
	}
	keys, err := c.session().Keys(id)
	if err != nil {
		return c.refuse(err)
	}
	if c.json {
		if keys == nil {
			keys = []store.AuthorizedKey{}
		}
		return c.print(keys, "")
	}
	var rows [][]string
	for _, k := range keys {
		rows = append(rows, []string{k.Fingerprint, k.Comment, k.Added.Local().Format(time.DateTime)})
	}
	l := c.lang
	table(c.out, []string{l.T("admin.col.fingerprint"), l.T("admin.col.comment"), l.T("admin.col.added")}, rows)
	return nil
}

func runKeysAdd(c *cmdContext) error {
	f, ok := parseFlags(c.args, keysFlags, nil)
	if !ok {
		return c.usage("cmd.usage_keys_add")
	}
	line := strings.Join(f.words, " ")
	if line == "" {
		line = c.readInput()
	}
	if line == "" {
		return c.usage("cmd.usage_keys_add")
	}
	id, err := c.keyTarget(f)
	if err != nil {
		return c.refuse(err)
	}
	// Several lines may be piped in (a whole authorized_keys file); blank lines and comments
	// are skipped.
	var added []store.AuthorizedKey
	sc := bufio.NewScanner(strings.NewReader(line))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, err := c.session().AddKey(id, l)
		if err != nil {
			return c.refuse(err)
		}
		added = append(added, k)
	}
	if len(added) == 0 {
		return c.refuse(desk.ErrBadKey)
	}
	var text []string
	for _, k := range added {
		text = append(text, c.lang.T("cmd.key_added", k.Fingerprint))
	}
	return c.print(added, strings.Join(text, "\n"))
}

func runKeysRemove(c *cmdContext) error {
	f, ok := parseFlags(c.args, keysFlags, nil)
	if !ok || len(f.words) != 1 {
		return c.usage("cmd.usage_keys_remove")
	}
	id, err := c.keyTarget(f)
	if err != nil {
		return c.refuse(err)
	}
	if err := c.session().RemoveKey(id, f.words[0]); err != nil {
		return c.refuse(err)
	}
	return c.print(map[string]string{"removed": f.words[0]}, c.lang.T("cmd.key_removed", f.words[0]))
}

// --- records 记录中心 ---

// runRecordsList lists a site's conversations, newest first: records list [--site N]
// [--before ID] [--limit N]. Only roles with 记录中心 on that site may.
func runRecordsList(c *cmdContext) error {
	f, ok := parseFlags(c.args, recordsFlags, nil)
	if !ok || len(f.words) > 0 {
		return c.usage("cmd.usage_records_list")
	}
	num := func(name string, def uint64) (uint64, bool) {
		v, has := f.named[name]
		if !has {
			return def, true
		}
		n, err := strconv.ParseUint(v, 10, 64)
		return n, err == nil
	}
	site, ok1 := num("site", store.DefaultSiteID)
	before, ok2 := num("before", 0)
	limit, ok3 := num("limit", 50)
	if !ok1 || !ok2 || !ok3 || site == 0 || limit > 500 {
		return c.usage("cmd.usage_records_list")
	}
	convs, err := c.session().Records(site, before, int(limit))
	if err != nil {
		return c.refuse(err)
	}
	if c.json {
		if convs == nil {
			convs = []store.Conversation{}
		}
		return c.print(convs, "")
	}
	l := c.lang
	at := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Local().Format(time.DateTime)
	}
	var rows [][]string
	for _, cv := range convs {
		agent := "-"
		if cv.AgentID != 0 {
			agent = strconv.FormatUint(cv.AgentID, 10)
		} else if n := len(cv.Agents); n > 0 {
			agent = strconv.FormatUint(cv.Agents[n-1], 10)
		}
		rows = append(rows, []string{strconv.FormatUint(cv.ID, 10), l.T("visitor.number", cv.VisitorID), agent,
			l.T("cmd.conv_state." + string(cv.State)), at(cv.Created), at(cv.Ended)})
	}
	table(c.out, []string{"ID", l.T("cmd.col.visitor"), l.T("cmd.col.agent_id"), l.T("admin.col.state"), l.T("cmd.col.created"), l.T("cmd.col.ended")}, rows)
	return nil
}
