// Package sessionkey makes, reads and writes the keys that sign and encrypt the
// portal's session cookies, for the server and for the command that rotates them.
package sessionkey

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Bytes is the length of one session key: 32 bytes to authenticate and
// 32 to encrypt.
const Bytes = 64

// New returns a new random session key in the form Parse reads.
func New() string {
	key := make([]byte, Bytes)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(key)
}

// ReadFile reads the session keys kept in the file at path, which must be
// readable by its owner only (like an ssh key: 0600 or 0400). When create is set and
// the file does not exist, it is made 0600 with a new key.
func ReadFile(path string, create bool) (string, error) {
	if create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if err := WriteFile(path, New()); err != nil {
				return "", err
			}
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("sessionkey: session key file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("sessionkey: session key file %s is %#o: others can read it; chmod 600 it", path, info.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("sessionkey: session key file: %w", err)
	}
	keys := strings.TrimSpace(string(data))
	if _, err := Parse(keys); err != nil {
		return "", fmt.Errorf("%w (in %s)", err, path)
	}
	return keys, nil
}

// WriteFile replaces the file at path by one holding keys, mode 0600,
// through a temporary file renamed over it, so a reader never sees half a key.
func WriteFile(path, keys string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*") // 0600
	if err != nil {
		return fmt.Errorf("sessionkey: session key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(keys + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("sessionkey: session key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sessionkey: session key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sessionkey: session key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sessionkey: session key file: %w", err)
	}
	return nil
}

// Parse reads DOORSTEP_SESSION_KEY: one or more keys separated by commas,
// each 64 bytes in hex (128 hex digits, e.g. from `openssl rand -hex 64`): the first
// 32 bytes authenticate, the last 32 encrypt. The first key signs new cookies; the
// others are still accepted, so keys can be rotated without signing everyone out.
func Parse(s string) ([][]byte, error) {
	var pairs [][]byte
	for i, part := range strings.Split(s, ",") {
		key, err := hex.DecodeString(strings.TrimSpace(part))
		if err != nil || len(key) != Bytes {
			return nil, fmt.Errorf("sessionkey: session key %d must be %d bytes as %d hex digits", i+1, Bytes, 2*Bytes)
		}
		pairs = append(pairs, key[:32], key[32:])
	}
	return pairs, nil
}
