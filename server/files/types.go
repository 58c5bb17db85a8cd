package files

import (
	"bytes"
	"fmt"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"kefu/server/i18n"
)

// MaxNameRunes is the longest file name kept; longer names are cut before the extension.
const MaxNameRunes = 100

// sniffLen is how much of a file decides its type (what http.DetectContentType reads).
const sniffLen = 512

// Refusal is why a file was not accepted. Code names the reason; the catalog words it for a
// person as "file.refused.<code>". errors.Is matches refusals by Code, so
// errors.Is(err, files.ErrTooLarge) holds whatever the limit.
type Refusal struct {
	Code  string
	Limit int64  // too_large: the limit in bytes
	Ext   string // mismatch: the name's extension
}

// Refusals, one per reason.
var (
	ErrTooLarge   = &Refusal{Code: "too_large"}  // over the size limit
	ErrEmpty      = &Refusal{Code: "empty"}      // no bytes
	ErrType       = &Refusal{Code: "type"}       // a kind of file that is not allowed
	ErrExecutable = &Refusal{Code: "executable"} // a program or script
	ErrMarkup     = &Refusal{Code: "markup"}     // HTML, SVG, XML: could run script when opened
	ErrMismatch   = &Refusal{Code: "mismatch"}   // the name's extension contradicts the content
)

// TooLarge is ErrTooLarge with the limit, for the message.
func TooLarge(limit int64) *Refusal { return &Refusal{Code: "too_large", Limit: limit} }

func (r *Refusal) Error() string {
	switch {
	case r.Limit > 0:
		return fmt.Sprintf("file refused: %s (limit %d bytes)", r.Code, r.Limit)
	case r.Ext != "":
		return fmt.Sprintf("file refused: %s (%s)", r.Code, r.Ext)
	}
	return "file refused: " + r.Code
}

// Is matches refusals with the same code.
func (r *Refusal) Is(target error) bool {
	t, ok := target.(*Refusal)
	return ok && t.Code == r.Code
}

// Text is the refusal as a sentence in the reader's language.
func (r *Refusal) Text(l i18n.Lang) string {
	switch r.Code {
	case "too_large":
		return l.T("file.refused.too_large", SizeText(r.Limit))
	case "mismatch":
		return l.T("file.refused.mismatch", r.Ext)
	}
	return l.T("file.refused." + r.Code)
}

// SizeText is a byte count for people: "20 MB", "1.5 KB", "300 B".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KB"
	}
	return fmt.Sprintf("%d B", n)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// CleanName makes a name a user gave a file safe to show and to offer as a download name: the
// last element of any path, without control or invisible formatting characters (terminal
// escapes, bidi overrides), without characters Windows forbids in names, without leading dots
// or "..", at most MaxNameRunes runes with the extension kept. It may return "".
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	for strings.Contains(name, "..") {
		name = strings.ReplaceAll(name, "..", ".")
	}
	name = strings.Join(strings.Fields(name), " ")
	name = strings.Trim(name, " .")
	if name == "" {
		return ""
	}
	base, ext := splitExt(name)
	if isReserved(base) {
		base = "_" + base
	}
	if n := utf8.RuneCountInString(base) + utf8.RuneCountInString(ext); n > MaxNameRunes {
		keep := MaxNameRunes - utf8.RuneCountInString(ext)
		if keep < 1 {
			base, ext = truncRunes(base+ext, MaxNameRunes), ""
		} else {
			base = strings.TrimRight(truncRunes(base, keep), " .")
		}
	}
	return base + ext
}

// splitExt splits a name into base and extension; only a short run of letters and digits
// after the last dot counts as an extension ("v1.2 notes" has none).
func splitExt(name string) (string, string) {
	ext := path.Ext(name)
	if len(ext) < 2 || len(ext) > 9 || len(ext) == len(name) {
		return name, ""
	}
	for _, c := range ext[1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return name, ""
		}
	}
	return name[:len(name)-len(ext)], ext
}

// isReserved reports names Windows cannot save (CON, NUL, COM1…).
func isReserved(base string) bool {
	switch strings.ToUpper(base) {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	u := strings.ToUpper(base)
	return len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && u[3] >= '1' && u[3] <= '9'
}

func truncRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// kind is a family of allowed files: what the content says it is, and the extensions a name
// may have for it.
type kind struct {
	exts []string // allowed extensions, the first one given to a name without any
}

var (
	kindImage = &kind{exts: []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}}
	kindPDF   = &kind{exts: []string{".pdf"}}
	kindZip   = &kind{exts: []string{".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}} // Office Open XML and ODF are zip files
	kindOLE   = &kind{exts: []string{".doc", ".xls", ".ppt", ".wps", ".et", ".dps"}}             // legacy Office and WPS Office
	kindText  = &kind{exts: []string{".txt", ".csv", ".log"}}
)

// typeByExt is the content type served for extensions whose content type the sniffer cannot
// tell (the members of a kind share one signature).
var typeByExt = map[string]string{
	".zip":  "application/zip",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
	".doc":  "application/msword",
	".xls":  "application/vnd.ms-excel",
	".ppt":  "application/vnd.ms-powerpoint",
	".wps":  "application/vnd.ms-works",
	".et":   "application/vnd.ms-excel",
	".dps":  "application/vnd.ms-powerpoint",
}

// imageExt names an image without an extension by its content.
var imageExt = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp"}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// sniff decides what a file is from its first bytes.
func sniff(head []byte) (*kind, string, error) {
	if isExecutable(head) {
		return nil, "", ErrExecutable
	}
	ct := http.DetectContentType(head)
	mt, _, _ := strings.Cut(ct, ";")
	switch mt {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp":
		return kindImage, mt, nil
	case "application/pdf":
		return kindPDF, mt, nil
	case "application/zip":
		return kindZip, mt, nil
	case "text/html", "text/xml":
		return nil, "", ErrMarkup
	case "text/plain":
		// The sniffer only knows some tags: a page that opens with <svg or <x-anything is
		// "text". Anything that starts like markup is refused.
		t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n\f")
		if bytes.HasPrefix(t, []byte("<")) {
			return nil, "", ErrMarkup
		}
		switch {
		case strings.Contains(ct, "utf-16"):
			return kindText, ct, nil
		case utf8.Valid(trimPartialRune(head)):
			return kindText, "text/plain; charset=utf-8", nil
		}
		return kindText, "text/plain", nil // GBK and friends: let the reader's program guess
	}
	if bytes.HasPrefix(head, oleMagic) {
		return kindOLE, "", nil
	}
	return nil, "", ErrType
}

// trimPartialRune drops a rune cut off by the sniff window, so valid UTF-8 stays valid.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && i < len(b); i++ {
		if utf8.Valid(b[:len(b)-i]) {
			return b[:len(b)-i]
		}
	}
	return b
}

// isExecutable spots programs and scripts by their first bytes: Windows PE, ELF, Mach-O,
// Java classes and fat binaries, and #! scripts.
func isExecutable(head []byte) bool {
	for _, magic := range [][]byte{
		[]byte("MZ"), []byte("\x7fELF"), []byte("#!"),
		{0xFE, 0xED, 0xFA, 0xCE}, {0xFE, 0xED, 0xFA, 0xCF}, {0xCE, 0xFA, 0xED, 0xFE}, {0xCF, 0xFA, 0xED, 0xFE},
		{0xCA, 0xFE, 0xBA, 0xBE},
	} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	return false
}

// Classify decides whether a file may be stored: its content (the first bytes) must be an
// allowed kind — images, PDF, Office and WPS documents, zip, plain text and CSV — and its
// name's extension, if it has one, must be one of that kind's. It returns the cleaned name (a
// name without an extension gets the kind's) and the content type to serve it with.
func Classify(name string, head []byte) (string, string, error) {
	if len(head) == 0 {
		return "", "", ErrEmpty
	}
	k, sniffed, err := sniff(head)
	if err != nil {
		return "", "", err
	}
	name = CleanName(name)
	base, ext := splitExt(name)
	ext = strings.ToLower(ext)
	if ext == "" {
		ext = k.exts[0]
		if e, ok := imageExt[sniffed]; ok && k == kindImage {
			ext = e
		}
		if base == "" {
			base = "file"
		}
		name = CleanName(base + ext)
	} else if !contains(k.exts, ext) {
		if isRisky(ext) {
			return "", "", ErrType
		}
		return "", "", &Refusal{Code: "mismatch", Ext: ext}
	}
	typ := sniffed
	switch k {
	case kindZip, kindOLE:
		typ = typeByExt[ext]
	case kindText:
		if ext == ".csv" {
			typ = strings.Replace(sniffed, "text/plain", "text/csv", 1)
		}
	}
	return name, typ, nil
}

// isRisky reports extensions that name programs, scripts or pages: a name like that is
// refused as a type, whatever its content, rather than as a mere mismatch.
func isRisky(ext string) bool {
	switch ext {
	case ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".dll", ".cpl", ".jar",
		".js", ".mjs", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".ps1", ".psm1", ".lnk", ".reg",
		".sh", ".bash", ".zsh", ".csh", ".command", ".app", ".pkg", ".dmg", ".deb", ".rpm", ".apk",
		".html", ".htm", ".xhtml", ".shtml", ".mht", ".mhtml", ".svg", ".svgz", ".xml", ".xsl", ".php",
		".py", ".pl", ".rb", ".docm", ".xlsm", ".pptm", ".dotm", ".xltm":
		return true
	}
	return false
}

// ServeType is the Content-Type a download is served with: a stored type kefu itself
// assigned, else application/octet-stream.
func ServeType(stored string) string {
	if servable[stored] {
		return stored
	}
	return "application/octet-stream"
}

var servable = func() map[string]bool {
	m := map[string]bool{"application/pdf": true, "text/plain": true, "text/plain; charset=utf-8": true,
		"text/plain; charset=utf-16be": true, "text/plain; charset=utf-16le": true,
		"text/csv": true, "text/csv; charset=utf-8": true, "text/csv; charset=utf-16be": true, "text/csv; charset=utf-16le": true}
	for t := range imageExt {
		m[t] = true
	}
	for _, t := range typeByExt {
		m[t] = true
	}
	return m
}()

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
