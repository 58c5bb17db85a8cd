// Command kefu is an online customer-service system: visitors chat from a widget on a
// website, agents answer from a terminal workbench over SSH. One binary, one data directory.
//
//	kefu [serve] [--data DIR] [--http ADDR] [--ssh ADDR] [--lang zh|en]
//	kefu backup FILE [--data DIR]
//	kefu passwd [ACCOUNT] [--data DIR] [--stdin]
//	kefu admin-password [--data DIR] [--stdin]
//	kefu version
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"kefu/server"
	"kefu/server/desk"
	"kefu/server/i18n"
	"kefu/store"
	"kefu/tui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// stdin is where `kefu passwd --stdin` reads the password; tests replace it.
var stdin io.Reader = os.Stdin

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status. Errors are one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "backup":
		return backup(args, stdout, stderr)
	case "passwd":
		return passwd(args, "", stdout, stderr)
	case "admin-password":
		return passwd(args, "admin", stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "kefu %s (schema %d)\n", version, store.SchemaVersion())
		return 0
	case "help", "-h", "-help", "--help":
		usage(stdout, helpLang(args))
		return 0
	}
	fmt.Fprintf(stderr, "kefu: unknown command %q (try kefu --help)\n", cmd)
	return 2
}

// usage prints the help in the language the person asked for.
func usage(w io.Writer, lang i18n.Lang) { fmt.Fprint(w, lang.T("cli.usage")) }

// helpLang is the language of the help and of what the subcommands print: --lang among the
// arguments, else KEFU_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG); Chinese unless one of
// them says English.
func helpLang(args []string) i18n.Lang {
	for i, a := range args {
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "lang" {
			continue
		}
		if !hasVal && i+1 < len(args) {
			val = args[i+1]
		}
		if l, ok := i18n.Parse(val); ok {
			return l
		}
	}
	for _, name := range []string{"KEFU_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			// The first one set decides, as in the C library; "C" or "POSIX" means the default.
			l, _ := i18n.Parse(v)
			return l
		}
	}
	return i18n.ZH
}

// env returns the environment variable or a default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func serve(args []string, stdout, stderr io.Writer) int {
	server.TuneGC()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// Each flag defaults from an environment variable; envOf remembers which, for errors.
	envOf := map[string]string{}
	flagEnv := func(name, envName, def string) *string {
		envOf[name] = envName
		return fs.String(name, env(envName, def), "")
	}
	dataDir := flagEnv("data", "KEFU_DATA", "data")
	httpAddr := flagEnv("http", "KEFU_HTTP", ":8080")
	sshAddr := flagEnv("ssh", "KEFU_SSH", ":2222")
	langFlag := flagEnv("lang", "KEFU_LANG", "zh")
	proxies := flagEnv("trusted-proxy", "KEFU_TRUSTED_PROXIES", "")
	maxFile := flagEnv("max-file-mb", "KEFU_MAX_FILE_MB", "20")
	publicURL := flagEnv("public-url", "KEFU_PUBLIC_URL", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, helpLang(args))
			return 0
		}
		fmt.Fprintf(stderr, "kefu: %v (try kefu --help)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kefu: unexpected argument %q (try kefu --help)\n", fs.Arg(0))
		return 2
	}
	// A value is named in an error as the person gave it: the flag, or the environment
	// variable it came from, so a bad value in a unit file is as loud as a bad flag.
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	from := func(name string) string {
		if !given[name] {
			return envOf[name]
		}
		return "--" + name
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "kefu: "+format+"\n", a...)
		return 2
	}
	lang, ok := i18n.Parse(*langFlag)
	if !ok {
		return bad("%s must be zh or en, not %q", from("lang"), *langFlag)
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return bad("%s: %v", from("trusted-proxy"), err)
	}
	maxFileMB, err := strconv.Atoi(strings.TrimSpace(*maxFile))
	if err != nil || maxFileMB < 1 || maxFileMB > 1024 {
		return bad("%s must be a whole number of MiB between 1 and 1024, not %q", from("max-file-mb"), *maxFile)
	}
	if *publicURL == "" {
		*publicURL = "http://" + displayAddr(*httpAddr)
	} else if u, err := url.Parse(*publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("%s must look like https://kefu.example.com, not %q", from("public-url"), *publicURL)
	}
	for _, name := range []string{"http", "ssh"} {
		addr := fs.Lookup(name).Value.String()
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return bad("%s %q is not an address like :8080 or 127.0.0.1:8080", from(name), addr)
		}
	}
	// Catch signals before anything is opened, so a SIGTERM right after start still shuts down
	// gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := server.New(server.Config{
		DataDir: *dataDir, HTTPAddr: *httpAddr, SSHAddr: *sshAddr, Lang: lang,
		AdminPassword: os.Getenv("KEFU_ADMIN_PASSWORD"), TrustedProxies: trusted,
		Workbench: tui.New, Version: version, Log: log,
		Desk: desk.Config{MaxFileSize: int64(maxFileMB) << 20, PublicURL: *publicURL},
	})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			fmt.Fprintf(stderr, "kefu: %s\n", lang.T("console.err_locked", *dataDir))
		} else {
			fmt.Fprintf(stderr, "kefu: %v\n", err)
		}
		return 1
	}
	fmt.Fprintln(stdout, lang.T("console.ready", *dataDir))
	fmt.Fprintln(stdout, lang.T("console.open_demo", displayAddr(srv.HTTPAddr())))
	sshHost, sshPort, _ := net.SplitHostPort(displayAddr(srv.SSHAddr()))
	fmt.Fprintln(stdout, lang.T("console.open_ssh", sshPort, sshHost))
	switch {
	case srv.AdminPassword != "":
		fmt.Fprintln(stdout, lang.T("console.admin_pw", srv.AdminPassword))
	case srv.Created:
		fmt.Fprintln(stdout, lang.T("console.admin_env"))
	}

	go func() {
		<-ctx.Done()
		fmt.Fprintln(stdout, lang.T("console.stopping", "signal"))
	}()
	if err := srv.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "kefu: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, lang.T("console.stopped"))
	return 0
}

// displayAddr turns a listen address into one a person can type: ":8080" → "localhost:8080".
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func backup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data", env("KEFU_DATA", "data"), "")
	// Accept FILE before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "kefu backup: %v\n", err)
		return 2
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		fmt.Fprintln(stderr, "kefu backup: usage: kefu backup FILE [--data DIR]")
		return 2
	}
	n, err := server.Backup(*dataDir, file)
	if err != nil {
		fmt.Fprintf(stderr, "kefu backup: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, i18n.ZH.T("console.backup_ok", n, file))
	return 0
}

// passwd sets a new password for an account while kefu is stopped (kefu passwd ACCOUNT,
// kefu admin-password). The password is read from stdin with --stdin, else generated and
// printed once, like the admin's on first start.
func passwd(args []string, account string, stdout, stderr io.Writer) int {
	lang := helpLang(args)
	fs := flag.NewFlagSet("passwd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data", env("KEFU_DATA", "data"), "")
	fromStdin := fs.Bool("stdin", false, "")
	fs.String("lang", "", "") // read by helpLang
	fail := func(code int, key string, a ...any) int {
		fmt.Fprintf(stderr, "kefu passwd: %s\n", lang.T(key, a...))
		return code
	}
	badPassword := func() int { return fail(2, "cli.passwd_bad", desk.MinPassword, desk.MaxPassword) }
	if account == "" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		account, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, lang)
			return 0
		}
		fmt.Fprintf(stderr, "kefu passwd: %v (%s)\n", err, lang.T("cli.passwd_usage"))
		return 2
	}
	if account == "" && fs.NArg() == 1 {
		account = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return fail(2, "cli.passwd_usage")
	}
	if account == "" {
		account = "admin"
	}
	var pw string
	if *fromStdin {
		line, _ := bufio.NewReader(stdin).ReadString('\n') // a last line without a newline counts
		if pw = strings.TrimRight(line, "\r\n"); pw == "" {
			return badPassword()
		}
	}
	set, a, err := server.ResetPassword(*dataDir, account, pw)
	var field *desk.FieldError
	switch {
	case err == nil:
	case errors.As(err, &field):
		return badPassword()
	case errors.Is(err, store.ErrLocked):
		return fail(1, "cli.passwd_locked", *dataDir)
	case errors.Is(err, server.ErrNoDatabase):
		return fail(1, "cli.passwd_no_db", *dataDir)
	case errors.Is(err, server.ErrNoAccount):
		return fail(1, "cli.passwd_no_user", account)
	default:
		fmt.Fprintf(stderr, "kefu passwd: %v\n", err)
		return 1
	}
	if *fromStdin {
		fmt.Fprintln(stdout, lang.T("cli.passwd_set", a.Account))
	} else {
		fmt.Fprintln(stdout, lang.T("cli.passwd_ok", a.Account, set))
	}
	if a.Disabled {
		fmt.Fprintln(stdout, lang.T("cli.passwd_disabled", a.Account))
	}
	return 0
}
