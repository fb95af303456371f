package storetest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// UsualUmask sets the process umask to the usual 022 for the rest of the test,
// so a file left world-readable by its mode would show it.
func UsualUmask(t testing.TB) {
	t.Helper()
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

// WantPrivate fails the test for each path that is missing or not mode 0600.
func WantPrivate(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			t.Errorf("stat: %v", err)
			continue
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s is %#o, want 0600", filepath.Base(p), mode)
		}
	}
}
