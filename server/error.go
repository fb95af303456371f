package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// statusOf maps application error codes to HTTP statuses; the one place that does.
var statusOf = map[string]int{
	doorstep.ECONFLICT:       http.StatusConflict,
	doorstep.EINVALID:        http.StatusBadRequest,
	doorstep.ENOTFOUND:       http.StatusNotFound,
	doorstep.EUNAUTHORIZED:   http.StatusUnauthorized,
	doorstep.EFORBIDDEN:      http.StatusForbidden,
	doorstep.EUNPROCESSABLE:  http.StatusUnprocessableEntity,
	doorstep.ENOTIMPLEMENTED: http.StatusNotImplemented,
	doorstep.EINTERNAL:       http.StatusInternalServerError,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers with the JSON error of docs/api.md (Errors). Internal errors are logged
// in full and shown to the user as "Internal error." only.
func writeError(c *gin.Context, err error) {
	code := doorstep.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client left while the work ran: nobody reads the answer, and it is no
		// fault of the server's. afterRequest logs it as cut.
		c.AbortWithStatus(statusClientGone)
		return
	}
	if code == doorstep.EINTERNAL {
		slog.ErrorContext(c.Request.Context(), "internal error", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{
		Code: code, Message: doorstep.ErrorMessage(err), Field: doorstep.ErrorField(err),
	}})
}

// writeStatusError answers with a JSON error for a status the router decides
// (unknown route, wrong method) rather than an application error.
func writeStatusError(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: message}})
}
