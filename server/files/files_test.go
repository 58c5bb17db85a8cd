package files

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"kefu/server/i18n"
)

// Samples of each kind, as their first bytes look.
var (
	pngData  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 300)...)
	jpegData = append([]byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), bytes.Repeat([]byte{1}, 100)...)
	pdfData  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	zipData  = append([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), bytes.Repeat([]byte{3}, 64)...)
	oleData  = append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 64)...)
	csvData  = []byte("姓名,电话\n张三,13800000000\n")
	gbkCSV   = []byte{0xD0, 0xD5, 0xC3, 0xFB, ',', 0xB5, 0xE7, 0xBB, 0xB0, '\n'} // 姓名,电话 in GBK
	exeData  = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 100)...)
	elfData  = []byte("\x7fELF\x02\x01\x01\x00")
)

func TestCleanName(t *testing.T) {
	long := strings.Repeat("很长的名字", 40) + ".pdf"
	tests := []struct{ in, want string }{
		{"中文名.pdf", "中文名.pdf"},
		{"报价单 2024 最终版.xlsx", "报价单 2024 最终版.xlsx"},
		{"../../etc/passwd", "passwd"},
		{`..\..\Windows\system32\drivers\etc\hosts`, "hosts"},
		{"/etc/shadow", "shadow"},
		{"a\x1b]0;x\x07.pdf", "a]0;x.pdf"},
		{"\x1b[31m红色\x1b[0m.txt", "[31m红色[0m.txt"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"}, // a right-to-left override would show "invoiceexe.pdf"
		{"zero\u200bwidth.png", "zerowidth.png"},
		{"  .hidden.txt  ", "hidden.txt"},
		{"...", ""},
		{"a..b..pdf", "a.b.pdf"},
		{"what?<>:\"|*.txt", "what_______.txt"},
		{"tab\there\nnew.txt", "tab here new.txt"},
		{"CON.txt", "_CON.txt"},
		{"lpt1", "_lpt1"},
		{"bad\xff\xfeutf8.csv", "badutf8.csv"},
		{"dir/", ""},
		{"", ""},
		{long, string([]rune(strings.Repeat("很长的名字", 20))[:96]) + ".pdf"},
	}
	for _, tt := range tests {
		got := CleanName(tt.in)
		if got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > MaxNameRunes {
			t.Errorf("CleanName(%q) has %d runes", tt.in, n)
		}
		if strings.ContainsAny(got, "/\\\x00\x1b\x07") || strings.Contains(got, "..") {
			t.Errorf("CleanName(%q) = %q keeps a path or control character", tt.in, got)
		}
		if again := CleanName(got); again != got {
			t.Errorf("CleanName is not idempotent on %q: %q", got, again)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		wantName string
		wantType string
		err      error
	}{
		{"照片.png", pngData, "照片.png", "image/png", nil},
		{"照片.JPG", jpegData, "照片.JPG", "image/jpeg", nil},
		{"photo.jpeg", pngData, "photo.jpeg", "image/png", nil}, // any image extension for any image
		{"截图", pngData, "截图.png", "image/png", nil},
		{"", jpegData, "file.jpg", "image/jpeg", nil},
		{"合同.pdf", pdfData, "合同.pdf", "application/pdf", nil},
		{"方案.docx", zipData, "方案.docx", typeByExt[".docx"], nil},
		{"资料.zip", zipData, "资料.zip", "application/zip", nil},
		{"报表.xls", oleData, "报表.xls", "application/vnd.ms-excel", nil},
		{"文档.wps", oleData, "文档.wps", "application/vnd.ms-works", nil},
		{"名单.csv", csvData, "名单.csv", "text/csv; charset=utf-8", nil},
		{"名单.csv", gbkCSV, "名单.csv", "text/csv", nil},
		{"说明.txt", csvData, "说明.txt", "text/plain; charset=utf-8", nil},
		{"v1.2 release notes", []byte("notes"), "v1.2 release notes.txt", "text/plain; charset=utf-8", nil},
		{"../../etc/passwd", []byte("root:x:0:0"), "passwd.txt", "text/plain; charset=utf-8", nil},

		{"照片.pdf", pngData, "", "", ErrMismatch},
		{"报表.docx", oleData, "", "", ErrMismatch},
		{"照片.png.exe", pngData, "", "", ErrType},
		{"setup.exe", exeData, "", "", ErrExecutable},
		{"简历.pdf", exeData, "", "", ErrExecutable},
		{"a.txt", elfData, "", "", ErrExecutable},
		{"run.txt", []byte("#!/bin/sh\nrm -rf /\n"), "", "", ErrExecutable},
		{"page.html", []byte("<!DOCTYPE html><script>alert(1)</script>"), "", "", ErrMarkup},
		{"page.txt", []byte("  <html><body onload=alert(1)>"), "", "", ErrMarkup},
		{"logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "", "", ErrMarkup},
		{"logo.txt", []byte("\xEF\xBB\xBF\n<svg onload=alert(1)>"), "", "", ErrMarkup},
		{"data.xml", []byte(`<?xml version="1.0"?><a/>`), "", "", ErrMarkup},
		{"x.js", []byte("alert(document.cookie)"), "", "", ErrType},
		{"music.mp3", []byte("ID3\x03\x00\x00\x00"), "", "", ErrType},
		{"blob.bin", []byte{0, 1, 2, 3, 4, 5, 0xff}, "", "", ErrType},
		{"empty.txt", nil, "", "", ErrEmpty},
	}
	for _, tt := range tests {
		name, typ, err := Classify(tt.name, tt.data)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("Classify(%q): err %v, want %v", tt.name, err, tt.err)
			continue
		}
		if name != tt.wantName || typ != tt.wantType {
			t.Errorf("Classify(%q) = %q, %q; want %q, %q", tt.name, name, typ, tt.wantName, tt.wantType)
		}
	}
}

func TestRefusalText(t *testing.T) {
	if got := TooLarge(20 << 20).Text(i18n.ZH); got != "文件太大，最大 20 MB。" {
		t.Errorf("zh: %q", got)
	}
	if got := TooLarge(1536).Text(i18n.EN); got != "The file is too large (at most 1.5 KB)." {
		t.Errorf("en: %q", got)
	}
	if got := (&Refusal{Code: "mismatch", Ext: ".pdf"}).Text(i18n.ZH); !strings.Contains(got, ".pdf") {
		t.Errorf("mismatch: %q", got)
	}
	for _, r := range []*Refusal{ErrTooLarge, ErrEmpty, ErrType, ErrExecutable, ErrMarkup, ErrMismatch} {
		if !i18n.Has("file.refused." + r.Code) {
			t.Errorf("no catalog text for %s", r.Code)
		}
	}
	if !errors.Is(TooLarge(5), ErrTooLarge) || errors.Is(ErrType, ErrMarkup) {
		t.Error("errors.Is does not match by code")
	}
}

func openStore(t *testing.T, max int64) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	s, err := Open(dir, Options{MaxSize: max})
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// leftovers lists what is in the store's top directory besides the key and hash folders.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != keyFile && !(e.IsDir() && len(e.Name()) == 2) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestSaveStoresByHashOnce(t *testing.T) {
	s, dir := openStore(t, 0)
	data := append(append([]byte{}, pdfData...), bytes.Repeat([]byte("报价"), 5000)...)
	ref, err := s.Save("报价单.pdf", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if ref.Hash != sum(data) || ref.Size != int64(len(data)) || ref.Name != "报价单.pdf" || ref.Type != "application/pdf" {
		t.Fatalf("ref %+v", ref)
	}
	path := filepath.Join(dir, ref.Hash[:2], ref.Hash[2:4], ref.Hash)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("stored file %s: %v %v", path, info, err)
	}
	again, err := s.Save("copy.pdf", bytes.NewReader(data))
	if err != nil || again.Hash != ref.Hash || again.Name != "copy.pdf" {
		t.Fatalf("second save: %+v %v", again, err)
	}
	f, err := s.Open(ref.Hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("stored content differs")
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("left behind: %v", l)
	}
	if MaxDefault := s.MaxSize(); MaxDefault != DefaultMaxSize {
		t.Fatalf("default limit %d", MaxDefault)
	}
}

// failAfter fails the test's reader if it is read beyond n bytes.
type failAfter struct {
	r io.Reader
	n int
	t *testing.T
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		f.t.Error("read past the sniffed head of a refused file")
		return 0, io.ErrUnexpectedEOF
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestSaveRefusals(t *testing.T) {
	s, dir := openStore(t, 4096)
	big := append(append([]byte{}, pdfData...), bytes.Repeat([]byte{'x'}, 5000)...)
	if _, err := s.Save("大文件.pdf", bytes.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	} else if r := err.(*Refusal); r.Limit != 4096 {
		t.Fatalf("limit in refusal: %d", r.Limit)
	}
	exe := append(append([]byte{}, exeData...), bytes.Repeat([]byte{0}, 1<<20)...)
	if _, err := s.Save("setup.pdf", &failAfter{r: bytes.NewReader(exe), n: sniffLen, t: t}); !errors.Is(err, ErrExecutable) {
		t.Fatalf("executable: %v", err)
	}
	if _, err := s.Save("空.txt", strings.NewReader("")); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Fatalf("refusals left files behind: %v", l)
	}
	// Exactly at the limit is fine.
	exact := append(append([]byte{}, pdfData...), bytes.Repeat([]byte{'y'}, 4096-len(pdfData))...)
	if _, err := s.Save("刚好.pdf", bytes.NewReader(exact)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}

func TestUploadAtOffsets(t *testing.T) {
	s, _ := openStore(t, 1<<16)
	data := append(append([]byte{}, pngData...), bytes.Repeat([]byte("0123456789"), 1000)...)
	u, err := s.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	// sftp clients pipeline writes; they may land in any order.
	const chunk = 1000
	for off := (len(data) - 1) / chunk * chunk; off >= 0; off -= chunk {
		end := min(off+chunk, len(data))
		if _, err := u.WriteAt(data[off:end], int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := u.WriteAt([]byte{1}, 1<<16); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("write past the limit: %v", err)
	}
	ref, err := u.Finish("图.png")
	if err != nil || ref.Hash != sum(data) || ref.Size != int64(len(data)) {
		t.Fatalf("finish: %+v %v", ref, err)
	}
	u.Abort() // after Finish: nothing
	if !s.Has(ref.Hash) {
		t.Fatal("not stored")
	}

	bad, _ := s.NewUpload()
	bad.Write([]byte("<html><script>alert(1)</script>"))
	if _, err := bad.Finish("readme.txt"); !errors.Is(err, ErrMarkup) {
		t.Fatalf("markup upload: %v", err)
	}
	if _, err := os.Stat(bad.f.Name()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("refused upload's temporary file remains")
	}
}

func TestOpenTakesOnlyHashes(t *testing.T) {
	s, _ := openStore(t, 0)
	for _, h := range []string{"", "../../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63) + "/",
		strings.Repeat("0", 62) + "..", strings.Repeat("g", 64)} {
		if _, err := s.Open(h); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q): %v", h, err)
		}
		if s.Has(h) {
			t.Errorf("Has(%q)", h)
		}
	}
}

func TestTokens(t *testing.T) {
	s, dir := openStore(t, 0)
	ref, err := s.Save("报价单 v2.pdf", bytes.NewReader(pdfData))
	if err != nil {
		t.Fatal(err)
	}
	tok := s.Token(ref.Hash, ref.Name)
	if h, ok := s.Check(tok, ref.Name); !ok || h != ref.Hash {
		t.Fatalf("own token refused")
	}
	if _, ok := s.Check(tok, "报价单 v2.html"); ok {
		t.Fatal("token accepted for another name")
	}
	other := sum([]byte("other"))
	if _, ok := s.Check(other+tok[64:], ref.Name); ok {
		t.Fatal("token accepted for another hash")
	}
	for _, bad := range []string{"", ref.Hash, ref.Hash + ".", "x." + tok[65:], tok + "x"} {
		if _, ok := s.Check(bad, ref.Name); ok {
			t.Errorf("Check(%q) accepted", bad)
		}
	}
	if u := s.URL(ref); u != "/f/"+tok+"/%E6%8A%A5%E4%BB%B7%E5%8D%95%20v2.pdf" {
		t.Errorf("URL %s", u)
	}
	// The key survives a reopen, so links stay valid across restarts; another store's does not
	// accept them.
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Check(tok, ref.Name); !ok {
		t.Fatal("token not valid after reopen")
	}
	s3, _ := openStore(t, 0)
	if _, ok := s3.Check(tok, ref.Name); ok {
		t.Fatal("another store's key accepts the token")
	}
}

func TestStaleUploadsRemoved(t *testing.T) {
	s, dir := openStore(t, 0)
	u, _ := s.NewUpload()
	u.Write(pdfData)
	old := u.f.Name()
	u.f.Close()
	past := filepath.Join(dir, tempPrefix+"crashed")
	os.WriteFile(past, pdfData, 0o600)
	os.Chtimes(past, timeAgo(2), timeAgo(2))
	if _, err := Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(past); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a crashed upload's file remains")
	}
	if _, err := os.Stat(old); err != nil {
		t.Error("an upload in progress was removed")
	}
}

func timeAgo(hours int) time.Time { return time.Now().Add(-time.Duration(hours) * time.Hour) }
