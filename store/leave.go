package store

import (
	"fmt"
	"time"
)

// LeaveMessage is a message a visitor leaves (留言) when nobody can chat, with how to reach
// them, kept for the records center until an agent has dealt with it.
type LeaveMessage struct {
	ID        uint64 `json:"id"`
	SiteID    uint64 `json:"site"`
	VisitorID uint64 `json:"visitor"`
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	QQ        string `json:"qq,omitempty"`
	Text      string `json:"text"`
	// CID is the browser's id for the message: a resent form is stored once.
	CID     string    `json:"cid"`
	Created time.Time `json:"created"`

	Processed       bool      `json:"processed,omitempty"`
	ProcessedBy     uint64    `json:"processed_by,omitempty"`
	ProcessedByName string    `json:"processed_by_name,omitempty"`
	ProcessedAt     time.Time `json:"processed_at,omitempty"`
}

// LeaveScanLimit bounds how many of the newest leave messages RecentLeaveMessages looks at,
// so a flood of messages from many browsers cannot make each new one slower to store.
const LeaveScanLimit = 2000

// LeaveRetryWindow is how long a resent form is recognised by its client id. The widget
// resends within seconds (after a reconnect); a day is far beyond that.
const LeaveRetryWindow = 24 * time.Hour

// LeaveMessage returns the leave message with the id.
func (t *Tx) LeaveMessage(id uint64) (*LeaveMessage, error) {
	var m LeaveMessage
	if err := getJSON(t.tx.Bucket(bLeaveMsgs), u64(id), &m); err != nil {
		return nil, fmt.Errorf("leave message %d: %w", id, err)
	}
	return &m, nil
}

// CreateLeaveMessage stores a new leave message and sets its ID. A message whose client id the
// visitor already used within LeaveRetryWindow is not stored again: m is filled with the
// stored one and dup is true.
func (t *Tx) CreateLeaveMessage(m *LeaveMessage) (dup bool, err error) {
	if m.Created.IsZero() {
		m.Created = t.Now()
	}
	if m.CID != "" {
		recent, err := t.RecentLeaveMessages(m.VisitorID, m.Created.Add(-LeaveRetryWindow))
		if err != nil {
			return false, err
		}
		for _, r := range recent {
			if r.CID == m.CID {
				*m = r
				return true, nil
			}
		}
	}
	b := t.tx.Bucket(bLeaveMsgs)
	id, err := nextID(b)
	if err != nil {
		return false, err
	}
	m.ID = id
	return false, putJSON(b, u64(id), m)
}

// PutLeaveMessage saves an existing leave message (marking it processed).
func (t *Tx) PutLeaveMessage(m *LeaveMessage) error {
	b := t.tx.Bucket(bLeaveMsgs)
	if b.Get(u64(m.ID)) == nil {
		return fmt.Errorf("leave message %d: %w", m.ID, ErrNotFound)
	}
	return putJSON(b, u64(m.ID), m)
}

// RecentLeaveMessages returns the visitor's leave messages created at or after since, newest
// first. It walks back from the newest message of any visitor and stops at the first older
// than since, or after LeaveScanLimit messages.
func (t *Tx) RecentLeaveMessages(visitorID uint64, since time.Time) ([]LeaveMessage, error) {
	var out []LeaveMessage
	c := t.tx.Bucket(bLeaveMsgs).Cursor()
	n := 0
	for k, v := c.Last(); k != nil && n < LeaveScanLimit; k, v = c.Prev() {
		n++
		var m LeaveMessage
		if err := unmarshal(v, &m); err != nil {
			return nil, err
		}
		if m.Created.Before(since) {
			break
		}
		if m.VisitorID == visitorID {
			out = append(out, m)
		}
	}
	return out, nil
}

// SiteLeaveMessages returns a site's leave messages, newest first, at most limit (0: all).
// processed, when not nil, keeps only the processed (true) or unprocessed (false) ones.
func (t *Tx) SiteLeaveMessages(siteID uint64, processed *bool, limit int) ([]LeaveMessage, error) {
	var out []LeaveMessage
	c := t.tx.Bucket(bLeaveMsgs).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var m LeaveMessage
		if err := unmarshal(v, &m); err != nil {
			return nil, err
		}
		if m.SiteID != siteID || processed != nil && m.Processed != *processed {
			continue
		}
		out = append(out, m)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// UnprocessedLeaveCounts counts the leave messages not yet processed, by site. The desk reads
// it once at start and keeps the counts itself from then on.
func (t *Tx) UnprocessedLeaveCounts() (map[uint64]int, error) {
	out := map[uint64]int{}
	err := t.tx.Bucket(bLeaveMsgs).ForEach(func(_, v []byte) error {
		var m LeaveMessage
		if err := unmarshal(v, &m); err != nil {
			return err
		}
		if !m.Processed {
			out[m.SiteID]++
		}
		return nil
	})
	return out, err
}
