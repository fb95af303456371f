package poll

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestEveryChecksUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		Every(ctx, time.Millisecond, func(context.Context) {
			if calls.Add(1) == 3 {
				cancel()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("check ran %d times, want 3 (none after cancel)", n)
	}
}

func TestEveryReturnsAtOnceWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	Every(ctx, time.Hour, func(context.Context) { called = true })
	if called {
		t.Error("check ran on an ended context")
	}
}
