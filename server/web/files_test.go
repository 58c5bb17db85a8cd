package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"kefu/server/authz"
	"kefu/server/desk"
	"kefu/server/files"
	"kefu/server/hub"
	"kefu/store"
)

var testPDF = []byte("%PDF-1.4\n% 报价单\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")

// fileServer is the web front door on a real desk, over httptest.
type fileServer struct {
	t    *testing.T
	desk *desk.Desk
	web  *Server
	http *httptest.Server
}

func newFileServer(t *testing.T, maxSize int64) *fileServer {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := desk.New(db, hub.New(nil), desk.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	seedFiles(t, db)
	if maxSize > 0 {
		fs, err := files.Open(filepath.Join(dir, "files"), files.Options{MaxSize: maxSize})
		if err != nil {
			t.Fatal(err)
		}
		d.UseFiles(fs)
	}
	w, err := New(Config{Desk: d, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(w.Handler())
	t.Cleanup(hs.Close)
	return &fileServer{t: t, desk: d, web: w, http: hs}
}

// chatting gives a visitor a waiting conversation on site 1.
func (s *fileServer) chatting(vid string) uint64 {
	s.t.Helper()
	vs, _, err := s.desk.Arrive(desk.Arrival{SiteID: 1, Key: vid, Chat: true})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(vs.Close)
	m, err := vs.Send("hi-"+vid, "你好")
	if err != nil {
		s.t.Fatal(err)
	}
	return m.ConvID
}

type uploadOpts struct {
	vid, cid, name, origin string
	site                   string
	lang                   string
}

func (s *fileServer) upload(o uploadOpts, body []byte) (*http.Response, map[string]any) {
	s.t.Helper()
	if o.site == "" {
		o.site = "1"
	}
	req, _ := http.NewRequest("POST", s.http.URL+"/api/file?site="+o.site, bytes.NewReader(body))
	req.Header.Set(headerVid, o.vid)
	req.Header.Set(headerCid, o.cid)
	req.Header.Set(headerName, url.PathEscape(o.name))
	req.Header.Set("Content-Type", "application/octet-stream")
	if o.origin != "" {
		req.Header.Set("Origin", o.origin)
	}
	if o.lang != "" {
		req.Header.Set("Accept-Language", o.lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		s.t.Fatalf("upload answer is not JSON: %v", err)
	}
	return resp, out
}

func TestUploadAndDownload(t *testing.T) {
	s := newFileServer(t, 0)
	const vid = "web-visitor-000001"
	convID := s.chatting(vid)
	resp, out := s.upload(uploadOpts{vid: vid, cid: "u-1", name: "../报价单 (最终).pdf", origin: "http://localhost:3000"}, testPDF)
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d %v", resp.StatusCode, out)
	}
	file := out["file"].(map[string]any)
	if uint64(out["conv"].(float64)) != convID || out["seq"].(float64) == 0 || out["cid"] != "u-1" ||
		file["name"] != "报价单 (最终).pdf" || file["size"].(float64) != float64(len(testPDF)) || file["type"] != "application/pdf" {
		t.Fatalf("upload answer %v", out)
	}
	link := file["url"].(string)
	if !strings.HasPrefix(link, "/f/") {
		t.Fatalf("link %q", link)
	}

	get := func(path string) (*http.Response, []byte) {
		resp, err := http.Get(s.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	dl, body := get(link)
	if dl.StatusCode != 200 || !bytes.Equal(body, testPDF) {
		t.Fatalf("download: %d, %d bytes", dl.StatusCode, len(body))
	}
	want := map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Disposition":     `attachment; filename="___ (__).pdf"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95%20%28%E6%9C%80%E7%BB%88%29.pdf`,
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox; default-src 'none'",
	}
	for k, v := range want {
		if got := dl.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}

	// The token names one file under one name.
	token, name, _ := strings.Cut(strings.TrimPrefix(link, "/f/"), "/")
	for _, bad := range []string{
		"/f/" + token + "/" + url.PathEscape("报价单.html"),
		"/f/" + token[:64] + "/" + name,
		"/f/" + strings.Repeat("0", 64) + token[64:] + "/" + name,
		"/f/" + token[:len(token)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(token, "A")] + "/" + name,
		"/f/..%2F..%2Fkefu.db/x",
	} {
		if r, _ := get(bad); r.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", bad, r.StatusCode)
		}
	}

	// A retried upload is stored once.
	_, again := s.upload(uploadOpts{vid: vid, cid: "u-1", name: "报价单 (最终).pdf"}, testPDF)
	if again["seq"] != out["seq"] {
		t.Fatalf("retry stored again: %v vs %v", again["seq"], out["seq"])
	}
}

func TestUploadRefusals(t *testing.T) {
	s := newFileServer(t, 4096)
	const vid = "" // each case gets its own visitor: refusals count against the rate limit too
	big := append(append([]byte{}, testPDF...), bytes.Repeat([]byte{'x'}, 5000)...)
	tests := []struct {
		name   string
		o      uploadOpts
		body   []byte
		status int
		code   string
		text   string
	}{
		{"too large", uploadOpts{vid: vid, name: "大.pdf"}, big, 413, "too_large", "文件太大，最大 4 KB。"},
		{"too large en", uploadOpts{vid: vid, name: "big.pdf", lang: "en-US"}, big, 413, "too_large", "The file is too large (at most 4 KB)."},
		{"executable", uploadOpts{vid: vid, name: "setup.exe"}, []byte("MZ\x90\x00\x03\x00"), 415, "executable", "不能发送程序或脚本文件。"},
		{"html", uploadOpts{vid: vid, name: "a.html"}, []byte("<html><script>alert(1)</script>"), 415, "markup", ""},
		{"svg", uploadOpts{vid: vid, name: "a.svg"}, []byte(`<svg onload="alert(1)"/>`), 415, "markup", ""},
		{"mismatch", uploadOpts{vid: vid, name: "a.png"}, testPDF, 415, "mismatch", "文件扩展名 .png 与文件内容不符。"},
		{"empty", uploadOpts{vid: vid, name: "a.txt"}, nil, 400, "empty", ""},
		{"evil origin", uploadOpts{vid: vid, name: "a.pdf", origin: "https://evil.example"}, testPDF, 403, "origin", ""},
		{"no chat", uploadOpts{vid: "web-visitor-nochat", name: "a.pdf"}, testPDF, 409, "no_conv", "请先发起对话，再发送文件。"},
		{"bad vid", uploadOpts{vid: "x", name: "a.pdf"}, testPDF, 400, "bad_request", ""},
		{"bad name encoding", uploadOpts{vid: vid, name: "%zz"}, testPDF, 400, "bad_request", ""},
		{"unknown site", uploadOpts{vid: vid, name: "a.pdf", site: "99"}, testPDF, 404, "bad_request", ""},
	}
	for i, tt := range tests {
		o := tt.o
		o.cid = "c-" + tt.name
		if o.vid == "" {
			o.vid = fmt.Sprintf("web-visitor-ref%03d", i)
			s.chatting(o.vid)
		}
		resp, out := s.upload(o, tt.body)
		if tt.name == "bad name encoding" {
			// url.PathEscape escaped the %; send the raw header instead.
			req, _ := http.NewRequest("POST", s.http.URL+"/api/file?site=1", bytes.NewReader(tt.body))
			req.Header.Set(headerVid, o.vid)
			req.Header.Set(headerName, "%zz")
			r2, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp = r2
			out = map[string]any{}
			json.NewDecoder(r2.Body).Decode(&out)
			r2.Body.Close()
		}
		if resp.StatusCode != tt.status || out["code"] != tt.code || out["text"] == "" || (tt.text != "" && out["text"] != tt.text) {
			t.Errorf("%s: %d %v, want %d %s %q", tt.name, resp.StatusCode, out, tt.status, tt.code, tt.text)
		}
	}
}

func TestUploadRateLimit(t *testing.T) {
	s := newFileServer(t, 0)
	const vid = "web-visitor-000003"
	s.chatting(vid)
	var codes []int
	for i := 0; i < uploadBurst+2; i++ {
		resp, _ := s.upload(uploadOpts{vid: vid, cid: fmt.Sprint("r-", i), name: "a.txt"}, []byte(fmt.Sprint("第", i, "个")))
		codes = append(codes, resp.StatusCode)
	}
	if codes[uploadBurst-1] != 200 || codes[uploadBurst+1] != 429 {
		t.Fatalf("statuses %v: want %d OKs, then 429", codes, uploadBurst)
	}
}

func TestMsgFrameCarriesTheFile(t *testing.T) {
	s := newFileServer(t, 0)
	ref := store.FileRef{Hash: strings.Repeat("ab", 32), Name: "合同.pdf", Size: 1234, Type: "application/pdf"}
	data, _ := json.Marshal(s.web.msgFrame(store.Message{ConvID: 3, Seq: 4, From: store.FromAgent, Name: "小王", Text: "合同.pdf", File: &ref}))
	var got map[string]any
	json.Unmarshal(data, &got)
	file, _ := got["file"].(map[string]any)
	if got["t"] != "msg" || got["seq"].(float64) != 4 || file == nil || file["name"] != "合同.pdf" || file["size"].(float64) != 1234 ||
		!strings.HasPrefix(file["url"].(string), "/f/"+ref.Hash+".") || !strings.HasSuffix(file["url"].(string), "/%E5%90%88%E5%90%8C.pdf") {
		t.Fatalf("frame %s", data)
	}
	plain, _ := json.Marshal(s.web.msgFrame(store.Message{ConvID: 3, Seq: 5, From: store.FromAgent, Text: "你好"}))
	if strings.Contains(string(plain), `"file"`) {
		t.Fatalf("text frame has a file: %s", plain)
	}
}

func TestAttachmentHeader(t *testing.T) {
	tests := map[string]string{
		"report.pdf":   `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
		"报价单.pdf":      `attachment; filename="___.pdf"; filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf`,
		`a"b;c%.txt`:   `attachment; filename="a_b_c_.txt"; filename*=UTF-8''a%22b%3Bc%25.txt`,
		"x y\\z.csv":   `attachment; filename="x y_z.csv"; filename*=UTF-8''x%20y%5Cz.csv`,
		"\r\nSet: 1.t": `attachment; filename="__Set: 1.t"; filename*=UTF-8''%0D%0ASet%3A%201.t`,
	}
	for name, want := range tests {
		if got := attachment(name); got != want {
			t.Errorf("attachment(%q) = %s, want %s", name, got, want)
		}
	}
}

// seedFiles makes a fresh database usable like Bootstrap does, without hashing a password
// (bcrypt is slow under the race detector): the default site, the built-in roles and admin.
func seedFiles(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Update(func(tx *store.Tx) error {
		site := &store.Site{Name: "默认站点", Domains: []string{"localhost", "127.0.0.1"}, Secret: "0123456789abcdef"}
		if err := tx.CreateSite(site); err != nil {
			return err
		}
		var super uint64
		for _, r := range authz.BuiltinRoles() {
			r := r
			if err := tx.CreateRole(&r); err != nil {
				return err
			}
			if r.Builtin == authz.BuiltinSuper {
				super = r.ID
			}
		}
		return tx.CreateAgent(&store.Agent{Account: "admin", Name: "管理员", RoleID: super, Seat: true,
			Sites: []store.SiteSeat{{SiteID: site.ID, MaxChats: 10}}})
	})
	if err != nil {
		t.Fatal(err)
	}
}
