package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// report collects the figures and prints them as markdown.
type report struct {
	started                          time.Time
	city, graph, pgLoad              string
	cpus                             int
	loadBefore, loadAfter            string
	pgVersion, postgisVersion        string
	pgrVersion                       string
	rows                             [][]string // measure, Doorstep, PostGIS/pgRouting, ratio
	circles, coverage                [][]string
	coverageFull                     string
	agree, failed                    []string
	doorstepReady, pgReady           time.Duration
	doorstepRSSReady, doorstepRSSEnd int64
	pgMemReady, pgMemEnd             int64
}

func (r *report) add(measure, doorstep, postgis, ratio string) {
	r.rows = append(r.rows, []string{measure, doorstep, postgis, ratio})
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	table := func(head []string, rows [][]string) {
		p("| %s |", strings.Join(head, " | "))
		p("|%s", strings.Repeat("---|", len(head)))
		for _, row := range rows {
			p("| %s |", strings.Join(row, " | "))
		}
		p("")
	}
	p("# Doorstep and PostgreSQL %s + PostGIS %s + pgRouting %s, side by side", r.pgVersion, r.postgisVersion, r.pgrVersion)
	p("")
	p("City: `doorstep gen %s` — %s. Machine: %d CPUs shared by the load generators, both servers and", r.city, r.graph, r.cpus)
	p("whatever else runs; %s before, %s after. %s; %s (ran %s).", r.loadBefore, r.loadAfter,
		runtime.Version(), r.started.UTC().Format("2006-01-02 15:04 UTC"), time.Since(r.started).Round(time.Second))
	p("")
	p("Ratio: how many times Doorstep's figure is better — PostgreSQL's time over Doorstep's, or Doorstep's rate")
	p("over PostgreSQL's; below 1× PostgreSQL is ahead. Medians of the repeats, the two sides interleaved.")
	p("")
	rows := append([][]string{}, r.rows...)
	rows = append(rows,
		[]string{"start-up to ready (Doorstep: serve to /readyz; PostgreSQL: pg_ctl start of the loaded cluster)",
			ms(r.doorstepReady), ms(r.pgReady), times(r.pgReady, r.doorstepReady)},
		[]string{"memory at ready (Doorstep: RSS; PostgreSQL: PSS of all its processes)", gb(r.doorstepRSSReady), gb(r.pgMemReady), mem(r.pgMemReady, r.doorstepRSSReady)},
		[]string{"memory after the runs", gb(r.doorstepRSSEnd), gb(r.pgMemEnd), mem(r.pgMemEnd, r.doorstepRSSEnd)},
	)
	table([]string{"measure", "Doorstep", "PostGIS / pgRouting", "ratio"}, rows)
	p("## Circle time by minutes (elder's speed, 50 m a minute; 1 client; medians)")
	p("")
	table([]string{"minutes", "origins", "nodes reached (median)", "Doorstep finder.Circle in process", "pgRouting boxed + concave hull", "ratio"}, r.circles)
	p("## Coverage walks by number of sources (meal points, 15 minutes = 750 m)")
	p("")
	p("Doorstep: one many-source walk of its walker. PostgreSQL, from the same network nodes: one many-source")
	p("`pgr_drivingDistance(..., equicost => true)` over the whole graph, and one boxed `pgr_drivingDistance` a")
	p("source with each node's least distance kept; rows counted in the server. Ratio against the faster of the two.")
	p("")
	table([]string{"sources", "nodes reached", "Doorstep many-source walk", "pgr_drivingDistance many-source", "boxed walk a source, unioned", "ratio"}, r.coverage)
	if r.coverageFull != "" {
		p("%s.", r.coverageFull)
		p("")
	}
	p("## Agreement")
	p("")
	for _, a := range r.agree {
		p("- %s.", a)
	}
	p("")
	if len(r.failed) > 0 {
		p("## Not measured")
		p("")
		for _, f := range r.failed {
			p("- %s", f)
		}
		p("")
	}
	p("PostGIS load: %s.", r.pgLoad)
	return b.String()
}

func ms(d time.Duration) string {
	switch {
	case d < 100*time.Microsecond:
		return us(d)
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func us(d time.Duration) string {
	if d >= 100*time.Microsecond {
		return ms(d)
	}
	return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
}

// times is their time over ours as "12×".
func times(theirs, ours time.Duration) string {
	if ours <= 0 || theirs <= 0 {
		return "—"
	}
	return ratio(float64(theirs) / float64(ours))
}

// rates is our rate over theirs.
func rates(ours, theirs float64) string {
	if ours <= 0 || theirs <= 0 {
		return "—"
	}
	return ratio(ours / theirs)
}

// mem is their memory over ours.
func mem(theirs, ours int64) string {
	if ours <= 0 || theirs <= 0 {
		return "—"
	}
	return ratio(float64(theirs) / float64(ours))
}

func ratio(x float64) string {
	switch {
	case x < 1:
		return fmt.Sprintf("**%.2f×**", x)
	case x < 10:
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.0f×", x)
}

func pct(n, of int) float64 { return 100 * float64(n) / float64(max(of, 1)) }

// thousands writes a rate with thousands separators.
func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
