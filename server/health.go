package server

import (
	"context"
	"net/http"
	"time"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// readyTimeout bounds the database check of GET /readyz: a database that takes
// longer to answer one query is not ready to serve.
const readyTimeout = 2 * time.Second

// handleHealth answers GET /healthz: the process is up and serving HTTP. It checks
// nothing else, so a supervisor restarts the process only when it is truly stuck.
func (s *Server) handleHealth(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// handleReady answers GET /readyz: 200 when the database answers a query and the
// finder snapshot is built, so a load balancer may send traffic; 503 otherwise.
func (s *Server) handleReady(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready: database", "err", err)
		writeError(c, &doorstep.Error{Code: doorstep.EUNAVAILABLE, Message: "The database does not answer."})
		return
	}
	snap := s.Snapshot()
	if snap == nil {
		writeError(c, &doorstep.Error{Code: doorstep.EUNAVAILABLE, Message: "The finder snapshot is not built yet."})
		return
	}
	// Ready, even when the data does not fit the street: the fit report says how.
	c.JSON(http.StatusOK, gin.H{
		"status":               "ready",
		"snapshot_built_at":    snap.BuiltAt().UTC().Format(time.RFC3339Nano),
		"snapshot_age_seconds": time.Since(snap.BuiltAt()).Seconds(),
		"fit":                  snap.Fit(),
	})
}
