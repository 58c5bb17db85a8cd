package store

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// FileMeta is what the database knows of a stored file's content, by hash. The bytes live in
// the data dir's files/ folder (server/files); messages and common files point at them.
type FileMeta struct {
	Hash  string    `json:"hash"`
	Size  int64     `json:"size"`
	Type  string    `json:"type,omitempty"`
	Added time.Time `json:"added"`
}

// CommonFile is a public file 常用文件 that admins keep in a folder of a site, for agents to
// send to visitors as a download link. Folder and Name are display names, never paths; a site
// has at most one file of a name in a folder.
type CommonFile struct {
	ID      uint64    `json:"id"`
	SiteID  uint64    `json:"site"`
	Folder  string    `json:"folder"`
	Name    string    `json:"name"`
	Hash    string    `json:"hash"`
	Size    int64     `json:"size"`
	Type    string    `json:"type,omitempty"`
	Added   time.Time `json:"added"`
	AddedBy uint64    `json:"added_by,omitempty"` // the agent who put it up
}

// Ref is the file a message carries when the common file is sent.
func (f *CommonFile) Ref() *FileRef {
	return &FileRef{Hash: f.Hash, Name: f.Name, Size: f.Size, Type: f.Type}
}

// errBadHash refuses a hash that is not SHA-256 in lowercase hex.
var errBadHash = errors.New("bad file hash")

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// PutFileMeta records a stored file. A hash already recorded keeps its first record: the
// content, and so everything about it, is the same.
func (t *Tx) PutFileMeta(m FileMeta) error {
	if !validHash(m.Hash) {
		return fmt.Errorf("file %q: %w", m.Hash, errBadHash)
	}
	b := t.tx.Bucket(bFiles)
	if b.Get([]byte(m.Hash)) != nil {
		return nil
	}
	if m.Added.IsZero() {
		m.Added = t.Now()
	}
	return putJSON(b, []byte(m.Hash), m)
}

// FileMeta returns the record of the stored file with the hash.
func (t *Tx) FileMeta(hash string) (*FileMeta, error) {
	var m FileMeta
	if err := getJSON(t.tx.Bucket(bFiles), []byte(hash), &m); err != nil {
		return nil, fmt.Errorf("file %.12s: %w", hash, err)
	}
	return &m, nil
}

// CommonFile returns the common file with the id.
func (t *Tx) CommonFile(id uint64) (*CommonFile, error) {
	var f CommonFile
	if err := getJSON(t.tx.Bucket(bCommonFiles), u64(id), &f); err != nil {
		return nil, fmt.Errorf("common file %d: %w", id, err)
	}
	return &f, nil
}

// CommonFiles returns a site's common files by folder, then name.
func (t *Tx) CommonFiles(siteID uint64) ([]CommonFile, error) {
	var out []CommonFile
	err := t.tx.Bucket(bCommonFiles).ForEach(func(_, v []byte) error {
		var f CommonFile
		if err := unmarshal(v, &f); err != nil {
			return err
		}
		if f.SiteID == siteID {
			out = append(out, f)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Folder != out[j].Folder {
			return out[i].Folder < out[j].Folder
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// CommonFileByName finds a site's common file by folder and name.
func (t *Tx) CommonFileByName(siteID uint64, folder, name string) (*CommonFile, error) {
	var found *CommonFile
	err := t.tx.Bucket(bCommonFiles).ForEach(func(_, v []byte) error {
		if found != nil {
			return nil
		}
		var f CommonFile
		if err := unmarshal(v, &f); err != nil {
			return err
		}
		if f.SiteID == siteID && f.Folder == folder && f.Name == name {
			found = &f
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("common file %s/%s: %w", folder, name, ErrNotFound)
	}
	return found, nil
}

// PutCommonFile stores a common file. One with the same site, folder and name is replaced in
// place (it keeps its id, so what pointed at it still does); a new one gets an id. The file's
// content must be recorded (PutFileMeta).
func (t *Tx) PutCommonFile(f *CommonFile) error {
	if !validHash(f.Hash) {
		return fmt.Errorf("common file %q: %w", f.Name, errBadHash)
	}
	if f.Name == "" || f.Folder == "" {
		return fmt.Errorf("common file %q in folder %q: name and folder are required", f.Name, f.Folder)
	}
	b := t.tx.Bucket(bCommonFiles)
	if f.ID == 0 {
		if old, err := t.CommonFileByName(f.SiteID, f.Folder, f.Name); err == nil {
			f.ID = old.ID
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
	} else if old, err := t.CommonFileByName(f.SiteID, f.Folder, f.Name); err == nil && old.ID != f.ID {
		return fmt.Errorf("common file %s/%s: %w", f.Folder, f.Name, ErrExists)
	}
	if f.ID == 0 {
		id, err := nextID(b)
		if err != nil {
			return err
		}
		f.ID = id
	}
	if f.Added.IsZero() {
		f.Added = t.Now()
	}
	return putJSON(b, u64(f.ID), f)
}

// DeleteCommonFile removes a common file. Messages that sent it keep their copy of the
// reference, and the content stays in the store.
func (t *Tx) DeleteCommonFile(id uint64) error {
	b := t.tx.Bucket(bCommonFiles)
	if b.Get(u64(id)) == nil {
		return fmt.Errorf("common file %d: %w", id, ErrNotFound)
	}
	return b.Delete(u64(id))
}
