package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// hostileCircle is the most expensive circle a resident may ask for: an hour's
// walk at the fastest speed, with five bands.
const hostileCircle = "/api/circle?minutes=60&speed=120&bands=10,20,30,40,50&"

// hostile is the fair-use benchmark (issue 12): o.hostileClients clients, each
// from its own address (X-Forwarded-For, believed because the started server
// trusts loopback as its proxy), ask for hostileCircle as fast as they are
// answered, for o.hostileDuration, while a prober asks for a doorstep answer every
// 20 ms and reports its latency percentiles. The prober's p99 is the figure: the
// expensive requests must not starve the cheap ones.
func (p *portal) hostile(ctx context.Context, o options) error {
	ctx, cancel := context.WithTimeout(ctx, o.hostileDuration)
	defer cancel()
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range o.hostileClients {
		wg.Go(func() {
			hc := &http.Client{Timeout: 60 * time.Second}
			for ctx.Err() == nil {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+hostileCircle+p.point(), nil)
				if err != nil {
					return
				}
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.12.%d.%d", i/250, i%250+1))
				res, err := hc.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mu.Lock()
				codes[res.StatusCode]++
				mu.Unlock()
				if res.StatusCode == http.StatusTooManyRequests {
					// A well-behaved client would wait Retry-After; a hostile one
					// does not wait long.
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	var latencies []time.Duration
	probeErrors := 0
	hc := &http.Client{Timeout: 30 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	time.Sleep(time.Second) // let the hammering start
probe:
	for {
		select {
		case <-ctx.Done():
			break probe
		case <-tick.C:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/doorstep?"+p.point(), nil)
		req.Header.Set("X-Forwarded-For", "10.13.0.1")
		start := time.Now()
		res, err := hc.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				probeErrors++
			}
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			probeErrors++
			continue
		}
		latencies = append(latencies, time.Since(start))
	}
	wg.Wait()
	if len(latencies) == 0 {
		return fmt.Errorf("hostile: the prober got no answer")
	}
	slices.Sort(latencies)
	at := func(q float64) time.Duration { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	fmt.Printf("hostile: %d clients asked for 60-min circles at 120 m/min with 5 bands for %v; answers %v\n",
		o.hostileClients, o.hostileDuration, codes)
	fmt.Printf("hostile: /api/doorstep prober: %d answers, %d errors, p50 %s, p95 %s, p99 %s, max %s\n",
		len(latencies), probeErrors, ms(at(0.50)), ms(at(0.95)), ms(at(0.99)), ms(latencies[len(latencies)-1]))
	return nil
}
