package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateMode is the mode of every database file the portal creates: the database
// holds password hashes and, unless kept elsewhere, the session key. SQLite gives
// the -wal and -shm files the database file's own mode.
const privateMode fs.FileMode = 0o600

// makePrivate creates the database file at path empty with privateMode when it does
// not exist — SQLite would create it 0644, readable by every local user — and takes
// group and other permissions from it, and from its -wal and -shm files, when it
// does.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if err == nil {
		return f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 && info.Mode().IsRegular() {
			if err := os.Chmod(p, mode&^0o077); err != nil {
				return fmt.Errorf("store: make %s private: %w", p, err)
			}
		}
	}
	return nil
}
