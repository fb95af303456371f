package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/notify/notifytest"
	"doorstep/store"
	"doorstep/store/storetest"
)

// TestServeSendsDailySummary runs the real serve command with --smtp-addr: the
// staff member with an address gets their organization's summary from the real
// SMTP server the test started, serve stops cleanly with its sender, and a
// restart the same day sends nothing. Flags that cannot work are refused.
func TestServeSendsDailySummary(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "mail.db")
	serveFor(t, dbPath, func(string) {}) // fills the sample street
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	own, _, ownSvc, _ := storetest.MustOrganizations(t, db)
	storetest.MustCreateUser(t, db, "wang.li", doorstep.RoleStaff, own)
	if err := db.SetUserEmail(ctx, "wang.li", "wang.li@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateReport(ctx, &doorstep.NewReport{ServiceID: ownSvc.ID, Kind: "hours", Phone: "13812345678"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	srv := notifytest.Start(t)
	flags := []string{"--smtp-addr", srv.Addr, "--smtp-from", "doorstep@example.org", "--mail-summary-at", "00:00",
		"--public-url", "https://doorstep.example.org"}
	var mails []notifytest.Mail
	log := serveFor(t, dbPath, func(string) {
		for deadline := time.Now().Add(15 * time.Second); len(mails) == 0 && time.Now().Before(deadline); {
			mails = append(mails, srv.Take()...)
			time.Sleep(20 * time.Millisecond)
		}
	}, flags...)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want 1; serve logged:\n%s", len(mails), log)
	}
	to, subject, body := notifytest.Read(t, mails[0])
	if to != "wang.li@example.org" || !strings.Contains(subject, "家门口今日提醒") || !strings.Contains(body, ownSvc.Name) ||
		!strings.Contains(body, "开放时间不对") || !strings.Contains(body, "https://doorstep.example.org/staff") || strings.Contains(body, "13812345678") {
		t.Errorf("mail to %s, %q:\n%s", to, subject, body)
	}
	if !strings.Contains(log, "daily summary sent") {
		t.Errorf("serve did not log the mail:\n%s", log)
	}

	serveFor(t, dbPath, func(string) { time.Sleep(500 * time.Millisecond) }, flags...)
	if again := srv.Take(); len(again) != 0 {
		t.Errorf("a restart the same day sent %d more mails", len(again))
	}

	for _, bad := range [][]string{
		{"--smtp-addr", srv.Addr},
		{"--smtp-addr", "mail.example.org", "--smtp-from", "doorstep@example.org"},
		{"--smtp-addr", srv.Addr, "--smtp-from", "Doorstep <doorstep@example.org>"},
		{"--mail-summary-at", "25:00"},
	} {
		err := run(ctx, append([]string{"serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, bad...), nil, &strings.Builder{}, nil)
		if err == nil {
			t.Errorf("serve %v started", bad)
		}
	}
}
