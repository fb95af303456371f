package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// Days before and after today a menu may be kept for: a week back to correct a
// mistake, two months ahead to plan. Beyond that a request could fill the table
// with menus nobody reads.
const (
	menuDaysBack  = 7
	menuDaysAhead = 62
)

// menuJSON is one day's menu as the API answers it; today says whether the date is
// today in the street's time zone (sold-out marks mean something only then).
type menuJSON struct {
	*doorstep.Menu
	Today bool `json:"today"`
}

// handleMenu answers a meal point's menu on ?date= (default today in the street's
// time zone), or its week Monday to Sunday with ?week= (any date of the week).
func (s *Server) handleMenu(c *gin.Context) {
	p, _, ok := s.requestParams(c)
	if !ok {
		return
	}
	id, err := serviceID(c)
	var dates []string
	var week bool
	if err == nil {
		dates, week, err = menuDates(p, s.today())
	}
	var list []*doorstep.Menu
	if err == nil {
		list, err = s.db.Menus(c.Request.Context(), id, dates)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if week {
		c.JSON(http.StatusOK, s.newMenuWeekJSON(id, list))
		return
	}
	s.writeMenu(c, list[0])
}

// menuDates reads ?date= or ?week= (not both): one date, or the week that holds it.
func menuDates(p *params, today string) (dates []string, week bool, err error) {
	date, hasDate, err := dateParam(p, "date")
	if err != nil {
		return nil, false, err
	}
	weekOf, hasWeek, err := dateParam(p, "week")
	switch {
	case err != nil:
		return nil, false, err
	case hasDate && hasWeek:
		return nil, false, doorstep.FieldErrorf("week", "Give date or week, not both.")
	case hasWeek:
		dates, err := doorstep.WeekOf(weekOf)
		return dates, true, err
	case hasDate:
		return []string{date}, false, nil
	}
	return []string{today}, false, nil
}

// dateParam reads a YYYY-MM-DD query parameter.
func dateParam(p *params, name string) (string, bool, error) {
	v, ok, err := p.get(name)
	if err != nil || !ok {
		return "", false, err
	}
	if _, err := time.Parse(doorstep.DateLayout, v); err != nil {
		return "", false, doorstep.FieldErrorf(name, "%s must be a date such as 2026-12-07.", name)
	}
	return v, true, nil
}

// today is today's date in the street's time zone.
func (s *Server) today() string {
	return s.now().In(s.Snapshot().Location()).Format(doorstep.DateLayout)
}

func (s *Server) newMenuWeekJSON(id int64, list []*doorstep.Menu) gin.H {
	today := s.today()
	days := make([]menuJSON, len(list))
	for i, m := range list {
		days[i] = menuJSON{Menu: m, Today: m.Date == today}
	}
	return gin.H{"service_id": id, "from": list[0].Date, "to": list[len(list)-1].Date, "days": days}
}

// writeMenu answers one day's menu with its version as the ETag.
func (s *Server) writeMenu(c *gin.Context, m *doorstep.Menu) {
	c.Header("ETag", strconv.Quote(strconv.FormatInt(m.Version, 10)))
	c.JSON(http.StatusOK, menuJSON{Menu: m, Today: m.Date == s.today()})
}

// handleUpdateMenu replaces the menu of ?date=; If-Match names the version the
// change was made to, 0 for a day without a menu yet.
func (s *Server) handleUpdateMenu(c *gin.Context) {
	id, version, ok := s.mealTarget(c)
	if !ok {
		return
	}
	day, err := readMenuDay(c)
	var date string
	if err == nil {
		date, err = s.menuEditDate(c)
	}
	if err == nil {
		err = day.CheckSoldOut(date, s.today())
	}
	var m *doorstep.Menu
	if err == nil {
		m, err = s.db.PutMenu(c.Request.Context(), id, date, version, day)
		s.todayMenus.forget()
	}
	if err != nil {
		writeError(c, err)
		return
	}
	s.writeMenu(c, m)
}

// menuEditDate reads the required ?date= of a change, within menuDaysBack and
// menuDaysAhead of today.
func (s *Server) menuEditDate(c *gin.Context) (string, error) {
	p, err := parseParams(c.Request.URL.RawQuery)
	if err != nil {
		return "", err
	}
	date, ok, err := dateParam(p, "date")
	if err != nil {
		return "", err
	} else if !ok {
		return "", doorstep.FieldErrorf("date", "date is required: the day whose menu this is, such as 2026-12-07.")
	}
	return date, s.checkMenuDate("date", date)
}

// checkMenuDate refuses a date too far from today to keep a menu for.
func (s *Server) checkMenuDate(field, date string) error {
	today, _ := time.Parse(doorstep.DateLayout, s.today())
	first := today.AddDate(0, 0, -menuDaysBack).Format(doorstep.DateLayout)
	last := today.AddDate(0, 0, menuDaysAhead).Format(doorstep.DateLayout)
	if date < first || date > last {
		return doorstep.FieldErrorf(field, "%s must be from %s to %s: menus are kept from a week back to two months ahead.", field, first, last)
	}
	return nil
}

// mealTarget reads the meal point's id from the path and the required If-Match,
// which may be 0: the version of something not kept yet.
func (s *Server) mealTarget(c *gin.Context) (id, version int64, ok bool) {
	if _, ok := s.editParams(c); !ok {
		return 0, 0, false
	}
	id, err := serviceID(c)
	if err == nil {
		version, err = zeroVersion(c.GetHeader("If-Match"))
	}
	if err != nil {
		writeError(c, err)
		return 0, 0, false
	}
	return id, version, true
}

// zeroVersion reads If-Match ("3" or "\"3\""), required, 0 allowed.
func zeroVersion(header string) (int64, error) {
	match := strings.TrimSpace(header)
	if match == "" {
		return 0, &doorstep.Error{Code: doorstep.EPRECONDITION, Field: "If-Match",
			Message: "Send If-Match with the version you changed (0 for one not kept yet), so a newer change is never overwritten."}
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(match, "W/"), `"`), 10, 64)
	if err != nil || v < 0 {
		return 0, doorstep.FieldErrorf("If-Match", "If-Match must be the version, a whole number (0 for one not kept yet).")
	}
	return v, nil
}

const dishesWhat = `a list of {"name": "红烧肉", "price_fen": 800, "sold_out": false} (prices in whole fen: 8 元 is 800)`

// readMenuDay reads a day's menu body; the store checks what it holds.
func readMenuDay(c *gin.Context) (doorstep.MenuDay, error) {
	var day doorstep.MenuDay
	body, ok := readJSONObject(c)
	if !ok {
		return day, errAnswered
	}
	return day, decodeMenuDay(body, &day)
}

func decodeMenuDay(body jsonObject, day *doorstep.MenuDay) error {
	return decodeMembers(body, map[string]bodyMember{
		"dishes":            {what: dishesWhat, dst: &day.Dishes},
		"set_meal_fen":      {what: "a whole number of fen (15 元 is 1500) or null", dst: &day.SetMealFen, nullable: true},
		"set_meal_sold_out": {what: "true or false", dst: &day.SetMealSoldOut},
		"note":              {what: "text", dst: &day.Note},
	})
}

// handleMenuTemplate answers a meal point's weekly template (staff).
func (s *Server) handleMenuTemplate(c *gin.Context) {
	id, err := serviceID(c)
	var t *doorstep.MenuTemplate
	if err == nil {
		t, err = s.db.MenuTemplate(c.Request.Context(), id)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(t.Version, 10)))
	c.JSON(http.StatusOK, t)
}

// handleUpdateMenuTemplate replaces the weekly template; If-Match as for a menu.
func (s *Server) handleUpdateMenuTemplate(c *gin.Context) {
	id, version, ok := s.mealTarget(c)
	if !ok {
		return
	}
	days, err := readTemplateDays(c)
	var t *doorstep.MenuTemplate
	if err == nil {
		t, err = s.db.PutMenuTemplate(c.Request.Context(), id, version, days)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(t.Version, 10)))
	c.JSON(http.StatusOK, t)
}

// readTemplateDays reads {"days": {"mon": {...}, ...}}, each day as a menu body.
func readTemplateDays(c *gin.Context) (map[string]doorstep.MenuDay, error) {
	body, ok := readJSONObject(c)
	if !ok {
		return nil, errAnswered
	}
	var raw map[string]jsonObject
	if err := decodeMembers(body, map[string]bodyMember{"days": {what: `{"mon": {"dishes": [...], "set_meal_fen": 1500}, ...}`, dst: &raw}}); err != nil {
		return nil, err
	}
	if len(raw) > len(doorstep.Weekdays) {
		return nil, doorstep.FieldErrorf("days", "days holds at most the seven weekdays.")
	}
	days := map[string]doorstep.MenuDay{}
	for _, name := range jsonObjectNames(raw) {
		var day doorstep.MenuDay
		if err := decodeMenuDay(raw[name], &day); err != nil {
			return nil, doorstep.FieldErrorf("days."+name+"."+doorstep.ErrorField(err), "days.%s: %s", name, doorstep.ErrorMessage(err))
		}
		days[name] = day
	}
	return days, nil
}

func jsonObjectNames(m map[string]jsonObject) []string {
	o := make(jsonObject, len(m))
	for k := range m {
		o[k] = nil
	}
	return o.names()
}

// handleCopyMenuTemplate fills the days from..to (at most two weeks) from the
// weekly template; days with a menu keep it unless "replace": true.
func (s *Server) handleCopyMenuTemplate(c *gin.Context) {
	if _, ok := s.editParams(c); !ok {
		return
	}
	id, err := serviceID(c)
	var dates []string
	var replace bool
	if err == nil {
		dates, replace, err = s.readMenuCopy(c)
	}
	var list []*doorstep.Menu
	if err == nil {
		list, err = s.db.CopyMenuTemplate(c.Request.Context(), id, dates, replace)
		s.todayMenus.forget()
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.newMenuWeekJSON(id, list))
}

// readMenuCopy reads {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "replace": false}.
func (s *Server) readMenuCopy(c *gin.Context) ([]string, bool, error) {
	body, ok := readJSONObject(c)
	if !ok {
		return nil, false, errAnswered
	}
	var from, to string
	var replace bool
	err := decodeMembers(body, map[string]bodyMember{
		"from": {what: `a date "YYYY-MM-DD"`, dst: &from}, "to": {what: `a date "YYYY-MM-DD"`, dst: &to}, "replace": {what: "true or false", dst: &replace},
	})
	if err == nil && from == "" {
		err = doorstep.FieldErrorf("from", "from is required: the first day to fill.")
	}
	if to == "" {
		to = from
	}
	var dates []string
	if err == nil {
		dates, err = doorstep.DatesBetween(from, to, "from", "to")
	}
	if err == nil {
		if err = s.checkMenuDate("from", from); err == nil {
			err = s.checkMenuDate("to", to)
		}
	}
	return dates, replace, err
}

// menuDay keeps one day's menus of every meal point in memory, by listing id, for
// the doorstep answer: reading them from the store each time cost 0.57 ms of a
// 0.84 ms answer on the sample street (BenchmarkSampleDoorstep). Menus are written
// only through this server, which forgets the day after each write; a new day
// reads again.
type menuDay struct {
	mu    sync.Mutex
	date  string
	menus map[int64]*doorstep.Menu // nil: not read
}

// forget drops the kept menus, after a write.
func (d *menuDay) forget() {
	d.mu.Lock()
	d.menus = nil
	d.mu.Unlock()
}

// mealMenus returns today's menus of every meal point, by listing id. The map is
// shared by every answer of the day until a write: it is replaced, never changed,
// so callers only read it.
func (s *Server) mealMenus(ctx context.Context) (map[int64]*doorstep.Menu, error) {
	d, today := &s.todayMenus, s.today()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.menus == nil || d.date != today {
		all, err := s.db.MenusOnDate(ctx, today)
		if err != nil {
			return nil, err
		}
		d.date, d.menus = today, all
	}
	return d.menus, nil
}
