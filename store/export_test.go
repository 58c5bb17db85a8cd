package store

import bolt "go.etcd.io/bbolt"

// setSchemaForTest lets tests pretend a newer binary wrote the database.
func setSchemaForTest(db *DB, v int) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(keySchema, u64(uint64(v)))
	})
}
