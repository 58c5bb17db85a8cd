package loadtest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestLoadSmoke runs the load tool's whole path briefly (a seeded child kefu, visitors,
// chatters, agents with a probe chat open on screen), so that changes to the workbench or the
// protocol that would break `make bench` show up in the normal test run.
func TestLoadSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a kefu process; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep, err := RunLoad(ctx, LoadConfig{
		Command: []string{kefuBinary(t, false), "serve"}, Dir: t.TempDir(),
		Visitors: 30, Chatters: 10, Agents: 2, Rate: 20, Duration: 2 * time.Second, Settle: 100 * time.Millisecond,
		Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + rep.String())
	switch {
	case rep.Connected != 30 || rep.AgentsReady != 2:
		t.Fatalf("%d visitors connected, %d agents ready", rep.Connected, rep.AgentsReady)
	case rep.Acked == 0 || rep.Ack.N == 0:
		t.Fatal("no message was acknowledged")
	case rep.E2E.N == 0:
		t.Fatal("no probe reached an agent's screen")
	case rep.RSSVisitors == 0 || rep.ServerCPU == 0:
		t.Fatal("no RSS or CPU figures")
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var d []time.Duration
		for _, x := range n {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // unsorted on purpose
	}
	for _, c := range []struct {
		name          string
		in            []time.Duration
		p50, p99, max time.Duration
	}{
		{"empty", nil, 0, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{"hundred", ms(hundred...), 50 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond},
	} {
		p := percentiles(c.in)
		if p.P50 != c.p50 || p.P99 != c.p99 || p.Max != c.max || p.N != len(c.in) {
			t.Errorf("%s: got %+v", c.name, p)
		}
	}
}

func TestFrameConvID(t *testing.T) {
	for _, c := range []struct {
		frame string
		want  uint64
	}{
		{`{"t":"ack","cid":"c-1","conv":12,"seq":3}`, 12},
		{`{"t":"welcome","conv":{"id":7,"state":"open","agent":null}}`, 7},
		{`{"t":"welcome","conv":null}`, 0},
		{`{"t":"hb"}`, 0},
	} {
		var f Frame
		if err := json.NewDecoder(strings.NewReader(c.frame)).Decode(&f); err != nil {
			t.Fatal(err)
		}
		if got := f.ConvID(); got != c.want {
			t.Errorf("%s: conv %d, want %d", c.frame, got, c.want)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:80": true, "[::1]:22": true, "10.0.0.1:80": false, "example.com:80": false} {
		if err := loopbackOnly(addr); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if _, err := NewDialer("http://192.168.1.1:8080", 32); err == nil {
		t.Error("a dialer to a non-loopback address")
	}
}
