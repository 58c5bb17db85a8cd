package desk

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"kefu/server/authz"
	"kefu/server/files"
	"kefu/server/hub"
	"kefu/store"
)

// Errors of file actions, beside the refusals of files (*files.Refusal).
var (
	ErrNoFile    = errors.New("no such file")
	ErrBadFolder = errors.New("a common file must be in a folder")
	ErrBadCID    = errors.New("bad client id")
)

// MaxCIDLen is the longest client id a sender may give.
const MaxCIDLen = 64

// Files is the store of files sent in chats and of common files: DATA/files.
func (d *Desk) Files() (*files.Store, error) {
	d.filesMu.RLock()
	defer d.filesMu.RUnlock()
	return d.files, nil
}

// UseFiles makes the desk keep files in fs (another size limit, say). Call it before serving.
func (d *Desk) UseFiles(fs *files.Store) {
	d.filesMu.Lock()
	d.files = fs
	d.filesMu.Unlock()
}

// FileURL is the path on kefu's web origin that downloads a message's file (GET /f/…).
func (d *Desk) FileURL(ref *store.FileRef) (string, error) {
	fs, err := d.Files()
	if err != nil {
		return "", err
	}
	return fs.URL(*ref), nil
}

// VisitorFile stores a file a visitor sends from the chat page and appends it to their
// conversation on the site, which must be waiting or open: the browser's visitor id with such
// a conversation is what authorizes the upload. The message is durable when this returns and
// reaches the agent like any message. A repeated cid returns the message stored the first
// time. Refusals of the file itself are *files.Refusal.
func (d *Desk) VisitorFile(siteID uint64, vid, cid, name string, r io.Reader) (store.Message, error) {
	if !ValidKey(vid) {
		return store.Message{}, ErrNoConv
	}
	if len(cid) > MaxCIDLen {
		return store.Message{}, ErrBadCID
	}
	site, err := d.Site(siteID)
	if err != nil || site.Disabled {
		return store.Message{}, ErrSiteDisabled
	}
	var visitorID uint64
	d.db.View(func(tx *store.Tx) error {
		if v, err := tx.VisitorByKey(siteID, vid); err == nil {
			visitorID = v.ID
		}
		return nil
	})
	c := d.hub.VisitorConv(visitorID)
	if visitorID == 0 || c == nil || c.SiteID != siteID || c.State == store.ConvEnded {
		return store.Message{}, ErrNoConv
	}
	fs, err := d.Files()
	if err != nil {
		return store.Message{}, err
	}
	ref, err := fs.Save(name, r)
	if err != nil {
		return store.Message{}, err
	}
	m, err := d.appendFile(store.Message{ConvID: c.ID, CID: cid, From: store.FromVisitor, Text: ref.Name, File: &ref})
	if err == nil {
		now := d.Now()
		d.hub.UpdateVisitor(visitorID, func(v *hub.VisitorView) { v.LastActive = now })
	}
	return m, err
}

// appendFile stores a file message and the file's record in one durable write, then
// publishes the message. Like appendMessage, an ended conversation refuses it and a repeated
// cid returns the first message.
func (d *Desk) appendFile(m store.Message) (store.Message, error) {
	now := d.Now()
	err := d.db.Update(func(tx *store.Tx) error {
		conv, err := tx.Conv(m.ConvID)
		if err != nil {
			return ErrNoConv
		}
		msg := m
		dup, err := tx.AppendMessage(&msg)
		if err != nil {
			return err
		}
		if dup {
			m = msg
			return nil
		}
		if conv.State == store.ConvEnded {
			return store.ErrConvEnded
		}
		f := msg.File
		if err := tx.PutFileMeta(store.FileMeta{Hash: f.Hash, Size: f.Size, Type: f.Type, Added: now}); err != nil {
			return err
		}
		m = msg
		tx.OnCommit(func() { d.hub.PublishMessage(msg) })
		return nil
	})
	return m, err
}

// FilePath is where an agent fetches a message's file over SSH, relative to their login:
// "conv/12/5-报价单.pdf", for `scp -P 2222 ACCOUNT@HOST:conv/12/5-报价单.pdf .`. The name part
// keeps only characters no shell or scp needs quoted. "" when the message has no file.
func FilePath(m store.Message) string {
	if m.File == nil {
		return ""
	}
	return "conv/" + strconv.FormatUint(m.ConvID, 10) + "/" + convFileName(m)
}

// FilePath is FilePath for the workbench, next to the session's other actions.
func (s *AgentSession) FilePath(m store.Message) string { return FilePath(m) }

// SCPCommand is the command an agent runs to fetch a message's file into the current
// directory; host is how they reach kefu, port its SSH port.
func SCPCommand(account, host string, port int, m store.Message) string {
	p := FilePath(m)
	if p == "" {
		return ""
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("scp -P %d %s@%s:%s .", port, shellSafe(account), host, p)
}

// convFileName is a file message's name in its conversation's directory: the seq (unique)
// and the shell-safe name.
func convFileName(m store.Message) string {
	return strconv.FormatUint(m.Seq, 10) + "-" + shellSafe(m.File.Name)
}

// shellSafe replaces what a shell or the legacy scp protocol would split or expand.
func shellSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || strings.ContainsRune("'\"`$\\;&|<>*?[](){}!#~%^=,", r) {
			return '_'
		}
		return r
	}, s)
}

// CommonFiles lists a site's common files 常用文件, by folder and name, for an agent who may
// work on the site.
func (s *AgentSession) CommonFiles(siteID uint64) ([]store.CommonFile, error) {
	return s.d.FileAccess(s.AgentID).CommonFiles(siteID)
}

// SendCommonFile sends a common file of the conversation's site to the visitor as a download
// link: a message from the agent with File set. The agent must be serving the conversation.
// A repeated cid returns the first message.
func (s *AgentSession) SendCommonFile(convID, fileID uint64, cid string) (store.Message, error) {
	if len(cid) > MaxCIDLen {
		return store.Message{}, ErrBadCID
	}
	c := s.d.hub.Conv(convID)
	if c == nil {
		return store.Message{}, ErrNoConv
	}
	if c.AgentID != s.AgentID {
		return store.Message{}, ErrNotYours
	}
	if err := s.can(authz.Workbench, c.SiteID); err != nil {
		return store.Message{}, err
	}
	var f *store.CommonFile
	err := s.d.db.View(func(tx *store.Tx) error {
		var err error
		f, err = tx.CommonFile(fileID)
		return err
	})
	if err != nil || f.SiteID != c.SiteID {
		return store.Message{}, ErrNoFile
	}
	return s.d.appendFile(store.Message{ConvID: convID, CID: cid, From: store.FromAgent, AgentID: s.AgentID,
		Name: s.d.agentName(s.AgentID), Text: f.Name, File: f.Ref()})
}

// FileAccess is a member of staff moving files over SSH (scp, sftp): the files of chats on
// the sites they work on, and common files, which they read with the workbench or the
// settings permission (设置中心) and change with the settings permission. Every call checks
// the permission as stored now.
type FileAccess struct {
	d       *Desk
	AgentID uint64
}

// FileAccess returns the file actions of an agent.
func (d *Desk) FileAccess(agentID uint64) *FileAccess { return &FileAccess{d: d, AgentID: agentID} }

func (f *FileAccess) can(m authz.Module, siteID uint64) error {
	a, r, err := f.d.agentRole(f.AgentID)
	if err != nil {
		return ErrForbidden
	}
	if !authz.Can(a, r, m, siteID) {
		return ErrForbidden
	}
	return nil
}

// canReadCommon: agents of the site read common files to send them, admins to manage them.
func canReadCommon(a *store.Agent, r *store.Role, siteID uint64) bool {
	return authz.Can(a, r, authz.Workbench, siteID) || authz.Can(a, r, authz.Settings, siteID)
}

func (f *FileAccess) canReadCommon(siteID uint64) error {
	a, r, err := f.d.agentRole(f.AgentID)
	if err != nil || !canReadCommon(a, r, siteID) {
		return ErrForbidden
	}
	return nil
}

// Sites are the sites whose common files the agent may read.
func (f *FileAccess) Sites() ([]store.Site, error) {
	a, r, err := f.d.agentRole(f.AgentID)
	if err != nil {
		return nil, ErrForbidden
	}
	var sites []store.Site
	if err := f.d.db.View(func(tx *store.Tx) error {
		var err error
		sites, err = tx.Sites()
		return err
	}); err != nil {
		return nil, err
	}
	out := sites[:0]
	for _, s := range sites {
		if canReadCommon(a, r, s.ID) {
			out = append(out, s)
		}
	}
	return out, nil
}

// Convs are the conversations not yet ended on the sites the agent works on, oldest first:
// the listing of conv/. Ended ones stay reachable by id.
func (f *FileAccess) Convs() []uint64 {
	a, r, err := f.d.agentRole(f.AgentID)
	if err != nil {
		return nil
	}
	var out []uint64
	for _, c := range f.d.hub.Convs(f.d.workbenchSites(a, r)) {
		if authz.Can(a, r, authz.Workbench, c.SiteID) {
			out = append(out, c.ID)
		}
	}
	return out
}

// ConvFile is a file sent in a conversation, as an SSH directory lists it.
type ConvFile struct {
	Name    string // in the conversation's directory: "5-报价单.pdf"
	Message store.Message
}

// ConvFiles lists the files sent in a conversation on a site the agent may read.
func (f *FileAccess) ConvFiles(convID uint64) ([]ConvFile, error) {
	var conv *store.Conversation
	var msgs []store.Message
	err := f.d.db.View(func(tx *store.Tx) error {
		var err error
		if conv, err = tx.Conv(convID); err != nil {
			return ErrNoConv
		}
		msgs, err = tx.Messages(convID, 0, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := f.can(authz.Workbench, conv.SiteID); err != nil {
		return nil, err
	}
	var out []ConvFile
	for _, m := range msgs {
		if m.File != nil {
			out = append(out, ConvFile{Name: convFileName(m), Message: m})
		}
	}
	return out, nil
}

// ConvFile finds a file of a conversation by its name in the directory ("5-报价单.pdf").
func (f *FileAccess) ConvFile(convID uint64, name string) (ConvFile, error) {
	list, err := f.ConvFiles(convID)
	if err != nil {
		return ConvFile{}, err
	}
	for _, cf := range list {
		if cf.Name == name {
			return cf, nil
		}
	}
	return ConvFile{}, ErrNoFile
}

// Open opens a file's content for reading. Callers get refs only from the checked listings
// above.
func (f *FileAccess) Open(ref *store.FileRef) (*os.File, error) {
	fs, err := f.d.Files()
	if err != nil {
		return nil, err
	}
	file, err := fs.Open(ref.Hash)
	if err != nil {
		return nil, ErrNoFile
	}
	return file, nil
}

// CommonFiles lists a site's common files for an agent who may work on or manage the site.
func (f *FileAccess) CommonFiles(siteID uint64) ([]store.CommonFile, error) {
	if err := f.canReadCommon(siteID); err != nil {
		return nil, err
	}
	var out []store.CommonFile
	err := f.d.db.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.CommonFiles(siteID)
		return err
	})
	return out, err
}

// CommonFile finds a site's common file by folder and name.
func (f *FileAccess) CommonFile(siteID uint64, folder, name string) (*store.CommonFile, error) {
	if err := f.canReadCommon(siteID); err != nil {
		return nil, err
	}
	var out *store.CommonFile
	err := f.d.db.View(func(tx *store.Tx) error {
		var err error
		out, err = tx.CommonFileByName(siteID, folder, name)
		return err
	})
	if err != nil {
		return nil, ErrNoFile
	}
	return out, nil
}

// CanManage reports (nil) whether the agent may change the site's common files.
func (f *FileAccess) CanManage(siteID uint64) error { return f.can(authz.Settings, siteID) }

// NewUpload starts receiving a common file for the site; only someone who may manage the
// site's common files may send one.
func (f *FileAccess) NewUpload(siteID uint64) (*files.Upload, error) {
	if err := f.CanManage(siteID); err != nil {
		return nil, err
	}
	fs, err := f.d.Files()
	if err != nil {
		return nil, err
	}
	return fs.NewUpload()
}

// PutCommonFile finishes an upload as the site's common file folder/name, replacing one of the
// same name. Folder and name are cleaned like any user-given name; the stored name may gain
// an extension from the content.
func (f *FileAccess) PutCommonFile(siteID uint64, folder, name string, u *files.Upload) (store.CommonFile, error) {
	if err := f.CanManage(siteID); err != nil {
		u.Abort()
		return store.CommonFile{}, err
	}
	folder = files.CleanName(folder)
	if folder == "" {
		u.Abort()
		return store.CommonFile{}, ErrBadFolder
	}
	ref, err := u.Finish(name)
	if err != nil {
		return store.CommonFile{}, err
	}
	cf := store.CommonFile{SiteID: siteID, Folder: folder, Name: ref.Name, Hash: ref.Hash, Size: ref.Size, Type: ref.Type,
		Added: f.d.Now(), AddedBy: f.AgentID}
	err = f.d.db.Update(func(tx *store.Tx) error {
		c := cf
		if err := tx.PutFileMeta(store.FileMeta{Hash: ref.Hash, Size: ref.Size, Type: ref.Type, Added: cf.Added}); err != nil {
			return err
		}
		if err := tx.PutCommonFile(&c); err != nil {
			return err
		}
		cf = c
		return nil
	})
	return cf, err
}

// RemoveCommonFile deletes a common file. Links already sent keep working.
func (f *FileAccess) RemoveCommonFile(siteID uint64, folder, name string) error {
	if err := f.CanManage(siteID); err != nil {
		return err
	}
	return f.d.db.Update(func(tx *store.Tx) error {
		cf, err := tx.CommonFileByName(siteID, folder, name)
		if err != nil {
			return ErrNoFile
		}
		return tx.DeleteCommonFile(cf.ID)
	})
}

// RenameCommonFile moves a common file to another folder or name within its site. The new
// name must keep an extension of the same kind of content, so it is checked like an upload's.
func (f *FileAccess) RenameCommonFile(siteID uint64, folder, name, toFolder, toName string) (store.CommonFile, error) {
	if err := f.CanManage(siteID); err != nil {
		return store.CommonFile{}, err
	}
	toFolder = files.CleanName(toFolder)
	if toFolder == "" {
		return store.CommonFile{}, ErrBadFolder
	}
	fs, err := f.d.Files()
	if err != nil {
		return store.CommonFile{}, err
	}
	var cf *store.CommonFile
	if err := f.d.db.View(func(tx *store.Tx) error {
		var err error
		cf, err = tx.CommonFileByName(siteID, folder, name)
		return err
	}); err != nil {
		return store.CommonFile{}, ErrNoFile
	}
	head, err := readHead(fs, cf.Hash)
	if err != nil {
		return store.CommonFile{}, err
	}
	clean, typ, err := files.Classify(toName, head)
	if err != nil {
		return store.CommonFile{}, err
	}
	var out store.CommonFile
	err = f.d.db.Update(func(tx *store.Tx) error {
		c, err := tx.CommonFile(cf.ID)
		if err != nil || c.Hash != cf.Hash {
			return ErrNoFile // replaced or removed meanwhile
		}
		c.Folder, c.Name, c.Type = toFolder, clean, typ
		if err := tx.PutCommonFile(c); err != nil {
			return err
		}
		out = *c
		return nil
	})
	return out, err
}

// readHead reads the first bytes of a stored file, which decide its type.
func readHead(fs *files.Store, hash string) ([]byte, error) {
	file, err := fs.Open(hash)
	if err != nil {
		return nil, ErrNoFile
	}
	defer file.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(file, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return head[:n], nil
}
