// Package store is kefu's persistence: one bbolt file holding sites, agents, roles, visitors,
// conversations and their messages. Only this package knows bucket names, key layouts and
// encodings; the rest of kefu sees typed values and the Tx methods.
//
// Every write goes through one writer goroutine that commits many callers' writes with a
// single fsync (group commit), so a message is durable before its sender is acknowledged and
// throughput does not fall to one fsync per message under load.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Errors a caller may test for with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrExists    = errors.New("already exists")
	ErrLocked    = errors.New("database is in use by another kefu process")
	ErrTooNew    = errors.New("database was written by a newer kefu")
	ErrClosed    = errors.New("store is closed")
	ErrConvEnded = errors.New("conversation has ended")
)

// FileName is the name of the database file inside the data directory.
const FileName = "kefu.db"

// Options tune Open. The zero value is what kefu uses in production.
type Options struct {
	// LockTimeout is how long Open waits for another process's file lock; default 1s.
	LockTimeout time.Duration
	// MaxBatch caps how many writes share one commit; default 512.
	MaxBatch int
	// CommitGap is the shortest time from one commit's start to the next's while writes come
	// from many callers at once (the last commit had more than one): the writes that arrive
	// meanwhile share the next commit. Default 2ms; negative: none.
	CommitGap time.Duration
	// NoSync skips fsync. Only benchmarks comparing commit strategies use it.
	NoSync bool
	// Now is the clock; tests set it. Default time.Now.
	Now func() time.Time
}

// DB is an open kefu database.
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time

	writes    chan *write
	maxBatch  int
	commitGap time.Duration
	cidIx     *cidIndex // used by the writer goroutine only
	done      chan struct{}
	stopped   chan struct{}

	// closeMu orders Update's enqueue before Close: once closing is set, nothing more is
	// enqueued, so the writer can drain the queue and stop.
	closeMu sync.RWMutex
	closing bool

	stats struct {
		sync.Mutex
		commits, writes uint64
	}
}

// write is one caller's request to the writer goroutine.
type write struct {
	fn       func(*Tx) error
	err      chan error
	onCommit []func()
	tx       Tx // what fn is given
}

// writePool keeps writes for reuse: every message is one, thousands a second.
var writePool = sync.Pool{New: func() any { return &write{err: make(chan error, 1)} }}

// Open opens (creating if needed) the database in dir, runs pending migrations and starts the
// writer. A second process opening the same dir gets ErrLocked within the lock timeout instead
// of hanging; a database from a newer kefu gets ErrTooNew.
func Open(dir string, opt Options) (*DB, error) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = time.Second
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 512
	}
	if opt.CommitGap == 0 {
		opt.CommitGap = 2 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout, NoSync: opt.NoSync, FreelistType: bolt.FreelistMapType, NoFreelistSync: true})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open store %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{
		bolt:      b,
		path:      path,
		now:       opt.Now,
		writes:    make(chan *write, 1024),
		maxBatch:  opt.MaxBatch,
		commitGap: opt.CommitGap,
		cidIx:     newCIDIndex(),
		done:      make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	go db.writer()
	return db, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// Close stops the writer after it has committed every write already submitted, then closes
// the file.
func (db *DB) Close() error {
	db.closeMu.Lock()
	already := db.closing
	db.closing = true
	db.closeMu.Unlock()
	if !already {
		close(db.done)
	}
	<-db.stopped
	return db.bolt.Close()
}

// View runs fn in a read-only transaction. Keep it short: a long read holds pages that
// writers cannot reuse.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, db: db}) })
}

// Update runs fn in a read-write transaction and returns once it is committed and fsynced.
// Concurrent callers share commits. fn may run more than once (when another write in its
// batch fails, the batch is retried without it), so fn must not have effects outside the
// transaction except through tx.OnCommit.
func (db *DB) Update(fn func(*Tx) error) error {
	db.closeMu.RLock()
	if db.closing {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	w := writePool.Get().(*write)
	w.fn = fn
	db.writes <- w // the writer runs until closing is set, so this always completes
	db.closeMu.RUnlock()
	err := <-w.err
	// The writer is done with w once it has answered.
	clear(w.onCommit)
	w.fn, w.onCommit, w.tx = nil, w.onCommit[:0], Tx{}
	writePool.Put(w)
	return err
}

// CommitStats reports how many commits and writes the writer has done; the ratio is the
// average group size.
func (db *DB) CommitStats() (commits, writes uint64) {
	db.stats.Lock()
	defer db.stats.Unlock()
	return db.stats.commits, db.stats.writes
}

func (db *DB) writer() {
	defer close(db.stopped)
	batch := make([]*write, 0, db.maxBatch)
	var lastStart time.Time
	busy := false // the last commit had company
	for {
		var first *write
		select {
		case first = <-db.writes:
		case <-db.done:
			// Drain what was submitted before Close, then stop.
			for {
				select {
				case w := <-db.writes:
					db.commit([]*write{w})
				default:
					return
				}
			}
		}
		// Under load, a commit costs two fsyncs however many writes share it, and an fsync
		// holds one of the process's threads (on two cores, a third of the time at 5,000
		// messages a second): wait out the gap so more writes share the next one. A lone
		// writer never waits.
		if busy && db.commitGap > 0 {
			if wait := db.commitGap - time.Since(lastStart); wait > 0 {
				time.Sleep(wait)
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < db.maxBatch {
			select {
			case w := <-db.writes:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		lastStart = time.Now()
		busy = len(batch) > 1
		db.commit(batch)
	}
}

// commit runs a batch in one transaction. If one write fails, it alone gets its error and the
// rest are committed without it.
func (db *DB) commit(batch []*write) {
	for len(batch) > 0 {
		failed := -1
		var failErr error
		cids := db.cidIx.stage()
		err := db.bolt.Update(func(btx *bolt.Tx) error {
			for i, w := range batch {
				w.onCommit = w.onCommit[:0]
				w.tx = Tx{tx: btx, db: db, w: w, cids: cids}
				if err := w.fn(&w.tx); err != nil {
					failed, failErr = i, err
					return err
				}
			}
			return nil
		})
		if err == nil {
			cids.commit()
			db.stats.Lock()
			db.stats.commits++
			db.stats.writes += uint64(len(batch))
			db.stats.Unlock()
			for _, w := range batch {
				for _, f := range w.onCommit {
					f()
				}
				w.err <- nil
			}
			return
		}
		if failed < 0 {
			// The commit itself failed (disk full, I/O error): nobody's write is durable.
			for _, w := range batch {
				w.err <- fmt.Errorf("commit: %w", err)
			}
			return
		}
		batch[failed].err <- failErr
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}

// WriteTo writes a consistent copy of the whole database to w while kefu keeps serving (a
// read transaction sees one snapshot). It is how `kefu backup` works.
func (db *DB) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Tx is a transaction; its methods are the only way kefu reads or writes stored values.
type Tx struct {
	tx   *bolt.Tx
	db   *DB
	w    *write
	cids *cidStage // nil in a read-only transaction
}

// OnCommit registers f to run after the transaction is durably committed, in commit order,
// on the writer goroutine. It is how live events follow the store: a message is published
// only once it is safe on disk, and in sequence order. f must not block or call Update.
// In a read-only transaction f runs never.
func (t *Tx) OnCommit(f func()) {
	if t.w != nil {
		t.w.onCommit = append(t.w.onCommit, f)
	}
}

// Now is the store's clock.
func (t *Tx) Now() time.Time { return t.db.now() }

// Verify opens a database file read-only (a backup, say), checks its pages for consistency
// and its schema for compatibility.
func Verify(path string) error {
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer b.Close()
	return b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		meta := tx.Bucket(bMeta)
		if meta == nil || meta.Get(keySchema) == nil {
			return errors.New("not a kefu database")
		}
		if v := int(binary.BigEndian.Uint64(meta.Get(keySchema))); v > len(migrations) {
			return ErrTooNew
		}
		return nil
	})
}
