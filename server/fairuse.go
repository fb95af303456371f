package server

import (
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"

	"doorstep"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Fair use of the expensive endpoints — circles, catchments, coverage, what-if and
// suggestions, which walk the network for tens to hundreds of milliseconds where a
// nearest or doorstep lookup takes one. Two bounds keep the cheap lookups fast
// whoever asks for expensive ones:
//
//   - a cost budget per client address: a token bucket of expensiveBurst units,
//     refilled at expensivePerSecond (golang.org/x/time/rate). A resident's
//     15-minute circle costs one unit; a request costs what it walks (walkCost),
//     so an hour's circle at the fastest speed spends a whole burst;
//   - a concurrency limit: at most expensiveSlots run at once (one core fewer
//     than the machine has, at least one), so a core stays free for cheap
//     lookups; a request waits up to maxSlotWait for a slot.
//
// Past either bound the answer is 429 with Retry-After and a JSON error.
const (
	defaultExpensivePerSecond = 2
	defaultExpensiveBurst     = 10
	maxSlotWait               = 2 * time.Second
	// fairUseClients bounds the addresses remembered; idle ones go first.
	fairUseClients = 10_000
	// fairUseIdle is how long an address's budget is kept after its last use;
	// by then its bucket is full again anyway.
	fairUseIdle = 10 * time.Minute
)

// fairUse holds the budgets and the slots. It is safe for concurrent use.
type fairUse struct {
	perSecond rate.Limit
	burst     int
	slots     chan struct{}
	slotWait  time.Duration // how long a request waits for a slot: maxSlotWait
	// lookups are the slots of the cheap walking lookups (Server.lookup).
	lookups chan struct{}

	mu      sync.Mutex
	clients map[string]*clientBudget
}

type clientBudget struct {
	bucket *rate.Limiter
	seen   time.Time
}

func newFairUse(cfg Config) *fairUse {
	perSecond, burst, slots := cfg.ExpensivePerSecond, cfg.ExpensiveBurst, cfg.ExpensiveSlots
	if perSecond <= 0 {
		perSecond = defaultExpensivePerSecond
	}
	if burst <= 0 {
		burst = defaultExpensiveBurst
	}
	if slots <= 0 {
		slots = max(1, runtime.GOMAXPROCS(0)-1)
	}
	lookups := cfg.LookupSlots
	if lookups <= 0 {
		lookups = max(4, 2*runtime.GOMAXPROCS(0))
	}
	return &fairUse{perSecond: rate.Limit(perSecond), burst: burst, slots: make(chan struct{}, slots),
		slotWait: maxSlotWait, lookups: make(chan struct{}, lookups), clients: map[string]*clientBudget{}}
}

// take spends cost units of addr's budget at now, or returns how long until it
// may spend them.
func (f *fairUse) take(addr string, cost int, now time.Time) time.Duration {
	f.mu.Lock()
	b := f.clients[addr]
	if b == nil {
		if len(f.clients) >= fairUseClients {
			for k, old := range f.clients {
				if now.Sub(old.seen) > fairUseIdle {
					delete(f.clients, k)
				}
			}
		}
		b = &clientBudget{bucket: rate.NewLimiter(f.perSecond, f.burst)}
		if len(f.clients) < fairUseClients {
			f.clients[addr] = b
		}
	}
	b.seen = now
	f.mu.Unlock()
	r := b.bucket.ReserveN(now, min(cost, f.burst))
	if delay := r.DelayFrom(now); delay > 0 {
		r.CancelAt(now) // a refused request costs nothing
		return delay
	}
	return 0
}

// walkCost is the cost of walking for the query's minutes at its speed (defaults
// 15 and the elder's 50 m/min): the area walked grows with the square of the
// distance, and so does the work, so one unit is a 15-minute circle at 50 m/min
// and an hour at 120 m/min costs 92. Parameters that do not parse cost one unit;
// the handler refuses them.
func walkCost(c *gin.Context) int {
	minutes, err := strconv.ParseFloat(c.Query("minutes"), 64)
	if err != nil || !(minutes >= 1 && minutes <= 60) {
		minutes = doorstep.DefaultCircleMinutes
	}
	speed, err := doorstep.ParseSpeed(c.Query("speed"))
	if err != nil {
		speed = doorstep.SpeedElder
	}
	d := minutes * speed / (doorstep.DefaultCircleMinutes * doorstep.SpeedElder)
	return max(1, int(math.Ceil(d*d)))
}

// fixedCost returns a cost function of n units, for requests whose work does not
// depend on their parameters as much: coverage reports and their what-ifs.
func fixedCost(n int) func(*gin.Context) int { return func(*gin.Context) int { return n } }

// expensive returns the middleware of an expensive endpoint: the client's budget
// is charged cost(c) units, then a slot is taken and held while the handler runs.
func (s *Server) expensive(cost func(*gin.Context) int) gin.HandlerFunc {
	return func(c *gin.Context) { s.spend(c, cost(c)) }
}

func (s *Server) spend(c *gin.Context, cost int) {
	if wait := s.fair.take(c.ClientIP(), cost, time.Now()); wait > 0 {
		tooMany(c, wait, "You asked for many walking circles or reports in a short time. Please wait a moment and try again.")
		return
	}
	select {
	case s.fair.slots <- struct{}{}:
	default:
		t := time.NewTimer(s.fair.slotWait)
		defer t.Stop()
		select {
		case s.fair.slots <- struct{}{}:
		case <-t.C:
			tooMany(c, time.Second, "The server is busy drawing walking circles and reports. Please try again in a moment.")
			return
		case <-c.Request.Context().Done():
			c.AbortWithStatus(statusClientGone)
			return
		}
	}
	defer func() { <-s.fair.slots }()
	c.Next()
}

// lookup runs a cheap walking lookup in one of a few slots, the others waiting
// their turn in order. Each lookup holds a walker with a few bytes for every node
// of the network (8 MB on a city of a million nodes) while it runs: with every
// request of 64 clients walking at once on two cores, each took longer and the
// walkers alone held half a gigabyte; in slots they finish one after another as
// fast as the cores allow. A client that goes away while waiting is not served.
func (s *Server) lookup(c *gin.Context) {
	select {
	case s.fair.lookups <- struct{}{}:
	case <-c.Request.Context().Done():
		c.AbortWithStatus(statusClientGone)
		return
	}
	defer func() { <-s.fair.lookups }()
	c.Next()
}

// tooMany answers 429 with Retry-After in whole seconds (at least one).
func tooMany(c *gin.Context, wait time.Duration, message string) {
	writeError(c, tooManyError(c, wait, message))
}

// tooManyError sets Retry-After to wait and returns the ETOOMANY to answer with.
func tooManyError(c *gin.Context, wait time.Duration, message string) error {
	c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	return &doorstep.Error{Code: doorstep.ETOOMANY, Message: message}
}
