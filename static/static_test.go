package static

import (
	"io/fs"
	"strings"
	"testing"
)

// TestNoStreetNameInPages keeps the sample street's name out of the pages: every
// page takes the street's name from /api/meta, so another street's portal never
// shows it.
func TestNoStreetNameInPages(t *testing.T) {
	err := fs.WalkDir(Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "vendor/") {
			return err
		}
		body, err := fs.ReadFile(Files, path)
		if err != nil {
			return err
		}
		for _, name := range []string{"凉城新村", "Liangcheng"} {
			if strings.Contains(string(body), name) {
				t.Errorf("%s names the sample street (%s)", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
