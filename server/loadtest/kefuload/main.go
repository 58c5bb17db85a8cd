// Command kefuload measures kefu under load on this machine: it starts kefu as a child process
// on loopback ports (or loads one already running), connects V visitors over the real
// websocket protocol and A agents over SSH with a pty, sends messages at a steady rate for a
// bounded time, and prints what it measured. Traffic goes only to 127.0.0.1 or ::1.
//
//	go run ./server/loadtest/kefuload -visitors 2000 -chatters 500 -agents 20 -rate 1000 -duration 15s
//	go run ./server/loadtest/kefuload -http 127.0.0.1:8080 -ssh 127.0.0.1:2222 -password … -pid 1234
//	go run ./server/loadtest/kefuload -profile /tmp/prof …   # the server in a profiling child
//
// `kefuload serve` is the profiling child: kefu's server in this binary, writing CPU, heap and
// mutex profiles and its commit and hub counters when it stops.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"syscall"
	"time"

	"kefu/server"
	"kefu/server/i18n"
	"kefu/server/loadtest"
	"kefu/tui"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serve(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	// The tool measures latency in its own goroutines; its garbage collections would be
	// counted as kefu's. It keeps a few hundred MB live at 10,000 visitors and can afford to
	// collect less often (and not at all in the measured phase, see RunLoad), unless GOGC
	// says otherwise.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	fs := flag.NewFlagSet("kefuload", flag.ContinueOnError)
	visitors := fs.Int("visitors", 200, "concurrent visitor websockets")
	chatters := fs.Int("chatters", 0, "of them, visitors chatting (default: enough for 2 messages/s each, at most all)")
	agents := fs.Int("agents", 5, "agent SSH sessions with a pty")
	rate := fs.Float64("rate", 100, "messages per second from all chatters together")
	probeRate := fs.Float64("probe-rate", 2, "latency probes per second per agent")
	duration := fs.Duration("duration", 10*time.Second, "how long the measured phase lasts")
	runs := fs.Int("runs", 1, "repeat the whole run, each on a fresh data dir, and print medians")
	kefuBin := fs.String("kefu", "", "kefu binary to run (default: go build it)")
	httpAddr := fs.String("http", "", "load a running kefu: its HTTP address (127.0.0.1:port)")
	sshAddr := fs.String("ssh", "", "load a running kefu: its SSH address")
	pid := fs.Int("pid", 0, "load a running kefu: its process id, for RSS and CPU")
	user := fs.String("user", "admin", "load a running kefu: the account agents log in as")
	password := fs.String("password", os.Getenv("KEFU_ADMIN_PASSWORD"), "load a running kefu: its password")
	profile := fs.String("profile", "", "run the server in a profiling child and write cpu.pprof, heap.pprof, mutex.pprof and an execution trace of the measured phase (trace.out) to this dir")
	keep := fs.Bool("keep", false, "keep the data dirs")
	quiet := fs.Bool("q", false, "print only the results")
	toolProfile := fs.String("tool-profile", "", "write a CPU profile of the load tool itself to this file (what measuring costs)")
	waitIdle := fs.Duration("wait-idle", 0, "before each run, wait up to this long for the machine to be idle (other processes skew the figures)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *chatters == 0 {
		*chatters = min(*visitors, max(1, int(*rate/2+0.5)))
	}
	if *toolProfile != "" {
		f, err := os.Create(*toolProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "kefuload:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "kefuload:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	external := *httpAddr != "" || *sshAddr != ""
	if external && (*httpAddr == "" || *sshAddr == "") {
		fmt.Fprintln(os.Stderr, "kefuload: -http and -ssh go together")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var progress io.Writer = os.Stderr
	if *quiet {
		progress = nil
	}

	tmp, err := os.MkdirTemp("", "kefuload-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefuload:", err)
		return 1
	}
	if !*keep {
		defer os.RemoveAll(tmp)
	}
	var command []string
	snapshots := false
	if !external {
		switch {
		case *profile != "":
			self, err := os.Executable()
			if err != nil {
				fmt.Fprintln(os.Stderr, "kefuload:", err)
				return 1
			}
			if err := os.MkdirAll(*profile, 0o755); err != nil {
				fmt.Fprintln(os.Stderr, "kefuload:", err)
				return 1
			}
			abs, _ := filepath.Abs(*profile)
			command = []string{self, "serve", "-profile", abs}
			snapshots = true
		case *kefuBin != "":
			command = []string{*kefuBin, "serve"}
		default:
			t := time.Now()
			bin, err := loadtest.BuildKefu(ctx, tmp, false)
			if err != nil {
				fmt.Fprintln(os.Stderr, "kefuload:", err)
				return 1
			}
			logf(progress, "built kefu in %v", time.Since(t).Round(time.Millisecond))
			command = []string{bin, "serve"}
		}
	}
	fmt.Printf("kefuload: %d visitors (%d chatting), %d agents, %.0f messages/s, %v, %d run(s); %d CPUs (%s)\n",
		*visitors, *chatters, *agents, *rate, *duration, *runs, runtime.NumCPU(), cpuModel())
	var reps []loadtest.LoadReport
	for i := 0; i < *runs; i++ {
		if *waitIdle > 0 {
			busy := waitForIdle(ctx, *waitIdle)
			logf(progress, "machine %.0f%% busy before the run", busy)
		}
		cfg := loadtest.LoadConfig{
			Visitors: *visitors, Chatters: *chatters, Agents: *agents, Rate: *rate, ProbeRate: *probeRate,
			Duration: *duration, Log: progress,
		}
		if external {
			cfg.HTTP, cfg.SSH, cfg.PID, cfg.AgentUser, cfg.AgentPassword = *httpAddr, *sshAddr, *pid, *user, *password
		} else {
			cfg.Command, cfg.Snapshots = command, snapshots
			cfg.Dir = filepath.Join(tmp, fmt.Sprintf("run%d", i+1))
		}
		rep, err := loadtest.RunLoad(ctx, cfg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kefuload: run %d: %v\n", i+1, err)
			return 1
		}
		fmt.Printf("\nrun %d of %d\n%s", i+1, *runs, indent(rep.String()))
		reps = append(reps, rep)
		if ctx.Err() != nil {
			break
		}
	}
	if len(reps) > 1 {
		fmt.Printf("\n%s", loadtest.Summary(reps))
	}
	if *profile != "" {
		fmt.Printf("\nprofiles of the last run in %s (go tool pprof -top %s)\n", *profile, filepath.Join(*profile, "cpu.pprof"))
		if b, err := os.ReadFile(filepath.Join(*profile, "stats.txt")); err == nil {
			fmt.Print(indent(string(b)))
		}
	}
	if *keep {
		fmt.Printf("data dirs kept in %s\n", tmp)
	}
	return 0
}

// waitForIdle waits until the machine's CPU was under 15% busy for 3 s, at most limit, and
// returns the last busy percentage (of all cores).
func waitForIdle(ctx context.Context, limit time.Duration) float64 {
	deadline := time.Now().Add(limit)
	for {
		c0, t0 := loadtest.MachineCPU(), time.Now()
		select {
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
			return 0
		}
		busy := 100 * (loadtest.MachineCPU() - c0).Seconds() / time.Since(t0).Seconds() / float64(runtime.NumCPU())
		if busy < 15 || time.Now().After(deadline) {
			return busy
		}
	}
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

// serve is kefu's server in this process, as `kefu serve` runs it, with profiling: CPU for
// the whole run and mutex contention, written to -profile when it stops on SIGTERM; heap,
// goroutines and counters on SIGUSR1.
func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dataDir := fs.String("data", "data", "")
	httpAddr := fs.String("http", "127.0.0.1:0", "")
	sshAddr := fs.String("ssh", "127.0.0.1:0", "")
	dir := fs.String("profile", "", "")
	if err := fs.Parse(args); err != nil || *dir == "" {
		fmt.Fprintln(os.Stderr, "kefuload serve: -profile DIR --data DIR --http ADDR --ssh ADDR")
		return 2
	}
	runtime.SetMutexProfileFraction(100)
	server.TuneGC() // as kefu serve
	lang, _ := i18n.Parse("zh")
	srv, err := server.New(server.Config{
		DataDir: *dataDir, HTTPAddr: *httpAddr, SSHAddr: *sshAddr, Lang: lang,
		AdminPassword: os.Getenv("KEFU_ADMIN_PASSWORD"), Workbench: tui.New, Version: "kefuload",
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefuload serve:", err)
		return 1
	}
	// The line the load tool waits for, as kefu prints it.
	fmt.Printf("kefuload serve: http://%s/ ssh %s\n", srv.HTTPAddr(), srv.SSHAddr())
	cpu, err := os.Create(filepath.Join(*dir, "cpu.pprof"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefuload serve:", err)
		return 1
	}
	defer cpu.Close()
	if err := pprof.StartCPUProfile(cpu); err != nil {
		fmt.Fprintln(os.Stderr, "kefuload serve:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The load tool sends SIGUSR1 at the moments worth a look (every visitor connected; the
	// end of the measured phase): heap and goroutine profiles and the hub's and Go's counters,
	// numbered.
	var stats strings.Builder
	var traceFile *os.File
	snaps := make(chan os.Signal, 4)
	signal.Notify(snaps, syscall.SIGUSR1)
	snapDone := make(chan struct{})
	go func() {
		defer close(snapDone)
		for n := 1; ; n++ {
			select {
			case <-snaps:
			case <-ctx.Done():
				return
			}
			rssBefore, _ := loadtest.RSS(os.Getpid())
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			// A collection first, so the heap profile and the counters show what is live.
			runtime.GC()
			writeProfile(filepath.Join(*dir, fmt.Sprintf("heap-%d.pprof", n)), "heap")
			writeProfile(filepath.Join(*dir, fmt.Sprintf("goroutine-%d.pprof", n)), "goroutine")
			h := srv.Hub.Stats()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			debug.FreeOSMemory()
			rssAfter, _ := loadtest.RSS(os.Getpid())
			fmt.Fprintf(&stats, "snapshot %d: hub: %d visitors, %d agents, %d conversations, %d subscribers, %d dropped for falling behind\n",
				n, h.Visitors, h.Agents, h.Convs, h.Subscribers, h.Dropped)
			fmt.Fprintf(&stats, "snapshot %d: go: %d goroutines; stacks %.1f MiB; heap %.1f MiB allocated before a GC, %.1f MiB live after it; RSS %.1f MiB, %.1f MiB after the GC and returning free memory\n",
				n, runtime.NumGoroutine(), float64(ms.StackInuse)/(1<<20), float64(before.HeapAlloc)/(1<<20),
				float64(ms.HeapAlloc)/(1<<20), float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20))
			// The measured phase lies between the first snapshot and the second: an execution
			// trace of it shows where a message waits (go tool trace -pprof=sched trace.out).
			switch {
			case n == 1:
				if f, err := os.Create(filepath.Join(*dir, "trace.out")); err == nil && trace.Start(f) == nil {
					traceFile = f
				}
			case traceFile != nil:
				trace.Stop()
				traceFile.Close()
				traceFile = nil
			}
		}
	}()
	err = srv.Run(ctx)
	<-snapDone
	if traceFile != nil {
		trace.Stop()
		traceFile.Close()
	}
	pprof.StopCPUProfile()
	writeProfile(filepath.Join(*dir, "mutex.pprof"), "mutex")
	commits, writes := srv.DB.CommitStats()
	fmt.Fprintf(&stats, "store: %d writes in %d commits (%.1f writes per fsync)\n", writes, commits, float64(writes)/max(float64(commits), 1))
	os.WriteFile(filepath.Join(*dir, "stats.txt"), []byte(stats.String()), 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kefuload serve:", err)
		return 1
	}
	return 0
}

func writeProfile(path, name string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	pprof.Lookup(name).WriteTo(f, 0)
}
