package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The benchmarks below measure what group commit buys on this machine's disk: durable message
// appends (real fsync, in a temporary directory) written
//
//   - through db.Update, where one writer goroutine commits many callers' writes with one
//     fsync (group commit), which is what kefu does;
//   - with one bbolt transaction and fsync per message, calling bbolt's Update directly, from
//     one goroutine (writers=1) and from many (bbolt serializes them on its writer lock, so
//     they wait for each other's fsync);
//   - with bbolt's own Batch, for reference.
//
// Each message does what desk.appendMessage does: check the conversation has not ended, append the message
// with its client id. Every writer has its own conversation, as every visitor has. The
// figure to compare is msgs/s; msgs/commit says how many messages shared an fsync.
//
//	go test -run '^$' -bench 'Append' -benchtime 3s ./store/

var benchWriters = []int{1, 16, 64, 256}

// benchText is a typical chat line: Chinese, some ASCII, about 60 bytes.
const benchText = "你好，我想咨询一下企业版的价格和部署方式 price please"

// benchDB opens a fresh database with real fsync and one conversation per writer.
func benchDB(b *testing.B, writers int) (*DB, []uint64) {
	b.Helper()
	db, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	convs := make([]uint64, writers)
	err = db.Update(func(tx *Tx) error {
		for i := range convs {
			v := &Visitor{SiteID: DefaultSiteID, Key: fmt.Sprintf("bench-visitor-%06d", i)}
			if err := tx.CreateVisitor(v); err != nil {
				return err
			}
			c := &Conversation{SiteID: DefaultSiteID, VisitorID: v.ID, State: ConvOpen}
			if err := tx.CreateConv(c); err != nil {
				return err
			}
			convs[i] = c.ID
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, convs
}

// appendBench is one visitor message as the desk stores it.
func appendBench(tx *Tx, conv uint64, cid string) error {
	if _, err := tx.ConvEnded(conv); err != nil {
		return err
	}
	m := Message{ConvID: conv, CID: cid, From: FromVisitor, Text: benchText}
	_, err := tx.AppendMessage(&m)
	return err
}

// runWriters runs b.N appends spread over len(convs) goroutines, each writing to its own
// conversation, and reports messages per second.
func runWriters(b *testing.B, convs []uint64, write func(conv uint64, cid string) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for w, conv := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := write(conv, fmt.Sprintf("w%d-%d", w, i)); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkAppendGroupCommit: messages through db.Update from many goroutines.
func BenchmarkAppendGroupCommit(b *testing.B) {
	for _, n := range benchWriters {
		b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) {
			db, convs := benchDB(b, n)
			c0, w0 := db.CommitStats()
			runWriters(b, convs, func(conv uint64, cid string) error {
				return db.Update(func(tx *Tx) error { return appendBench(tx, conv, cid) })
			})
			c1, w1 := db.CommitStats()
			if c1 > c0 {
				b.ReportMetric(float64(w1-w0)/float64(c1-c0), "msgs/commit")
			}
		})
	}
}

// boltTx is a Tx on a bbolt transaction made outside the writer goroutine (bbolt lets one
// writer in at a time, which also keeps the cid index to one goroutine at a time).
func boltTx(db *DB, btx *bolt.Tx) *Tx {
	st := db.cidIx.stage()
	btx.OnCommit(st.commit)
	return &Tx{tx: btx, db: db, cids: st}
}

// BenchmarkAppendTxPerMessage: one bbolt transaction and fsync per message, from one goroutine
// or many; bbolt lets one writer in at a time.
func BenchmarkAppendTxPerMessage(b *testing.B) {
	for _, n := range benchWriters {
		b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) {
			db, convs := benchDB(b, n)
			runWriters(b, convs, func(conv uint64, cid string) error {
				return db.bolt.Update(func(btx *bolt.Tx) error { return appendBench(boltTx(db, btx), conv, cid) })
			})
			b.ReportMetric(1, "msgs/commit")
		})
	}
}

// BenchmarkAppendBoltBatch: bbolt's own Batch (default MaxBatchSize 1000, MaxBatchDelay 10ms),
// for reference: it also shares commits, but waits up to 10 ms to fill a batch.
func BenchmarkAppendBoltBatch(b *testing.B) {
	for _, n := range benchWriters {
		b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) {
			db, convs := benchDB(b, n)
			runWriters(b, convs, func(conv uint64, cid string) error {
				return db.bolt.Batch(func(btx *bolt.Tx) error { return appendBench(boltTx(db, btx), conv, cid) })
			})
		})
	}
}

// BenchmarkFsync is the disk's reference: one 4 KiB write and fsync per op, in place. A bbolt
// commit does two (the data pages, then the meta page), so a transaction per message cannot
// beat 1/(2 × this); group commit divides that cost by the group's size.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	for i := 0; i < 256; i++ {
		f.Write(page)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := f.WriteAt(page, int64(i%256)*4096); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}
