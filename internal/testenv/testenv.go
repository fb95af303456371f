// Package testenv tells tests how much to do. `make test`, which developers run
// often, runs the short form of slow suites (the kill -9 crash rounds, the walks
// compared with a reference Dijkstra on Monaco); `make test-long` sets
// DOORSTEP_LONG=1 for their long form.
package testenv

import "os"

// Long reports whether the long forms run: DOORSTEP_LONG is set and not "0".
func Long() bool {
	v := os.Getenv("DOORSTEP_LONG")
	return v != "" && v != "0"
}

// Count returns short, or long when the long forms run: rounds, iterations,
// sample sizes.
func Count(short, long int) int {
	if Long() {
		return long
	}
	return short
}
