package desk

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"kefu/server/hub"
	"kefu/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func testDesk(t *testing.T, now func() time.Time) *Desk {
	t.Helper()
	db, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err := New(db, hub.New(nil), Config{Now: now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Bootstrap("right-password"); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoginLockoutWithBackoff(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	d := testDesk(t, c.now)
	for i := 0; i < accountLimit; i++ {
		if _, err := d.Login("admin", "wrong", "203.0.113.5"); !errors.Is(err, ErrBadLogin) {
			t.Fatal(err)
		}
	}
	// Locked: even the right password is refused, with the same answer.
	if _, err := d.Login("admin", "right-password", "198.51.100.7"); !errors.Is(err, ErrBadLogin) {
		t.Fatalf("locked account accepted: %v", err)
	}
	c.add(firstLock + time.Second)
	if _, err := d.Login("admin", "right-password", "198.51.100.7"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Without a success in between, each lock lasts longer than the last (backoff).
	for round := 0; round < 2; round++ {
		for i := 0; i < accountLimit; i++ {
			d.Login("admin", "wrong", "203.0.113.5")
		}
		c.add(firstLock + time.Second)
	}
	if _, err := d.Login("admin", "right-password", "198.51.100.7"); !errors.Is(err, ErrBadLogin) {
		t.Fatal("the second lock should last longer than the first")
	}
	c.add(2 * firstLock)
	if _, err := d.Login("admin", "right-password", "198.51.100.7"); err != nil {
		t.Fatalf("after the longer lock: %v", err)
	}
}

func TestLoginLockoutPerAddressAndUnknownAccounts(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	d := testDesk(t, c.now)
	// Guessing many accounts from one address locks the address, accounts existing or not.
	for i := 0; i < addressLimit; i++ {
		d.Login("nobody"+string(rune('a'+i)), "x", "203.0.113.9")
	}
	if _, err := d.Login("admin", "right-password", "203.0.113.9"); !errors.Is(err, ErrBadLogin) {
		t.Fatal("locked address accepted")
	}
	if _, err := d.Login("admin", "right-password", "198.51.100.1"); err != nil {
		t.Fatalf("another address is not locked: %v", err)
	}
}
