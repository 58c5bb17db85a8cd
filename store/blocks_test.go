package store

import (
	"errors"
	"testing"
	"time"
)

func TestBlocksAreStoredAndLifted(t *testing.T) {
	db, dir := openTest(t)
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	in := []Block{
		{SiteID: 1, VisitorID: 7, VisitorKey: "key-0000000000000007", Name: "刷屏的访客", IP: "113.99.15.142", Reason: "发广告<script>", By: 1, Created: now},
		{SiteID: 1, IP: "14.150.38.2", Until: now.Add(time.Hour), By: 1, Created: now},
		{SiteID: 2, VisitorID: 9, VisitorKey: "key-0000000000000009", By: 2},
	}
	for i := range in {
		if err := db.Update(func(tx *Tx) error { return tx.CreateBlock(&in[i]) }); err != nil {
			t.Fatal(err)
		}
		if in[i].ID != uint64(i+1) {
			t.Fatalf("block %d got id %d", i, in[i].ID)
		}
	}
	if in[2].Created.IsZero() {
		t.Fatal("Created not set")
	}
	lifted := in[0]
	lifted.Lifted, lifted.LiftedBy = now.Add(time.Minute), 1
	if err := db.Update(func(tx *Tx) error { return tx.PutBlock(&lifted) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *Tx) error { return tx.PutBlock(&Block{ID: 99}) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("put a block that does not exist: %v", err)
	}
	db.Close()

	// Blocks survive a restart.
	db2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var all []Block
	var one *Block
	db2.View(func(tx *Tx) error {
		all, err = tx.Blocks()
		if err != nil {
			return err
		}
		one, err = tx.Block(2)
		return err
	})
	if err != nil || len(all) != 3 || all[0].Name != "刷屏的访客" || all[0].Lifted.IsZero() || one.IP != "14.150.38.2" {
		t.Fatalf("after restart: %+v, %+v, %v", all, one, err)
	}
	db2.View(func(tx *Tx) error { _, err = tx.Block(42); return nil })
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing block: %v", err)
	}
}

func TestBlockActive(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		b    Block
		want bool
	}{
		{"forever", Block{}, true},
		{"until later", Block{Until: now.Add(time.Second)}, true},
		{"expired", Block{Until: now.Add(-time.Second)}, false},
		{"expires now", Block{Until: now}, false},
		{"lifted", Block{Lifted: now.Add(-time.Hour)}, false},
		{"lifted before it expired", Block{Until: now.Add(time.Hour), Lifted: now.Add(-time.Hour)}, false},
	} {
		if got := c.b.Active(now); got != c.want {
			t.Errorf("%s: Active = %v, want %v", c.name, got, c.want)
		}
	}
}
