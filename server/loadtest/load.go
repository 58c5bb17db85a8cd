package loadtest

import (
	"container/heap"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"kefu/server/authz"
	"kefu/store"
	"kefu/tui/termtest"
)

// LoadConfig describes a load run: V visitors on the websocket, some of them chatting with a
// steady total message rate, and A agents at their workbenches over SSH with a pty.
type LoadConfig struct {
	// Command runs kefu as a child process: the binary and its leading arguments ({path,
	// "serve"}); --data, --http and --ssh are appended. Leave it empty and set HTTP and SSH
	// to load a kefu that is already running.
	Command []string
	Dir     string // the child's data dir (fresh: it is seeded before the start)
	// Snapshots: the child is `kefuload serve`, which takes heap and goroutine profiles on
	// SIGUSR1; it gets one when every visitor is connected and one at the end of the phase.
	Snapshots bool

	HTTP, SSH     string // a running kefu's addresses (127.0.0.1:port); no seeding then
	PID           int    // a running kefu's process id, for RSS and CPU (optional)
	AgentUser     string // a running kefu: account the agents log in as (default admin)
	AgentPassword string // and its password

	Visitors  int           // concurrent visitor connections, chatters included
	Chatters  int           // visitors with a chat open who send messages
	Agents    int           // agent sessions
	Rate      float64       // messages per second from all chatters together
	ProbeRate float64       // latency probes per second per agent (default 2)
	Duration  time.Duration // the measured phase
	// DialConcurrency is how many visitors connect at once while ramping up (default 200).
	DialConcurrency int
	// Settle is the pause before each RSS reading (default 2 s).
	Settle time.Duration
	Log    io.Writer // progress; nil for none
}

// LoadReport is what a load run measured.
type LoadReport struct {
	Visitors, Connected, StillConnected int
	Chatters, Agents, AgentsReady       int
	RampUp                              time.Duration // connecting every visitor
	Duration                            time.Duration // the measured phase
	Sent, Acked, Refused, Behind        int64         // chatters' messages
	Probes                              int64         // probe messages (acked when seen on screen)
	AckedPerSec                         float64
	Ack                                 Percentiles // visitor send → ack (durable), bulk messages
	E2E                                 Percentiles // visitor send → text on the agent's screen (probes)
	ProbeTimeouts                       int64

	RSSIdle, RSSAgents, RSSVisitors, RSSEnd int64 // bytes; 0 when unknown
	RSSPerVisitor                           float64
	ServerCPU                               time.Duration // over the measured phase
	ToolCPU                                 time.Duration // the load tool's own, same phase
	MachineCPU                              time.Duration // every process on the machine, same phase
}

// Percentiles summarise latencies.
type Percentiles struct {
	N             int
	P50, P99, Max time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.999999) - 1
		return d[max(0, min(i, len(d)-1))]
	}
	return Percentiles{N: len(d), P50: at(0.50), P99: at(0.99), Max: d[len(d)-1]}
}

func (p Percentiles) String() string {
	if p.N == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s, p99 %s, max %s (%d samples)", ms(p.P50), ms(p.P99), ms(p.Max), p.N)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func (r LoadReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "visitors connected       %d of %d (%d chatting; ramp-up %v); still connected at the end %d\n",
		r.Connected, r.Visitors, r.Chatters, r.RampUp.Round(time.Millisecond), r.StillConnected)
	fmt.Fprintf(&b, "agent sessions           %d of %d watching (SSH, pty 120×40)\n", r.AgentsReady, r.Agents)
	fmt.Fprintf(&b, "acknowledged messages/s  %.0f (in %v: %d of %d chatters' messages acked, %d refused, %d not sent as the tool fell behind; %d probes)\n",
		r.AckedPerSec, r.Duration.Round(time.Millisecond), r.Acked, r.Sent, r.Refused, r.Behind, r.Probes)
	fmt.Fprintf(&b, "send → ack (durable)     %s\n", r.Ack)
	fmt.Fprintf(&b, "visitor → agent screen   %s; timeouts %d (counted as %v)\n", r.E2E, r.ProbeTimeouts, probeTimeout)
	if r.RSSIdle > 0 {
		fmt.Fprintf(&b, "server RSS               idle %s, with agents %s, with visitors %s, at the end %s\n",
			mib(r.RSSIdle), mib(r.RSSAgents), mib(r.RSSVisitors), mib(r.RSSEnd))
		fmt.Fprintf(&b, "RSS per visitor          %.1f KB ((with visitors − with agents) / connected)\n", r.RSSPerVisitor/1024)
		fmt.Fprintf(&b, "server CPU               %.2f s in %v = %.0f%% of one core (2 cores = 200%%)\n",
			r.ServerCPU.Seconds(), r.Duration.Round(time.Millisecond), 100*r.ServerCPU.Seconds()/r.Duration.Seconds())
	}
	fmt.Fprintf(&b, "load tool CPU            %.2f s = %.0f%% of one core (on the same machine)\n",
		r.ToolCPU.Seconds(), 100*r.ToolCPU.Seconds()/max(r.Duration.Seconds(), 1e-9))
	if r.MachineCPU > 0 {
		other := r.MachineCPU - r.ToolCPU - r.ServerCPU
		fmt.Fprintf(&b, "machine CPU              %.0f%% busy of 200%%; other processes %.0f%%\n",
			100*r.MachineCPU.Seconds()/r.Duration.Seconds(), 100*max(other, 0).Seconds()/r.Duration.Seconds())
	}
	return b.String()
}

// loadAdminPassword is the admin password of a child kefu.
const loadAdminPassword = "kefuload-管理员-密码"

// loadSeed is what seeding put in the database for the run.
type loadSeed struct {
	accounts []string
	signers  []gossh.Signer
	vids     []string // chatters' visitor ids, each with an open conversation
}

// RunLoad carries out one load run.
func RunLoad(ctx context.Context, cfg LoadConfig) (LoadReport, error) {
	if cfg.ProbeRate <= 0 {
		cfg.ProbeRate = 2
	}
	if cfg.DialConcurrency <= 0 {
		cfg.DialConcurrency = 200
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 2 * time.Second
	}
	if cfg.Chatters > cfg.Visitors {
		cfg.Chatters = cfg.Visitors
	}
	if cfg.Chatters > 0 && cfg.Rate/float64(cfg.Chatters) > 4.5 {
		return LoadReport{}, fmt.Errorf("%.0f messages/s from %d chatters is %.1f per visitor; kefu allows 5 per second: use more chatters",
			cfg.Rate, cfg.Chatters, cfg.Rate/float64(cfg.Chatters))
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	rep := LoadReport{Visitors: cfg.Visitors, Chatters: cfg.Chatters, Agents: cfg.Agents}
	need := uint64(cfg.Visitors+2*cfg.Agents) + 512
	if err := RaiseFileLimit(need); err != nil {
		return rep, err
	}

	// The server: a child on a seeded data dir, or one already running.
	var seed loadSeed
	var k *Kefu
	httpAddr, sshAddr, pid := cfg.HTTP, cfg.SSH, cfg.PID
	if len(cfg.Command) > 0 {
		o := KefuOptions{Command: cfg.Command, Dir: cfg.Dir, Env: []string{"KEFU_ADMIN_PASSWORD=" + loadAdminPassword}}
		// A first start creates the site, the roles and admin; then the agents and the
		// chatters' conversations are written straight into the store.
		boot, err := StartKefu(ctx, o)
		if err != nil {
			return rep, err
		}
		if err := boot.Stop(15 * time.Second); err != nil {
			return rep, err
		}
		if seed, err = seedLoad(cfg.Dir, cfg.Agents, cfg.Chatters); err != nil {
			return rep, err
		}
		logf("seeded %d agents and %d open conversations", cfg.Agents, len(seed.vids))
		if k, err = StartKefu(ctx, o); err != nil {
			return rep, err
		}
		defer k.Kill()
		httpAddr, sshAddr, pid = k.HTTPAddr, k.SSHAddr, k.PID()
	}
	for _, a := range []string{httpAddr, sshAddr} {
		if err := loopbackOnly(a); err != nil {
			return rep, err
		}
	}
	base := "http://" + httpAddr
	dialer, err := NewDialer(base, 32)
	if err != nil {
		return rep, err
	}
	rss := func() int64 {
		if pid == 0 {
			return 0
		}
		n, _ := RSS(pid)
		return n
	}
	settle := func() {
		select {
		case <-time.After(cfg.Settle):
		case <-ctx.Done():
		}
	}
	settle()
	rep.RSSIdle = rss()

	// Agents log in and watch the visitor monitor.
	agents := make([]*loadAgent, cfg.Agents)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10)
	for i := range agents {
		a := &loadAgent{i: i}
		agents[i] = a
		o := termtest.Options{Addr: sshAddr, Width: 120, Height: 40, Timeout: 30 * time.Second, NoOutput: true}
		if len(seed.accounts) > 0 {
			o.User, o.Signer = seed.accounts[i], seed.signers[i]
		} else {
			o.User, o.Password = cfg.AgentUser, cfg.AgentPassword
			if o.User == "" {
				o.User = "admin"
			}
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := termtest.Dial(o)
			if err != nil {
				a.err = err
				return
			}
			a.c = c
			a.err = c.WaitForFunc("the workbench", func(s string) bool { return strings.TrimSpace(s) != "" }, 20*time.Second)
		}()
	}
	wg.Wait()
	defer func() {
		for _, a := range agents {
			if a.c != nil {
				a.c.Close()
			}
		}
	}()
	for _, a := range agents {
		if a.err != nil {
			return rep, fmt.Errorf("agent %d: %w", a.i, a.err)
		}
	}
	logf("%d agents at the workbench", len(agents))

	// Each agent opens a chat with its own probe visitor, found with the monitor's filter;
	// the probe's messages then show in the agent's open chat, where their arrival is timed.
	for _, a := range agents {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a.err = a.openProbe(ctx, dialer, cfg.Visitors+a.i) // the slots after the visitors'
		}()
	}
	wg.Wait()
	defer func() {
		for _, a := range agents {
			a.closeProbe()
		}
	}()
	for _, a := range agents {
		if a.err != nil {
			logf("agent %d: no latency probe: %v", a.i, a.err)
		} else {
			rep.AgentsReady++
		}
	}
	logf("%d agents have a probe chat open", rep.AgentsReady)
	settle()
	rep.RSSAgents = rss()

	// Visitors arrive; each beats every 20 s from then on, as the widget does.
	joined := make(chan *loadVisitor, 1024)
	hbctx, stopHB := context.WithCancel(ctx)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		heartbeats(hbctx, joined)
	}()
	defer func() {
		stopHB()
		<-hbDone
	}()
	vs := make([]*loadVisitor, cfg.Visitors)
	rampStart := time.Now()
	dsem := make(chan struct{}, cfg.DialConcurrency)
	var connected atomic.Int64
	for i := range vs {
		v := &loadVisitor{slot: i}
		vs[i] = v
		h := Hello{Vid: randomVid(), Kind: "page", URL: fmt.Sprintf("http://localhost/products/%d", i), Title: fmt.Sprintf("商品详情 %d", i)}
		if i < cfg.Chatters {
			v.sent = map[string]time.Time{}
			h.Kind, h.URL, h.Title = "chat", "http://localhost/chat", "在线咨询"
			if len(seed.vids) > 0 {
				h.Vid = seed.vids[i]
			}
		}
		wg.Add(1)
		dsem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-dsem }()
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			var on func(Frame)
			if v.sent != nil {
				on = v.frame
			}
			c, err := dialer.Dial(dctx, v.slot, h, on)
			if err != nil {
				v.err = err
				return
			}
			v.c = c
			connected.Add(1)
			select {
			case joined <- v:
			case <-ctx.Done():
			}
		}()
		if ctx.Err() != nil {
			break
		}
	}
	wg.Wait()
	rep.RampUp = time.Since(rampStart)
	rep.Connected = int(connected.Load())
	defer func() {
		for _, v := range vs {
			if v != nil && v.c != nil {
				v.c.Kill()
			}
		}
	}()
	var firstErr error
	for _, v := range vs {
		if v != nil && v.err != nil {
			firstErr = v.err
			break
		}
	}
	logf("%d of %d visitors connected in %v", rep.Connected, cfg.Visitors, rep.RampUp.Round(time.Millisecond))
	if firstErr != nil {
		logf("first visitor failure: %v", firstErr)
	}
	settle()
	rep.RSSVisitors = rss()
	snapshot := func() {
		if cfg.Snapshots && k != nil {
			syscall.Kill(k.PID(), syscall.SIGUSR1)
			time.Sleep(time.Second)
		}
	}
	snapshot()
	if rep.Connected > 0 && rep.RSSVisitors > 0 {
		rep.RSSPerVisitor = float64(rep.RSSVisitors-rep.RSSAgents) / float64(rep.Connected)
	}

	// The measured phase.
	var chatters []*loadVisitor
	for _, v := range vs[:cfg.Chatters] {
		if v.c != nil {
			chatters = append(chatters, v)
		}
	}
	// The tool times messages in its own goroutines: a collection of its heap (hundreds of
	// MB at 10,000 visitors) in the measured phase would be counted as kefu's latency. It
	// collects before the phase and not during it (a 30 s phase adds a few hundred MB).
	runtime.GC()
	gcPercent := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gcPercent)
	cpu0, _ := cpuOf(pid)
	tool0 := SelfCPU()
	machine0 := MachineCPU()
	start := time.Now()
	mctx, stop := context.WithTimeout(ctx, cfg.Duration)
	var probes sync.WaitGroup
	for _, a := range agents {
		if a.probe == nil {
			continue
		}
		probes.Add(1)
		go func() {
			defer probes.Done()
			a.runProbes(mctx, cfg.ProbeRate)
		}()
	}
	sent, behind := dispatch(mctx, chatters, cfg.Rate)
	probes.Wait()
	stop()
	rep.Duration = time.Since(start)
	debug.SetGCPercent(gcPercent)
	cpu1, _ := cpuOf(pid)
	rep.ServerCPU = cpu1 - cpu0
	rep.ToolCPU = SelfCPU() - tool0
	rep.MachineCPU = MachineCPU() - machine0
	snapshot()
	// Acks of the last messages are still on their way: give them a moment, uncounted in
	// the rate (which uses acks received within the phase).
	ackedInPhase := int64(0)
	for _, v := range chatters {
		ackedInPhase += v.acked.Load()
	}
	time.Sleep(500 * time.Millisecond)
	rep.RSSEnd = rss()

	var ackLat []time.Duration
	for _, v := range chatters {
		v.mu.Lock()
		ackLat = append(ackLat, v.lat...)
		v.mu.Unlock()
		rep.Acked += v.acked.Load()
		rep.Refused += v.refused.Load()
	}
	for _, v := range vs {
		if v != nil && v.c != nil {
			select {
			case <-v.c.Done():
			default:
				rep.StillConnected++
			}
		}
	}
	var e2e []time.Duration
	for _, a := range agents {
		e2e = append(e2e, a.lat...)
		rep.ProbeTimeouts += a.timeouts
		rep.Probes += a.sent
		ackedInPhase += a.sent - a.timeouts // a probe on screen was committed
	}
	rep.Sent += sent
	rep.Behind = behind
	rep.AckedPerSec = float64(ackedInPhase) / rep.Duration.Seconds()
	rep.Ack = percentiles(ackLat)
	rep.E2E = percentiles(e2e)
	if k != nil {
		if err := k.Stop(20 * time.Second); err != nil {
			logf("stopping kefu: %v", err)
		}
	}
	return rep, nil
}

func cpuOf(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, errors.New("no pid")
	}
	return CPUTime(pid)
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address: the load tool only talks to 127.0.0.1 or ::1", addr)
	}
	return nil
}

func randomVid() string {
	const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 22)
	for i := range b {
		b[i] = abc[mrand.IntN(len(abc))]
	}
	return string(b)
}

// seedLoad writes the run's agents (each with its own SSH key) and the chatters, each with an
// open conversation served by one of the agents in turn, as distribution would leave them (a
// waiting one when there are no agents), so the measured phase is steady chatting rather
// than a burst of new conversations.
func seedLoad(dir string, agents, chatters int) (loadSeed, error) {
	var s loadSeed
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		return s, err
	}
	defer db.Close()
	var agentIDs []uint64
	now := time.Now()
	err = db.Update(func(tx *store.Tx) error {
		agentIDs = agentIDs[:0]
		s.accounts, s.signers = nil, nil
		roles, err := tx.Roles()
		if err != nil {
			return err
		}
		var role uint64
		for _, r := range roles {
			if r.Builtin == authz.BuiltinAgent {
				role = r.ID
			}
		}
		if role == 0 {
			return errors.New("no built-in agent role: the database was not bootstrapped")
		}
		for i := 0; i < agents; i++ {
			_, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			signer, err := gossh.NewSignerFromKey(priv)
			if err != nil {
				return err
			}
			a := &store.Agent{Account: fmt.Sprintf("load%03d", i), Name: fmt.Sprintf("压测客服%03d", i), RoleID: role, Seat: true,
				WorkNo: fmt.Sprintf("L%03d", i), Sites: []store.SiteSeat{{SiteID: store.DefaultSiteID, AutoAssign: true, MaxChats: 1000}},
				Keys: []store.AuthorizedKey{{Fingerprint: gossh.FingerprintSHA256(signer.PublicKey()),
					Line: string(gossh.MarshalAuthorizedKey(signer.PublicKey())), Added: now}}}
			if err := tx.CreateAgent(a); err != nil {
				return err
			}
			agentIDs = append(agentIDs, a.ID)
			s.accounts = append(s.accounts, a.Account)
			s.signers = append(s.signers, signer)
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("seed agents: %w", err)
	}
	for lo := 0; lo < chatters; lo += 1000 {
		hi := min(lo+1000, chatters)
		var vids []string
		err := db.Update(func(tx *store.Tx) error {
			vids = vids[:0]
			for i := lo; i < hi; i++ {
				vid := randomVid()
				v := &store.Visitor{SiteID: store.DefaultSiteID, Key: vid, Created: now, LastSeen: now, VisitStart: now,
					Visits: 1, Chats: 1, IP: "127.0.0.1"}
				// Without agents the chats wait for one (nobody's screen to reach).
				c := &store.Conversation{SiteID: store.DefaultSiteID, State: store.ConvWaiting, Created: now}
				if len(agentIDs) > 0 {
					agent := agentIDs[i%len(agentIDs)]
					v.LastAgent = agent
					c.AgentID, c.Agents, c.State, c.Accepted = agent, []uint64{agent}, store.ConvOpen, now
				}
				if err := tx.CreateVisitor(v); err != nil {
					return err
				}
				c.VisitorID = v.ID
				if err := tx.CreateConv(c); err != nil {
					return err
				}
				vids = append(vids, vid)
			}
			return nil
		})
		if err != nil {
			return s, fmt.Errorf("seed conversations: %w", err)
		}
		s.vids = append(s.vids, vids...)
	}
	return s, nil
}

// loadVisitor is one visitor connection of the load; chatters send messages.
type loadVisitor struct {
	slot int
	c    *Conn
	err  error

	mu      sync.Mutex
	sent    map[string]time.Time // cid → when sent, until acked; nil for a page visitor
	lat     []time.Duration
	n       int
	acked   atomic.Int64
	refused atomic.Int64
}

func (v *loadVisitor) frame(f Frame) {
	switch f.T {
	case "ack":
		now := time.Now()
		v.mu.Lock()
		if t0, ok := v.sent[f.CID]; ok {
			delete(v.sent, f.CID)
			v.lat = append(v.lat, now.Sub(t0))
		}
		v.mu.Unlock()
		v.acked.Add(1)
	case "error":
		v.refused.Add(1)
	}
}

// send sends the chatter's next message.
func (v *loadVisitor) send(ctx context.Context) error {
	v.mu.Lock()
	v.n++
	n := v.n
	cid := fmt.Sprintf("L%d-%d", v.slot, n)
	v.sent[cid] = time.Now()
	v.mu.Unlock()
	return v.c.SendMessage(ctx, cid, fmt.Sprintf("你好，请问这款产品有优惠吗？第%d条 hello", n))
}

// dispatch sends rate messages per second, round robin over the chatters (so each sends
// evenly spaced), open loop: a slow server does not slow the offered load. It returns the
// messages sent and those that could not be sent because the tool's senders were busy.
func dispatch(ctx context.Context, chatters []*loadVisitor, rate float64) (sent, behind int64) {
	if len(chatters) == 0 || rate <= 0 {
		<-ctx.Done()
		return 0, 0
	}
	jobs := make(chan *loadVisitor, 4096)
	var nsent atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range jobs {
				if v.send(ctx) == nil {
					nsent.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	next := 0
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	due := int64(0)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case now := <-tick.C:
			for target := int64(now.Sub(start).Seconds() * rate); due < target; due++ {
				v := chatters[next%len(chatters)]
				next++
				select {
				case jobs <- v:
				default:
					behind++
				}
			}
		}
	}
	close(jobs)
	wg.Wait()
	return nsent.Load(), behind
}

// heartbeats sends each visitor that joins the widget's heartbeat as the widget does: every
// 15–25 s, drawn anew for each beat (kefu closes a socket silent for 60 s), as long as ctx
// lasts.
func heartbeats(ctx context.Context, joined <-chan *loadVisitor) {
	next := func(from time.Time) time.Time {
		return from.Add(15*time.Second + time.Duration(mrand.Int64N(int64(10*time.Second))))
	}
	queue := &beatQueue{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if queue.Len() > 0 {
			timer.Reset(time.Until((*queue)[0].at))
		}
		select {
		case <-ctx.Done():
			return
		case v := <-joined:
			heap.Push(queue, beat{v, next(time.Now())})
		case <-timer.C:
			for queue.Len() > 0 && !time.Now().Before((*queue)[0].at) {
				b := heap.Pop(queue).(beat)
				select {
				case <-b.v.c.Done():
					continue
				default:
				}
				sctx, cancel := context.WithTimeout(ctx, time.Second)
				b.v.c.Send(sctx, map[string]string{"t": "hb"})
				cancel()
				heap.Push(queue, beat{b.v, next(b.at)})
			}
		}
	}
}

// beat is a visitor's next heartbeat; beatQueue orders them by time (container/heap).
type beat struct {
	v  *loadVisitor
	at time.Time
}

type beatQueue []beat

func (q beatQueue) Len() int           { return len(q) }
func (q beatQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q beatQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *beatQueue) Push(x any)        { *q = append(*q, x.(beat)) }
func (q *beatQueue) Pop() any {
	old := *q
	b := old[len(old)-1]
	*q = old[:len(old)-1]
	return b
}

// loadAgent is one agent session with its latency probe: a visitor whose chat the agent has
// open on screen.
type loadAgent struct {
	i         int
	c         *termtest.Client
	err       error
	probePage *Conn
	probe     *Conn
	token     string

	lat      []time.Duration
	sent     int64
	timeouts int64
}

// openProbe connects the probe visitor, finds it on the agent's monitor with the filter and
// opens a chat with it (Enter), as an agent would. The probe visitor dials from slot.
func (a *loadAgent) openProbe(ctx context.Context, d *Dialer, slot int) error {
	a.token = fmt.Sprintf("probe%03d%s", a.i, randomVid()[:4])
	vid := randomVid()
	opened := make(chan uint64, 1)
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	page, err := d.Dial(dctx, slot, Hello{Vid: vid, Kind: "page", URL: "http://localhost/" + a.token, Title: a.token},
		func(f Frame) {
			if f.T == "open" {
				select {
				case opened <- f.ConvID():
				default:
				}
			}
		})
	if err != nil {
		return fmt.Errorf("probe visitor: %w", err)
	}
	a.probePage = page
	var conv uint64
	for attempt := 1; conv == 0; attempt++ {
		if err := a.filterAndOpen(); err != nil {
			return err
		}
		select {
		case conv = <-opened:
		case <-time.After(5 * time.Second):
			if attempt == 4 {
				return fmt.Errorf("the agent's Enter did not open a chat with the probe visitor; screen:\n%s", a.c.Screen().String())
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	chat, err := d.Dial(cctx, slot, Hello{Vid: vid, Kind: "chat", URL: "http://localhost/chat", Title: "在线咨询"}, nil)
	if err != nil {
		return fmt.Errorf("probe chat window: %w", err)
	}
	if got := chat.Welcome.ConvID(); got != conv {
		chat.Kill()
		return fmt.Errorf("probe chat window joined conversation %d, the agent opened %d", got, conv)
	}
	a.probe = chat
	return nil
}

// filterAndOpen finds the probe visitor with the monitor's filter and opens a chat with it.
// Esc first closes whatever a previous attempt or a notification left open.
func (a *loadAgent) filterAndOpen() error {
	// "/" alone (typed together with more, the workbench would read one key of many runes),
	// then the token: the filter leaves one row; Enter leaves the filter, Enter again opens
	// the chat.
	steps := []struct {
		keys  string
		press bool
		pause time.Duration
	}{
		{"esc", true, 100 * time.Millisecond},
		{"esc", true, 100 * time.Millisecond},
		{"/", false, 150 * time.Millisecond},
		{a.token, false, 0},
		{"enter", true, 150 * time.Millisecond},
		{"enter", true, 0},
	}
	for i, st := range steps {
		if i == 4 {
			// The filtered monitor shows the probe's row (its page title is the token).
			a.c.WaitFor(a.token, 5*time.Second)
		}
		var err error
		if st.press {
			err = a.c.Press(st.keys)
		} else {
			err = a.c.Type(st.keys)
		}
		if err != nil {
			return err
		}
		time.Sleep(st.pause)
	}
	return nil
}

func (a *loadAgent) closeProbe() {
	if a.probe != nil {
		a.probe.Kill()
	}
	if a.probePage != nil {
		a.probePage.Kill()
	}
}

// probeTimeout is how long a probe may take to reach the agent's screen.
const probeTimeout = 5 * time.Second

// runProbes sends the probe visitor's messages, one at a time, each with a unique token, and
// times each from the send to the moment the token is on the agent's screen.
func (a *loadAgent) runProbes(ctx context.Context, rate float64) {
	interval := time.Duration(float64(time.Second) / rate)
	// Probes of different agents do not start in step.
	select {
	case <-time.After(time.Duration(mrand.Int64N(int64(interval)))):
	case <-ctx.Done():
		return
	}
	for n := 1; ctx.Err() == nil; n++ {
		next := time.Now().Add(interval)
		token := fmt.Sprintf("T%03dn%05d", a.i, n)
		t0 := time.Now()
		if err := a.probe.SendMessage(ctx, "p-"+token, "探针 "+token); err != nil {
			return
		}
		a.sent++
		if err := a.c.WaitFor(token, probeTimeout); err != nil {
			// Counted at the limit, so the percentiles do not flatter an overloaded server.
			a.timeouts++
			a.lat = append(a.lat, probeTimeout)
		} else {
			a.lat = append(a.lat, time.Since(t0))
		}
		select {
		case <-time.After(time.Until(next)):
		case <-ctx.Done():
			return
		}
	}
}

// Targets are the goals on a 2-core machine, for the ratios in Summary.
var Targets = struct {
	RSSPerVisitor float64 // bytes
	AckedPerSec   float64
	E2EP99        time.Duration
}{30 * 1024, 5000, 50 * time.Millisecond}

// Summary is the median of each figure over runs, with its ratio to the target where there
// is one.
func Summary(reps []LoadReport) string {
	if len(reps) == 0 {
		return ""
	}
	med := func(f func(r LoadReport) float64) float64 {
		v := make([]float64, len(reps))
		for i, r := range reps {
			v[i] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	msf := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	var b strings.Builder
	r0 := reps[0]
	fmt.Fprintf(&b, "median of %d runs: %d visitors (%d chatting), %d agents, %v each\n",
		len(reps), r0.Visitors, r0.Chatters, r0.Agents, r0.Duration.Round(time.Second))
	connected := med(func(r LoadReport) float64 { return float64(r.Connected) })
	fmt.Fprintf(&b, "  visitors connected       %.0f\n", connected)
	fmt.Fprintf(&b, "  agent sessions watching  %.0f\n", med(func(r LoadReport) float64 { return float64(r.AgentsReady) }))
	if acked := med(func(r LoadReport) float64 { return r.AckedPerSec }); acked > 0 {
		fmt.Fprintf(&b, "  acknowledged messages/s  %.0f (%.2f× the target %.0f)\n", acked, acked/Targets.AckedPerSec, Targets.AckedPerSec)
	}
	if r0.Ack.N > 0 {
		fmt.Fprintf(&b, "  send → ack               p50 %.1f ms, p99 %.1f ms\n",
			med(func(r LoadReport) float64 { return msf(r.Ack.P50) }), med(func(r LoadReport) float64 { return msf(r.Ack.P99) }))
	}
	if r0.Agents > 0 {
		p99 := med(func(r LoadReport) float64 { return msf(r.E2E.P99) })
		fmt.Fprintf(&b, "  visitor → agent screen   p50 %.1f ms, p99 %.1f ms (%.2f× the target %v); probe timeouts %.0f\n",
			med(func(r LoadReport) float64 { return msf(r.E2E.P50) }), p99, p99/msf(Targets.E2EP99), Targets.E2EP99,
			med(func(r LoadReport) float64 { return float64(r.ProbeTimeouts) }))
	}
	if r0.RSSIdle > 0 {
		per := med(func(r LoadReport) float64 { return r.RSSPerVisitor })
		fmt.Fprintf(&b, "  RSS per visitor          %.1f KB (%.2f× the target %.0f KB)\n", per/1024, per/Targets.RSSPerVisitor, Targets.RSSPerVisitor/1024)
		fmt.Fprintf(&b, "  server RSS               idle %.1f MiB, with visitors %.1f MiB, end %.1f MiB\n",
			med(func(r LoadReport) float64 { return float64(r.RSSIdle) / (1 << 20) }),
			med(func(r LoadReport) float64 { return float64(r.RSSVisitors) / (1 << 20) }),
			med(func(r LoadReport) float64 { return float64(r.RSSEnd) / (1 << 20) }))
		fmt.Fprintf(&b, "  server CPU               %.0f%% of one core\n",
			med(func(r LoadReport) float64 { return 100 * r.ServerCPU.Seconds() / r.Duration.Seconds() }))
	}
	fmt.Fprintf(&b, "  load tool CPU            %.0f%% of one core\n",
		med(func(r LoadReport) float64 { return 100 * r.ToolCPU.Seconds() / r.Duration.Seconds() }))
	fmt.Fprintf(&b, "  other processes' CPU     %.0f%% of one core\n",
		med(func(r LoadReport) float64 {
			return 100 * max(r.MachineCPU-r.ToolCPU-r.ServerCPU, 0).Seconds() / r.Duration.Seconds()
		}))
	return b.String()
}
