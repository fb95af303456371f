package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"doorstep/server/sessionkey"
	"doorstep/store"
)

const keysUsage = `usage: doorstep keys rotate [--db D] [--session-key-file F]

Replaces the session key that signs and encrypts sign-in cookies and signs every
user out: a cookie made with the old key, real or forged, no longer works. The key
is replaced where the server reads it: in --session-key-file when given (written
0600), else in the database. A running server takes the new key up within seconds.
A key set in DOORSTEP_SESSION_KEY cannot be rotated here: set a new value there
(openssl rand -hex 64) and restart; this command still signs everyone out.`

// runKeys runs "doorstep keys rotate".
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(stderr, keysUsage)
		if len(args) > 0 && isHelp(args[0]) {
			return nil
		}
		return flag.ErrHelp
	}
	fs := newFlagSet("keys rotate", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	keyFile := fs.String("session-key-file", envDefault("DOORSTEP_SESSION_KEY_FILE", ""),
		"file holding the session key (DOORSTEP_SESSION_KEY_FILE); default: the key kept in the database")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys rotate: unexpected argument %q", fs.Arg(0))
	}
	if _, err := os.Stat(*dbPath); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("keys rotate: no database at %s", *dbPath)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	key := sessionkey.New()
	switch {
	case strings.TrimSpace(os.Getenv("DOORSTEP_SESSION_KEY")) != "":
		if err := db.RotateSessionKey(ctx, ""); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "every user is signed out; the key comes from DOORSTEP_SESSION_KEY: set a new one there and restart the server")
		return nil
	case *keyFile != "":
		// The file first: signing everyone out with the old key still in place
		// would leave it usable for new forged cookies.
		if err := sessionkey.WriteFile(*keyFile, key); err != nil {
			return err
		}
		if err := db.RotateSessionKey(ctx, ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new session key in %s; every user is signed out\n", *keyFile)
	default:
		if err := db.RotateSessionKey(ctx, key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new session key in %s; every user is signed out\n", *dbPath)
	}
	return nil
}
