package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Buckets. Keys are 8-byte big-endian ids unless noted, so iteration is in id order.
var (
	bMeta         = []byte("meta")          // "schema" → uint64 version
	bSites        = []byte("sites")         // site id → Site
	bAgents       = []byte("agents")        // agent id → Agent
	bAgentLogin   = []byte("agent_login")   // lower(account|phone|email) → agent id
	bAgentKeys    = []byte("agent_keys")    // SHA256 key fingerprint → agent id
	bRoles        = []byte("roles")         // role id → Role
	bVisitors     = []byte("visitors")      // visitor id → Visitor
	bVisitorKeys  = []byte("visitor_keys")  // site id + browser vid → visitor id
	bTrail        = []byte("trail")         // visitor id + pageview seq → PageView
	bConvs        = []byte("convs")         // conversation id → Conversation
	bVisitorConvs = []byte("visitor_convs") // visitor id + conversation id → nil
	bMessages     = []byte("messages")      // conversation id + seq → Message
	bMessageCIDs  = []byte("message_cids")  // schema 1 only: conversation id + client id → seq (see cids.go)
	bOpenConvs    = []byte("open_convs")    // conversation id → nil, for conversations not ended
	bFiles        = []byte("files")         // content hash (hex) → FileMeta: files visitors and staff sent
	bCommonFiles  = []byte("common_files")  // id → CommonFile (常用文件)
	bCanned       = []byte("canned")        // id → CannedReply (常用语)
	bBlocks       = []byte("blocks")        // id → Block (屏蔽)
	bLeaveMsgs    = []byte("leave_msgs")    // id → LeaveMessage (留言)
)

// migration brings the database from version i to i+1 (migrations[i]).
type migration struct {
	name string
	up   func(tx *bolt.Tx) error
}

// migrations is the ordered history of the schema. Append only; never edit a released one.
var migrations = []migration{
	{"create buckets", func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bSites, bAgents, bAgentLogin, bAgentKeys, bRoles, bVisitors,
			bVisitorKeys, bTrail, bConvs, bVisitorConvs, bMessages, bMessageCIDs, bOpenConvs,
			bFiles, bCommonFiles, bCanned, bBlocks, bLeaveMsgs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	// Client ids are found through an index in memory built from the messages (cids.go);
	// the bucket cost a random page write per message.
	{"drop message_cids", func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bMessageCIDs); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
		return nil
	}},
}

// SchemaVersion is the schema this binary writes.
func SchemaVersion() int { return len(migrations) }

var keySchema = []byte("schema")

func (db *DB) migrate() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		var have int
		if v := meta.Get(keySchema); v != nil {
			have = int(binary.BigEndian.Uint64(v))
		}
		if have > len(migrations) {
			return fmt.Errorf("schema version %d, this kefu knows up to %d: %w", have, len(migrations), ErrTooNew)
		}
		for i := have; i < len(migrations); i++ {
			if err := migrations[i].up(tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", i+1, migrations[i].name, err)
			}
		}
		return meta.Put(keySchema, u64(uint64(len(migrations))))
	})
}

// u64 encodes an id as an 8-byte big-endian key.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// key2 joins an id and another id into a 16-byte key.
func key2(a, b uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, a)
	binary.BigEndian.PutUint64(k[8:], b)
	return k
}

// keyStr joins an id and a string.
func keyStr(a uint64, s string) []byte {
	k := make([]byte, 8+len(s))
	binary.BigEndian.PutUint64(k, a)
	copy(k[8:], s)
	return k
}

func getJSON(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// nextID returns the bucket's next sequence number as an id.
func nextID(b *bolt.Bucket) (uint64, error) { return b.NextSequence() }
