package sshd

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/charmbracelet/ssh"

	"kefu/server/i18n"
	"kefu/store"
)

// command is something a script can run over SSH without a terminal:
// `ssh -p 2222 admin@host site list --json`.
type command struct {
	name    string // "site list"
	helpKey string // catalog key of the one-line description
	run     func(c *cmdContext) error
}

// cmdContext is one command invocation.
type cmdContext struct {
	s     *Server
	sess  ssh.Session
	agent *store.Agent
	lang  i18n.Lang
	args  []string // after the command name
	json  bool
	out   io.Writer
}

// usageError makes the command print its usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func (s *Server) commands() []command {
	return append([]command{
		{"help", "cmd.help", func(c *cmdContext) error { return c.s.printHelp(c) }},
		{"canned", "cmd.canned", runCanned},
		{"version", "cmd.version", func(c *cmdContext) error {
			return c.print(map[string]string{"version": c.s.cfg.Version, "schema": fmt.Sprint(store.SchemaVersion())},
				fmt.Sprintf("kefu %s (schema %d)", c.s.cfg.Version, store.SchemaVersion()))
		}},
		{"whoami", "cmd.whoami", func(c *cmdContext) error {
			return c.print(map[string]any{"id": c.agent.ID, "account": c.agent.Account, "name": c.agent.Name},
				fmt.Sprintf("%s (%s)", c.agent.Account, c.agent.DisplayName()))
		}},
	}, s.adminCommands()...)
}

// runCommand runs a session without a terminal and returns its exit status.
func (s *Server) runCommand(sess ssh.Session, a *store.Agent, lang i18n.Lang) int {
	args := sess.Command()
	if len(args) == 0 {
		fmt.Fprintln(sess.Stderr(), lang.T("ssh.no_pty", s.desk.SSHPort(), sess.User()))
		return 1
	}
	rest, jsonOut := takeJSON(args)
	cmds := s.commands()
	// Longest match: "site list" before "site".
	var found *command
	var n int
	for i := range cmds {
		words := strings.Fields(cmds[i].name)
		if len(words) <= len(rest) && len(words) > n && strings.EqualFold(strings.Join(rest[:len(words)], " "), cmds[i].name) {
			found, n = &cmds[i], len(words)
		}
	}
	if found == nil {
		fmt.Fprintln(sess.Stderr(), lang.T("cmd.unknown", strings.Join(args, " ")))
		return 2
	}
	c := &cmdContext{s: s, sess: sess, agent: a, lang: lang, args: rest[n:], json: jsonOut, out: sess}
	if err := found.run(c); err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintln(sess.Stderr(), ue.msg)
			return 2
		}
		fmt.Fprintln(sess.Stderr(), err.Error())
		return 1
	}
	return 0
}

func (s *Server) printHelp(c *cmdContext) error {
	cmds := s.commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	if c.json {
		var list []map[string]string
		for _, cmd := range cmds {
			list = append(list, map[string]string{"command": cmd.name, "help": c.lang.T(cmd.helpKey)})
		}
		return c.print(list, "")
	}
	fmt.Fprintln(c.out, c.lang.T("cmd.usage", c.sess.User()))
	for _, cmd := range cmds {
		fmt.Fprintf(c.out, "  %-24s %s\n", cmd.name, c.lang.T(cmd.helpKey))
	}
	return nil
}

// print writes v as JSON with --json, else the text.
func (c *cmdContext) print(v any, text string) error {
	if c.json {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // the embed code is copied as it is: <script …>, not \u003cscript
		return enc.Encode(v)
	}
	_, err := fmt.Fprintln(c.out, text)
	return err
}
