// Package notify sends each user's daily summary (doorstep.Summary) by e-mail
// through an SMTP server the operator names, once a day at a set time in the
// street's time zone. It needs no outside service beyond that server: what was
// sent is recorded in the database (store.DB.ClaimSummaryMail), so a restart never
// sends a day's summary twice. A user gets what they would see on signing in —
// staff their organization's, the office the street's — and never a resident's
// note, phone, text or contact, which summaries do not carry.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"doorstep"
	"doorstep/store"
)

// TimeOfDay is a time on the clock, such as 08:00.
type TimeOfDay struct{ Hour, Minute int }

// ParseTimeOfDay reads "HH:MM", 00:00 to 23:59.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return TimeOfDay{}, fmt.Errorf("%q is not a time of day such as 08:00", s)
	}
	return TimeOfDay{hour, minute}, nil
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Mailer sends the daily summaries. Its fields are set before Run or SendDue and
// not changed after.
type Mailer struct {
	DB          *store.DB
	SMTPAddr    string                // host:port of the SMTP server; STARTTLS is used when it offers it
	From        string                // the sender's address
	At          TimeOfDay             // when in the street's day the summaries go
	Location    func() *time.Location // the street's time zone
	OverdueDays int                   // 0: doorstep.DefaultOverdueDays
	PublicURL   string                // where the portal is reached, for the link in the mail; "" leaves it out
	Now         func() time.Time      // nil: time.Now
	Log         *slog.Logger          // nil: slog.Default()

	// send delivers one message; nil: smtp.SendMail to SMTPAddr.
	send func(addr, from, to string, msg []byte) error
}

// Run sends the day's summaries when they are due, looking every interval, until
// ctx ends; it returns then, having finished any mail it was sending.
func (m *Mailer) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := m.SendDue(ctx); err != nil && ctx.Err() == nil {
			m.log().Warn("daily summary mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// SendDue sends today's summary to every user with an address who has not had it
// yet, if it is At or later in the street's day, and returns how many mails went.
// A user with nothing new or overdue gets no mail that day. A mail that fails is
// tried again the next time; the first error is returned after trying the rest.
func (m *Mailer) SendDue(ctx context.Context) (int, error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	loc := time.UTC
	if m.Location != nil {
		loc = m.Location()
	}
	local := now.In(loc)
	if local.Hour()*60+local.Minute() < m.At.Hour*60+m.At.Minute {
		return 0, nil
	}
	day := local.Format(time.DateOnly)
	users, err := m.DB.MailRecipients(ctx)
	if err != nil {
		return 0, err
	}
	clock := doorstep.SummaryClock{Now: now, Loc: loc, OverdueDays: m.OverdueDays}
	sent, errs := 0, []error{}
	for _, u := range users {
		if ctx.Err() != nil {
			break
		}
		ok, err := m.sendOne(ctx, day, clock, u)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u.Username, err))
		} else if ok {
			sent++
			m.log().Info("daily summary sent", "user", u.Username, "day", day)
		}
	}
	return sent, errors.Join(errs...)
}

// sendOne claims, writes and sends one user's summary of the day; false when it
// was claimed already or had nothing to say.
func (m *Mailer) sendOne(ctx context.Context, day string, clock doorstep.SummaryClock, u *doorstep.User) (bool, error) {
	claimed, err := m.DB.ClaimSummaryMail(ctx, day, u)
	if err != nil || !claimed {
		return false, err
	}
	// The mail carries what the user would see on signing in.
	sum, err := m.DB.Summary(doorstep.NewContextWithUser(ctx, u), clock, 0)
	if err == nil && sum.Empty() {
		return false, m.DB.FinishSummaryMail(ctx, day, u.ID, store.MailEmpty)
	}
	if err == nil {
		send := m.send
		if send == nil {
			send = sendSMTP
		}
		err = send(m.SMTPAddr, m.From, u.Email, Message(m.From, u.Email, sum, m.PublicURL, clock.Now))
	}
	if err != nil {
		// Dropped, so the next look tries again; a failed drop leaves it claimed.
		return false, errors.Join(err, m.DB.FinishSummaryMail(context.WithoutCancel(ctx), day, u.ID, ""))
	}
	return true, m.DB.FinishSummaryMail(context.WithoutCancel(ctx), day, u.ID, store.MailSent)
}

// sendSMTP delivers msg through the server at addr, without authentication
// (a relay on the office's own network).
func sendSMTP(addr, from, to string, msg []byte) error {
	return smtp.SendMail(addr, nil, from, []string{to}, msg)
}

func (m *Mailer) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}
