package store

import (
	"errors"
	"strings"
	"testing"
)

func TestFileMetaKeepsFirstRecord(t *testing.T) {
	db, _ := openTest(t)
	h := strings.Repeat("ab", 32)
	err := db.Update(func(tx *Tx) error {
		if err := tx.PutFileMeta(FileMeta{Hash: h, Size: 10, Type: "application/pdf"}); err != nil {
			return err
		}
		return tx.PutFileMeta(FileMeta{Hash: h, Size: 10, Type: "application/zip"})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		m, err := tx.FileMeta(h)
		if err != nil || m.Type != "application/pdf" || m.Added.IsZero() {
			t.Fatalf("meta %+v %v", m, err)
		}
		if _, err := tx.FileMeta(strings.Repeat("cd", 32)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
		return nil
	})
	for _, bad := range []string{"", "../x", strings.Repeat("AB", 32), strings.Repeat("a", 65)} {
		if err := db.Update(func(tx *Tx) error { return tx.PutFileMeta(FileMeta{Hash: bad}) }); err == nil {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

func TestCommonFiles(t *testing.T) {
	db, _ := openTest(t)
	h1, h2 := strings.Repeat("1", 64), strings.Repeat("2", 64)
	put := func(f *CommonFile) error { return db.Update(func(tx *Tx) error { return tx.PutCommonFile(f) }) }
	price := &CommonFile{SiteID: 1, Folder: "价目表", Name: "2024 价目表.pdf", Hash: h1, Size: 100}
	if err := put(price); err != nil || price.ID == 0 {
		t.Fatalf("put: %v id %d", err, price.ID)
	}
	for _, f := range []*CommonFile{
		{SiteID: 1, Folder: "产品手册", Name: "手册.pdf", Hash: h2},
		{SiteID: 1, Folder: "价目表", Name: "a.pdf", Hash: h2},
		{SiteID: 2, Folder: "价目表", Name: "2024 价目表.pdf", Hash: h2},
	} {
		if err := put(f); err != nil {
			t.Fatal(err)
		}
	}
	// The same site, folder and name replaces in place and keeps the id.
	again := &CommonFile{SiteID: 1, Folder: "价目表", Name: "2024 价目表.pdf", Hash: h2, Size: 200}
	if err := put(again); err != nil || again.ID != price.ID {
		t.Fatalf("replace: %v id %d want %d", err, again.ID, price.ID)
	}
	var list []CommonFile
	db.View(func(tx *Tx) error {
		var err error
		list, err = tx.CommonFiles(1)
		return err
	})
	var got []string
	for _, f := range list {
		got = append(got, f.Folder+"/"+f.Name)
	}
	if want := "产品手册/手册.pdf 价目表/2024 价目表.pdf 价目表/a.pdf"; strings.Join(got, " ") != want {
		t.Fatalf("site 1 lists %q, want %q", got, want)
	}
	if list[1].Hash != h2 || list[1].Size != 200 {
		t.Fatalf("replaced file %+v", list[1])
	}
	if r := list[1].Ref(); r.Hash != h2 || r.Name != "2024 价目表.pdf" {
		t.Fatalf("ref %+v", r)
	}
	// Renaming onto another file's name is refused.
	moved := list[2]
	moved.Name = "2024 价目表.pdf"
	if err := put(&moved); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if err := put(&CommonFile{SiteID: 1, Folder: "", Name: "x.pdf", Hash: h1}); err == nil {
		t.Fatal("a file without a folder was stored")
	}
	if err := db.Update(func(tx *Tx) error { return tx.DeleteCommonFile(price.ID) }); err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.CommonFile(price.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted file: %v", err)
		}
		if _, err := tx.CommonFileByName(1, "价目表", "a.pdf"); err != nil {
			t.Fatalf("by name: %v", err)
		}
		return nil
	})
	if err := db.Update(func(tx *Tx) error { return tx.DeleteCommonFile(price.ID) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}
