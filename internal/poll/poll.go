// Package poll runs a check on a ticker until its context ends. The serve
// command's watchers (another process's imports, a rotated session key) look
// for changes this way, since SQLite offers no notification across processes.
package poll

import (
	"context"
	"time"
)

// Every calls check once every interval until ctx ends, the first time one
// interval after it is called; it returns when ctx ends. A check that runs
// longer than the interval delays the next one rather than piling calls up.
func Every(ctx context.Context, every time.Duration, check func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		check(ctx)
	}
}
