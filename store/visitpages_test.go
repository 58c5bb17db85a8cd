package store

import "testing"

// TestVisitPages counts the newest visit's pages of one visitor only: the trails of visitors
// stored before and after them, and their own earlier visits, do not count.
func TestVisitPages(t *testing.T) {
	db, _ := openTest(t)
	var ids []uint64
	err := db.Update(func(tx *Tx) error {
		for _, key := range []string{"前一位访客-0000001", "这位访客-000000001", "后一位访客-0000001"} {
			v := &Visitor{SiteID: 1, Key: key}
			if err := tx.CreateVisitor(v); err != nil {
				return err
			}
			ids = append(ids, v.ID)
		}
		for _, pv := range []struct {
			who   int
			visit int
		}{{0, 1}, {0, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 2}, {1, 2}, {2, 2}, {0, 3}} {
			if err := tx.AddPageView(ids[pv.who], &PageView{Visit: pv.visit, URL: "https://shop.example.cn/产品"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *Tx) error {
		for _, tt := range []struct {
			who, visit, want int
		}{{1, 2, 2}, {1, 3, 0}, {0, 3, 1}, {2, 2, 1}, {2, 1, 0}} {
			if n, err := tx.VisitPages(ids[tt.who], tt.visit); err != nil || n != tt.want {
				t.Errorf("visitor %d, visit %d: %d pages (%v), want %d", tt.who, tt.visit, n, err, tt.want)
			}
		}
		return nil
	})
}
