package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"doorstep"
	"doorstep/store"

	"golang.org/x/term"
)

const userUsage = `usage: doorstep user <command> [flags]

commands:
  add      --db D --username U --role staff|office|admin [--org ID]
           add an account; the password is read from standard input
  passwd   --db D --username U
           set a new password, read from standard input; ends the user's sessions
  disable  --db D --username U
           stop a user signing in; ends their sessions at once
  enable   --db D --username U
           let a disabled user sign in again
  email    --db D --username U --email ADDRESS
           send the user's daily summary to ADDRESS (--email "" stops it);
           serve --smtp-addr sends it
  list     --db D
           show every account
  orgs     --db D
           show the organizations (the IDs --org takes)

Passwords have at least 10 characters. From a terminal they are asked for twice
without echo; otherwise the first line of standard input is the password, e.g.
  echo "$PASSWORD" | doorstep user add --username wang.li --role staff --org 3`

// runUser runs "doorstep user ...": accounts of station staff, the street office
// and admins. Every change is written to the audit log with no user (the command
// line) as its author.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, userUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("user "+sub, stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	var username, role, email *string
	var org *int64
	switch sub {
	case "add":
		role = fs.String("role", "", "staff, office or admin")
		org = fs.Int64("org", 0, "organization id (required for staff; see doorstep user orgs)")
		fallthrough
	case "email":
		email = fs.String("email", "", `the address for the daily summary, "" for none`)
		username = fs.String("username", "", "the user's name: letters, digits and . _ - @")
	case "passwd", "disable", "enable":
		username = fs.String("username", "", "the user's name: letters, digits and . _ - @")
	case "list", "orgs":
	case "help":
		fmt.Fprintln(stdout, userUsage)
		return nil
	default:
		return fmt.Errorf("unknown user command %q\n%s", sub, userUsage)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("user %s: unexpected argument %q", sub, fs.Arg(0))
	}
	if username != nil && *username == "" {
		return fmt.Errorf("user %s: --username is required", sub)
	}
	if _, err := os.Stat(*dbPath); sub != "add" && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("user %s: no database at %s", sub, *dbPath)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()

	switch sub {
	case "add":
		u := &doorstep.User{Username: *username, Role: doorstep.Role(*role)}
		if *org != 0 {
			u.OrganizationID = org
		}
		if err := u.Validate(); err != nil { // before asking for a password
			return userError(err)
		}
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if err := db.CreateUser(ctx, u, password); err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "added %s user %s (id %d)\n", u.Role, u.Username, u.ID)
	case "passwd":
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if err := db.SetPassword(ctx, *username, password); err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "changed the password of %s; their sessions have ended\n", *username)
	case "disable", "enable":
		if err := db.SetUserDisabled(ctx, *username, sub == "disable"); err != nil {
			return userError(err)
		}
		fmt.Fprintf(stdout, "%sd %s\n", sub, *username)
	case "email":
		if err := db.SetUserEmail(ctx, *username, strings.TrimSpace(*email)); err != nil {
			return userError(err)
		}
		if *email == "" {
			fmt.Fprintf(stdout, "%s gets no daily summary by e-mail\n", *username)
		} else {
			fmt.Fprintf(stdout, "%s gets the daily summary at %s\n", *username, strings.TrimSpace(*email))
		}
	case "list":
		return listUsers(ctx, db, stdout)
	case "orgs":
		return listOrganizations(ctx, db, stdout)
	}
	return nil
}

// userError turns an application error into its message, for a person at a terminal.
func userError(err error) error {
	if code := doorstep.ErrorCode(err); code != doorstep.EINTERNAL {
		return errors.New(doorstep.ErrorMessage(err))
	}
	return err
}

// readPassword reads a new password: from a terminal twice without echo, else the
// first line of stdin (its line ending removed, nothing else).
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			return string(b), err
		}
		first, err := ask(fmt.Sprintf("New password (at least %d characters): ", doorstep.MinPasswordRunes))
		if err != nil {
			return "", err
		}
		again, err := ask("The same password again: ")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", errors.New("the two passwords differ")
		}
		return first, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, doorstep.MaxPasswordBytes+3)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on standard input: give it as the first line")
	}
	return line, nil
}

func listUsers(ctx context.Context, db *store.DB, stdout io.Writer) error {
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	rows := [][]any{{"ID", "USERNAME", "ROLE", "ORG", "STATE", "EMAIL"}}
	for _, u := range users {
		org, state, email := "-", "active", "-"
		if u.Email != "" {
			email = u.Email
		}
		if u.OrganizationID != nil {
			org = fmt.Sprint(*u.OrganizationID)
		}
		if u.Disabled {
			state = "disabled"
		}
		rows = append(rows, []any{u.ID, u.Username, u.Role, org, state, email})
	}
	return printTable(stdout, rows)
}

func listOrganizations(ctx context.Context, db *store.DB, stdout io.Writer) error {
	orgs, err := db.Organizations(ctx)
	if err != nil {
		return err
	}
	rows := [][]any{{"ID", "KIND", "NAME"}}
	for _, o := range orgs {
		rows = append(rows, []any{o.ID, o.Kind, o.Name})
	}
	return printTable(stdout, rows)
}

// printTable writes rows as aligned columns, the first row being the heading.
func printTable(stdout io.Writer, rows [][]any) error {
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				fmt.Fprint(w, "\t")
			}
			fmt.Fprint(w, cell)
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}
