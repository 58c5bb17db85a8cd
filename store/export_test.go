package store

import bolt "go.etcd.io/bbolt"

// setSchemaForTest lets tests pretend a newer binary wrote the database.
func setSchemaForTest(db *DB, v int) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(keySchema, u64(uint64(v)))
	})
}

// collideCIDsForTest makes every client id hash alike, so the index's candidates are wrong
// as often as they can be. Call it before the first write.
func collideCIDsForTest(db *DB) { db.cidIx.hash = func(string) uint64 { return 42 } }

// schema1ForTest puts a database back to schema 1 with a message_cids bucket, as kefu 1.0
// left it.
func schema1ForTest(db *DB) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bMessageCIDs); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(keySchema, u64(1))
	})
}

func hasBucketForTest(db *DB, name []byte) bool {
	found := false
	db.bolt.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(name) != nil
		return nil
	})
	return found
}
