// Command kefu is an online customer-service system: visitors chat from a widget on a
// website, agents answer from a terminal workbench over SSH. One binary, one data directory.
//
//	kefu [serve] [--data DIR] [--http ADDR] [--ssh ADDR] [--lang zh|en]
//	kefu backup FILE [--data DIR]
//	kefu version
package main

import (
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
	case "version":
		fmt.Fprintf(stdout, "kefu %s (schema %d)\n", version, store.SchemaVersion())
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "kefu: unknown command %q (try kefu --help)\n", cmd)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `kefu — online customer service: a chat widget for websites, a workbench over SSH.

Usage:
  kefu [serve] [flags]      run the server (the default)
  kefu backup FILE [flags]  write a consistent copy of the database to FILE
  kefu version              print the version
  kefu help                 this help

Flags of serve (each also read from the environment):
  --data DIR        data directory: database, SSH host key, files   (KEFU_DATA, default ./data)
  --http ADDR       address for visitors (HTTP)                      (KEFU_HTTP, default :8080)
  --ssh ADDR        address for staff (SSH)                          (KEFU_SSH, default :2222)
  --lang zh|en      default language of the UI                      (KEFU_LANG, default zh)
  --trusted-proxy   comma-separated CIDRs whose X-Forwarded-For is believed (KEFU_TRUSTED_PROXIES)
  --max-file-mb N   largest file visitors and staff may send, in MiB      (KEFU_MAX_FILE_MB, default 20)
  --public-url URL  how websites reach kefu, for the embed code          (KEFU_PUBLIC_URL, default http://localhost:8080)

On first start kefu creates the site 默认站点 and the super admin "admin", whose password is
KEFU_ADMIN_PASSWORD if set, else generated and printed once.

Then open http://localhost:8080/ (a demo page with the widget) and run
  ssh -p 2222 admin@localhost
`)
}

// env returns the environment variable or a default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func serve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data", env("KEFU_DATA", "data"), "")
	httpAddr := fs.String("http", env("KEFU_HTTP", ":8080"), "")
	sshAddr := fs.String("ssh", env("KEFU_SSH", ":2222"), "")
	langFlag := fs.String("lang", env("KEFU_LANG", "zh"), "")
	proxies := fs.String("trusted-proxy", env("KEFU_TRUSTED_PROXIES", ""), "")
	maxFileMB := fs.Int("max-file-mb", 20, "")
	publicURL := fs.String("public-url", env("KEFU_PUBLIC_URL", ""), "")
	if v := os.Getenv("KEFU_MAX_FILE_MB"); v != "" {
		fmt.Sscan(v, maxFileMB)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "kefu: %v (try kefu --help)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kefu: unexpected argument %q (try kefu --help)\n", fs.Arg(0))
		return 2
	}
	lang, ok := i18n.Parse(*langFlag)
	if !ok {
		fmt.Fprintf(stderr, "kefu: --lang must be zh or en, not %q\n", *langFlag)
		return 2
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		fmt.Fprintf(stderr, "kefu: --trusted-proxy: %v\n", err)
		return 2
	}
	if *maxFileMB < 1 || *maxFileMB > 1024 {
		fmt.Fprintf(stderr, "kefu: --max-file-mb must be between 1 and 1024, not %d\n", *maxFileMB)
		return 2
	}
	if *publicURL == "" {
		*publicURL = "http://" + displayAddr(*httpAddr)
	} else if u, err := url.Parse(*publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "kefu: --public-url must look like https://kefu.example.com, not %q\n", *publicURL)
		return 2
	}
	for _, a := range []struct{ flag, addr string }{{"--http", *httpAddr}, {"--ssh", *sshAddr}} {
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			fmt.Fprintf(stderr, "kefu: %s %q is not an address like :8080 or 127.0.0.1:8080\n", a.flag, a.addr)
			return 2
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
		Desk: desk.Config{MaxFileSize: int64(*maxFileMB) << 20, PublicURL: *publicURL},
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
