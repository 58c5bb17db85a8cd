package store

import (
	"encoding/binary"
	"fmt"
)

// DeleteRole removes a role. The caller checks that it is not built in and that nobody holds
// it.
func (t *Tx) DeleteRole(id uint64) error {
	b := t.tx.Bucket(bRoles)
	if b.Get(u64(id)) == nil {
		return fmt.Errorf("role %d: %w", id, ErrNotFound)
	}
	return b.Delete(u64(id))
}

// SiteConvs returns a site's conversations with an id below before (0: from the newest),
// newest first, at most limit (0: all). It walks the conversations from the newest, so the
// records center's first pages are cheap.
func (t *Tx) SiteConvs(siteID, before uint64, limit int) ([]Conversation, error) {
	var out []Conversation
	c := t.tx.Bucket(bConvs).Cursor()
	var k, v []byte
	if before == 0 {
		k, v = c.Last()
	} else {
		k, v = c.Seek(u64(before))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		if before != 0 && binary.BigEndian.Uint64(k) >= before {
			continue
		}
		var conv Conversation
		if err := unmarshal(v, &conv); err != nil {
			return nil, err
		}
		if conv.SiteID != siteID {
			continue
		}
		out = append(out, conv)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}
