package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

func unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// VisitorByKey finds a site's visitor by the browser's visitor id.
func (t *Tx) VisitorByKey(siteID uint64, key string) (*Visitor, error) {
	v := t.tx.Bucket(bVisitorKeys).Get(keyStr(siteID, key))
	if v == nil {
		return nil, fmt.Errorf("visitor %q: %w", key, ErrNotFound)
	}
	return t.Visitor(binary.BigEndian.Uint64(v))
}

// Visitor returns the visitor with the id.
func (t *Tx) Visitor(id uint64) (*Visitor, error) {
	var v Visitor
	if err := getJSON(t.tx.Bucket(bVisitors), u64(id), &v); err != nil {
		return nil, fmt.Errorf("visitor %d: %w", id, err)
	}
	return &v, nil
}

// CreateVisitor stores a new visitor and sets its ID.
func (t *Tx) CreateVisitor(v *Visitor) error {
	b := t.tx.Bucket(bVisitors)
	keys := t.tx.Bucket(bVisitorKeys)
	k := keyStr(v.SiteID, v.Key)
	if keys.Get(k) != nil {
		return fmt.Errorf("visitor %q: %w", v.Key, ErrExists)
	}
	id, err := nextID(b)
	if err != nil {
		return err
	}
	v.ID = id
	if err := keys.Put(k, u64(id)); err != nil {
		return err
	}
	return putJSON(b, u64(id), v)
}

// PutVisitor saves an existing visitor.
func (t *Tx) PutVisitor(v *Visitor) error {
	b := t.tx.Bucket(bVisitors)
	if b.Get(u64(v.ID)) == nil {
		return fmt.Errorf("visitor %d: %w", v.ID, ErrNotFound)
	}
	return putJSON(b, u64(v.ID), v)
}

// AddPageView appends a page to the visitor's trail and sets its Seq.
func (t *Tx) AddPageView(visitorID uint64, pv *PageView) error {
	b := t.tx.Bucket(bTrail)
	pv.Seq = lastSeq(b, visitorID) + 1
	return putJSON(b, key2(visitorID, pv.Seq), pv)
}

// Trail returns the visitor's most recent pages, oldest first, at most limit (0: all).
func (t *Tx) Trail(visitorID uint64, limit int) ([]PageView, error) {
	return lastN[PageView](t.tx.Bucket(bTrail).Cursor(), visitorID, limit)
}

// lastSeq is the highest second half of the 16-byte keys that start with id, or 0.
func lastSeq(b *bolt.Bucket, id uint64) uint64 {
	c := b.Cursor()
	k, _ := c.Seek(key2(id+1, 0))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) == 16 && binary.BigEndian.Uint64(k) == id {
		return binary.BigEndian.Uint64(k[8:])
	}
	return 0
}

// lastN decodes up to limit values (0: all) at the end of the id's key range, oldest first.
func lastN[T any](c *bolt.Cursor, id uint64, limit int) ([]T, error) {
	prefix := u64(id)
	var rev [][]byte
	k, v := c.Seek(key2(id+1, 0))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		rev = append(rev, v)
		if limit > 0 && len(rev) == limit {
			break
		}
	}
	out := make([]T, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		var x T
		if err := unmarshal(rev[i], &x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}
