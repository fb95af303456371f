package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// The Debian packages the comparison needs, and the files that show they are there.
var debianPackages = []struct{ name, control string }{
	{"postgresql-15-postgis-3", "/usr/share/postgresql/15/extension/postgis.control"},
	{"postgresql-15-pgrouting", "/usr/share/postgresql/15/extension/pgrouting.control"},
}

// ensurePackages installs PostGIS and pgRouting with apt-get when their extension
// files are missing. Only root may; anyone else is told the command to run.
func ensurePackages(ctx context.Context, pgBin string) error {
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		return fmt.Errorf("PostgreSQL 15 is not installed (%s/initdb): apt-get install postgresql-15", pgBin)
	}
	var missing []string
	for _, p := range debianPackages {
		if _, err := os.Stat(p.control); err != nil {
			missing = append(missing, p.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s missing and installing needs root: sudo apt-get install -y %s",
			strings.Join(missing, ", "), strings.Join(missing, " "))
	}
	fmt.Printf("installing %s with apt-get\n", strings.Join(missing, " "))
	cmd := exec.CommandContext(ctx, "apt-get", append([]string{"install", "-y", "--no-install-recommends"}, missing...)...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apt-get install %s: %w", strings.Join(missing, " "), err)
	}
	return nil
}

// cluster is a throwaway PostgreSQL cluster in a temporary directory, listening
// on loopback only, with trust authentication (nothing else can reach it).
type cluster struct {
	bin, dir, data string
	port           int
	asUser         string // run the server's programs as this user (root cannot run postgres)
	memLimit       int64  // bytes of address space each server process may take, 0: no limit
	started        bool
}

// settings are the server's, on its command line: a throwaway cluster need not
// survive a crash (fsync off speeds the load and changes no query), and JIT is
// off as is usual for short lookups.
var pgSettings = []string{
	"listen_addresses=127.0.0.1", "shared_buffers=1GB", "work_mem=64MB", "maintenance_work_mem=512MB",
	"fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_wal_size=8GB", "jit=off",
	"max_connections=60",
}

func newCluster(bin string, memLimit int64) (*cluster, error) {
	dir, err := os.MkdirTemp("", "doorstep-anchor-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), memLimit: memLimit}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, errors.New("running as root, and there is no postgres user to run the server as (the postgresql package makes one)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.asUser = "postgres"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if out, err := c.command("initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		c.remove()
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	return c, nil
}

// command runs one of the server's programs, as asUser when set, under the
// address-space limit.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	line := filepath.Join(c.bin, name)
	for _, a := range args {
		line += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	if c.memLimit > 0 {
		line = fmt.Sprintf("ulimit -v %d && exec %s", c.memLimit/1024, line)
	}
	if c.asUser != "" {
		return exec.Command("runuser", "-u", c.asUser, "--", "sh", "-c", line)
	}
	return exec.Command("sh", "-c", line)
}

// start starts the server and waits until it accepts connections; it returns how
// long that took.
func (c *cluster) start() (time.Duration, error) {
	opts := fmt.Sprintf("-p %d -k %s", c.port, c.dir)
	for _, s := range pgSettings {
		opts += " -c " + s
	}
	t0 := time.Now()
	out, err := c.command("pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "300", "-o", opts, "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return 0, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	c.started = true
	return time.Since(t0), nil
}

// stop stops the server (fast shutdown: open sessions are ended).
func (c *cluster) stop() {
	if !c.started {
		return
	}
	if out, err := c.command("pg_ctl", "-D", c.data, "-m", "fast", "-w", "-t", "60", "stop").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "pg_ctl stop: %v\n%s", err, out)
	}
	c.started = false
}

// remove stops the server and deletes the cluster.
func (c *cluster) remove() {
	c.stop()
	os.RemoveAll(c.dir)
}

func (c *cluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *cluster) connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, c.dsn())
}

// postmaster returns the server's process id, from postmaster.pid.
func (c *cluster) postmaster() int {
	data, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	pid, _ := strconv.Atoi(string(line))
	return pid
}

// memory is the proportional set size (PSS: shared memory divided among the
// processes that map it) of the server and all its processes, in bytes, so the
// shared buffers count once.
func (c *cluster) memory() int64 {
	pm := c.postmaster()
	if pm == 0 {
		return 0
	}
	var total int64
	for _, pid := range append([]int{pm}, children(pm)...) {
		total += procField(pid, "smaps_rollup", "Pss:")
	}
	return total
}
