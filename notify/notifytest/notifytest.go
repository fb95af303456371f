// Package notifytest is a real SMTP server on a loopback port for tests of the
// daily summary mail (github.com/emersion/go-smtp), keeping what it receives.
package notifytest

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Mail is one message the server took: the envelope and the message itself.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Server is an SMTP server that keeps every mail; SetRefuse makes it refuse
// recipients, as a server that takes no mail for now.
type Server struct {
	Addr string // host:port it listens on

	mu     sync.Mutex
	mails  []Mail
	refuse bool
}

// Start serves a new Server on 127.0.0.1 until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return s
}

// Take returns the mails received since the last Take.
func (s *Server) Take() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mails
	s.mails = nil
	return m
}

// SetRefuse sets whether the server refuses recipients.
func (s *Server) SetRefuse(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = refuse
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv *Server
	cur Mail
}

func (s *session) Reset()        { s.cur = Mail{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.refuse {
		return &smtp.SMTPError{Code: 450, Message: "mailbox unavailable, try later"}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.cur.Data = data
	s.srv.mails = append(s.srv.mails, s.cur)
	return nil
}

// Read decodes a mail of the daily summary: its one recipient (the envelope's,
// which the To header must repeat), its subject and its quoted-printable body.
func Read(tb testing.TB, m Mail) (to, subject, body string) {
	tb.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		tb.Fatal(err)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		tb.Fatal(err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		tb.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		tb.Fatal(err)
	}
	if len(m.To) != 1 || msg.Header.Get("To") != m.To[0] {
		tb.Fatalf("envelope to %v, header To %q", m.To, msg.Header.Get("To"))
	}
	return m.To[0], subject, string(b)
}
