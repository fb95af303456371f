package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"doorstep"
	"doorstep/exchange"
	"doorstep/finder"
	"doorstep/store"
)

// runCoverage prints the street office's coverage report: for each kind of service,
// how many older residents live within the circle, and the areas left outside. It
// builds the snapshot the server builds and reads the flags as the API reads its
// parameters, so `--format json` prints exactly what GET /api/coverage answers.
func runCoverage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("coverage", stderr)
	dbPath := fs.String("db", envDefault("DOORSTEP_DB", "doorstep.db"), "SQLite database file (DOORSTEP_DB)")
	minutes := fs.String("minutes", strconv.Itoa(doorstep.DefaultCircleMinutes), "the circle in minutes on foot, 1–60")
	speed := fs.String("speed", "elder", "walking speed: elder (50 m/min), adult (67 m/min) or metres a minute from 20 to 120")
	category := fs.String("category", "", "one category id such as meal_point (default: every category)")
	format := fs.String("format", "table", "table, csv or json (as GET /api/coverage)")
	bom := fs.Bool("bom", true, "start a CSV file with a UTF-8 byte order mark, so Excel and WPS read its Chinese")
	profile := fs.String("profile", "walk", "walk, step_free (no steps: residents using wheelchairs and walkers) or walker")
	stepSeconds := fs.String("step-seconds", "", "walker: extra seconds a flight of steps takes (default 30)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("coverage: unexpected argument %q", fs.Arg(0))
	}
	write, ok := coverageFormats[*format]
	if !ok {
		return fmt.Errorf("coverage: --format must be table, csv or json, not %q", *format)
	}
	// A missing file would be created empty: say so instead.
	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("coverage: database %s: %w", *dbPath, err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	snap, err := finder.Load(ctx, db)
	if err != nil {
		return err
	}
	q, err := coverageQuery(*minutes, *speed, *category)
	var prof doorstep.Profile
	if err == nil {
		prof, err = doorstep.ParseProfile(*profile, *stepSeconds)
	}
	if err != nil {
		return fmt.Errorf("coverage: --%s: %s", strings.ReplaceAll(doorstep.ErrorField(err), "_", "-"), doorstep.ErrorMessage(err))
	}
	snap = snap.ForProfile(prof)
	report, err := snap.Coverage(q)
	if err != nil {
		if f := doorstep.ErrorField(err); f != "" {
			return fmt.Errorf("coverage: --%s: %s", f, doorstep.ErrorMessage(err))
		}
		return fmt.Errorf("coverage: %w", err)
	}
	return write(stdout, snap, report, *bom)
}

// coverageQuery reads the flags as the API reads its parameters.
func coverageQuery(minutes, speed, category string) (finder.CoverageQuery, error) {
	var q finder.CoverageQuery
	var err error
	if q.Speed, err = doorstep.ParseSpeed(speed); err != nil {
		return q, err
	}
	if q.Minutes, err = strconv.ParseFloat(strings.TrimSpace(minutes), 64); err != nil {
		return q, doorstep.FieldErrorf("minutes", "minutes must be a number.")
	}
	if category != "" {
		q.Categories = []string{category}
	}
	return q, nil
}

// coverageFormats write a report in each --format; bom is for CSV.
var coverageFormats = map[string]func(w io.Writer, snap *finder.Snapshot, r *finder.CoverageReport, bom bool) error{
	"json": func(w io.Writer, _ *finder.Snapshot, r *finder.CoverageReport, _ bool) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.JSON())
	},
	"csv":   writeCoverageCSV,
	"table": writeCoverageTable,
}

// shareWithin is an area's share within the circle to three decimals, as the API
// gives it, so the table, the CSV and the dashboard agree to the person.
func shareWithin(c finder.AreaCoverage) float64 { return c.ShareRounded() }

// elderlyOutside is how many of an area's older residents live outside the circle.
func elderlyOutside(a *doorstep.Area, c finder.AreaCoverage) float64 {
	return float64(a.Elderly) * (1 - shareWithin(c))
}

// writeCoverageCSV writes one row per area and category, a BOM first when bom.
func writeCoverageCSV(w io.Writer, snap *finder.Snapshot, r *finder.CoverageReport, bom bool) error {
	cw, err := exchange.NewCSVWriter(w, bom, []string{"area_id", "area", "committee", "category", "category_zh", "population", "elderly",
		"share_within", "elderly_within", "elderly_outside", "walk_minutes", "minutes", "speed_m_per_min", "profile"})
	if err != nil {
		return err
	}
	num := func(f float64, digits int) string { return strconv.FormatFloat(f, 'f', digits, 64) }
	for i, a := range r.Areas {
		for j, c := range r.Categories {
			ac := r.PerArea[i][j]
			cat, _ := snap.Category(c.Category)
			walk := ""
			if ac.WalkMinutes != nil {
				walk = num(*ac.WalkMinutes, 1)
			}
			row := []string{strconv.FormatInt(a.ID, 10), a.Name, a.Committee, c.Category, cat.NameZh,
				strconv.Itoa(a.Population), strconv.Itoa(a.Elderly), num(shareWithin(ac), 3),
				num(float64(a.Elderly)*shareWithin(ac), 1), num(elderlyOutside(a, ac), 1), walk,
				num(r.Minutes, -1), num(r.SpeedMPerMin, -1), string(r.Profile.Name)}
			if err := cw.Write(exchange.EscapeRow(row)); err != nil { // no formulas for spreadsheets
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeCoverageTable writes the report for people: a line per category, then per
// category the areas with older residents outside the circle, most first.
func writeCoverageTable(w io.Writer, snap *finder.Snapshot, r *finder.CoverageReport, _ bool) error {
	ew := &errWriter{w: w}
	street := "—"
	if s := snap.Street(); s != nil {
		street = s.Name
	}
	fmt.Fprintf(ew, "%s 服务圈覆盖 Service-circle coverage\n", street)
	fmt.Fprintf(ew, "步行%g分钟，步速每分钟%g米 · within %g minutes on foot at %g m a minute\n",
		r.Minutes, r.SpeedMPerMin, r.Minutes, r.SpeedMPerMin)
	switch r.Profile.Name {
	case doorstep.ProfileStepFree:
		fmt.Fprintln(ew, "不走台阶（轮椅、助行器） · step-free walking (wheelchairs and walkers)")
	case doorstep.ProfileWalker:
		fmt.Fprintf(ew, "走台阶每段多用%g秒 · each flight of steps takes %g s more\n", r.Profile.StepSeconds, r.Profile.StepSeconds)
	}
	if slices.ContainsFunc(r.Areas, func(a *doorstep.Area) bool { return a.Sample }) {
		fmt.Fprintln(ew, "示例数据：居民区及人口为演示用的虚构数据 · Sample data: areas and residents are made up")
	}
	fmt.Fprintln(ew)

	summary := textTable{
		header: []string{"类别 Category", "圈内老年人 Elderly within", "总数 Total", "比例 Share", "全覆盖 Areas full", "未覆盖 Areas none", "居民区 Areas"},
		right:  []bool{false, true, true, true, true, true, true},
	}
	for _, c := range r.Categories {
		summary.add(categoryLabel(snap, c.Category), thousands(c.ElderlyCovered), thousands(float64(c.ElderlyTotal)),
			percent(c.ElderlyShare), strconv.Itoa(c.AreasFull), strconv.Itoa(c.AreasNone), strconv.Itoa(c.AreasTotal))
	}
	summary.write(ew)

	for j, c := range r.Categories {
		order := make([]int, len(r.Areas))
		for i := range order {
			order[i] = i
		}
		outside := func(i int) float64 { return elderlyOutside(r.Areas[i], r.PerArea[i][j]) }
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(outside(b), outside(a)) })
		fmt.Fprintf(ew, "\n%s — 居民区按圈外老年人排序 · areas by older residents outside the circle\n", categoryLabel(snap, c.Category))
		areas := textTable{
			header: []string{"居民区 Area", "老年人 Elderly", "圈内 Share", "圈外老年人 Outside", "步行中位数 Median walk"},
			right:  []bool{false, true, true, true, true},
		}
		inside := 0
		for _, i := range order {
			if math.Round(outside(i)) == 0 {
				inside++
				continue
			}
			ac := r.PerArea[i][j]
			walk := "—"
			if ac.WalkMinutes != nil {
				walk = strconv.FormatFloat(*ac.WalkMinutes, 'f', 1, 64) + " 分钟 min"
			}
			areas.add(r.Areas[i].Name, thousands(float64(r.Areas[i].Elderly)), percent(shareWithin(ac)), thousands(outside(i)), walk)
		}
		if len(areas.rows) > 0 {
			areas.write(ew)
		}
		if inside > 0 {
			fmt.Fprintf(ew, "其余%d个居民区的老年人都在圈内 · %d more areas have every older resident inside\n", inside, inside)
		}
	}
	return ew.err
}

func categoryLabel(snap *finder.Snapshot, id string) string {
	if c, ok := snap.Category(id); ok {
		return c.NameZh + " " + id
	}
	return id
}

func percent(share float64) string { return strconv.FormatFloat(share*100, 'f', 1, 64) + " %" }

// thousands rounds n to a whole number with thousands separators: 12,345.
func thousands(n float64) string {
	s := strconv.FormatFloat(math.Round(n), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// textTable lines up columns for a terminal, counting Chinese characters as two
// columns wide, as terminals draw them.
type textTable struct {
	header []string
	right  []bool // right-align the column (numbers)
	rows   [][]string
}

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(w io.Writer) {
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, cell := range row {
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-displayWidth(cell))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.header)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, row := range t.rows {
		line(row)
	}
}

// displayWidth is how many terminal columns s takes: East Asian wide and
// full-width characters (Unicode UAX #11 classes W and F) take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case wide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

// wide reports whether r is in the main East Asian wide or full-width blocks.
func wide(r rune) bool {
	return (r >= 0x1100 && r <= 0x115F) || (r >= 0x2E80 && r <= 0x303E) || (r >= 0x3041 && r <= 0x33FF) ||
		(r >= 0x3400 && r <= 0x4DBF) || (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0xA000 && r <= 0xA4CF) ||
		(r >= 0xAC00 && r <= 0xD7A3) || (r >= 0xF900 && r <= 0xFAFF) || (r >= 0xFE30 && r <= 0xFE4F) ||
		(r >= 0xFF00 && r <= 0xFF60) || (r >= 0xFFE0 && r <= 0xFFE6) || (r >= 0x20000 && r <= 0x3FFFD)
}

// errWriter keeps the first write error, so a long report checks once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	if n < len(p) && e.err == nil {
		e.err = errors.New("short write")
	}
	return n, e.err
}
