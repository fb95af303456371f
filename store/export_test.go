package store

import "testing"

// SetExactRankLimit sets how many matches a search ranks with bm25, until the test
// ends.
func SetExactRankLimit(tb testing.TB, n int) {
	saved := exactRankLimit
	exactRankLimit = n
	tb.Cleanup(func() { exactRankLimit = saved })
}
