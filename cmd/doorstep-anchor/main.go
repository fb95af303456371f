// Command doorstep-anchor measures Doorstep side by side with the database it
// replaces — PostgreSQL 15 with PostGIS and pgRouting — on the same generated city:
// the same walking graph (node for node, edge lengths in metres), listings and
// areas are loaded into both, the same origins go through both, interleaved and
// repeated, and the answers are checked to agree before any figure is printed.
// It is a benchmark, not a test: it prints a markdown table of figures and ratios
// and fails only when it cannot run. make anchor runs it; docs/benchmarks.md says
// what each line measures.
//
//	go build -o bin/doorstep ./cmd/doorstep
//	go run ./cmd/doorstep-anchor --bin bin/doorstep                       (the full city)
//	go run ./cmd/doorstep-anchor --gen "--nodes 100000 --services 10000 --areas 500"
//
// It installs postgresql-15-postgis-3 and postgresql-15-pgrouting with apt-get when
// missing (as root), starts a throwaway cluster on loopback in a temporary
// directory and always stops and removes it, also when interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"doorstep/finder"
	"doorstep/internal/served"
	"doorstep/store"
)

type options struct {
	bin, gen, db, out, pgBin string
	repeats                  int
	duration                 time.Duration
	origins                  int
	sources                  string
	pgTimeout                time.Duration
	pgMemLimit               int64
	keep, hold               bool
}

func main() {
	var o options
	var memGB float64
	flag.StringVar(&o.bin, "bin", "bin/doorstep", "the doorstep binary to generate the city with and serve it")
	flag.StringVar(&o.gen, "gen", "--nodes 1000000 --services 100000 --areas 5000 --seed 1", `arguments of "doorstep gen" for the city`)
	flag.StringVar(&o.db, "db", "", "use this database (made by doorstep gen) instead of generating one; it is only read")
	flag.StringVar(&o.out, "out", "bench-results/anchor-"+time.Now().UTC().Format("20060102")+".md", "also write the table to this file (\"\": do not)")
	flag.StringVar(&o.pgBin, "pg-bin", "/usr/lib/postgresql/15/bin", "PostgreSQL's server programs")
	flag.IntVar(&o.repeats, "repeats", 3, "times each measurement is repeated, the two sides interleaved; figures are medians")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each throughput run (each side, each repeat)")
	flag.IntVar(&o.origins, "origins", 500, "origins of the one-client latency and agreement runs")
	flag.StringVar(&o.sources, "sources", "100,300,1000,all", "numbers of meal points the coverage walks start from")
	flag.DurationVar(&o.pgTimeout, "pg-timeout", 60*time.Second, "statement_timeout of each coverage query on the PostgreSQL side")
	flag.Float64Var(&memGB, "pg-mem-gb", 8, "address space each PostgreSQL process may take, GB (a many-source pgRouting walk can take all memory); 0: no limit")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (database, server logs); the cluster is removed all the same")
	flag.BoolVar(&o.hold, "hold", false, "after loading, keep both servers up and wait for an interrupt instead of measuring (to explore with psql and curl)")
	flag.Parse()
	o.pgMemLimit = int64(memGB * (1 << 30))
	// Interrupts cancel the context, so every deferred stop runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "doorstep-anchor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) (err error) {
	if o.repeats < 1 || o.origins < 10 {
		return errors.New("--repeats must be at least 1 and --origins at least 10")
	}
	r := &report{loadBefore: "load average " + served.LoadAverage(), started: time.Now(), cpus: runtime.NumCPU()}
	if err := ensurePackages(ctx, o.pgBin); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "doorstep-anchor-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep || (err != nil && ctx.Err() == nil) {
			fmt.Printf("kept %s\n", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	// The city, in Doorstep's own database.
	db := o.db
	if db == "" {
		db = filepath.Join(dir, "city.db")
		t0 := time.Now()
		args := append([]string{"gen", "--db", db}, strings.Fields(o.gen)...)
		if out, err := exec.CommandContext(ctx, o.bin, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("doorstep %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		fmt.Printf("doorstep gen %s: %s\n", o.gen, time.Since(t0).Round(time.Millisecond))
	}
	r.city = o.gen
	if o.db != "" {
		r.city = o.db
	}

	// Doorstep served by the binary, and the same snapshot in this process.
	srv, ready, err := startServer(ctx, o.bin, db, dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	r.doorstepReady, r.doorstepRSSReady = ready, srv.rss()
	fmt.Printf("doorstep serve ready in %s, RSS %s\n", ready.Round(time.Millisecond), gb(r.doorstepRSSReady))
	sdb, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	snap, err := finder.Load(ctx, sdb)
	sdb.Close()
	if err != nil {
		return err
	}
	// As the served portal does once it is up: doorstep answers are looked up in
	// these labels, and searched only without them.
	snap.BuildDoorstepLabels()
	b, err := newBench(o, snap, srv)
	if err != nil {
		return err
	}

	// PostgreSQL: a throwaway cluster, always removed.
	pg, err := newCluster(o.pgBin, o.pgMemLimit)
	if err != nil {
		return err
	}
	defer pg.remove()
	if _, err := pg.start(); err != nil {
		return err
	}
	conn, err := pg.connect(ctx)
	if err != nil {
		return err
	}
	loaded, err := loadPostGIS(ctx, conn, b.graph, snap.AllServices(), snap.Areas())
	conn.Close(context.Background())
	if err != nil {
		return err
	}
	fmt.Println("PostGIS:", loaded)
	r.pgLoad = loaded
	// Start-up is timed on the loaded cluster, as a restart would find it.
	pg.stop()
	if r.pgReady, err = pg.start(); err != nil {
		return err
	}
	r.pgMemReady = pg.memory()
	b.pg = pg
	fmt.Printf("PostgreSQL ready in %s, PSS %s\n", r.pgReady.Round(time.Millisecond), gb(r.pgMemReady))

	if o.hold {
		fmt.Printf("holding until interrupted: psql %q; Doorstep at %s\n", pg.dsn(), srv.Base)
		<-ctx.Done()
		return nil
	}
	// Interrupted, the table still shows what was measured.
	measured := b.measure(ctx, r)
	if measured != nil && ctx.Err() == nil {
		return measured
	}
	if measured != nil {
		r.failed = append(r.failed, "interrupted: the rest was not measured")
	}
	r.doorstepRSSEnd, r.pgMemEnd = srv.rss(), pg.memory()
	r.loadAfter = "load average " + served.LoadAverage()
	text := r.markdown()
	fmt.Println()
	fmt.Print(text)
	if o.out != "" {
		if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.out, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Printf("\nwritten to %s\n", o.out)
	}
	return measured
}

// gb formats bytes as gigabytes, or megabytes below one.
func gb(n int64) string {
	if n < 1<<30 {
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
}
