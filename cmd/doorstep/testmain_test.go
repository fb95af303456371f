package main

import (
	"os"
	"testing"

	"doorstep/store/storetest"
)

// TestMain runs the tests with cheap password hashes: they sign in many times.
func TestMain(m *testing.M) {
	storetest.UseCheapPasswords()
	os.Exit(m.Run())
}
