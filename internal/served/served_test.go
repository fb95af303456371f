package served

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for doorstep serve: with
// SERVED_FAKE=ready it answers /readyz on the address after --addr, with
// SERVED_FAKE=fail it writes a line and exits 3.
func TestMain(m *testing.M) {
	switch os.Getenv("SERVED_FAKE") {
	case "ready":
		addr := os.Args[len(os.Args)-1]
		http.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {})
		http.ListenAndServe(addr, nil)
		os.Exit(0)
	case "fail":
		os.Stderr.WriteString("cannot open the database\n")
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func TestStartWaitsForReadyAndStops(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SERVED_FAKE", "ready")
	p, err := Start(context.Background(), os.Args[0], []string{"--addr", addr}, addr, filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := http.Get(p.Base + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /readyz after Start: %v, %v", res, err)
	}
	if p.Ready <= 0 || p.Started.IsZero() {
		t.Errorf("Ready %v, Started %v: want both set", p.Ready, p.Started)
	}
	p.Stop()
	p.Stop() // a second stop does nothing
	if p.Cmd.ProcessState == nil {
		t.Error("Stop returned before the process ended")
	}
	if _, err := http.Get(p.Base + "/readyz"); err == nil {
		t.Error("the server still answers after Stop")
	}
}

func TestStartReportsAnEarlyExitWithItsLog(t *testing.T) {
	addr, err := FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SERVED_FAKE", "fail")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := Start(ctx, os.Args[0], nil, addr, filepath.Join(t.TempDir(), "serve.log"))
	if err == nil {
		p.Stop()
		t.Fatal("Start of a process that exits: no error")
	}
	for _, want := range []string{"exited before it was ready", "exit status 3", "cannot open the database"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestLoadAverage(t *testing.T) {
	got := LoadAverage()
	if _, err := os.Stat("/proc/loadavg"); err != nil {
		t.Skip("no /proc/loadavg")
	}
	if !strings.HasSuffix(got, " (1, 5, 15 min)") || strings.Count(got, ",") != 4 {
		t.Errorf("LoadAverage() = %q, want three figures and (1, 5, 15 min)", got)
	}
}
