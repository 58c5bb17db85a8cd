// Package files keeps the files visitors and staff send in chats, and the common files 常用文件
// admins put up, under the data dir by content hash: `files/ab/cd/abcd…` (SHA-256, hex). A
// file is written to a temporary file beside the store, fsynced, renamed into place and the
// directory fsynced, so a stored file is whole or absent; identical contents are kept once.
//
// What a user sends is untrusted twice over: its name is display-only (CleanName), never a
// path, and its content decides its type (Classify), with the name's extension only allowed
// to agree. Downloads are reached by an unguessable token (an HMAC of the hash and name with a
// key kept in the store), so links can be handed to a visitor but hashes cannot be fished for.
package files

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kefu/store"
)

// DefaultMaxSize is the largest file accepted unless Options say otherwise: 20 MiB.
const DefaultMaxSize int64 = 20 << 20

// keyFile holds the download-link key, inside the store's directory.
const keyFile = "link.key"

// tempPrefix marks files being received; Open removes ones a crash left behind.
const tempPrefix = ".upload-"

// Options tune Open; the zero value is what kefu uses.
type Options struct {
	// MaxSize is the largest file accepted, in bytes; default DefaultMaxSize.
	MaxSize int64
}

// Store is the content-addressed file store of one data dir.
type Store struct {
	dir    string
	secret []byte
	max    int64
}

// Open opens (creating if needed) the store in dir, usually DATA/files.
func Open(dir string, opt Options) (*Store, error) {
	if opt.MaxSize <= 0 {
		opt.MaxSize = DefaultMaxSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create file store %s: %w", dir, err)
	}
	secret, err := loadKey(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, fmt.Errorf("file store %s: %w", dir, err)
	}
	s := &Store{dir: dir, secret: secret, max: opt.MaxSize}
	s.removeStale(time.Hour)
	return s, nil
}

// loadKey reads the link key, creating it durably on first use.
func loadKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("link key %s is too short", path)
		}
		return b, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadKey(path) // another Open won the race
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return key, syncDir(filepath.Dir(path))
}

// removeStale deletes temporary files older than age, left by a crash mid-upload.
func (s *Store) removeStale(age time.Duration) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}

// MaxSize is the largest file the store accepts.
func (s *Store) MaxSize() int64 { return s.max }

// ValidHash reports whether h is a SHA-256 in lowercase hex: the only strings that become
// paths in the store.
func ValidHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// path is where a file with the hash lives. The hash must be valid.
func (s *Store) path(hash string) string {
	return filepath.Join(s.dir, hash[:2], hash[2:4], hash)
}

// Open opens the stored file with the hash for reading. An invalid or unknown hash is
// fs.ErrNotExist.
func (s *Store) Open(hash string) (*os.File, error) {
	if !ValidHash(hash) {
		return nil, fs.ErrNotExist
	}
	return os.Open(s.path(hash))
}

// Has reports whether the file with the hash is stored.
func (s *Store) Has(hash string) bool {
	if !ValidHash(hash) {
		return false
	}
	info, err := os.Lstat(s.path(hash))
	return err == nil && info.Mode().IsRegular()
}

// Save receives a whole file from r and stores it under a cleaned version of name. What the
// first bytes already condemn (an executable, a web page, a disallowed type) is refused
// before the rest is read. Every refusal is a *Refusal.
func (s *Store) Save(name string, r io.Reader) (store.FileRef, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return store.FileRef{}, err
	}
	if n == 0 {
		return store.FileRef{}, ErrEmpty
	}
	if _, _, err := Classify(name, head[:n]); err != nil {
		return store.FileRef{}, err
	}
	u, err := s.NewUpload()
	if err != nil {
		return store.FileRef{}, err
	}
	defer u.Abort()
	if _, err := u.Write(head[:n]); err != nil {
		return store.FileRef{}, err
	}
	if _, err := io.Copy(u, r); err != nil {
		return store.FileRef{}, err
	}
	return u.Finish(name)
}

// Upload is a file being received, written in order (HTTP, scp) or at offsets (sftp). Finish
// checks and stores it; Abort drops it. An Upload is safe for concurrent use.
type Upload struct {
	s    *Store
	mu   sync.Mutex
	f    *os.File
	size int64
	done bool
}

// NewUpload starts receiving a file.
func (s *Store) NewUpload() (*Upload, error) {
	f, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("receive file: %w", err)
	}
	return &Upload{s: s, f: f}, nil
}

// Write appends p.
func (u *Upload) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.writeAt(p, u.size)
}

// WriteAt writes p at off. Writing past the store's size limit is ErrTooLarge.
func (u *Upload) WriteAt(p []byte, off int64) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.writeAt(p, off)
}

func (u *Upload) writeAt(p []byte, off int64) (int, error) {
	if u.done {
		return 0, os.ErrClosed
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off+int64(len(p)) > u.s.max {
		return 0, TooLarge(u.s.max)
	}
	n, err := u.f.WriteAt(p, off)
	if end := off + int64(n); end > u.size {
		u.size = end
	}
	return n, err
}

// Size is how many bytes the upload holds so far.
func (u *Upload) Size() int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.size
}

// Abort drops the upload; after Finish it does nothing.
func (u *Upload) Abort() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return
	}
	u.done = true
	u.f.Close()
	os.Remove(u.f.Name())
}

// Finish checks the received file against its name (Classify), stores it by hash and returns
// the reference a message or a common file keeps. The upload is over either way.
func (u *Upload) Finish(name string) (store.FileRef, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return store.FileRef{}, os.ErrClosed
	}
	u.done = true
	tmp := u.f.Name()
	ref, err := u.finish(name)
	u.f.Close()
	if err != nil {
		os.Remove(tmp)
	}
	return ref, err
}

func (u *Upload) finish(name string) (store.FileRef, error) {
	if u.size == 0 {
		return store.FileRef{}, ErrEmpty
	}
	head := make([]byte, min(sniffLen, u.size))
	if _, err := u.f.ReadAt(head, 0); err != nil {
		return store.FileRef{}, fmt.Errorf("read upload: %w", err)
	}
	name, typ, err := Classify(name, head)
	if err != nil {
		return store.FileRef{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(u.f, 0, u.size)); err != nil {
		return store.FileRef{}, fmt.Errorf("hash upload: %w", err)
	}
	ref := store.FileRef{Hash: hex.EncodeToString(h.Sum(nil)), Name: name, Size: u.size, Type: typ}
	if err := u.s.place(u.f, ref); err != nil {
		return store.FileRef{}, err
	}
	return ref, nil
}

// place moves a received file into the store under its hash, durably; a content already
// stored is kept once.
func (s *Store) place(f *os.File, ref store.FileRef) error {
	final := s.path(ref.Hash)
	if info, err := os.Lstat(final); err == nil && info.Mode().IsRegular() && info.Size() == ref.Size {
		return os.Remove(f.Name())
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store file: %w", err)
	}
	if err := s.mkdirs(filepath.Dir(final)); err != nil {
		return fmt.Errorf("store file: %w", err)
	}
	if err := os.Rename(f.Name(), final); err != nil {
		return fmt.Errorf("store file: %w", err)
	}
	return syncDir(filepath.Dir(final))
}

// mkdirs creates the two hash levels under the store, fsyncing each parent that gains a
// directory so the new path survives a crash.
func (s *Store) mkdirs(dir string) error {
	parent := filepath.Dir(dir)
	for _, d := range []string{parent, dir} {
		err := os.Mkdir(d, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Token is the unguessable part of a file's download link: the hash and a MAC of the hash
// and the name, so the link names one file under one name and nothing else can be derived
// from it.
func (s *Store) Token(hash, name string) string {
	return hash + "." + s.mac(hash, name)
}

func (s *Store) mac(hash, name string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(hash))
	m.Write([]byte{0})
	m.Write([]byte(name))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Check verifies a download link's token and name and returns the file's hash.
func (s *Store) Check(token, name string) (hash string, ok bool) {
	hash, mac, found := strings.Cut(token, ".")
	if !found || !ValidHash(hash) {
		return "", false
	}
	if !hmac.Equal([]byte(mac), []byte(s.mac(hash, name))) {
		return "", false
	}
	return hash, true
}

// URL is the path (on kefu's web origin) that downloads the file under its name.
func (s *Store) URL(ref store.FileRef) string {
	return "/f/" + s.Token(ref.Hash, ref.Name) + "/" + url.PathEscape(ref.Name)
}
