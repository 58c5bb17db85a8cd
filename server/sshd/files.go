package sshd

// Staff move files over the same SSH port as the workbench, with scp (both the SFTP-based
// protocol of OpenSSH 9 and the legacy one, `scp -O`) and sftp. They all see one tree, which
// exists only in the database: no path a client sends ever reaches the filesystem.
//
//	conv/                      conversations not yet ended on your sites
//	conv/<id>/                 the files sent in conversation <id>, as "<seq>-<name>"
//	common/                    the sites whose common files 常用文件 you may read
//	common/<site>/             the site's folders
//	common/<site>/<folder>/    the folder's files; admins (设置中心) put, replace, rename, delete
//
// Reading needs the workbench permission on the site, changing common files the settings
// permission; both are checked on every request.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/scp"
	"github.com/pkg/sftp"

	"kefu/server/desk"
	"kefu/server/files"
	"kefu/server/i18n"
	"kefu/store"
)

// node is a kind of place in the tree.
type node int

const (
	nodeRoot       node = iota
	nodeConvs           // conv
	nodeConv            // conv/<id>
	nodeConvFile        // conv/<id>/<seq>-<name>
	nodeCommon          // common
	nodeSite            // common/<site>
	nodeFolder          // common/<site>/<folder>
	nodeCommonFile      // common/<site>/<folder>/<name>
)

// treePath is a parsed path of the tree. Names are exactly as given; lookups compare them
// with stored names, and writes clean them like any name a user gives.
type treePath struct {
	node   node
	id     uint64 // conversation or site
	folder string
	name   string
	raw    string // "conv/12", for messages
}

var errNoEntry = errors.New("no such entry")

// parseTreePath reads a path as scp (relative) or sftp (absolute) sends it. ".." cannot climb
// above the root, and anything that is not a place of the tree is errNoEntry.
func parseTreePath(p string) (treePath, error) {
	clean := strings.TrimPrefix(path.Clean("/"+p), "/")
	clean = strings.TrimPrefix(strings.TrimPrefix(clean, "~"), "/")
	tp := treePath{raw: clean}
	if clean == "" {
		return tp, nil
	}
	seg := strings.Split(clean, "/")
	id := func(s string) (uint64, bool) {
		v, err := strconv.ParseUint(s, 10, 64)
		return v, err == nil && v > 0 && strconv.FormatUint(v, 10) == s
	}
	var ok bool
	switch {
	case seg[0] == "conv" && len(seg) <= 3:
		tp.node = nodeConvs
		if len(seg) >= 2 {
			if tp.id, ok = id(seg[1]); !ok {
				return tp, errNoEntry
			}
			tp.node = nodeConv
		}
		if len(seg) == 3 {
			tp.node, tp.name = nodeConvFile, seg[2]
		}
	case seg[0] == "common" && len(seg) <= 4:
		tp.node = nodeCommon
		if len(seg) >= 2 {
			if tp.id, ok = id(seg[1]); !ok {
				return tp, errNoEntry
			}
			tp.node = nodeSite
		}
		if len(seg) >= 3 {
			tp.node, tp.folder = nodeFolder, seg[2]
		}
		if len(seg) == 4 {
			tp.node, tp.name = nodeCommonFile, seg[3]
		}
	default:
		return tp, errNoEntry
	}
	return tp, nil
}

func (p treePath) isDir() bool { return p.node != nodeConvFile && p.node != nodeCommonFile }

// entry is one name in a listing, as os.FileInfo.
type entry struct {
	name string
	size int64
	dir  bool
	mod  time.Time
	ref  *store.FileRef // files: what to open
}

func (e *entry) Name() string       { return e.name }
func (e *entry) Size() int64        { return e.size }
func (e *entry) ModTime() time.Time { return e.mod }
func (e *entry) IsDir() bool        { return e.dir }
func (e *entry) Sys() any           { return nil }
func (e *entry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// fileTree is one SSH session's view of the tree, as one agent.
type fileTree struct {
	log    *slog.Logger
	fa     *desk.FileAccess
	files  *files.Store
	lang   i18n.Lang
	stderr io.Writer
	start  time.Time
}

// newFileTree opens the tree for the session's agent, whom verify has put in the context.
func (s *Server) newFileTree(sess ssh.Session) (*fileTree, error) {
	agentID, _ := sess.Context().Value(keyAgent).(uint64)
	a, err := s.desk.Agent(agentID)
	if err != nil || a.Disabled {
		return nil, desk.ErrForbidden
	}
	lang := s.cfg.Lang
	if l, ok := i18n.Parse(a.Lang); ok {
		lang = l
	}
	fs, err := s.desk.Files()
	if err != nil {
		return nil, err
	}
	return &fileTree{log: s.log, fa: s.desk.FileAccess(agentID), files: fs, lang: lang, stderr: sess.Stderr(), start: time.Now()}, nil
}

// sayError is an error whose text is the sentence the person reads; code is what an sftp
// client is told (os.ErrNotExist, sftp.ErrSSHFxPermissionDenied, sftp.ErrSSHFxFailure…).
type sayError struct {
	text string
	code error
}

func (e *sayError) Error() string { return e.text }
func (e *sayError) Unwrap() error { return e.code }

// explain turns an error from the desk or the file store into a sentence for the person and
// a status for the protocol.
func (t *fileTree) explain(p treePath, err error) error {
	var refusal *files.Refusal
	var said *sayError
	shown := "/" + p.raw
	switch {
	case err == nil:
		return nil
	case errors.As(err, &said):
		return err
	case errors.As(err, &refusal):
		name := p.name
		if name == "" {
			name = shown
		}
		return &sayError{t.lang.T("file.ssh.refused", name, refusal.Text(t.lang)), sftp.ErrSSHFxFailure}
	case errors.Is(err, desk.ErrForbidden):
		return &sayError{t.lang.T("file.ssh.denied", shown), sftp.ErrSSHFxPermissionDenied}
	case errors.Is(err, desk.ErrBadFolder):
		return &sayError{t.lang.T("file.ssh.need_folder", "common/"+strconv.FormatUint(p.id, 10)), sftp.ErrSSHFxFailure}
	case errors.Is(err, store.ErrExists):
		return &sayError{t.lang.T("file.ssh.exists", shown), sftp.ErrSSHFxFailure}
	case errors.Is(err, errNoEntry), errors.Is(err, desk.ErrNoFile), errors.Is(err, desk.ErrNoConv),
		errors.Is(err, store.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		// Exactly this shape: os.IsNotExist, which sftp asks, looks no deeper.
		return &fs.PathError{Op: "open", Path: shown, Err: fs.ErrNotExist}
	}
	t.log.Warn("file transfer failed", "path", shown, "agent", t.fa.AgentID, "err", err)
	return &sayError{t.lang.T("file.ssh.failed"), err}
}

// say prints a refusal on the session's stderr, which ssh shows: scp and sftp clients word
// failures themselves and drop the server's text.
func (t *fileTree) say(err error) {
	var pe *fs.PathError
	if err == nil || errors.As(err, &pe) {
		return // a missing file is an answer, not news: clients probe for them
	}
	fmt.Fprintln(t.stderr, err.Error())
}

// stat describes a path.
func (t *fileTree) stat(p treePath) (*entry, error) {
	dir := &entry{name: path.Base("/" + p.raw), dir: true, mod: t.start}
	switch p.node {
	case nodeRoot, nodeConvs, nodeCommon:
		return dir, nil
	case nodeConv:
		if _, err := t.fa.ConvFiles(p.id); err != nil {
			return nil, err
		}
		return dir, nil
	case nodeSite:
		if _, err := t.fa.CommonFiles(p.id); err != nil {
			return nil, err
		}
		return dir, nil
	case nodeFolder:
		// Every folder name exists, empty until a file is put in it: uploading to
		// common/1/新文件夹/ needs no mkdir.
		if _, err := t.fa.CommonFiles(p.id); err != nil {
			return nil, err
		}
		if files.CleanName(p.folder) != p.folder {
			return nil, errNoEntry
		}
		return dir, nil
	case nodeConvFile:
		cf, err := t.fa.ConvFile(p.id, p.name)
		if err != nil {
			return nil, err
		}
		return convEntry(cf), nil
	case nodeCommonFile:
		f, err := t.fa.CommonFile(p.id, p.folder, p.name)
		if err != nil {
			return nil, err
		}
		return commonEntry(f), nil
	}
	return nil, errNoEntry
}

func convEntry(cf desk.ConvFile) *entry {
	return &entry{name: cf.Name, size: cf.Message.File.Size, mod: cf.Message.At, ref: cf.Message.File}
}

func commonEntry(f *store.CommonFile) *entry {
	return &entry{name: f.Name, size: f.Size, mod: f.Added, ref: f.Ref()}
}

// list is a directory's entries.
func (t *fileTree) list(p treePath) ([]*entry, error) {
	var out []*entry
	dir := func(name string) { out = append(out, &entry{name: name, dir: true, mod: t.start}) }
	switch p.node {
	case nodeRoot:
		dir("common")
		dir("conv")
	case nodeConvs:
		for _, id := range t.fa.Convs() {
			dir(strconv.FormatUint(id, 10))
		}
	case nodeCommon:
		sites, err := t.fa.Sites()
		if err != nil {
			return nil, err
		}
		for _, s := range sites {
			dir(strconv.FormatUint(s.ID, 10))
		}
	case nodeConv:
		list, err := t.fa.ConvFiles(p.id)
		if err != nil {
			return nil, err
		}
		for _, cf := range list {
			out = append(out, convEntry(cf))
		}
	case nodeSite, nodeFolder:
		list, err := t.fa.CommonFiles(p.id)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for i := range list {
			f := &list[i]
			switch {
			case p.node == nodeSite && !seen[f.Folder]:
				seen[f.Folder] = true
				dir(f.Folder)
			case p.node == nodeFolder && f.Folder == p.folder:
				out = append(out, commonEntry(f))
			}
		}
	default:
		return nil, errNoEntry
	}
	return out, nil
}

// open opens a file of the tree for reading.
func (t *fileTree) open(p treePath) (*entry, *os.File, error) {
	if p.isDir() {
		return nil, nil, errNoEntry
	}
	e, err := t.stat(p)
	if err != nil {
		return nil, nil, err
	}
	f, err := t.fa.Open(e.ref)
	if err != nil {
		return nil, nil, err
	}
	return e, f, nil
}

// upload starts receiving a common file at p.
func (t *fileTree) upload(p treePath) (*files.Upload, error) {
	switch p.node {
	case nodeCommonFile:
		return t.fa.NewUpload(p.id)
	case nodeSite, nodeFolder:
		// A file put straight into common/<site>/ arrives as a folder name.
		return nil, desk.ErrBadFolder
	}
	return nil, &sayError{t.lang.T("file.ssh.read_only", "/"+p.raw), sftp.ErrSSHFxPermissionDenied}
}

// --- sftp ------------------------------------------------------------------------------

// serveSFTP is the sftp subsystem, which OpenSSH's scp also uses by default. verify and
// recover wrap it like any session (subsystems bypass the middleware chain).
func (s *Server) serveSFTP(sess ssh.Session) {
	t, err := s.newFileTree(sess)
	if err != nil {
		fmt.Fprintln(sess.Stderr(), s.cfg.Lang.T("ssh.denied"))
		sess.Exit(1)
		return
	}
	h := &sftpHandler{t: t}
	srv := sftp.NewRequestServer(sess, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
	// Serve ends when the client closes; the session's exit status follows (not srv.Close,
	// which would close the channel before it and fail the client's transfer).
	if err := srv.Serve(); err != nil && !errors.Is(err, io.EOF) {
		s.log.Debug("sftp session ended", "user", sess.User(), "err", err)
	}
}

// sftpHandler answers sftp requests from the tree.
type sftpHandler struct{ t *fileTree }

func (h *sftpHandler) parse(p string) (treePath, error) {
	tp, err := parseTreePath(p)
	if err != nil {
		return tp, h.t.explain(tp, err)
	}
	return tp, nil
}

// fail explains an error and tells the person.
func (h *sftpHandler) fail(p treePath, err error) error {
	err = h.t.explain(p, err)
	h.t.say(err)
	return err
}

// Fileread opens a file for download.
func (h *sftpHandler) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	p, err := h.parse(r.Filepath)
	if err != nil {
		return nil, err
	}
	_, f, err := h.t.open(p)
	if err != nil {
		return nil, h.fail(p, err)
	}
	return f, nil
}

// Filewrite receives a common file; it is checked and stored when the client closes it.
func (h *sftpHandler) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	p, err := h.parse(r.Filepath)
	if err != nil {
		return nil, h.fail(p, err)
	}
	u, err := h.t.upload(p)
	if err != nil {
		return nil, h.fail(p, err)
	}
	return &sftpUpload{h: h, p: p, u: u}, nil
}

// sftpUpload is a common file arriving over sftp, in any order of offsets.
type sftpUpload struct {
	h *sftpHandler
	p treePath
	u *files.Upload

	mu     sync.Mutex
	failed bool
}

func (w *sftpUpload) WriteAt(b []byte, off int64) (int, error) {
	n, err := w.u.WriteAt(b, off)
	if err != nil {
		w.mu.Lock()
		first := !w.failed
		w.failed = true
		w.mu.Unlock()
		if first {
			return n, w.h.fail(w.p, err)
		}
		return n, w.h.t.explain(w.p, err)
	}
	return n, nil
}

// TransferError is sftp telling that the transfer broke off: the partial file is dropped.
func (w *sftpUpload) TransferError(error) {
	w.mu.Lock()
	w.failed = true
	w.mu.Unlock()
}

// Close stores the file unless the transfer failed.
func (w *sftpUpload) Close() error {
	w.mu.Lock()
	failed := w.failed
	w.mu.Unlock()
	if failed {
		w.u.Abort()
		return nil
	}
	if _, err := w.h.t.fa.PutCommonFile(w.p.id, w.p.folder, w.p.name, w.u); err != nil {
		return w.h.fail(w.p, err)
	}
	return nil
}

// Filecmd changes common files: remove, rename, and mkdir/rmdir of folders (which exist by
// having files). Setting times or modes is accepted and ignored.
func (h *sftpHandler) Filecmd(r *sftp.Request) error {
	p, err := h.parse(r.Filepath)
	if err != nil {
		return err
	}
	switch r.Method {
	case "Setstat":
		return nil
	case "Remove":
		if p.node != nodeCommonFile {
			return h.fail(p, h.t.readOnly(p))
		}
		return h.fail(p, h.t.fa.RemoveCommonFile(p.id, p.folder, p.name))
	case "Rename", "PosixRename":
		to, err := h.parse(r.Target)
		if err != nil {
			return err
		}
		if p.node != nodeCommonFile || to.node != nodeCommonFile || to.id != p.id {
			return h.fail(p, h.t.readOnly(p))
		}
		_, err = h.t.fa.RenameCommonFile(p.id, p.folder, p.name, to.folder, to.name)
		return h.fail(to, err)
	case "Mkdir":
		if p.node != nodeFolder || files.CleanName(p.folder) != p.folder {
			return h.fail(p, h.t.readOnly(p))
		}
		return h.fail(p, h.t.fa.CanManage(p.id))
	case "Rmdir":
		if p.node != nodeFolder {
			return h.fail(p, h.t.readOnly(p))
		}
		if err := h.t.fa.CanManage(p.id); err != nil {
			return h.fail(p, err)
		}
		list, err := h.t.list(p)
		if err != nil {
			return h.fail(p, err)
		}
		if len(list) > 0 {
			return h.fail(p, &sayError{h.t.lang.T("file.ssh.not_empty", "/"+p.raw), sftp.ErrSSHFxFailure})
		}
		return nil
	}
	return sftp.ErrSSHFxOpUnsupported
}

// readOnly refuses a change outside common/<site>/<folder>/.
func (t *fileTree) readOnly(p treePath) error {
	return &sayError{t.lang.T("file.ssh.read_only", "/"+p.raw), sftp.ErrSSHFxPermissionDenied}
}

// Filelist lists a directory or describes one path.
func (h *sftpHandler) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p, err := h.parse(r.Filepath)
	if err != nil {
		return nil, err
	}
	switch r.Method {
	case "List":
		list, err := h.t.list(p)
		if err != nil {
			return nil, h.fail(p, err)
		}
		out := make(listerAt, len(list))
		for i, e := range list {
			out[i] = e
		}
		return out, nil
	case "Stat", "Lstat":
		e, err := h.t.stat(p)
		if err != nil {
			return nil, h.t.explain(p, err)
		}
		return listerAt{e}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// listerAt pages a listing to the client.
type listerAt []os.FileInfo

func (l listerAt) ListAt(ls []os.FileInfo, offset int64) (int, error) {
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(ls, l[offset:])
	if n < len(ls) {
		return n, io.EOF
	}
	return n, nil
}

// --- scp (legacy protocol) -------------------------------------------------------------

// transfer runs the legacy scp protocol (`scp -O`) on the tree: downloads (`scp -f`) here,
// uploads (`scp -t`) with wish's scp; other commands go on to dispatch.
func (s *Server) transfer(next ssh.Handler) ssh.Handler {
	receive := scp.Middleware(nil, &scpReceiver{s: s})(next)
	return func(sess ssh.Session) {
		info := scp.GetInfo(sess.Command())
		if !info.Ok {
			next(sess)
			return
		}
		t, err := s.newFileTree(sess)
		if err != nil {
			fmt.Fprintln(sess.Stderr(), s.cfg.Lang.T("ssh.denied"))
			sess.Exit(1)
			return
		}
		if info.Op == scp.OpCopyToClient {
			sess.Exit(t.sendSCP(sess, info))
			return
		}
		receive(&scpSession{Session: sess, t: t})
	}
}

// sendSCP is the source side of `scp -f`: it waits for the client's acknowledgement of every
// line and file, so the session ends only once the client has it all. (wish's version writes
// without reading them, and its closing races the client's last ones: "lost connection".)
// Refusals go to the client in the protocol, which prints them. It returns the exit status.
func (t *fileTree) sendSCP(sess ssh.Session, info scp.Info) int {
	in := bufio.NewReader(sess)
	ack := func() error {
		b, err := in.ReadByte()
		switch {
		case err != nil:
			return err
		case b != 0:
			msg, _ := in.ReadString('\n')
			return errors.New(strings.TrimSpace(msg))
		}
		return nil
	}
	times := false
	for _, a := range sess.Command() {
		times = times || a == "-p"
	}
	var send func(p treePath) error
	send = func(p treePath) error {
		e, err := t.stat(p)
		if err != nil {
			return t.explain(p, err)
		}
		if times {
			fmt.Fprintf(sess, "T%d 0 %d 0\n", e.mod.Unix(), e.mod.Unix())
			if err := ack(); err != nil {
				return err
			}
		}
		if e.dir {
			if !info.Recursive {
				return &sayError{t.lang.T("file.ssh.is_dir", "/"+p.raw), nil}
			}
			list, err := t.list(p)
			if err != nil {
				return t.explain(p, err)
			}
			fmt.Fprintf(sess, "D%04o 0 %s\n", e.Mode().Perm(), e.name)
			if err := ack(); err != nil {
				return err
			}
			for _, c := range list {
				cp, err := parseTreePath(p.raw + "/" + c.name)
				if err != nil {
					continue
				}
				if err := send(cp); err != nil {
					return err
				}
			}
			fmt.Fprint(sess, "E\n")
			return ack()
		}
		f, err := t.fa.Open(e.ref)
		if err != nil {
			return t.explain(p, err)
		}
		defer f.Close()
		fmt.Fprintf(sess, "C%04o %d %s\n", e.Mode().Perm(), e.size, e.name)
		if err := ack(); err != nil {
			return err
		}
		if _, err := io.CopyN(sess, f, e.size); err != nil {
			return err
		}
		sess.Write([]byte{0})
		return ack()
	}
	if err := ack(); err != nil { // the client is ready
		return 1
	}
	p, err := parseTreePath(info.Path)
	if err == nil {
		err = send(p)
	}
	if err != nil {
		err = t.explain(p, err)
		text := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			text = t.lang.T("file.ssh.not_found", pe.Path)
		}
		// \x01 is an error the client prints and counts; it then ends the transfer.
		fmt.Fprintf(sess, "\x01%s\n", strings.ReplaceAll(text, "\n", " "))
		return 1
	}
	return 0
}

// scpSession carries the tree to the receiver and words wish's scp failures for the person:
// when the receiver has said why, that sentence replaces wish's Go error text.
type scpSession struct {
	ssh.Session
	t *fileTree

	mu   sync.Mutex
	said string
}

func (s *scpSession) Stderr() io.ReadWriter { return scpStderr{s} }

type scpStderr struct{ s *scpSession }

func (e scpStderr) Read(p []byte) (int, error) { return e.s.Session.Stderr().Read(p) }

func (e scpStderr) Write(p []byte) (int, error) {
	e.s.mu.Lock()
	said := e.s.said
	e.s.said = ""
	e.s.mu.Unlock()
	if said == "" {
		return e.s.Session.Stderr().Write(p)
	}
	if _, err := fmt.Fprintln(e.s.Session.Stderr(), said); err != nil {
		return 0, err
	}
	return len(p), nil
}

// scpReceiver is wish's scp CopyFromClientHandler on the tree: uploads of common files.
type scpReceiver struct{ s *Server }

// tree returns the session's tree and a function that explains an error to the person.
func (h *scpReceiver) tree(sess ssh.Session) (*fileTree, func(treePath, error) error) {
	ss, ok := sess.(*scpSession)
	if !ok { // not through transfer: nothing to work on
		t := &fileTree{log: h.s.log, lang: h.s.cfg.Lang, stderr: sess.Stderr()}
		return t, func(treePath, error) error { return desk.ErrForbidden }
	}
	return ss.t, func(p treePath, err error) error {
		if err == nil {
			return nil
		}
		err = ss.t.explain(p, err)
		said := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			said = ss.t.lang.T("file.ssh.not_found", pe.Path)
		}
		ss.mu.Lock()
		ss.said = said
		ss.mu.Unlock()
		return err
	}
}

// Mkdir accepts a folder of common files (`scp -r FOLDER host:common/1/`).
func (h *scpReceiver) Mkdir(sess ssh.Session, d *scp.DirEntry) error {
	t, fail := h.tree(sess)
	p, err := parseTreePath(d.Filepath)
	if err != nil {
		return fail(p, err)
	}
	if p.node != nodeFolder {
		return fail(p, t.readOnly(p))
	}
	return fail(p, t.fa.CanManage(p.id))
}

// Write receives a common file.
func (h *scpReceiver) Write(sess ssh.Session, fe *scp.FileEntry) (int64, error) {
	t, fail := h.tree(sess)
	p, err := parseTreePath(fe.Filepath)
	if err != nil {
		return 0, fail(p, err)
	}
	u, err := t.upload(p)
	if err != nil {
		return 0, fail(p, err)
	}
	if fe.Size > t.files.MaxSize() {
		u.Abort()
		return 0, fail(p, files.TooLarge(t.files.MaxSize()))
	}
	n, err := io.Copy(u, fe.Reader)
	if err != nil {
		u.Abort()
		return n, fail(p, err)
	}
	if _, err := t.fa.PutCommonFile(p.id, p.folder, p.name, u); err != nil {
		return n, fail(p, err)
	}
	return n, nil
}
