package server

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"doorstep/store/storetest"
)

// TestHostileSignInBurst sends 150 concurrent wrong passwords for one user: at most
// signInFreeAttempts of them are checked (401), the rest refused unchecked (429).
// The rightful user still signs in: at once from a browser they signed in from
// before, and from a new one after the delay the 429 names.
func TestHostileSignInBurst(t *testing.T) {
	p := newStaffPortal(t)
	usual := p.signedIn(t, "staff") // the user's own browser, known from before
	attacker := p.client(t)
	attacker.session() // one CSRF token for the whole burst
	burst := func() {
		t.Helper()
		const n = 150
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				status, _ := attacker.signIn("staff", "wrong password "+strconv.Itoa(i))
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[http.StatusUnauthorized] > signInFreeAttempts || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != n {
			t.Fatalf("%d concurrent wrong passwords answered %v: want at most %d checked (401), the rest 429",
				n, statuses, signInFreeAttempts)
		}
	}

	// From a new browser: told to wait, then let in.
	burst()
	fresh := p.client(t)
	fresh.session()
	r := fresh.do(http.MethodPost, "/api/session", map[string]string{"username": "staff", "password": storetest.Password}, nil)
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || err != nil || retry < 1 || time.Duration(retry)*time.Second > signInMaxDelay {
		t.Fatalf("from a new browser: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	p.clock.advance(time.Duration(retry) * time.Second)
	if status, body := fresh.signIn("staff", storetest.Password); status != http.StatusOK {
		t.Errorf("from a new browser after the delay: %d %s", status, body)
	}

	// From the usual browser: at once.
	burst()
	if status, body := usual.signIn("STAFF", storetest.Password); status != http.StatusOK {
		t.Errorf("from a known browser right after the burst: %d %s", status, body)
	}
}

// TestHostileSignInNoLockout: wrong passwords slow further guesses exponentially
// but never lock the user out for longer than signInMaxDelay; failures from one
// address with names that exist do not lock that address's other users out.
func TestHostileSignInNoLockout(t *testing.T) {
	p := newStaffPortal(t)
	attacker := p.client(t)
	attacker.session()
	var last time.Duration
	for i := range signInFreeAttempts + 15 {
		r := attacker.do(http.MethodPost, "/api/session", map[string]string{"username": "staff", "password": "wrong " + strconv.Itoa(i)}, nil)
		if r.status == http.StatusTooManyRequests {
			retry, _ := strconv.Atoi(r.header.Get("Retry-After"))
			wait := time.Duration(retry) * time.Second
			if wait < last || wait > signInMaxDelay {
				t.Fatalf("attempt %d: wait %v after %v (max %v)", i, wait, last, signInMaxDelay)
			}
			last = wait
			p.clock.advance(wait)
			if r = attacker.do(http.MethodPost, "/api/session", map[string]string{"username": "staff", "password": "wrong"}, nil); r.status != http.StatusUnauthorized {
				t.Fatalf("attempt %d after waiting %v: %d", i, wait, r.status)
			}
		} else if r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
		}
	}
	if last != signInMaxDelay {
		t.Errorf("the delay grew to %v, want %v", last, signInMaxDelay)
	}
	// The right password after the delay.
	p.clock.advance(signInMaxDelay)
	if status, body := p.client(t).signIn("staff", storetest.Password); status != http.StatusOK {
		t.Errorf("right password after the delay: %d %s", status, body)
	}
	// Everyone else at the same address is unaffected.
	for _, u := range []string{"office", "admin", "other.staff"} {
		if status, body := attacker.signIn(u, storetest.Password); status != http.StatusOK {
			t.Errorf("%s from the attacker's address: %d %s", u, status, body)
		}
	}
	// Names that do not exist count per address.
	var refused bool
	for i := range signInFreePerAddress + 1 {
		if status, _ := attacker.signIn("nobody"+strconv.Itoa(i), "wrong password"); status == http.StatusTooManyRequests {
			refused = true
		}
	}
	if !refused {
		t.Errorf("%d unknown names from one address were all checked", signInFreePerAddress+1)
	}
	if status, _ := attacker.signIn("office", storetest.Password); status != http.StatusOK {
		t.Errorf("a real user from an address guessing names: %d", status)
	}
}

// TestHostileTrustedProxies: X-Forwarded-For names the client only when the peer
// is a trusted proxy, for the access log and the sign-in throttle alike.
func TestHostileTrustedProxies(t *testing.T) {
	guess := func(c *staffClient, forwardedFor string, n int) (last int) {
		for i := range n {
			r := c.do(http.MethodPost, "/api/session", map[string]string{"username": "nobody" + strconv.Itoa(i), "password": "wrong password"},
				map[string]string{"X-Forwarded-For": forwardedFor})
			last = r.status
		}
		return last
	}
	t.Run("untrusted", func(t *testing.T) {
		s, logs := newLoggedPortal(t, Config{})
		c := portalOn(t, s).client(t)
		c.session()
		guess(c, "203.0.113.9", 1)
		for _, rec := range logs.records(t, "request") {
			if rec["ip"] != "127.0.0.1" {
				t.Errorf("access log ip %v from an untrusted peer's X-Forwarded-For", rec["ip"])
			}
		}
		// Rotating X-Forwarded-For does not escape the per-address count.
		guess(c, "203.0.113.1", signInFreePerAddress)
		if code := guess(c, "203.0.113.2", 1); code != http.StatusTooManyRequests {
			t.Errorf("a new X-Forwarded-For from the same peer: %d, want 429", code)
		}
	})
	t.Run("trusted", func(t *testing.T) {
		s, logs := newLoggedPortal(t, Config{TrustedProxies: []string{"127.0.0.1/32"}})
		c := portalOn(t, s).client(t)
		c.session()
		guess(c, "203.0.113.9", 1)
		if recs := logs.records(t, "request"); len(recs) < 2 || recs[1]["ip"] != "203.0.113.9" {
			t.Errorf("access log behind a trusted proxy: %v", recs)
		}
		if code := guess(c, "203.0.113.1", signInFreePerAddress+1); code != http.StatusTooManyRequests {
			t.Errorf("one client behind the proxy guessing names: %d, want 429", code)
		}
		if code := guess(c, "203.0.113.2", 1); code == http.StatusTooManyRequests {
			t.Errorf("another client behind the same proxy was refused")
		}
	})
}
