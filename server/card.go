package server

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"doorstep"
	"doorstep/finder"
	"doorstep/qr"

	"github.com/gin-gonic/gin"
)

// The 家门口服务卡: a residential area's doorstep answer printed on one A5 page for
// the fridge — for each kind of service the nearest one at an older resident's
// pace, its whole minutes on foot, its hours in words and its phone in large type,
// with a QR code of the area's share link (/?area=ID). Station staff print one
// area's card, or every area's as one page set from /staff; the resident page
// links its chosen area's card. The card is the answer of GET /api/doorstep from
// the area's origin (finder.AreaOrigin) at the default speed and profile, so the
// two never disagree.

//go:embed card.tmpl
var cardTemplateText string

var cardTemplate = template.Must(template.New("card").Funcs(template.FuncMap{
	// linesOf hands a section's lines to the "lines" template with the words.
	"linesOf": func(w *cardText, lines []cardLine) any {
		return struct {
			W     *cardText
			Lines []cardLine
		}{w, lines}
	},
}).Parse(cardTemplateText))

// qrModulePixels is the PNG's pixels a module: a version-3 symbol with its quiet
// zone is 37 modules, so about 300 px, sharp when printed 3 cm wide.
const qrModulePixels = 8

// handleAreaCard serves one area's card page (?lang=en for English).
func (s *Server) handleAreaCard(c *gin.Context) {
	lang, area, ok := s.cardRequest(c)
	if !ok {
		return
	}
	s.renderCards(c, lang, []*doorstep.Area{area})
}

// handleAreaCards serves every area's card, one A5 page each, in the order the
// area list reads (凉城一村, 二村, … by their numbers).
func (s *Server) handleAreaCards(c *gin.Context) {
	lang, ok := cardLang(c)
	if !ok {
		return
	}
	areas := slices.Clone(s.Snapshot().Areas())
	sortAreasByName(areas)
	s.renderCards(c, lang, areas)
}

// handleAreaCardQR serves the QR code of an area's share link as SVG or PNG, by
// the path's extension (qr.svg, qr.png).
func (s *Server) handleAreaCardQR(c *gin.Context) {
	lang, area, ok := s.cardRequest(c)
	if !ok {
		return
	}
	code, err := qr.Encode(s.shareLink(c, area, lang))
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Cache-Control", cacheRevalidate)
	if strings.HasSuffix(c.Request.URL.Path, ".png") {
		img, err := code.PNG(qrModulePixels)
		if err != nil {
			writeError(c, err)
			return
		}
		c.Data(http.StatusOK, "image/png", img)
		return
	}
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", []byte(code.SVG(cardWords[lang].qrLabel)))
}

// cardRequest reads the area id of the path and ?lang, answering the error itself.
func (s *Server) cardRequest(c *gin.Context) (string, *doorstep.Area, bool) {
	lang, ok := cardLang(c)
	if !ok {
		return "", nil, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(c, doorstep.FieldErrorf("id", "id must be a positive whole number."))
		return "", nil, false
	}
	area, found := s.Snapshot().Area(id)
	if !found {
		writeError(c, doorstep.Errorf(doorstep.ENOTFOUND, "Residential area %d not found.", id))
		return "", nil, false
	}
	return lang, area, true
}

// cardLang is the card's language: ?lang=zh (the default) or ?lang=en.
func cardLang(c *gin.Context) (string, bool) {
	p, err := parseParams(c.Request.URL.RawQuery)
	var lang string
	if err == nil {
		var given bool
		lang, given, err = p.get("lang")
		if !given {
			lang = "zh"
		}
	}
	if err == nil && cardWords[lang] == nil {
		err = doorstep.FieldErrorf("lang", "lang must be zh or en.")
	}
	if err != nil {
		writeError(c, err)
		return "", false
	}
	return lang, true
}

// shareLink is the resident page's link to area's answer: on the portal's public
// URL (--public-url) when it is set, else on the address this request came to.
func (s *Server) shareLink(c *gin.Context, area *doorstep.Area, lang string) string {
	q := url.Values{"area": {strconv.FormatInt(area.ID, 10)}}
	if lang == "en" {
		q.Set("lang", "en")
	}
	return s.shareBase(c) + "/?" + q.Encode()
}

// shareBase is where share links start: --public-url, else this request's address.
func (s *Server) shareBase(c *gin.Context) string {
	if base := strings.TrimSuffix(s.cfg.PublicURL, "/"); base != "" {
		return base
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// loopbackURL reports whether u is on this machine only (localhost, 127.0.0.1,
// ::1): a resident's phone cannot open it.
func loopbackURL(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := parsed.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// renderCards writes the card page for areas.
func (s *Server) renderCards(c *gin.Context, lang string, areas []*doorstep.Area) {
	snap := s.Snapshot()
	now := s.now()
	w := cardWords[lang]
	page := cardPage{Lang: lang, HTMLLang: map[string]string{"zh": "zh-Hans", "en": "en"}[lang], W: w,
		Stylesheet: assetURL("card.css"), Script: assetURL("card.js"),
		Single: len(areas) == 1}
	page.OtherLang = otherLangURL(c.Request.URL, lang)
	if base := s.shareBase(c); loopbackURL(base) {
		page.LinkWarning = fmt.Sprintf(w.LoopbackLink, base)
	}
	for _, a := range areas {
		card, err := s.newAreaCard(c, snap, a, lang, now)
		if err != nil {
			writeError(c, err)
			return
		}
		page.Cards = append(page.Cards, card)
	}
	if page.Single {
		page.Title = fmt.Sprintf(w.pageTitle, page.Cards[0].Area)
		page.Back = "/?" + url.Values{"area": {strconv.FormatInt(areas[0].ID, 10)}}.Encode()
	} else {
		page.Title = fmt.Sprintf(w.allTitle, len(areas))
		page.Back = "/staff"
	}
	var buf bytes.Buffer
	if err := cardTemplate.Execute(&buf, page); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Cache-Control", cacheRevalidate)
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// assetURL is the fingerprinted address of an embedded file, as the static pages
// refer to theirs.
func assetURL(name string) string {
	a, ok := mustSite().Asset(name)
	if !ok {
		panic("server: no file " + name) // the names are constants of this package
	}
	return "/static/" + name + "?v=" + a.Hash
}

// otherLangURL is this page's address in the other language.
func otherLangURL(u *url.URL, lang string) string {
	q := u.Query()
	if lang == "en" {
		q.Del("lang")
	} else {
		q.Set("lang", "en")
	}
	out := url.URL{Path: u.Path, RawQuery: q.Encode()}
	return out.String()
}

// newAreaCard is one area's card: its doorstep answer from its origin at the older
// resident's pace, as GET /api/doorstep gives it, split into the kinds within their
// walking circle and those beyond.
func (s *Server) newAreaCard(c *gin.Context, snap *finder.Snapshot, area *doorstep.Area, lang string, now time.Time) (areaCard, error) {
	w := cardWords[lang]
	origin, ok := finder.AreaOrigin(area)
	if !ok {
		return areaCard{}, doorstep.Errorf(doorstep.EUNPROCESSABLE, "Residential area %d has no shape to start a walk from.", area.ID)
	}
	link := s.shareLink(c, area, lang)
	code, err := qr.Encode(link)
	if err != nil {
		return areaCard{}, err
	}
	ans := snap.Doorstep(origin, doorstep.SpeedElder, now)
	street := snap.Street()
	card := areaCard{ID: area.ID, Area: area.Name, Link: link,
		QR:     template.HTML(code.SVG(w.qrLabel)), //nolint:gosec // drawn by package qr, the label escaped there
		Sample: area.Sample || snap.SampleStreet(), Estimate: ans.Estimate != "",
		Printed: printedOn(now.In(snap.Location()), lang)}
	if street != nil {
		card.Street = inLang(lang, street.Name, street.NameEn)
	}
	circles := map[int]bool{}
	for _, line := range ans.Categories {
		circles[line.Category.CircleMinutes] = true
		cl := cardLine{Category: shortCategory(line.Category, lang), CategoryID: line.Category.ID}
		if line.Service == nil {
			cl.None = true
			card.Beyond = append(card.Beyond, cl)
			continue
		}
		svc := line.Service
		cl.Service, cl.Phone = inLang(lang, svc.Name, svc.NameEn), svc.Phone
		if namesKind(cl.Service, cl.Category) {
			cl.Category = "" // 凉城四村助餐点 says 助餐点 itself
		}
		cl.Minutes = wholeMinutes(line.Walk.WalkMinutes)
		zh, en := svc.Hours.Words()
		cl.Hours = zh
		if lang == "en" {
			cl.Hours = en
		}
		if line.InCircle {
			card.Within = append(card.Within, cl)
		} else {
			card.Beyond = append(card.Beyond, cl)
		}
	}
	card.Circle = doorstep.DefaultCircleMinutes
	if len(circles) == 1 {
		for m := range circles {
			card.Circle = m
		}
	}
	return card, nil
}

// wholeMinutes is a walk's minutes as the card and the resident page write them:
// whole, and never 0 ("约1分钟" at the least).
func wholeMinutes(m float64) int { return max(1, int(math.Round(m))) }

// shortCategory is a category's name up to its first "/": 助餐点 of 助餐点/长者食堂,
// the word residents use, short enough to stand before the service's name.
func shortCategory(cat doorstep.Category, lang string) string {
	short, _, _ := strings.Cut(inLang(lang, cat.NameZh, cat.NameEn), "/")
	return strings.TrimSpace(short)
}

// inLang is a name in the card's language: the English one on an English card when
// there is one, else the Chinese.
func inLang(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}

// namesKind reports whether a service's name already says its kind, as
// 凉城四村助餐点 says 助餐点 and "Liangcheng Sicun Meal Point" says "Meal point":
// the card then leaves the kind out rather than print it twice on a crowded line.
// Letter case, spaces and hyphens do not count.
func namesKind(name, kind string) bool {
	fold := strings.NewReplacer(" ", "", "-", "", "'", "", "’", "")
	k := strings.ToLower(fold.Replace(kind))
	return k != "" && strings.Contains(strings.ToLower(fold.Replace(name)), k)
}

// printedOn is the day a card was made, in the street's zone.
func printedOn(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// cardPage is what card.tmpl draws: one or more cards.
type cardPage struct {
	Lang, HTMLLang     string
	Title              string
	Stylesheet, Script string
	OtherLang, Back    string
	LinkWarning        string // on screen: the QR codes point where phones cannot go
	Single             bool
	W                  *cardText
	Cards              []areaCard
}

// areaCard is one area's card.
type areaCard struct {
	ID             int64
	Area, Street   string
	Link           string
	QR             template.HTML
	Sample         bool
	Estimate       bool // the area's origin is off the network: straight-line estimates
	Circle         int  // the walking circle's minutes, 15
	Within, Beyond []cardLine
	Printed        string
}

// cardLine is one kind of service on a card.
type cardLine struct {
	CategoryID string
	Category   string // its short name (shortCategory); "" when the service's name says it
	None       bool   // no service of this kind
	Service    string
	Minutes    int
	Hours      []string // empty: hours unknown
	Phone      string
}

// cardText is the card's words in one language.
type cardText struct {
	// KindBeforeName puts the kind of service before the service's name; else it
	// opens the line of hours, where English, with long names and short hours,
	// has room for it.
	KindBeforeName                       bool
	qrLabel                              string
	pageTitle, allTitle                  string
	CardName, SampleTag, SampleNote      string
	WithinHead, BeyondHead, Minutes      string
	NoService, HoursUnknown, PhoneLabel  string
	PaceNote, CircleNote, EstimateNote   string
	ScanNote, PrintedNote                string
	PrintButton, OtherLangButton, BackTo string
	AllBack, LoopbackLink                string
}

// Within formats the heading of the kinds inside the walking circle.
func (t *cardText) Within(minutes int) string { return fmt.Sprintf(t.WithinHead, minutes) }

// Beyond formats the heading of the kinds beyond it.
func (t *cardText) Beyond(minutes int) string { return fmt.Sprintf(t.BeyondHead, minutes) }

// Walk formats a walk's whole minutes.
func (t *cardText) Walk(minutes int) string { return fmt.Sprintf(t.Minutes, minutes) }

// Circle formats how far the walking circle reaches at the older resident's pace.
func (t *cardText) Circle(minutes int) string {
	return fmt.Sprintf(t.CircleNote, minutes, minutes*int(doorstep.SpeedElder))
}

// Printed formats the day the card was made.
func (t *cardText) Printed(day string) string { return fmt.Sprintf(t.PrintedNote, day) }

// cardWords are the card's words; Chinese first, as on every page.
var cardWords = map[string]*cardText{
	"zh": {
		KindBeforeName: true,
		qrLabel:        "二维码：用手机扫一扫，打开本小区的家门口服务",
		pageTitle:      "%s · 家门口服务卡", allTitle: "全部%d个居民区的家门口服务卡",
		CardName: "家门口服务卡", SampleTag: "示例",
		SampleNote: "示例数据，均为虚构。",
		WithinHead: "%d分钟步行圈内", BeyondHead: "步行超过%d分钟", Minutes: "约%d分钟",
		NoService: "暂无此类服务", HoursUnknown: "开放时间不详，请先打电话问一问", PhoneLabel: "电话",
		PaceNote:     "步行时间按老年人步速（每分钟50米）计算。",
		CircleNote:   "（约%[2]d米）",
		EstimateNote: "本小区离步行道较远，时间按直线距离估算。",
		ScanNote:     "扫一扫看最新：开不开门、怎么走。",
		PrintedNote:  "%s打印。",
		PrintButton:  "打印", OtherLangButton: "English", BackTo: "返回查询", AllBack: "返回工作人员页面",
		LoopbackLink: "注意：二维码指向 %s，只有本机能打开，居民用手机扫了打不开。请先用 --public-url 设置门户的公开网址。",
	},
	"en": {
		qrLabel:   "QR code: scan with a phone to open this area's services",
		pageTitle: "%s · Doorstep service card", allTitle: "Doorstep service cards of all %d areas",
		CardName: "Doorstep service card", SampleTag: "Sample",
		SampleNote: "Sample data, made up. ",
		WithinHead: "Within a %d-minute walk", BeyondHead: "More than %d minutes on foot", Minutes: "%d min",
		NoService: "None yet", HoursUnknown: "Hours unknown: please phone first", PhoneLabel: "Phone",
		PaceNote:     "Minutes at an older person's pace, 50 m a minute.",
		CircleNote:   " (about %[2]d m)",
		EstimateNote: "This area is far from any footpath: times are straight-line estimates.",
		ScanNote:     "Scan for the latest: open now? how to get there?",
		PrintedNote:  "Printed %s.",
		PrintButton:  "Print", OtherLangButton: "中文", BackTo: "Back to the answer", AllBack: "Back to the staff page",
		LoopbackLink: "Note: the QR codes point to %s, which only this machine can open; residents’ phones cannot. Set the portal’s public address with --public-url first.",
	},
}
