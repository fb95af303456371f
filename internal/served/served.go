// Package served starts `doorstep serve` as a child process for the measuring
// tools (doorstep-load, doorstep-anchor), waits until it is ready and ends it,
// so that both start, time and stop the portal they measure the same way.
package served

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// readyWithin bounds the wait for /readyz: a city of millions of nodes takes a while.
const readyWithin = 10 * time.Minute

// Process is a started doorstep serve.
type Process struct {
	Cmd     *exec.Cmd
	Base    string        // http://addr
	LogPath string        // its standard output and error
	Started time.Time     // just before the process was started
	Ready   time.Duration // from Started until /readyz answered 200
	exited  chan struct{} // closed when the process has ended; nil once stopped
}

// FreeAddr returns a loopback address free a moment ago: chosen here rather than
// :0, whose address only the server's log says.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start runs bin with args (which serve on addr), its output to logPath, and
// waits until GET /readyz answers 200. A tool that dies without stopping it
// (SIGPIPE when its output is piped to head, kill -9) takes the server with it
// rather than leaving it serving.
func Start(ctx context.Context, bin string, args []string, addr, logPath string) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	p := &Process{Cmd: exec.Command(bin, args...), Base: "http://" + addr, LogPath: logPath}
	p.Cmd.Stdout, p.Cmd.Stderr = logFile, logFile
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	p.Started = time.Now()
	if err := p.Cmd.Start(); err != nil {
		return nil, err
	}
	p.exited = make(chan struct{})
	go func() { p.Cmd.Wait(); close(p.exited) }()
	for deadline := time.Now().Add(readyWithin); time.Now().Before(deadline); {
		if res, err := http.Get(p.Base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				p.Ready = time.Since(p.Started)
				return p, nil
			}
		}
		select {
		case <-p.exited:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("doorstep serve exited before it was ready (%v):\n%s", p.Cmd.ProcessState, log)
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.Stop()
	return nil, fmt.Errorf("doorstep serve was not ready in %v; log %s", readyWithin, logPath)
}

// Stop ends the server with SIGTERM (its graceful shutdown), then SIGKILL after
// 20 s. It may be called more than once.
func (p *Process) Stop() {
	if p == nil || p.exited == nil {
		return
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.Cmd.Process.Kill()
		<-p.exited
	}
	p.exited = nil
}

// LoadAverage is the machine's load average over 1, 5 and 15 minutes, which
// every figure taken on a shared machine should be read with.
func LoadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) >= 3 {
		return fmt.Sprintf("%s, %s, %s (1, 5, 15 min)", f[0], f[1], f[2])
	}
	return "unknown"
}
