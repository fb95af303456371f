package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"doorstep/internal/testenv"
)

var crashRounds = flag.Int("crash.rounds", 0, "kill -9 rounds of TestCrashKeepsAcknowledgedWrites (default 4, 100 with DOORSTEP_LONG=1)")

// buildDoorstep builds the real command into a temporary directory.
func buildDoorstep(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "doorstep")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// doorstepProcess is the real binary serving a database on a free loopback port,
// its JSON logs in a file.
type doorstepProcess struct {
	cmd  *exec.Cmd
	base string
	logs string
	done chan error
}

// startDoorstep starts "doorstep serve" on dbPath; the address is read from its log
// by waitListening.
func startDoorstep(t *testing.T, bin, dbPath string) *doorstepProcess {
	t.Helper()
	logs := filepath.Join(t.TempDir(), "serve.log")
	f, err := os.Create(logs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, "serve", "--db", dbPath, "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "DOORSTEP_SESSION_KEY=") // keys from the database: sessions survive restarts
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &doorstepProcess{cmd: cmd, logs: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// logRecords returns the process's JSON log records so far.
func (p *doorstepProcess) logRecords() []map[string]any {
	data, _ := os.ReadFile(p.logs)
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// waitReady waits until the process listens and GET /readyz answers 200.
func (p *doorstepProcess) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			t.Fatalf("doorstep exited before it was ready: %v\n%s", err, readFile(p.logs))
		default:
		}
		if p.base == "" {
			for _, rec := range p.logRecords() {
				if rec["msg"] == "doorstep listening" {
					p.base = "http://" + rec["addr"].(string)
				}
			}
		}
		if p.base != "" {
			if res, err := http.Get(p.base + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("doorstep not ready within 30 s\n%s", readFile(p.logs))
}

// kill9 kills the process with SIGKILL and waits for it.
func (p *doorstepProcess) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	<-p.done
}

func readFile(path string) string {
	data, _ := os.ReadFile(path)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}

// staffSession is a signed-in client of the editing API: its cookie jar and CSRF token.
type staffSession struct {
	hc   *http.Client
	csrf string
}

// addUser runs "doorstep user add" on dbPath, the password on stdin.
func addUser(t *testing.T, bin, dbPath, username, role string) string {
	t.Helper()
	const password = "crash-test-password"
	cmd := exec.Command(bin, "user", "add", "--db", dbPath, "--username", username, "--role", role)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	return password
}

// signIn signs in through GET /api/session (the CSRF token) and POST /api/session.
func signIn(t *testing.T, base, username, password string) *staffSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &staffSession{hc: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	if status := s.call(base, http.MethodGet, "/api/session", nil, nil, &sess); status != http.StatusOK {
		t.Fatalf("GET /api/session: %d", status)
	}
	s.csrf = sess.CSRF
	body := map[string]string{"username": username, "password": password}
	if status := s.call(base, http.MethodPost, "/api/session", body, nil, &sess); status != http.StatusOK {
		t.Fatalf("sign in: %d", status)
	}
	s.csrf = sess.CSRF
	return s
}

// call sends a JSON request with the session's CSRF token and decodes a 2xx answer
// into out; it returns the status, or 0 when the request failed (server gone).
func (s *staffSession) call(base, method, path string, body any, header map[string]string, out any) int {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.hc.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return 0 // the answer was cut: not acknowledged
	}
	if res.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return 0
		}
	}
	return res.StatusCode
}

// ackedWrite is a change the server acknowledged with a 2xx.
type ackedWrite struct {
	id      int64
	version int64 // 1 for a created listing
	text    string
}

type listing struct {
	ID             int64   `json:"id"`
	Version        int64   `json:"version"`
	Note           string  `json:"note"`
	Name           string  `json:"name"`
	Category       string  `json:"category"`
	OrganizationID int64   `json:"organization_id"`
	Lon            float64 `json:"lon"`
	Lat            float64 `json:"lat"`
}

// writeUntilGone changes listing id (PATCH with If-Match) and now and then creates
// a listing beside it, until the server stops answering; it returns what was
// acknowledged, and how many changes sent before the last kill (after the last
// acknowledged version, lastAcked) had landed without an answer.
func writeUntilGone(s *staffSession, base string, id, lastAcked int64, label string) (acked []ackedWrite, landedUnanswered int) {
	var current listing
	if s.call(base, http.MethodGet, fmt.Sprintf("/api/services/%d", id), nil, nil, &current) != http.StatusOK {
		return nil, 0
	}
	if lastAcked > 0 {
		landedUnanswered = int(current.Version - lastAcked)
	}
	for n := 0; ; n++ {
		if n%5 == 4 {
			name := fmt.Sprintf("crash %s n%d", label, n)
			body := map[string]any{"category": current.Category, "name": name, "lon": current.Lon, "lat": current.Lat,
				"organization_id": current.OrganizationID}
			var created listing
			switch s.call(base, http.MethodPost, "/api/services", body, nil, &created) {
			case http.StatusCreated:
				acked = append(acked, ackedWrite{id: created.ID, version: 1, text: name})
				continue
			case 0:
				return acked, landedUnanswered
			}
			continue
		}
		note := fmt.Sprintf("crash %s n%d", label, n)
		var updated listing
		status := s.call(base, http.MethodPatch, fmt.Sprintf("/api/services/%d", id), map[string]string{"note": note},
			map[string]string{"If-Match": fmt.Sprint(current.Version)}, &updated)
		switch status {
		case http.StatusOK:
			acked = append(acked, ackedWrite{id: id, version: updated.Version, text: note})
			current.Version = updated.Version
		case http.StatusConflict: // cannot happen: each writer has its own listing
			return append(acked, ackedWrite{id: -int64(status)}), landedUnanswered
		case 0:
			return acked, landedUnanswered
		default:
			return append(acked, ackedWrite{id: -int64(status)}), landedUnanswered // reported by the caller
		}
	}
}

// TestCrashKeepsAcknowledgedWrites runs the real binary and kills it with SIGKILL at
// random moments — while writers change and create listings through the editing
// API, and sometimes while it starts — then restarts it. At the end the database
// passes PRAGMA integrity_check and holds every write that was answered 2xx: each
// change in the audit log with its version and note, each created listing by name.
// make test runs 4 rounds, make test-long 100; -crash.rounds=N runs N.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	rounds := *crashRounds
	if rounds <= 0 {
		rounds = testenv.Count(4, 100)
	}
	bin := buildDoorstep(t)
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	// The sample first: serve fills only a file it creates, and user add creates it.
	if out, err := exec.Command(bin, "sample", "--db", dbPath).CombinedOutput(); err != nil {
		t.Fatalf("sample: %v\n%s", err, out)
	}
	password := addUser(t, bin, dbPath, "crash.office", "office")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
	const writers = 4
	ids := []int64{1, 2, 3, 4}

	var (
		session     *staffSession
		acked       []ackedWrite
		startKills  int
		unanswered  int                 // changes that landed although the kill cut their answer
		lastVersion = map[int64]int64{} // each writer's listing at its last acknowledged change
		start       = time.Now()
	)
	for round := range rounds {
		p := startDoorstep(t, bin, dbPath)
		if round > 0 && rng.IntN(5) == 0 { // kill while it starts: opening, recovering the WAL, building
			time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
			p.kill9(t)
			startKills++
			continue
		}
		p.waitReady(t)
		if session == nil {
			session = signIn(t, p.base, "crash.office", password)
		}
		results := make([][]ackedWrite, writers)
		landed := make([]int, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				results[w], landed[w] = writeUntilGone(session, p.base, ids[w], lastVersion[ids[w]], fmt.Sprintf("r%d w%d", round, w))
			})
		}
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		p.kill9(t)
		wg.Wait()
		for w, r := range results {
			for _, a := range r {
				if a.id < 0 {
					t.Fatalf("round %d: a write was answered %d\n%s", round, -a.id, readFile(p.logs))
				}
				if a.id == ids[w] {
					lastVersion[a.id] = a.version
				}
			}
			acked = append(acked, r...)
			if landed[w] < 0 {
				t.Fatalf("round %d: listing %d went back to an older version", round, ids[w])
			}
			unanswered += landed[w]
		}
	}
	t.Logf("%d rounds (%d killed while starting) in %s: %d writes acknowledged; %d more landed with their answer cut off",
		rounds, startKills, time.Since(start).Round(time.Millisecond), len(acked), unanswered)
	if len(acked) < rounds {
		t.Errorf("only %d writes acknowledged in %d rounds: the test did not exercise the server", len(acked), rounds)
	}
	checkCrashedDatabase(t, dbPath, acked)
}

// checkCrashedDatabase opens the database as the crash left it (SQLite recovers the
// WAL) and checks its integrity and every acknowledged write.
func checkCrashedDatabase(t *testing.T, dbPath string, acked []ackedWrite) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	// What the database holds: every audited change (listing, version, note) and
	// every listing's name, read once.
	type change struct {
		id, version int64
		note        string
	}
	changes, names := map[change]bool{}, map[int64]string{}
	rows, err := db.Query(`SELECT entity_id, json_extract(after, '$.version'), json_extract(after, '$.note')
		FROM audit WHERE entity = 'service' AND action = 'update'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.version, &c.note); err != nil {
			t.Fatal(err)
		}
		changes[c] = true
	}
	rows.Close()
	rows, err = db.Query(`SELECT id, name FROM services`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		names[id] = name
	}
	rows.Close()
	missing := 0
	for _, a := range acked {
		present := changes[change{a.id, a.version, a.text}]
		if a.version == 1 {
			present = names[a.id] == a.text
		}
		if !present {
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged write lost: listing %d version %d %q", a.id, a.version, a.text)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged writes lost", missing, len(acked))
	}
	t.Logf("integrity_check ok; all %d acknowledged writes present", len(acked))
}

// TestGracefulShutdown sends SIGTERM to the real binary while clients send lookups
// on fresh connections: every request the server served reached its client whole
// (none cut off), the process exits 0, and the database is closed cleanly (its
// WAL checkpointed and removed).
func TestGracefulShutdown(t *testing.T) {
	bin := buildDoorstep(t)
	dbPath := filepath.Join(t.TempDir(), "graceful.db")
	p := startDoorstep(t, bin, dbPath)
	p.waitReady(t)

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	var ok, other atomic.Int64
	var failures sync.Map
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				res, err := client.Get(p.base + "/api/doorstep?lon=121.465&lat=31.29")
				if err != nil {
					return // refused or reset before the server accepted it: never served
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				switch {
				case err != nil:
					failures.Store(err.Error(), true)
				case res.StatusCode == http.StatusOK:
					ok.Add(1)
				default:
					other.Add(1)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, readFile(p.logs))
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit within 15 s of SIGTERM")
	}
	wg.Wait()
	failures.Range(func(k, _ any) bool { t.Errorf("an answer was cut off: %v", k); return true })
	if other.Load() > 0 {
		t.Errorf("%d answers were not 200", other.Load())
	}
	served := 0
	var stopped bool
	for _, rec := range p.logRecords() {
		if rec["msg"] == "request" && rec["route"] == "/api/doorstep" && rec["status"] == float64(200) {
			served++
		}
		stopped = stopped || rec["msg"] == "stopped"
	}
	if !stopped {
		t.Errorf("no \"stopped\" log record:\n%s", readFile(p.logs))
	}
	if int64(served) != ok.Load() || served == 0 {
		t.Errorf("the server served %d lookups, clients received %d", served, ok.Load())
	}
	if st, err := os.Stat(dbPath + "-wal"); err == nil && st.Size() > 0 {
		t.Errorf("WAL left behind (%d bytes): the database was not closed cleanly", st.Size())
	}
	t.Logf("%d lookups served and received during shutdown", served)
}

// TestServeRejectsBadLogFlags: a log format or level that does not exist stops
// serve before it opens anything.
func TestServeRejectsBadLogFlags(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "never.db")
	for _, args := range [][]string{{"--log-format", "xml"}, {"--log-level", "loud"}} {
		err := run(context.Background(), append([]string{"serve", "--db", dbPath}, args...), io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("serve %v: %v", args, err)
		}
	}
	if _, err := os.Stat(dbPath); err == nil {
		t.Error("serve created the database before refusing its flags")
	}
}
