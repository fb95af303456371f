package exchange

import (
	"context"
	"testing"
)

// BenchmarkReadOSM reads the Monaco fixture's walking network (1,245 ways, 8,116
// nodes): three passes over the PBF, joins, squares and splitting.
func BenchmarkReadOSM(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ReadOSM(context.Background(), monaco()); err != nil {
			b.Fatal(err)
		}
	}
}
