package loadtest

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestFaultInjection runs kefu as a child process, drives visitors over the real websocket
// and kills the server with SIGKILL at random moments; at the end every acknowledged message
// must be stored exactly once, with the seq it was acked with, in the order it was sent.
//
// By default it is short (2 kills, 10 visitors × 20 messages, a few seconds). The long form
// is `make faulttest`, or the environment:
//
//	KEFU_FAULT_ROUNDS=10 KEFU_FAULT_VISITORS=50 KEFU_FAULT_MESSAGES=100 [KEFU_FAULT_SEED=n] \
//	  go test -run TestFaultInjection -v ./server/loadtest/
//
// KEFU_FAULT_RACE=1 with -race also builds the server with the race detector and fails on
// any race it reports.
func TestFaultInjection(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a kefu process; skipped with -short")
	}
	cfg := FaultConfig{
		Dir:      t.TempDir(),
		Visitors: envInt(t, "KEFU_FAULT_VISITORS", 10),
		Messages: envInt(t, "KEFU_FAULT_MESSAGES", 20),
		Rounds:   envInt(t, "KEFU_FAULT_ROUNDS", 2),
		Seed:     uint64(envInt(t, "KEFU_FAULT_SEED", 0)),
		Timeout:  time.Duration(envInt(t, "KEFU_FAULT_TIMEOUT_SECONDS", 25)) * time.Second,
		Log:      testLog{t},
	}
	if os.Getenv("KEFU_FAULT_TIMEOUT_SECONDS") == "" && (cfg.Visitors*cfg.Messages > 200 || cfg.Rounds > 2) {
		// The long form: sending takes Messages/4 s, each restart about a second.
		cfg.Timeout = time.Duration(cfg.Messages/4+2*cfg.Rounds+60) * time.Second
	}
	if err := RaiseFileLimit(uint64(cfg.Visitors) + 256); err != nil {
		t.Log(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout+time.Minute)
	defer cancel()
	start := time.Now()
	// The server is built as it ships; KEFU_FAULT_RACE=1 builds it with the race detector
	// when this test runs with it (slower to build and to start).
	race := raceEnabled && os.Getenv("KEFU_FAULT_RACE") == "1"
	cfg.Kefu = kefuBinary(t, race)
	t.Logf("built kefu (race detector %v) in %v", race, time.Since(start).Round(time.Millisecond))
	rep, err := RunFault(ctx, cfg)
	t.Log("\n" + rep.String())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatal("messages were lost, duplicated or reordered")
	}
	if rep.Kills != cfg.Rounds {
		t.Fatalf("%d kills, want %d", rep.Kills, cfg.Rounds)
	}
}

// kefuBinary builds kefu once per test binary and race setting.
func kefuBinary(t *testing.T, race bool) string {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	if bin := builds.bins[race]; bin != "" {
		return bin
	}
	dir, err := os.MkdirTemp("", "kefu-loadtest-")
	if err != nil {
		t.Fatal(err)
	}
	builds.dirs = append(builds.dirs, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := BuildKefu(ctx, dir, race)
	if err != nil {
		t.Fatal(err)
	}
	builds.bins[race] = bin
	return bin
}

var builds = struct {
	sync.Mutex
	bins map[bool]string
	dirs []string
}{bins: map[bool]string{}}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range builds.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number", name, s)
	}
	return n
}

// testLog writes progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}
