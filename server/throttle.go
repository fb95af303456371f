package server

import (
	"sync"
	"time"
)

// Sign-in throttling. Every attempt is counted before its password is checked
// (reserve), so concurrent guesses cannot slip past a limit while argon2 runs, and
// a burst of any size checks at most signInFreeAttempts passwords. Past the free
// attempts each further one waits twice as long as the one before, from
// signInBaseDelay up to signInMaxDelay: guessing slows to a crawl, but the rightful
// user is never locked out for longer than signInMaxDelay, and not at all from a
// browser they signed in from before (the known-device cookie, knownCookie), which
// has its own count. Counts per address apply only to usernames that do not exist,
// so colleagues behind one proxy address do not lock each other out. A successful
// sign-in clears the username's count. Counts live in this process.
const (
	signInFreeAttempts     = 5
	signInFreePerAddress   = 20
	signInBaseDelay        = time.Second
	signInMaxDelay         = 15 * time.Minute
	signInForgetAfter      = 24 * time.Hour
	signInThrottleCapacity = 10_000 // keys kept before the quiet ones are dropped
)

// throttle counts attempts per key and spaces them out exponentially past the free
// ones. It is safe for concurrent use.
type throttle struct {
	mu   sync.Mutex
	free int
	keys map[string]*attempts
}

type attempts struct {
	count int
	last  time.Time
}

func newThrottle(free int) *throttle {
	return &throttle{free: free, keys: map[string]*attempts{}}
}

// delay is the wait after count attempts.
func (t *throttle) delay(count int) time.Duration {
	if count < t.free {
		return 0
	}
	return min(signInBaseDelay<<min(count-t.free, 30), signInMaxDelay)
}

// reserve counts an attempt of key at now and returns 0, or returns how long key
// must wait before its next attempt and counts nothing.
func (t *throttle) reserve(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.keys[key]
	if a != nil && now.Sub(a.last) >= signInForgetAfter {
		a = nil
	}
	if a == nil {
		if len(t.keys) >= signInThrottleCapacity {
			t.forgetQuiet(now)
		}
		a = &attempts{}
		t.keys[key] = a
	}
	if a.count > 0 {
		if wait := a.last.Add(t.delay(a.count)).Sub(now); wait > 0 {
			return wait
		}
	}
	a.count++
	a.last = now
	return 0
}

// reset forgets key's attempts.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// forgetQuiet drops the keys that may try again now, oldest state first being
// the cheapest to lose. t.mu is held.
func (t *throttle) forgetQuiet(now time.Time) {
	for k, a := range t.keys {
		if !a.last.Add(t.delay(a.count)).After(now) {
			delete(t.keys, k)
		}
	}
}
