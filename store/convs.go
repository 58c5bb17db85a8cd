package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Conv returns the conversation with the id.
func (t *Tx) Conv(id uint64) (*Conversation, error) {
	var c Conversation
	if err := getJSON(t.tx.Bucket(bConvs), u64(id), &c); err != nil {
		return nil, fmt.Errorf("conversation %d: %w", id, err)
	}
	return &c, nil
}

// ConvEnded reports whether the conversation has ended, without decoding it (a message
// append asks this every time): ErrNotFound if there is no such conversation.
func (t *Tx) ConvEnded(id uint64) (bool, error) {
	k := u64(id)
	if t.tx.Bucket(bOpenConvs).Get(k) != nil {
		return false, nil
	}
	if t.tx.Bucket(bConvs).Get(k) == nil {
		return false, fmt.Errorf("conversation %d: %w", id, ErrNotFound)
	}
	return true, nil
}

// CreateConv stores a new conversation and sets its ID.
func (t *Tx) CreateConv(c *Conversation) error {
	b := t.tx.Bucket(bConvs)
	id, err := nextID(b)
	if err != nil {
		return err
	}
	c.ID = id
	if c.Created.IsZero() {
		c.Created = t.Now()
	}
	if err := t.tx.Bucket(bVisitorConvs).Put(key2(c.VisitorID, id), nil); err != nil {
		return err
	}
	return t.putConv(c)
}

// PutConv saves an existing conversation.
func (t *Tx) PutConv(c *Conversation) error {
	b := t.tx.Bucket(bConvs)
	if b.Get(u64(c.ID)) == nil {
		return fmt.Errorf("conversation %d: %w", c.ID, ErrNotFound)
	}
	return t.putConv(c)
}

func (t *Tx) putConv(c *Conversation) error {
	open := t.tx.Bucket(bOpenConvs)
	var err error
	if c.State == ConvEnded {
		if t.cids != nil {
			t.cids.drop(c.ID)
		}
		err = open.Delete(u64(c.ID))
	} else {
		err = open.Put(u64(c.ID), nil)
	}
	if err != nil {
		return err
	}
	return putJSON(t.tx.Bucket(bConvs), u64(c.ID), c)
}

// VisitorConvs returns the visitor's conversations, oldest first.
func (t *Tx) VisitorConvs(visitorID uint64) ([]Conversation, error) {
	prefix := u64(visitorID)
	var out []Conversation
	c := t.tx.Bucket(bVisitorConvs).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		conv, err := t.Conv(binary.BigEndian.Uint64(k[8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, *conv)
	}
	return out, nil
}

// OpenConvs returns every conversation that has not ended, oldest first. The server calls it
// once at start to bring live chats back after a restart.
func (t *Tx) OpenConvs() ([]Conversation, error) {
	var out []Conversation
	err := t.tx.Bucket(bOpenConvs).ForEach(func(k, _ []byte) error {
		c, err := t.Conv(binary.BigEndian.Uint64(k))
		if err != nil {
			return err
		}
		out = append(out, *c)
		return nil
	})
	return out, err
}

// AppendMessage stores m as the conversation's next message and sets m.Seq. A message whose
// client id was already stored in this conversation is not stored again: m is filled with the
// stored one and dup is true, so a retried send is acknowledged with its original seq.
func (t *Tx) AppendMessage(m *Message) (dup bool, err error) {
	if t.cids == nil {
		return false, bolt.ErrTxNotWritable
	}
	msgs := t.tx.Bucket(bMessages)
	// A conversation's messages are only ever appended: pages that split stay 90% full
	// (bbolt's default is half), so there are fewer of them to read into memory and
	// rewrite at each commit (15% less of the writer's allocation per message).
	msgs.FillPercent = 0.9
	var sum uint64
	if m.CID != "" {
		sum = t.db.cidIx.sum(m.CID)
		if seq, ok := t.cids.lookup(msgs, m.ConvID, sum); ok {
			var stored Message
			if err := getJSON(msgs, key2(m.ConvID, seq), &stored); err != nil {
				return false, fmt.Errorf("message %d/%d: %w", m.ConvID, seq, err)
			}
			if stored.CID != m.CID {
				// Another cid with the same hash: only reading the conversation can tell.
				if seq, ok = findCID(msgs, m.ConvID, m.CID); ok {
					if err := getJSON(msgs, key2(m.ConvID, seq), &stored); err != nil {
						return false, fmt.Errorf("message %d/%d: %w", m.ConvID, seq, err)
					}
				}
			}
			if ok {
				*m = stored
				return true, nil
			}
		}
	}
	m.Seq = lastSeq(msgs, m.ConvID) + 1
	if m.At.IsZero() {
		m.At = t.Now()
	}
	if err := putJSON(msgs, key2(m.ConvID, m.Seq), m); err != nil {
		return false, err
	}
	if m.CID != "" {
		t.cids.add(m.ConvID, sum, m.Seq)
	}
	return false, nil
}

// Messages returns the conversation's messages with seq > after, oldest first, at most limit
// (0: all).
func (t *Tx) Messages(convID, after uint64, limit int) ([]Message, error) {
	var out []Message
	c := t.tx.Bucket(bMessages).Cursor()
	prefix := u64(convID)
	for k, v := c.Seek(key2(convID, after+1)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var m Message
		if err := unmarshal(v, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// LastMessages returns the conversation's last n messages, oldest first.
func (t *Tx) LastMessages(convID uint64, n int) ([]Message, error) {
	return lastN[Message](t.tx.Bucket(bMessages).Cursor(), convID, n)
}

// LastSeq is the seq of the conversation's newest message, 0 if none.
func (t *Tx) LastSeq(convID uint64) uint64 { return lastSeq(t.tx.Bucket(bMessages), convID) }
