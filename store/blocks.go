package store

import (
	"fmt"
	"time"
)

// Block is a blacklist entry (屏蔽): a visitor of a site, an address, or both, refused until a
// time or forever. A block is never deleted; lifting it keeps the record for the list.
type Block struct {
	ID     uint64 `json:"id"`
	SiteID uint64 `json:"site"`
	// VisitorID and VisitorKey name the blocked browser; 0 and "" for a block by address only.
	VisitorID  uint64 `json:"visitor,omitempty"`
	VisitorKey string `json:"visitor_key,omitempty"`
	// Name is the visitor's name when blocked ("" shows the visitor number).
	Name string `json:"name,omitempty"`
	// IP is the exact address refused on the site; "" when the block is by visitor only.
	IP      string    `json:"ip,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Until   time.Time `json:"until,omitempty"` // zero: forever
	By      uint64    `json:"by"`              // the agent who blocked
	ByName  string    `json:"by_name,omitempty"`
	Created time.Time `json:"created"`
	// Lifted is when an agent lifted the block early; zero while it stands.
	Lifted   time.Time `json:"lifted,omitempty"`
	LiftedBy uint64    `json:"lifted_by,omitempty"`
}

// Active reports whether the block refuses anyone at now: not lifted and not expired.
func (b *Block) Active(now time.Time) bool {
	return b.Lifted.IsZero() && (b.Until.IsZero() || now.Before(b.Until))
}

// Block returns the block with the id.
func (t *Tx) Block(id uint64) (*Block, error) {
	var b Block
	if err := getJSON(t.tx.Bucket(bBlocks), u64(id), &b); err != nil {
		return nil, fmt.Errorf("block %d: %w", id, err)
	}
	return &b, nil
}

// Blocks returns every block, of every site, in id order. The desk reads it once at start to
// build its index, and the blocks list of a site filters it: blocks are few.
func (t *Tx) Blocks() ([]Block, error) {
	var out []Block
	err := t.tx.Bucket(bBlocks).ForEach(func(_, v []byte) error {
		var b Block
		if err := unmarshal(v, &b); err != nil {
			return err
		}
		out = append(out, b)
		return nil
	})
	return out, err
}

// CreateBlock stores a new block and sets its ID.
func (t *Tx) CreateBlock(b *Block) error {
	bk := t.tx.Bucket(bBlocks)
	id, err := nextID(bk)
	if err != nil {
		return err
	}
	b.ID = id
	if b.Created.IsZero() {
		b.Created = t.Now()
	}
	return putJSON(bk, u64(id), b)
}

// PutBlock saves an existing block (lifting it).
func (t *Tx) PutBlock(b *Block) error {
	bk := t.tx.Bucket(bBlocks)
	if bk.Get(u64(b.ID)) == nil {
		return fmt.Errorf("block %d: %w", b.ID, ErrNotFound)
	}
	return putJSON(bk, u64(b.ID), b)
}
