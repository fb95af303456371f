package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

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
	doorstep.EMETHOD:         http.StatusMethodNotAllowed,
	doorstep.EMEDIATYPE:      http.StatusUnsupportedMediaType,
	doorstep.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	doorstep.ETOOLONG:        http.StatusRequestURITooLong,
	doorstep.EPRECONDITION:   http.StatusPreconditionRequired,
	doorstep.ETOOMANY:        http.StatusTooManyRequests,
	doorstep.EUNAVAILABLE:    http.StatusServiceUnavailable,
}

// errAnswered is returned by a reader that has answered its error itself (as
// readJSONObject does); writeError then writes nothing more.
var errAnswered = errors.New("server: error already answered")

type errorBody struct {
	Error errorDetail `json:"error"`
	// Current is, for a conflict, what the change was made to as it is now.
	Current any `json:"current,omitempty"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError is the one exit of every error: the JSON error of docs/api.md
// (Errors) with the status of its code, and for a conflict the current object and its version as the ETag.
// Errors that are not application errors are logged in full and shown to the user
// as "Internal error." only.
func writeError(c *gin.Context, err error) {
	if errors.Is(err, errAnswered) {
		return
	}
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
	var app *doorstep.Error
	if !errors.As(err, &app) {
		slog.ErrorContext(c.Request.Context(), "internal error", "method", methodLabel(c.Request.Method), "path", loggedPath(c.Request.URL.Path), "err", err)
	}
	body := errorBody{Error: errorDetail{Code: code, Message: doorstep.ErrorMessage(err), Field: doorstep.ErrorField(err)}}
	var conflict *doorstep.ConflictError
	if errors.As(err, &conflict) {
		c.Header("ETag", strconv.Quote(strconv.FormatInt(conflict.Version, 10)))
		body.Current = conflict.Current
	}
	c.AbortWithStatusJSON(status, body)
}
