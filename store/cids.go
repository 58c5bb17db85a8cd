package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/maphash"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A retried send carries the client id (cid) of the first try, and must be stored once. The
// messages themselves hold their cids; what finds them fast is an index in memory, per
// conversation, from a 64-bit hash of each cid to the message's seq. It is built the first
// time a conversation is written after the database opens, by reading that conversation's
// messages, so it is never out of step with what is stored, and it costs no write on disk:
// a bbolt index of cids would be a second random page per message, and per commit that page
// is read into memory and rewritten in full (it used to be half of the store's work).
//
// In kefu only the writer goroutine touches the index (benchmarks also write through bbolt
// directly, whose commit callbacks run after its lock is let go: a mutex keeps them apart;
// uncontended it costs nothing to speak of). A batch's changes are staged and applied when
// its transaction commits, so a batch that fails and is retried without one write leaves
// no trace of it.

// maxIndexedConvs bounds the index; past it, conversations are forgotten in no particular
// order and read again when next written.
const maxIndexedConvs = 20000

// cidIndex is the committed index: conversation id → cid hash → seq.
type cidIndex struct {
	hash  func(cid string) uint64 // tests make cids collide
	mu    sync.Mutex
	convs map[uint64]map[uint64]uint64
}

// committed looks the hash up in the committed index of a conversation; indexed: the
// conversation has one.
func (ix *cidIndex) committed(conv, sum uint64) (seq uint64, found, indexed bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	m, indexed := ix.convs[conv]
	seq, found = m[sum]
	return seq, found, indexed
}

func newCIDIndex() *cidIndex {
	seed := maphash.MakeSeed()
	return &cidIndex{
		hash:  func(cid string) uint64 { return maphash.String(seed, cid) },
		convs: map[uint64]map[uint64]uint64{},
	}
}

// cidStage is one transaction attempt's view of the index: what it read or added, applied
// to the index by commit and dropped otherwise.
type cidStage struct {
	ix *cidIndex
	// loaded: conversations read from the store in this attempt (their whole index);
	// added: new entries of conversations that were already indexed, in the order added (a
	// batch adds a handful; a list is a tenth of the garbage of a map per conversation).
	loaded map[uint64]map[uint64]uint64
	added  []cidEntry
	forget map[uint64]bool
}

type cidEntry struct{ conv, sum, seq uint64 }

// staged returns the seq of the first entry added in this attempt for the hash.
func (st *cidStage) staged(conv, sum uint64) (uint64, bool) {
	for _, e := range st.added {
		if e.conv == conv && e.sum == sum {
			return e.seq, true
		}
	}
	return 0, false
}

func (ix *cidIndex) stage() *cidStage { return &cidStage{ix: ix} }

func (ix *cidIndex) sum(cid string) uint64 { return ix.hash(cid) }

// lookup returns the seq the index holds for the cid's hash in the conversation, reading the
// conversation's cids from msgs first if it is not indexed yet. A hit is only a candidate:
// another cid may share the hash.
func (st *cidStage) lookup(msgs *bolt.Bucket, conv, sum uint64) (uint64, bool) {
	if m := st.loaded[conv]; m != nil {
		seq, ok := m[sum]
		return seq, ok
	}
	if seq, ok := st.staged(conv, sum); ok {
		return seq, true
	}
	if !st.forget[conv] {
		if seq, found, indexed := st.ix.committed(conv, sum); indexed {
			return seq, found
		}
	}
	m := map[uint64]uint64{}
	forEachCID(msgs, conv, func(seq uint64, cid string) {
		m[st.ix.sum(cid)] = seq
	})
	if st.loaded == nil {
		st.loaded = map[uint64]map[uint64]uint64{}
	}
	st.loaded[conv] = m
	delete(st.forget, conv)
	seq, ok := m[sum]
	return seq, ok
}

// add records a newly stored message's cid. lookup has run for the conversation in this
// attempt, so it is either loaded here or indexed already.
func (st *cidStage) add(conv, sum, seq uint64) {
	if m := st.loaded[conv]; m != nil {
		if _, taken := m[sum]; !taken {
			m[sum] = seq
		}
		return
	}
	if _, taken, _ := st.ix.committed(conv, sum); taken {
		return // a hash collision: the cid is found by reading the conversation (findCID)
	}
	if _, taken := st.staged(conv, sum); !taken {
		st.added = append(st.added, cidEntry{conv, sum, seq})
	}
}

// drop forgets a conversation (it ended: resends to it are rare, and read it again).
func (st *cidStage) drop(conv uint64) {
	delete(st.loaded, conv)
	kept := st.added[:0]
	for _, e := range st.added {
		if e.conv != conv {
			kept = append(kept, e)
		}
	}
	st.added = kept
	if st.forget == nil {
		st.forget = map[uint64]bool{}
	}
	st.forget[conv] = true
}

// commit applies the attempt to the index; the transaction is durable.
func (st *cidStage) commit() {
	ix := st.ix
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for conv := range st.forget {
		delete(ix.convs, conv)
	}
	for _, e := range st.added {
		if m := ix.convs[e.conv]; m != nil { // else forgotten meanwhile; read again when next written
			m[e.sum] = e.seq
		}
	}
	for conv, m := range st.loaded {
		ix.convs[conv] = m
	}
	for conv := range ix.convs {
		if len(ix.convs) <= maxIndexedConvs {
			break
		}
		delete(ix.convs, conv)
	}
}

// cidOnly decodes a stored message's cid and nothing else.
type cidOnly struct {
	CID string `json:"cid"`
}

// forEachCID calls f for every message of the conversation that has a cid, in seq order.
func forEachCID(msgs *bolt.Bucket, conv uint64, f func(seq uint64, cid string)) {
	prefix := u64(conv)
	c := msgs.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if !bytes.Contains(v, []byte(`"cid"`)) {
			continue
		}
		var m cidOnly
		if json.Unmarshal(v, &m) == nil && m.CID != "" {
			f(binary.BigEndian.Uint64(k[8:]), m.CID)
		}
	}
}

// findCID reads the conversation for the message with the cid: the exact answer when the
// index's candidate turned out to be another cid with the same hash.
func findCID(msgs *bolt.Bucket, conv uint64, cid string) (seq uint64, ok bool) {
	forEachCID(msgs, conv, func(s uint64, c string) {
		if c == cid && !ok {
			seq, ok = s, true
		}
	})
	return seq, ok
}
