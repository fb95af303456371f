package notify

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/notify/notifytest"
	"doorstep/store"
	"doorstep/store/storetest"
)

func TestMain(m *testing.M) {
	storetest.UseCheapPasswords()
	os.Exit(m.Run())
}

// TestDailyMail sends the summaries through a real SMTP server on loopback: not
// before 08:00 in Shanghai; at 08:00 one to the staff member and one to the
// office, with their own counts and items and never a resident's phone or note;
// nothing to a user with nothing new or overdue; nothing more the same day, by
// the same mailer or a new one (a restart); again the next day. A server that
// refuses gets the mail again on the next look.
func TestDailyMail(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenSampleDB(t)
	now := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	db.Now = func() time.Time { return now }
	own, other, ownSvc, _ := storetest.MustOrganizations(t, db)
	staff := storetest.MustCreateUser(t, db, "staff", doorstep.RoleStaff, own)
	storetest.MustCreateUser(t, db, "other.staff", doorstep.RoleStaff, other)
	office := storetest.MustCreateUser(t, db, "office", doorstep.RoleOffice, 0)
	for user, addr := range map[string]string{"staff": "staff@example.org", "other.staff": "other@example.org", "office": "office@example.org"} {
		if err := db.SetUserEmail(ctx, user, addr); err != nil {
			t.Fatal(err)
		}
	}
	report := func() {
		t.Helper()
		if _, err := db.CreateReport(ctx, &doorstep.NewReport{ServiceID: ownSvc.ID, Kind: "phone", Note: "请打13812345678",
			Phone: "13812345678"}); err != nil {
			t.Fatal(err)
		}
	}
	report()
	officeCtx := doorstep.NewContextWithUser(ctx, office)
	if err := db.AddSuggestionCategory(officeCtx, "城市管理"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateSuggestion(ctx, &doorstep.NewSuggestion{Title: "路灯坏了", Text: "晚上太黑", Category: "城市管理",
		Contact: "13912345678"}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(8 * 24 * time.Hour) // 2026-12-05 09:00 in Shanghai
	report()

	srv := notifytest.Start(t)
	addr := srv.Addr
	newMailer := func() *Mailer {
		return &Mailer{DB: db, SMTPAddr: addr, From: "doorstep@example.org", At: TimeOfDay{8, 0},
			Location: func() *time.Location { return doorstep.Shanghai }, PublicURL: "https://doorstep.example.org/",
			Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	}
	m := newMailer()
	send := func(wantSent int) []notifytest.Mail {
		t.Helper()
		n, err := m.SendDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mails := srv.Take()
		if n != wantSent || len(mails) != wantSent {
			t.Fatalf("sent %d, the server got %d mails, want %d", n, len(mails), wantSent)
		}
		return mails
	}

	now = time.Date(2026, 12, 5, 23, 59, 0, 0, time.UTC) // 07:59 on the 6th in Shanghai
	send(0)
	now = now.Add(time.Minute) // 08:00
	mails := send(2)
	byTo := map[string][2]string{}
	for _, mm := range mails {
		if mm.From != "doorstep@example.org" {
			t.Errorf("envelope from %q", mm.From)
		}
		to, subject, body := notifytest.Read(t, mm)
		byTo[to] = [2]string{subject, body}
		if strings.Contains(body, "13812345678") || strings.Contains(body, "13912345678") || strings.Contains(body, "请打") ||
			strings.Contains(body, "晚上太黑") || strings.Contains(subject, "1381") {
			t.Errorf("mail to %s carries a resident's note, text or contact:\n%s", to, body)
		}
	}
	tests := []struct {
		to      string
		subject string
		body    []string
		absent  []string
	}{
		{"staff@example.org", "家门口今日提醒 2026-12-06：新 1 条，超期 1 条",
			[]string{ownSvc.Name, "待处理 2 条", "超期 8 天", "电话不对", "https://doorstep.example.org/staff", "Residents' reports: 2 open", "8 days overdue"},
			[]string{"意见建议", "路灯坏了"}},
		{"office@example.org", "家门口今日提醒 2026-12-06：新 1 条，超期 2 条",
			[]string{ownSvc.Name, "意见建议：未办结 1 条", "路灯坏了", "已收到", "https://doorstep.example.org/office", "Suggestions: 1 open"}, nil},
	}
	if len(byTo) != len(tests) {
		t.Errorf("mails went to %v", slices.Collect(func(yield func(string) bool) {
			for k := range byTo {
				if !yield(k) {
					return
				}
			}
		}))
	}
	for _, tc := range tests {
		got, ok := byTo[tc.to]
		if !ok {
			t.Errorf("no mail to %s", tc.to)
			continue
		}
		if !strings.HasPrefix(got[0], tc.subject) {
			t.Errorf("subject to %s %q, want %q…", tc.to, got[0], tc.subject)
		}
		for _, w := range tc.body {
			if !strings.Contains(got[1], w) {
				t.Errorf("mail to %s lacks %q:\n%s", tc.to, w, got[1])
			}
		}
		for _, w := range tc.absent {
			if strings.Contains(got[1], w) {
				t.Errorf("mail to %s has %q:\n%s", tc.to, w, got[1])
			}
		}
	}
	states, err := db.SummaryMails(ctx, "2026-12-06")
	if err != nil {
		t.Fatal(err)
	}
	if states[staff.ID] != store.MailSent || states[office.ID] != store.MailSent || len(states) != 3 {
		t.Errorf("recorded %v, want the two sent and other.staff's empty", states)
	}

	// The same day: nothing more, from this mailer or after a restart.
	now = now.Add(3 * time.Hour)
	send(0)
	m = newMailer()
	send(0)

	// The next day the server refuses: nothing is recorded as sent, and the next
	// look, once it takes mail again, sends both.
	now = now.Add(24 * time.Hour)
	srv.SetRefuse(true)
	if n, err := m.SendDue(ctx); n != 0 || err == nil {
		t.Errorf("a refusing server: %d sent, err %v", n, err)
	}
	srv.SetRefuse(false)
	send(2)
}

// TestRunStops: the sender's loop sends when due and returns when its context ends.
func TestRunStops(t *testing.T) {
	db := storetest.MustOpenSampleDB(t)
	m := &Mailer{DB: db, At: TimeOfDay{0, 0}, Log: slog.New(slog.DiscardHandler),
		send: func(string, string, string, []byte) error { return errors.New("no mail expected") }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		m.Run(ctx, time.Millisecond)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestParseTimeOfDay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TimeOfDay
		ok   bool
	}{
		{"08:00", TimeOfDay{8, 0}, true},
		{"23:59", TimeOfDay{23, 59}, true},
		{" 7:05 ", TimeOfDay{7, 5}, true},
		{"24:00", TimeOfDay{}, false},
		{"08:60", TimeOfDay{}, false},
		{"8", TimeOfDay{}, false},
		{"08:0", TimeOfDay{}, false},
		{"", TimeOfDay{}, false},
	} {
		got, err := ParseTimeOfDay(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v", tc.in, got, err)
		}
	}
}
