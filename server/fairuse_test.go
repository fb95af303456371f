package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestLookupsTakeTurns: no more walking lookups run at once than there are slots;
// the others wait their turn and are all answered, and one whose client has gone
// while it waited is never run.
func TestLookupsTakeTurns(t *testing.T) {
	s := newTestPortal(t)
	s.fair = newFairUse(Config{LookupSlots: 2})
	var running, peak, ran atomic.Int64
	release := make(chan struct{})
	e := gin.New()
	e.GET("/walk", s.lookup, func(c *gin.Context) {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		ran.Add(1)
		<-release
		running.Add(-1)
		c.Status(http.StatusOK)
	})
	const asks = 12
	codes := make([]int, asks)
	var wg sync.WaitGroup
	for i := range asks {
		wg.Go(func() {
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/walk", nil))
			codes[i] = w.Code
		})
	}
	// Two run; ten wait.
	for deadline := time.Now().Add(5 * time.Second); ran.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if got := ran.Load(); got != 2 {
		t.Fatalf("%d lookups ran with 2 slots held, want 2", got)
	}
	// A client that gives up while waiting is not served.
	ctx, cancel := context.WithCancel(context.Background())
	gone := httptest.NewRecorder()
	goneDone := make(chan struct{})
	go func() {
		e.ServeHTTP(gone, httptest.NewRequest(http.MethodGet, "/walk", nil).WithContext(ctx))
		close(goneDone)
	}()
	cancel()
	<-goneDone
	close(release)
	wg.Wait()
	if got := peak.Load(); got != 2 {
		t.Errorf("at most %d lookups ran at once, want 2", got)
	}
	if got := ran.Load(); got != asks {
		t.Errorf("%d lookups ran, want %d: the one whose client went away must not", got, asks)
	}
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("lookup %d answered %d", i, code)
		}
	}
	if gone.Code == http.StatusOK {
		t.Errorf("a lookup whose client went away was answered 200")
	}
}

// TestDoorstepInOneSlot: with a single slot, many residents asking at once are all
// answered, one after another.
func TestDoorstepInOneSlot(t *testing.T) {
	s := newTestPortal(t)
	s.fair = newFairUse(Config{LookupSlots: 1, ExpensiveBurst: 1 << 20})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			path := "/api/doorstep?lon=121.4705&lat=31.2935"
			if i%2 == 1 {
				path = "/api/services?limit=10&lon=121.4705&lat=31.2935"
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Code != http.StatusOK {
				t.Errorf("%s: %d %s", path, w.Code, w.Body)
			}
		})
	}
	wg.Wait()
}
