package server

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"doorstep"
	"doorstep/qr/qrtest"
)

// sampleArea returns the id of the sample street's area called name, asking the
// portal at base as a client would.
func sampleArea(t *testing.T, base, name string) int64 {
	t.Helper()
	var fc struct {
		Features []struct {
			Properties struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	browserGetJSON(t, base+"/api/areas?q="+url.QueryEscape(name), &fc)
	for _, f := range fc.Features {
		if f.Properties.Name == name {
			return f.Properties.ID
		}
	}
	t.Fatalf("no area %s", name)
	return 0
}

// get requests path from h and returns the recorded answer.
func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// readAll reads and closes an answer's body.
func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cardLineOf is one kind of service as a card prints it.
type cardLineOf struct {
	service, minutes, phone, hours string
}

var (
	cardLinePattern = regexp.MustCompile(`(?s)<li class="line[^"]*" data-category="([^"]+)">(.*?)</li>`)
	cardSvc         = regexp.MustCompile(`<p class="svc">([^<]*)</p>`)
	cardWalk        = regexp.MustCompile(`<p class="walk" data-minutes="(\d+)">`)
	cardPhone       = regexp.MustCompile(`<p class="phone"><span class="phone-label">[^<]*</span>([^<]*)</p>`)
	cardHours       = regexp.MustCompile(`<p class="hours">(.*?)</p>`)
)

// cardLines reads a card page's lines by category.
func cardLines(t *testing.T, page string) map[string]cardLineOf {
	t.Helper()
	out := map[string]cardLineOf{}
	for _, m := range cardLinePattern.FindAllStringSubmatch(page, -1) {
		var l cardLineOf
		if s := cardSvc.FindStringSubmatch(m[2]); s != nil {
			l.service = html.UnescapeString(s[1])
		}
		if s := cardWalk.FindStringSubmatch(m[2]); s != nil {
			l.minutes = s[1]
		}
		if s := cardPhone.FindStringSubmatch(m[2]); s != nil {
			l.phone = html.UnescapeString(s[1])
		}
		if s := cardHours.FindStringSubmatch(m[2]); s != nil {
			l.hours = html.UnescapeString(strings.ReplaceAll(s[1], "<br>", "\n"))
		}
		out[m[1]] = l
	}
	return out
}

// TestAreaCardIsTheDoorstepAnswer reads 凉城四村's card and the doorstep answer from
// the area's origin: the same service of every kind, its whole minutes, phone and
// hours in words; the card is marked sample and carries the area's share link.
func TestAreaCardIsTheDoorstepAnswer(t *testing.T) {
	ts := newTestServer(t)
	home := sampleArea(t, ts.URL, "凉城四村")
	var areas struct {
		Features []struct {
			Properties struct {
				ID     int64      `json:"id"`
				Origin [2]float64 `json:"origin"`
			} `json:"properties"`
		} `json:"features"`
	}
	browserGetJSON(t, ts.URL+"/api/areas", &areas)
	var origin [2]float64
	for _, f := range areas.Features {
		if f.Properties.ID == home {
			origin = f.Properties.Origin
		}
	}
	var ans struct {
		Area       struct{ Name string } `json:"area"`
		Categories []struct {
			Category string `json:"category"`
			Service  *struct {
				Name        string            `json:"name"`
				Phone       string            `json:"phone"`
				WalkMinutes float64           `json:"walk_minutes"`
				Hours       doorstep.Schedule `json:"hours"`
			} `json:"service"`
			InCircle bool `json:"in_circle"`
		} `json:"categories"`
	}
	browserGetJSON(t, fmt.Sprintf("%s/api/doorstep?lon=%v&lat=%v", ts.URL, origin[0], origin[1]), &ans)
	if ans.Area.Name != "凉城四村" || len(ans.Categories) != 9 {
		t.Fatalf("doorstep answer from the origin: area %q, %d categories", ans.Area.Name, len(ans.Categories))
	}

	res, err := http.Get(ts.URL + "/card/areas/" + strconv.FormatInt(home, 10))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("card: %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	lines := cardLines(t, body)
	if len(lines) != len(ans.Categories) {
		t.Errorf("card has %d kinds, the answer %d", len(lines), len(ans.Categories))
	}
	within := 0
	for _, c := range ans.Categories {
		got, ok := lines[c.Category]
		if !ok || c.Service == nil {
			t.Errorf("%s: on the card %v, in the answer %v", c.Category, ok, c.Service != nil)
			continue
		}
		zh, _ := c.Service.Hours.Words()
		want := cardLineOf{service: c.Service.Name, minutes: strconv.Itoa(wholeMinutes(c.Service.WalkMinutes)),
			phone: c.Service.Phone, hours: strings.Join(zh, "\n")}
		if got != want {
			t.Errorf("%s: card %+v, answer %+v", c.Category, got, want)
		}
		if c.InCircle {
			within++
		}
	}
	// The kinds inside the 15-minute circle come first, under their heading.
	head := strings.Index(body, "15分钟步行圈内")
	beyond := strings.Index(body, "步行超过15分钟")
	if within == 0 || head < 0 || beyond < head || strings.Count(body[head:beyond], `<li class="line`) != within {
		t.Errorf("%d kinds within the circle: heading at %d, beyond at %d", within, head, beyond)
	}
	link := ts.URL + "/?area=" + strconv.FormatInt(home, 10)
	for _, want := range []string{
		`<html lang="zh-Hans">`, "凉城新村街道", "凉城四村", "家门口服务卡", `<p class="sample-tag">示例</p>`,
		"约4分钟", "周一至周六 上午10:30–下午1:00", "全天开放", "按老年人步速（每分钟50米）",
		`data-link="` + link + `"`, "<svg", "<title>二维码",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	// The page links its stylesheet and script by their fingerprints.
	if !regexp.MustCompile(`href="/static/card\.css\?v=[0-9a-f]{16}"`).MatchString(body) ||
		!regexp.MustCompile(`src="/static/card\.js\?v=[0-9a-f]{16}"`).MatchString(body) {
		t.Error("card page without its fingerprinted stylesheet and script")
	}
}

func TestAreaCardInEnglish(t *testing.T) {
	s := newTestPortal(t)
	rec := get(t, s, "/card/areas/6?lang=en")
	body := rec.Body.String()
	for _, want := range []string{`<html lang="en">`, "Doorstep service card", `<p class="cat">Day care</p>`, "Within a 15-minute walk",
		"Mon–Sat 10:30–13:00", "Open 24 hours, every day", `href="/card/areas/6"`, `data-link="http://example.com/?area=6&amp;lang=en"`} {
		if !strings.Contains(body, want) {
			t.Errorf("English card lacks %q", want)
		}
	}
	if rec.Code != http.StatusOK {
		t.Errorf("status %d", rec.Code)
	}
}

// TestAreaCardQR decodes the QR code the server draws, as PNG, to the share link:
// on --public-url when set, else on the address asked.
func TestAreaCardQR(t *testing.T) {
	s := newTestPortal(t)
	for _, tc := range []struct {
		name, public, path, want string
	}{
		{"request's host", "", "/card/areas/6/qr.png", "http://example.com/?area=6"},
		{"public URL", "https://doorstep.example.org/", "/card/areas/6/qr.png", "https://doorstep.example.org/?area=6"},
		{"English", "https://doorstep.example.org", "/card/areas/27/qr.png?lang=en", "https://doorstep.example.org/?area=27&lang=en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.cfg.PublicURL = tc.public
			rec := get(t, s, tc.path)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
				t.Fatalf("%s: %d %s", tc.path, rec.Code, rec.Header().Get("Content-Type"))
			}
			if got := qrtest.DecodePNG(t, rec.Body.Bytes()); got != tc.want {
				t.Errorf("QR code decodes to %q, want %q", got, tc.want)
			}
		})
	}
	s.cfg.PublicURL = ""
	// A card whose link only this machine can open says so, on screen.
	for public, warns := range map[string]bool{"http://localhost:8080": true, "http://127.0.0.1:8080": true,
		"https://doorstep.example.org": false, "": false} {
		s.cfg.PublicURL = public
		if got := strings.Contains(get(t, s, "/card/areas/6").Body.String(), `class="link-warning"`); got != warns {
			t.Errorf("--public-url %q: warning shown %v, want %v", public, got, warns)
		}
	}
	s.cfg.PublicURL = ""
	rec := get(t, s, "/card/areas/6/qr.svg")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml; charset=utf-8" ||
		!strings.HasPrefix(rec.Body.String(), "<svg") {
		t.Errorf("qr.svg: %d %s %.40q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

func TestAreaCardBadRequests(t *testing.T) {
	s := newTestPortal(t)
	for _, tc := range []struct {
		path   string
		status int
		code   string
		field  string
	}{
		{"/card/areas/999", 404, "not_found", ""},
		{"/card/areas/999/qr.png", 404, "not_found", ""},
		{"/card/areas/0", 400, "invalid", "id"},
		{"/card/areas/abc", 400, "invalid", "id"},
		{"/card/areas/6?lang=fr", 400, "invalid", "lang"},
		{"/card/areas?lang=en&lang=zh", 400, "invalid", "lang"},
		{"/card/areas/6/qr.gif", 404, "not_found", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var body errorBody
			if got := getJSON(t, s, tc.path, &body); got != tc.status || body.Error.Code != tc.code || body.Error.Field != tc.field {
				t.Errorf("%s: %d %+v, want %d %s %q", tc.path, got, body.Error, tc.status, tc.code, tc.field)
			}
		})
	}
}

// TestAreaCardsAllAreas has every area's card on one page, in counting order.
func TestAreaCardsAllAreas(t *testing.T) {
	s := newTestPortal(t)
	rec := get(t, s, "/card/areas")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	names := regexp.MustCompile(`<span class="card-area">([^<]+)</span>`).FindAllStringSubmatch(body, -1)
	if len(names) != len(s.Snapshot().Areas()) || len(names) != 27 {
		t.Fatalf("%d cards for %d areas", len(names), len(s.Snapshot().Areas()))
	}
	var order []string
	for _, n := range names {
		order = append(order, n[1])
	}
	at := func(name string) int { return slices.Index(order, name) }
	for _, pair := range [][2]string{{"凉城一村", "凉城二村"}, {"凉城二村", "凉城三村"}, {"凉城六村", "凉城七村"}, {"文苑一村", "文苑二村"}} {
		if at(pair[0]) < 0 || at(pair[0]) > at(pair[1]) {
			t.Errorf("%s comes after %s: %v", pair[0], pair[1], order)
		}
	}
	if !strings.Contains(body, `href="/staff"`) {
		t.Error("the page set does not lead back to /staff")
	}
}

func TestNamesKind(t *testing.T) {
	for _, tc := range []struct {
		name, kind string
		want       bool
	}{
		{"凉城四村助餐点", "助餐点", true},
		{"凉城新村街道长者照护之家", "日间照料", false},
		{"凉城四村居民区居委会活动室", "居委活动室", false},
		{"Liangcheng Sicun Meal Point", "Meal point", true},
		{"Liangcheng Sicun Residents' Committee Activity Room", "Residents’ committee activity room", true},
		{"Comprehensive Elderly Service Centre", "Comprehensive elderly-service centre", true},
		{"凉城四村助餐点", "", false},
	} {
		if got := namesKind(tc.name, tc.kind); got != tc.want {
			t.Errorf("namesKind(%q, %q) = %v, want %v", tc.name, tc.kind, got, tc.want)
		}
	}
}

func TestCountedKey(t *testing.T) {
	for in, want := range map[string]string{"凉城四村": "凉城4村", "凉城十二村": "凉城12村", "二十号": "20号", "华一": "华一", "一百零五弄": "105弄"} {
		if got := countedKey(in); got != want {
			t.Errorf("countedKey(%q) = %q, want %q", in, got, want)
		}
	}
}
