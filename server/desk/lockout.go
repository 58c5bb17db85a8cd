package desk

import (
	"strings"
	"sync"
	"time"
)

// lockout slows password guessing: after a few failures an account (or an address) is refused
// for a while, each lock longer than the last. It answers exactly like a wrong password, and
// treats an account that doesn't exist like one that does, so it tells nothing.
type lockout struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*failures
}

type failures struct {
	count int       // failures in the current window
	first time.Time // start of the window
	until time.Time // locked until
	locks int       // locks so far; each doubles the next
}

// Lockout policy.
const (
	lockWindow     = 15 * time.Minute
	accountLimit   = 5  // failures per account in a window
	addressLimit   = 20 // failures per address in a window
	firstLock      = time.Minute
	longestLock    = 30 * time.Minute
	lockoutEntries = 10000 // forget idle entries beyond this many
)

func newLockout(now func() time.Time) *lockout {
	return &lockout{now: now, entries: map[string]*failures{}}
}

func accountKey(login string) string { return "a:" + strings.ToLower(strings.TrimSpace(login)) }
func addressKey(ip string) string    { return "i:" + ip }

// locked reports whether either the account or the address is locked now.
func (l *lockout) locked(login, ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []string{accountKey(login), addressKey(ip)} {
		if f := l.entries[k]; f != nil && now.Before(f.until) {
			return true
		}
	}
	return false
}

// fail records a failed attempt.
func (l *lockout) fail(login, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.entries) > lockoutEntries {
		for k, f := range l.entries {
			if now.Sub(f.first) > lockWindow && now.After(f.until) {
				delete(l.entries, k)
			}
		}
	}
	l.add(accountKey(login), accountLimit, now)
	if ip != "" {
		l.add(addressKey(ip), addressLimit, now)
	}
}

func (l *lockout) add(key string, limit int, now time.Time) {
	f := l.entries[key]
	if f == nil {
		f = &failures{first: now}
		l.entries[key] = f
	}
	if now.Sub(f.first) > lockWindow {
		f.count, f.first = 0, now
	}
	f.count++
	if f.count >= limit {
		d := firstLock << min(f.locks, 5)
		if d > longestLock {
			d = longestLock
		}
		f.until = now.Add(d)
		f.locks++
		f.count = 0
	}
}

// succeed forgets an account's failures after a good login.
func (l *lockout) succeed(login string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, accountKey(login))
}
