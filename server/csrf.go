package server

import (
	"crypto/subtle"
	"net/http"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// csrfHeader carries the session's token on every state-changing request. A page
// of another site can make the browser send our cookie but cannot read the token
// (GET /api/session answers only same-origin scripts), nor set this header on a
// cross-site request without a CORS preflight we never grant.
const csrfHeader = "X-CSRF-Token"

// requireCSRF refuses a state-changing request (anything but GET, HEAD, OPTIONS)
// whose X-CSRF-Token is missing or is not the session's token: 403.
func (s *Server) requireCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	want := stringValue(s.session(c), keyCSRF)
	got := c.GetHeader(csrfHeader)
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		writeError(c, &doorstep.Error{Code: doorstep.EFORBIDDEN, Field: csrfHeader,
			Message: "Missing or wrong X-CSRF-Token header: send the csrf_token from GET /api/session."})
		return
	}
	c.Next()
}
