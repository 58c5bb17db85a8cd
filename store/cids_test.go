package store

import (
	"errors"
	"fmt"
	"testing"
)

// wantAppend appends a visitor message and checks whether it was taken as a resend and the
// seq it got.
func wantAppend(t *testing.T, db *DB, conv uint64, cid, text string, wantDup bool, wantSeq uint64) Message {
	t.Helper()
	m, dup, err := appendMsg(db, conv, cid, text)
	if err != nil || dup != wantDup || m.Seq != wantSeq {
		t.Fatalf("append %q: seq %d dup %v err %v; want seq %d dup %v", cid, m.Seq, dup, err, wantSeq, wantDup)
	}
	return m
}

// reopen opens the database in dir again, as a new kefu process would, closed at the test's end.
func reopen(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func storedTexts(t *testing.T, db *DB, conv uint64) []string {
	t.Helper()
	var out []string
	db.View(func(tx *Tx) error {
		msgs, err := tx.Messages(conv, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			out = append(out, m.Text)
		}
		return nil
	})
	return out
}

func TestResendIsFoundAfterReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	conv := newConv(t, db)
	for i := 1; i <= 3; i++ {
		wantAppend(t, db, conv, fmt.Sprintf("c%d", i), fmt.Sprintf("第%d条", i), false, uint64(i))
	}
	db.Close()
	// A new process knows nothing in memory: the index is read from the stored messages.
	db = reopen(t, dir)
	if m := wantAppend(t, db, conv, "c2", "again", true, 2); m.Text != "第2条" {
		t.Errorf("resend answered with %q, want the stored 第2条", m.Text)
	}
	wantAppend(t, db, conv, "c4", "第4条", false, 4)
	wantAppend(t, db, conv, "c4", "again", true, 4)
	if got := storedTexts(t, db, conv); len(got) != 4 {
		t.Errorf("stored %q, want 4 messages", got)
	}
}

func TestCIDsSharingAHashAreToldApart(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	collideCIDsForTest(db)
	conv := newConv(t, db)
	for i, cid := range []string{"a", "b", "c"} {
		wantAppend(t, db, conv, cid, cid+"!", false, uint64(i+1))
	}
	for i, cid := range []string{"a", "b", "c"} {
		if m := wantAppend(t, db, conv, cid, "again", true, uint64(i+1)); m.Text != cid+"!" {
			t.Errorf("resend of %s answered with %q", cid, m.Text)
		}
	}
	db.Close()
	db = reopen(t, dir)
	collideCIDsForTest(db)
	wantAppend(t, db, conv, "c", "again", true, 3)
	wantAppend(t, db, conv, "d", "d!", false, 4)
	wantAppend(t, db, conv, "b", "again", true, 2)
	if got := storedTexts(t, db, conv); fmt.Sprint(got) != "[a! b! c! d!]" {
		t.Errorf("stored %q", got)
	}
}

func TestRolledBackSendLeavesNoTrace(t *testing.T) {
	db, _ := openTest(t)
	conv := newConv(t, db)
	wantAppend(t, db, conv, "first", "1", false, 1)
	boom := errors.New("boom")
	err := db.Update(func(tx *Tx) error {
		m := Message{ConvID: conv, CID: "x", Text: "rolled back"}
		if _, err := tx.AppendMessage(&m); err != nil {
			return err
		}
		// The same cid again in the same transaction is a resend.
		again := Message{ConvID: conv, CID: "x", Text: "again"}
		if dup, err := tx.AppendMessage(&again); err != nil || !dup || again.Seq != 2 {
			t.Errorf("in-transaction resend: seq %d dup %v err %v", again.Seq, dup, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	wantAppend(t, db, conv, "x", "kept", false, 2)
	if got := storedTexts(t, db, conv); fmt.Sprint(got) != "[1 kept]" {
		t.Errorf("stored %q", got)
	}
}

func TestResendToAnEndedConversation(t *testing.T) {
	db, _ := openTest(t)
	conv := newConv(t, db)
	wantAppend(t, db, conv, "c1", "hi", false, 1)
	err := db.Update(func(tx *Tx) error {
		c, err := tx.Conv(conv)
		if err != nil {
			return err
		}
		c.State = ConvEnded
		return tx.PutConv(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ending forgets the conversation's index; a late resend still finds the message.
	wantAppend(t, db, conv, "c1", "again", true, 1)
}

func TestSchema1DatabaseLosesItsCIDBucket(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	conv := newConv(t, db)
	wantAppend(t, db, conv, "old", "from 1.0", false, 1)
	if err := schema1ForTest(db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = reopen(t, dir)
	if hasBucketForTest(db, bMessageCIDs) {
		t.Error("message_cids still there after the migration")
	}
	wantAppend(t, db, conv, "old", "again", true, 1)
}
