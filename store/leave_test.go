package store

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func addLeave(t *testing.T, db *DB, m LeaveMessage) (LeaveMessage, bool) {
	t.Helper()
	var dup bool
	err := db.Update(func(tx *Tx) error {
		var err error
		dup, err = tx.CreateLeaveMessage(&m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, dup
}

func TestLeaveMessagesAreStoredOncePerClientID(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	first, dup := addLeave(t, db, LeaveMessage{SiteID: 1, VisitorID: 5, Name: "张三", Phone: "13800138000", Text: "请回电，谢谢", CID: "c-1", Created: now})
	if dup || first.ID != 1 {
		t.Fatalf("first: %+v dup %v", first, dup)
	}
	// The same form sent again (after a reconnect) is the same message.
	again, dup := addLeave(t, db, LeaveMessage{SiteID: 1, VisitorID: 5, Text: "changed", CID: "c-1", Created: now.Add(time.Minute)})
	if !dup || again.ID != 1 || again.Text != "请回电，谢谢" {
		t.Fatalf("retry: %+v dup %v", again, dup)
	}
	// Another visitor may use the same client id.
	other, dup := addLeave(t, db, LeaveMessage{SiteID: 1, VisitorID: 6, Text: "你好", CID: "c-1", Created: now})
	if dup || other.ID != 2 {
		t.Fatalf("other visitor: %+v dup %v", other, dup)
	}
	// A day later the id is forgotten: the widget never retries that late.
	late, dup := addLeave(t, db, LeaveMessage{SiteID: 1, VisitorID: 5, Text: "again", CID: "c-1", Created: now.Add(LeaveRetryWindow + time.Hour)})
	if dup || late.ID != 3 {
		t.Fatalf("late: %+v dup %v", late, dup)
	}
}

func TestRecentLeaveMessages(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		addLeave(t, db, LeaveMessage{SiteID: 1, VisitorID: uint64(5 + i%2), Text: "x", CID: fmt.Sprint(i), Created: now.Add(time.Duration(i) * 10 * time.Minute)})
	}
	var got []LeaveMessage
	db.View(func(tx *Tx) error {
		var err error
		got, err = tx.RecentLeaveMessages(5, now.Add(15*time.Minute))
		return err
	})
	// Visitor 5 left messages 0, 2, 4 at 0, 20, 40 minutes: the last two are recent.
	if len(got) != 2 || got[0].CID != "4" || got[1].CID != "2" {
		t.Fatalf("recent: %+v", got)
	}
}

func TestSiteLeaveMessagesAndCounts(t *testing.T) {
	db, _ := openTest(t)
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		addLeave(t, db, LeaveMessage{SiteID: uint64(1 + i%2), VisitorID: uint64(i), Text: fmt.Sprint("留言", i), CID: "c", Created: now})
	}
	err := db.Update(func(tx *Tx) error {
		m, err := tx.LeaveMessage(3)
		if err != nil {
			return err
		}
		m.Processed, m.ProcessedBy, m.ProcessedAt = true, 1, now
		return tx.PutLeaveMessage(m)
	})
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	var all, done, open, two []LeaveMessage
	var counts map[uint64]int
	db.View(func(tx *Tx) error {
		all, _ = tx.SiteLeaveMessages(1, nil, 0)
		done, _ = tx.SiteLeaveMessages(1, &yes, 0)
		open, _ = tx.SiteLeaveMessages(1, &no, 0)
		two, _ = tx.SiteLeaveMessages(1, nil, 2)
		counts, err = tx.UnprocessedLeaveCounts()
		return err
	})
	ids := func(ms []LeaveMessage) string {
		s := ""
		for _, m := range ms {
			s += fmt.Sprint(m.ID, " ")
		}
		return s
	}
	if ids(all) != "5 3 1 " || ids(done) != "3 " || ids(open) != "5 1 " || ids(two) != "5 3 " {
		t.Fatalf("site 1: all %s done %s open %s first two %s", ids(all), ids(done), ids(open), ids(two))
	}
	if err != nil || counts[1] != 2 || counts[2] != 2 {
		t.Fatalf("unprocessed counts %v %v", counts, err)
	}
	if err := db.Update(func(tx *Tx) error { return tx.PutLeaveMessage(&LeaveMessage{ID: 77}) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("put a message that does not exist: %v", err)
	}
}
