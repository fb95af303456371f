package doorstep

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP statuses by the server (server/error.go).
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"
	EUNPROCESSABLE  = "unprocessable"
	ENOTIMPLEMENTED = "not_implemented"

	// Refusals of the request itself rather than of what it asks.
	EMETHOD       = "method_not_allowed"     // a method the path does not take
	EMEDIATYPE    = "unsupported_media_type" // a body that is not JSON
	ETOOLARGE     = "too_large"              // a body over the limit
	ETOOLONG      = "too_long"               // a query string over the limit
	EPRECONDITION = "precondition_required"  // a change without If-Match
	ETOOMANY      = "too_many_requests"      // over a rate limit
	EUNAVAILABLE  = "unavailable"            // not ready to answer yet
)

// Error is an application error with a code, a message meant for the user and,
// for invalid input, the field it concerns.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("doorstep error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("doorstep error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error naming the offending field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an application error and
// "Internal error." for anything else, so details never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field an application error concerns, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ConflictError is an ECONFLICT that carries the current state of what a change
// was made to (a *Service, for a listing) and its version, so the client can show
// it and re-apply the change.
type ConflictError struct {
	Err     *Error
	Current any
	Version int64
}

// Error implements the error interface.
func (e *ConflictError) Error() string { return e.Err.Error() }

// Unwrap makes the code and message visible to ErrorCode and ErrorMessage.
func (e *ConflictError) Unwrap() error { return e.Err }
