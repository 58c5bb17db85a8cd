package store

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dir
}

func newConv(t *testing.T, db *DB) uint64 {
	t.Helper()
	var id uint64
	err := db.Update(func(tx *Tx) error {
		v := &Visitor{SiteID: 1, Key: fmt.Sprintf("v-%d", time.Now().UnixNano())}
		if err := tx.CreateVisitor(v); err != nil {
			return err
		}
		c := &Conversation{SiteID: 1, VisitorID: v.ID, State: ConvOpen}
		if err := tx.CreateConv(c); err != nil {
			return err
		}
		id = c.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func appendMsg(db *DB, conv uint64, cid, text string) (Message, bool, error) {
	m := Message{ConvID: conv, CID: cid, From: FromVisitor, Text: text}
	var dup bool
	err := db.Update(func(tx *Tx) error {
		m = Message{ConvID: conv, CID: cid, From: FromVisitor, Text: text}
		var err error
		dup, err = tx.AppendMessage(&m)
		return err
	})
	return m, dup, err
}

func TestMessagesAreOrderedAndIdempotent(t *testing.T) {
	db, _ := openTest(t)
	conv := newConv(t, db)
	texts := []string{"你好", "hello", "在线客服", "<b>x</b>"}
	for i, text := range texts {
		m, dup, err := appendMsg(db, conv, fmt.Sprintf("c%d", i), text)
		if err != nil || dup || m.Seq != uint64(i+1) {
			t.Fatalf("append %d: seq %d dup %v err %v", i, m.Seq, dup, err)
		}
	}
	// A retried send (same client id) is stored once and answered with the original seq.
	m, dup, err := appendMsg(db, conv, "c1", "hello again")
	if err != nil || !dup || m.Seq != 2 || m.Text != "hello" {
		t.Fatalf("retry: %+v dup %v err %v", m, dup, err)
	}
	var got []Message
	db.View(func(tx *Tx) error {
		var err error
		got, err = tx.Messages(conv, 0, 0)
		return err
	})
	if len(got) != len(texts) {
		t.Fatalf("stored %d messages, want %d", len(got), len(texts))
	}
	for i, m := range got {
		if m.Seq != uint64(i+1) || m.Text != texts[i] {
			t.Errorf("message %d = %d %q", i, m.Seq, m.Text)
		}
	}
	db.View(func(tx *Tx) error {
		after, _ := tx.Messages(conv, 2, 0)
		if len(after) != 2 || after[0].Seq != 3 {
			t.Errorf("Messages after 2 = %+v", after)
		}
		last, _ := tx.LastMessages(conv, 2)
		if len(last) != 2 || last[0].Seq != 3 || last[1].Seq != 4 {
			t.Errorf("LastMessages = %+v", last)
		}
		if tx.LastSeq(conv) != 4 {
			t.Errorf("LastSeq = %d", tx.LastSeq(conv))
		}
		return nil
	})
}

func TestConcurrentWritersShareCommitsAndKeepPerConversationOrder(t *testing.T) {
	db, _ := openTest(t)
	const convs, per = 8, 50
	ids := make([]uint64, convs)
	for i := range ids {
		ids[i] = newConv(t, db)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[uint64][]uint64{}
	for _, id := range ids {
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(id uint64, w int) {
				defer wg.Done()
				for i := 0; i < per/4+1; i++ {
					var seq uint64
					err := db.Update(func(tx *Tx) error {
						m := Message{ConvID: id, CID: fmt.Sprintf("w%d-%d", w, i), Text: "x"}
						if _, err := tx.AppendMessage(&m); err != nil {
							return err
						}
						seq = m.Seq
						tx.OnCommit(func() {
							mu.Lock()
							seen[id] = append(seen[id], seq)
							mu.Unlock()
						})
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}(id, w)
		}
	}
	wg.Wait()
	// OnCommit callbacks run in commit order, so each conversation's seqs arrive 1, 2, 3…
	for id, seqs := range seen {
		for i, s := range seqs {
			if s != uint64(i+1) {
				t.Fatalf("conversation %d: callback %d got seq %d", id, i, s)
			}
		}
	}
	commits, writes := db.CommitStats()
	if commits >= writes {
		t.Logf("no batching happened (commits %d, writes %d); fine on a fast disk", commits, writes)
	}
}

func TestFailedWriteDoesNotSpoilItsBatch(t *testing.T) {
	db, _ := openTest(t)
	conv := newConv(t, db)
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.Update(func(tx *Tx) error {
				m := Message{ConvID: conv, CID: fmt.Sprint(i), Text: "x"}
				if _, err := tx.AppendMessage(&m); err != nil {
					return err
				}
				if i%5 == 0 {
					return boom
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case i%5 == 0 && !errors.Is(err, boom):
			t.Errorf("write %d: err %v, want boom", i, err)
		case i%5 != 0 && err != nil:
			t.Errorf("write %d: %v", i, err)
		case err == nil:
			ok++
		}
	}
	db.View(func(tx *Tx) error {
		msgs, _ := tx.Messages(conv, 0, 0)
		if len(msgs) != ok {
			t.Errorf("stored %d, want %d", len(msgs), ok)
		}
		for i, m := range msgs {
			if m.Seq != uint64(i+1) {
				t.Errorf("gap: message %d has seq %d", i, m.Seq)
			}
		}
		return nil
	})
	// The failed writes left nothing behind, not even their client ids: sent again, they are
	// new; the others are resends.
	for i := range errs {
		_, dup, err := appendMsg(db, conv, fmt.Sprint(i), "again")
		if err != nil || dup != (i%5 != 0) {
			t.Errorf("send %d again: dup %v err %v", i, dup, err)
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := setSchemaForTest(db, SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrTooNew) {
		t.Fatalf("open newer schema: %v, want ErrTooNew", err)
	}
}

func TestSecondOpenFailsFastWithClearError(t *testing.T) {
	_, dir := openTest(t)
	start := time.Now()
	_, err := Open(dir, Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second open took %v", d)
	}
}

// TestSecondProcessIsRefused checks the lock against a real second process, as a second
// `kefu` on the same data dir would be.
func TestSecondProcessIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	_, dir := openTest(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOpen$", "-test.count=1")
	cmd.Env = append(cmd.Environ(), "KEFU_TEST_OPEN_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}

func TestHelperOpen(t *testing.T) {
	dir := os.Getenv("KEFU_TEST_OPEN_DIR")
	if dir == "" {
		t.Skip("helper for TestSecondProcessIsRefused")
	}
	if _, err := Open(dir, Options{LockTimeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("open from another process: %v, want ErrLocked", err)
	}
}

func TestAgentLoginsAreUniqueAndIndexed(t *testing.T) {
	db, _ := openTest(t)
	a := &Agent{Account: "xiaoyang", Name: "小杨", Phone: "13500000000", Email: "Yang@Example.com",
		Keys: []AuthorizedKey{{Fingerprint: "SHA256:abc"}}}
	if err := db.Update(func(tx *Tx) error { return tx.CreateAgent(a) }); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"xiaoyang", "XIAOYANG", "13500000000", "yang@example.com"} {
		db.View(func(tx *Tx) error {
			got, err := tx.AgentByLogin(login)
			if err != nil || got.ID != a.ID {
				t.Errorf("AgentByLogin(%q) = %v, %v", login, got, err)
			}
			return nil
		})
	}
	b := &Agent{Account: "other", Phone: "13500000000"}
	if err := db.Update(func(tx *Tx) error { return tx.CreateAgent(b) }); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate phone: %v", err)
	}
	// Changing the phone frees the old one.
	a.Phone = "13600000000"
	a.Keys = nil
	if err := db.Update(func(tx *Tx) error { return tx.PutAgent(a) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *Tx) error { return tx.CreateAgent(b) }); err != nil {
		t.Fatalf("phone should be free: %v", err)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.AgentByKey("SHA256:abc"); !errors.Is(err, ErrNotFound) {
			t.Errorf("removed key still found: %v", err)
		}
		return nil
	})
}

func TestTrailAndOpenConvs(t *testing.T) {
	db, _ := openTest(t)
	var vid uint64
	db.Update(func(tx *Tx) error {
		v := &Visitor{SiteID: 1, Key: "abc"}
		if err := tx.CreateVisitor(v); err != nil {
			return err
		}
		vid = v.ID
		for i := 0; i < 5; i++ {
			if err := tx.AddPageView(v.ID, &PageView{URL: fmt.Sprintf("/p%d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	db.View(func(tx *Tx) error {
		trail, _ := tx.Trail(vid, 3)
		if len(trail) != 3 || trail[0].URL != "/p2" || trail[2].URL != "/p4" || trail[2].Seq != 5 {
			t.Errorf("Trail = %+v", trail)
		}
		v, err := tx.VisitorByKey(1, "abc")
		if err != nil || v.ID != vid {
			t.Errorf("VisitorByKey = %v %v", v, err)
		}
		if _, err := tx.VisitorByKey(2, "abc"); !errors.Is(err, ErrNotFound) {
			t.Errorf("visitor keys are per site: %v", err)
		}
		return nil
	})
	c := &Conversation{SiteID: 1, VisitorID: vid, State: ConvOpen}
	db.Update(func(tx *Tx) error { return tx.CreateConv(c) })
	open := func() int {
		var n int
		db.View(func(tx *Tx) error { cs, _ := tx.OpenConvs(); n = len(cs); return nil })
		return n
	}
	ended := func(id uint64) (bool, error) {
		var e bool
		var err error
		db.View(func(tx *Tx) error { e, err = tx.ConvEnded(id); return nil })
		return e, err
	}
	if open() != 1 {
		t.Fatal("open conversation not listed")
	}
	if e, err := ended(c.ID); e || err != nil {
		t.Fatalf("ConvEnded of an open conversation = %v, %v", e, err)
	}
	c.State = ConvEnded
	db.Update(func(tx *Tx) error { return tx.PutConv(c) })
	if open() != 0 {
		t.Fatal("ended conversation still listed")
	}
	if e, err := ended(c.ID); !e || err != nil {
		t.Fatalf("ConvEnded of an ended conversation = %v, %v", e, err)
	}
	if _, err := ended(c.ID + 100); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ConvEnded of no conversation: %v, want ErrNotFound", err)
	}
}

func TestCloseCommitsPendingAndRefusesLater(t *testing.T) {
	db, dir := openTest(t)
	conv := newConv(t, db)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			appendMsg(db, conv, fmt.Sprint(i), "x")
		}(i)
	}
	wg.Wait()
	db.Close()
	if _, _, err := appendMsg(db, conv, "late", "x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
	db2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	db2.View(func(tx *Tx) error {
		if n := tx.LastSeq(conv); n != 50 {
			t.Errorf("after reopen LastSeq = %d, want 50", n)
		}
		return nil
	})
}

// TestCommitGapOnlyWhenBusy: writes from many callers at once wait for company (the gap), a
// lone writer never does: with a gap of an hour, sequential writes still go through at once.
func TestCommitGapOnlyWhenBusy(t *testing.T) {
	db, err := Open(t.TempDir(), Options{CommitGap: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conv := newConv(t, db)
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 5; i++ {
			if _, _, err := appendMsg(db, conv, fmt.Sprint("lone", i), "一个人"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a lone writer waited for company")
	}

	busy, err := Open(t.TempDir(), Options{CommitGap: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var wg sync.WaitGroup
	convs := make([]uint64, 16)
	for i := range convs {
		convs[i] = newConv(t, busy)
	}
	for w, c := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, _, err := appendMsg(busy, c, fmt.Sprint(w, "-", i), "大家一起"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	commits, writes := busy.CommitStats()
	if writes < 16*20 {
		t.Fatalf("%d writes committed, want %d", writes, 16*20)
	}
	t.Logf("%d writes in %d commits", writes, commits)
}
