package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kefu/store"
)

// FaultConfig describes a fault run: visitors send messages over the real websocket while
// the server is killed with SIGKILL at random moments and restarted on the same data dir.
type FaultConfig struct {
	// Kefu is the path of the kefu binary to run.
	Kefu string
	// Dir is the data directory; it must be empty or missing.
	Dir      string
	Visitors int // concurrent visitors
	Messages int // messages each visitor sends
	Rounds   int // kills: each round ends with kill -9 and a restart
	// Rate is the messages per second each visitor sends (kefu allows 5 per second with
	// bursts of 10); default 4.
	Rate float64
	// Window is how many unacknowledged messages a visitor may have in flight; default 3.
	Window int
	// KillAfter is the range each round's random run time is drawn from before the kill;
	// default: around (Messages/Rate)/(Rounds+1), so the kills fall while messages flow.
	KillAfter [2]time.Duration
	Seed      uint64        // random seed; 0 picks one (printed in the report)
	Timeout   time.Duration // the whole run, verification included; default 2 minutes
	Log       io.Writer     // progress lines; nil for none
}

// FaultReport is what a fault run found.
type FaultReport struct {
	Seed       uint64
	Visitors   int
	Messages   int // distinct messages, visitors × messages each
	Frames     int // msg frames sent, resends included
	Acked      int // distinct messages acknowledged
	Resent     int // frames resent after a crash because their ack had not come
	ResentDup  int // of those, how many the server had already committed before the crash
	Kills      int // rounds carried out, each ending with a kill
	Refused    int // error frames the server answered a message with
	Duplicates int // client ids stored more than once
	Missing    int // acknowledged messages not in the database
	WrongSeq   int // stored with another seq than acknowledged
	WrongText  int // stored with another text than sent
	Misordered int // a visitor's message stored before one it sent earlier
	SeqGaps    int // missing seqs inside a conversation
	ExtraConvs int // visitors with more than one conversation
	Unacked    int // messages still without ack at the end
	Races      int // data races reported by a race-enabled server
	Elapsed    time.Duration
	Problems   []string // the first problems, described
}

// OK reports whether nothing was lost, duplicated or reordered.
func (r FaultReport) OK() bool {
	return r.Duplicates == 0 && r.Missing == 0 && r.WrongSeq == 0 && r.WrongText == 0 && r.Misordered == 0 &&
		r.SeqGaps == 0 && r.ExtraConvs == 0 && r.Unacked == 0 && r.Refused == 0 && r.Races == 0 &&
		r.Acked == r.Messages && len(r.Problems) == 0
}

func (r FaultReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fault test: %d kills (kill -9), %d visitors × %d messages, seed %d, %v\n",
		r.Kills, r.Visitors, r.Messages/max(r.Visitors, 1), r.Seed, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "  sent %d messages in %d frames; acked %d; resent after crash %d (of which already stored before the crash: %d)\n",
		r.Messages, r.Frames, r.Acked, r.Resent, r.ResentDup)
	fmt.Fprintf(&b, "  duplicates %d, missing %d, wrong seq %d, wrong text %d, out of order %d, seq gaps %d, extra conversations %d, unacked at end %d, refused %d, data races %d\n",
		r.Duplicates, r.Missing, r.WrongSeq, r.WrongText, r.Misordered, r.SeqGaps, r.ExtraConvs, r.Unacked, r.Refused, r.Races)
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  problem: %s\n", p)
	}
	if r.OK() {
		b.WriteString("  OK: every acknowledged message is stored exactly once, with its seq, in order\n")
	} else {
		b.WriteString("  FAILED\n")
	}
	return b.String()
}

// faultAdminPassword is the admin password of the fault run's server (unused: no agents).
const faultAdminPassword = "fault-密码-123456"

// RunFault runs the fault test and checks the database at the end. The error is for a run
// that could not be carried out (the server would not start, the time ran out); what the
// check found is in the report.
func RunFault(ctx context.Context, cfg FaultConfig) (FaultReport, error) {
	if cfg.Rate <= 0 {
		cfg.Rate = 4
	}
	if cfg.Window <= 0 {
		cfg.Window = 3
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()
	}
	if cfg.KillAfter[1] <= 0 {
		sending := time.Duration(float64(cfg.Messages) / cfg.Rate * float64(time.Second))
		avg := sending / time.Duration(cfg.Rounds+1)
		cfg.KillAfter = [2]time.Duration{avg / 2, avg * 3 / 2}
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	rep := FaultReport{Seed: cfg.Seed, Visitors: cfg.Visitors, Messages: cfg.Visitors * cfg.Messages}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6b656675))

	k, err := StartKefu(ctx, KefuOptions{Command: []string{cfg.Kefu, "serve"}, Dir: cfg.Dir,
		Env: []string{"KEFU_ADMIN_PASSWORD=" + faultAdminPassword, "KEFU_LANG=en"}})
	if err != nil {
		return rep, err
	}
	defer k.Kill()
	dialer, err := NewDialer(k.Base(), 32)
	if err != nil {
		return rep, err
	}
	run := &faultRun{cfg: cfg, dialer: dialer, sent: make(chan struct{}, 1)}
	run.genStart.Store(time.Now().UnixMilli())
	visitors := make([]*faultVisitor, cfg.Visitors)
	var wg sync.WaitGroup
	vctx, stopVisitors := context.WithCancel(ctx)
	defer stopVisitors()
	for i := range visitors {
		v := newFaultVisitor(run, i, cfg.Messages, rng.Uint64())
		visitors[i] = v
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.run(vctx)
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	for r := 0; r < cfg.Rounds; r++ {
		lo, hi := cfg.KillAfter[0], cfg.KillAfter[1]
		wait := lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return rep, fmt.Errorf("round %d: %w", r+1, ctx.Err())
		}
		aimed := rng.IntN(2) == 0
		if aimed {
			// Half the kills aim at a message in flight: right after a visitor sends, while
			// the server reads, commits or acknowledges it.
			select {
			case <-run.sent: // an old send: wait for the next one
			default:
			}
			select {
			case <-run.sent:
			case <-time.After(time.Second):
			}
			time.Sleep(time.Duration(rng.Int64N(int64(8 * time.Millisecond))))
		}
		if err := k.Kill(); err != nil {
			return rep, fmt.Errorf("kill: %w", err)
		}
		rep.Kills++
		how := "at a random moment"
		if aimed {
			how = "just after a send"
		}
		logf("round %d: killed the server after %v, %s; %d/%d messages acknowledged so far",
			r+1, wait.Round(time.Millisecond), how, run.acked.Load(), rep.Messages)
		// Sometimes come back at once, sometimes after the visitors have seen refusals.
		time.Sleep(time.Duration(rng.Int64N(int64(100 * time.Millisecond))))
		run.genStart.Store(time.Now().UnixMilli())
		t0 := time.Now()
		if err := k.Restart(ctx); err != nil {
			return rep, fmt.Errorf("restart after kill %d: %w", rep.Kills, err)
		}
		logf("round %d: restarted in %v", r+1, time.Since(t0).Round(time.Millisecond))
		dialer.SetBase(k.Base())
	}
	select {
	case <-allDone:
	case <-ctx.Done():
		stopVisitors()
		<-allDone
		rep.fill(visitors)
		return rep, fmt.Errorf("visitors did not finish: %w (%d/%d acknowledged)", ctx.Err(), rep.Acked, rep.Messages)
	}
	if err := k.Stop(15 * time.Second); err != nil {
		rep.Problems = append(rep.Problems, "graceful stop: "+err.Error())
	}
	rep.fill(visitors)
	rep.Races = k.Races()
	if rep.Races > 0 {
		rep.Problems = append(rep.Problems, "the server's race detector reported:\n"+k.Log())
	}
	if err := verifyFault(cfg.Dir, visitors, &rep); err != nil {
		return rep, err
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// faultRun is what the visitors of a run share.
type faultRun struct {
	cfg      FaultConfig
	dialer   *Dialer
	genStart atomic.Int64 // unix ms when the running server was started
	acked    atomic.Int64
	sent     chan struct{} // a message was just sent (not blocking: the latest is enough)
}

// faultVisitor is one visitor of the fault run, behaving as the widget does: it keeps every
// unacknowledged message and sends it again, with the same cid, after a reconnect.
type faultVisitor struct {
	fr    *faultRun
	slot  int
	vid   string
	texts []string
	cids  []string
	rng   *rand.Rand

	next    int   // the next message to send for the first time
	pending []int // sent, not acknowledged, in send order
	acks    []faultAck
	nacked  int
	conv    uint64
	lastSeq uint64

	frames, resent, resentDup, refused int
	problems                           []string
}

type faultAck struct {
	ok     bool
	conv   uint64
	seq    uint64
	resent bool
}

func newFaultVisitor(run *faultRun, slot, n int, seed uint64) *faultVisitor {
	v := &faultVisitor{fr: run, slot: slot, rng: rand.New(rand.NewPCG(seed, uint64(slot)))}
	v.vid = fmt.Sprintf("fault-visitor-%04d-%08x", slot, seed&0xffffffff)
	for i := 0; i < n; i++ {
		v.cids = append(v.cids, fmt.Sprintf("f%d-%d-%x", slot, i, v.rng.Uint32()))
		// Wide characters and markup, as visitors type them.
		v.texts = append(v.texts, fmt.Sprintf("访客%d的第%d条消息 <b>m%d</b> & 你好", slot, i, i))
	}
	v.acks = make([]faultAck, n)
	return v
}

func (v *faultVisitor) done() bool { return v.nacked == len(v.texts) }

// run connects, resends what is pending, sends the rest at the configured pace, and
// reconnects with backoff whenever the connection breaks, until every message is acked.
func (v *faultVisitor) run(ctx context.Context) {
	backoff := 20 * time.Millisecond
	for !v.done() && ctx.Err() == nil {
		err := v.session(ctx)
		if v.done() || ctx.Err() != nil {
			return
		}
		if err != nil {
			time.Sleep(backoff + time.Duration(v.rng.Int64N(int64(backoff))))
			backoff = min(backoff*2, 400*time.Millisecond)
		} else {
			backoff = 20 * time.Millisecond
		}
	}
}

// session is one connection's life. It returns nil if the connection was established.
func (v *faultVisitor) session(ctx context.Context) error {
	frames := make(chan Frame, 64)
	quit := make(chan struct{})
	defer close(quit)
	h := Hello{Vid: v.vid, Kind: "chat", URL: "http://localhost/chat", Title: "在线咨询"}
	if v.conv != 0 {
		h.Resume = &[2]uint64{v.conv, v.lastSeq}
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	c, err := v.fr.dialer.Dial(dctx, v.slot, h, func(f Frame) {
		select {
		case frames <- f:
		case <-quit:
		}
	})
	cancel()
	if err != nil {
		return err
	}
	defer c.Kill()
	if id := c.Welcome.ConvID(); id != 0 {
		if v.conv != 0 && id != v.conv {
			v.problems = append(v.problems, fmt.Sprintf("visitor %d: welcome names conversation %d, acks named %d", v.slot, id, v.conv))
		}
		v.conv = id
	}
	// What was not acknowledged goes again, same cid, in order.
	for _, i := range v.pending {
		if err := c.SendMessage(ctx, v.cids[i], v.texts[i]); err != nil {
			return nil
		}
		v.frames++
		v.resent++
		v.acks[i].resent = true
	}
	interval := time.Duration(float64(time.Second) / v.fr.cfg.Rate)
	// A random phase, so visitors do not all send at the same instant.
	select {
	case <-time.After(time.Duration(v.rng.Int64N(int64(interval)))):
	case <-ctx.Done():
		return nil
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for !v.done() {
		select {
		case <-ctx.Done():
			return nil
		case <-c.Done():
			return nil
		case f := <-frames:
			if !v.frame(f) {
				return nil
			}
		case <-ticker.C:
			if v.next >= len(v.texts) || len(v.pending) >= v.fr.cfg.Window {
				continue
			}
			i := v.next
			v.next++
			v.pending = append(v.pending, i)
			if err := c.SendMessage(ctx, v.cids[i], v.texts[i]); err != nil {
				return nil // pending: it goes again on the next connection
			}
			v.frames++
			select {
			case v.fr.sent <- struct{}{}:
			default:
			}
		}
	}
	c.Close()
	return nil
}

// frame handles a server frame; false ends the connection.
func (v *faultVisitor) frame(f Frame) bool {
	switch f.T {
	case "ack":
		if len(v.pending) == 0 || v.cids[v.pending[0]] != f.CID {
			v.problems = append(v.problems, fmt.Sprintf("visitor %d: ack for %q out of turn (pending %d)", v.slot, f.CID, len(v.pending)))
			return false
		}
		i := v.pending[0]
		v.pending = v.pending[1:]
		a := &v.acks[i]
		a.ok, a.conv, a.seq = true, f.ConvID(), f.Seq
		if a.resent && f.At < v.fr.genStart.Load() {
			v.resentDup++
		}
		if v.conv == 0 {
			v.conv = a.conv
		} else if a.conv != v.conv {
			v.problems = append(v.problems, fmt.Sprintf("visitor %d: message %d acked in conversation %d, earlier ones in %d", v.slot, i, a.conv, v.conv))
		}
		v.lastSeq = max(v.lastSeq, f.Seq)
		v.nacked++
		v.fr.acked.Add(1)
	case "msg":
		if f.ConvID() == v.conv {
			v.lastSeq = max(v.lastSeq, f.Seq)
		}
	case "error":
		// A refusal (rate, unavailable): the message is not stored. Reconnect and resend from
		// the first unacknowledged one, so order is kept.
		v.refused++
		v.problems = append(v.problems, fmt.Sprintf("visitor %d: refused with %q", v.slot, f.Code))
		return false
	case "bye":
		return false
	}
	return true
}

// fill adds the visitors' counts to the report.
func (r *FaultReport) fill(visitors []*faultVisitor) {
	r.Frames, r.Acked, r.Resent, r.ResentDup, r.Refused = 0, 0, 0, 0, 0
	for _, v := range visitors {
		r.Frames += v.frames
		r.Acked += v.nacked
		r.Resent += v.resent
		r.ResentDup += v.resentDup
		r.Refused += v.refused
		r.problem(v.problems...)
	}
	r.Unacked = r.Messages - r.Acked
}

func (r *FaultReport) problem(p ...string) {
	for _, s := range p {
		if len(r.Problems) < 20 {
			r.Problems = append(r.Problems, s)
		}
	}
}

// verifyFault opens the data dir after the server stopped and checks every visitor's
// conversation against what was acknowledged.
func verifyFault(dir string, visitors []*faultVisitor, r *FaultReport) error {
	if err := store.Verify(filepath.Join(dir, store.FileName)); err != nil {
		r.problem("database check: " + err.Error())
	}
	db, err := store.Open(dir, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("open the data dir to verify: %w", err)
	}
	defer db.Close()
	return db.View(func(tx *store.Tx) error {
		for _, v := range visitors {
			sv, err := tx.VisitorByKey(store.DefaultSiteID, v.vid)
			if errors.Is(err, store.ErrNotFound) {
				if v.nacked > 0 {
					r.Missing += v.nacked
					r.problem(fmt.Sprintf("visitor %d is not in the database", v.slot))
				}
				continue
			}
			if err != nil {
				return err
			}
			convs, err := tx.VisitorConvs(sv.ID)
			if err != nil {
				return err
			}
			if len(convs) > 1 {
				r.ExtraConvs++
				r.problem(fmt.Sprintf("visitor %d has %d conversations", v.slot, len(convs)))
			}
			byCID := map[string][]store.Message{}
			var order []int // message indexes in stored order
			index := map[string]int{}
			for i, cid := range v.cids {
				index[cid] = i
			}
			for _, c := range convs {
				msgs, err := tx.Messages(c.ID, 0, 0)
				if err != nil {
					return err
				}
				for j, m := range msgs {
					if m.Seq != uint64(j+1) {
						r.SeqGaps++
						r.problem(fmt.Sprintf("conversation %d: message %d has seq %d", c.ID, j+1, m.Seq))
						break
					}
				}
				for _, m := range msgs {
					if m.From != store.FromVisitor {
						continue
					}
					byCID[m.CID] = append(byCID[m.CID], m)
					if i, ok := index[m.CID]; ok && len(byCID[m.CID]) == 1 {
						order = append(order, i)
					}
				}
			}
			for cid, ms := range byCID {
				if len(ms) > 1 {
					r.Duplicates += len(ms) - 1
					r.problem(fmt.Sprintf("visitor %d: cid %s stored %d times", v.slot, cid, len(ms)))
				}
			}
			for i := 1; i < len(order); i++ {
				if order[i] < order[i-1] {
					r.Misordered++
					r.problem(fmt.Sprintf("visitor %d: message %d stored after message %d", v.slot, order[i-1], order[i]))
				}
			}
			for i, a := range v.acks {
				if !a.ok {
					continue
				}
				ms := byCID[v.cids[i]]
				switch {
				case len(ms) == 0:
					r.Missing++
					r.problem(fmt.Sprintf("visitor %d: acknowledged message %d (cid %s, seq %d) is missing", v.slot, i, v.cids[i], a.seq))
				case ms[0].Seq != a.seq || ms[0].ConvID != a.conv:
					r.WrongSeq++
					r.problem(fmt.Sprintf("visitor %d: message %d acked as %d/%d, stored as %d/%d", v.slot, i, a.conv, a.seq, ms[0].ConvID, ms[0].Seq))
				case ms[0].Text != cleanText(v.texts[i]):
					r.WrongText++
					r.problem(fmt.Sprintf("visitor %d: message %d stored as %q", v.slot, i, ms[0].Text))
				}
			}
		}
		return nil
	})
}

// cleanText is the text kefu stores for what a visitor typed (trimmed; the fault test's
// texts have nothing else to clean).
func cleanText(s string) string { return strings.TrimSpace(s) }
