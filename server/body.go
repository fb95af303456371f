package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// maxBodyBytes bounds every JSON request body.
const maxBodyBytes = 1 << 20

// jsonObject is a request body's members by name, each still JSON, so every member
// is decoded (and refused) by name.
type jsonObject map[string]json.RawMessage

// readJSONObject reads the request body as one JSON object, answering the error
// itself: 415 unless the Content-Type is application/json, 413 over maxBodyBytes,
// 400 naming "body" when it is not one JSON object.
func readJSONObject(c *gin.Context) (jsonObject, bool) { return readSmallJSONObject(c, maxBodyBytes) }

// readSmallJSONObject is readJSONObject with a body of at most limit bytes, for
// what anyone may send without an account.
func readSmallJSONObject(c *gin.Context, limit int64) (jsonObject, bool) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		writeError(c, &doorstep.Error{Code: doorstep.EMEDIATYPE, Field: "Content-Type",
			Message: "Send the body as JSON with Content-Type: application/json."})
		return nil, false
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		size := "1 MiB"
		if limit < maxBodyBytes {
			size = fmt.Sprintf("%d KiB", limit>>10)
		}
		writeError(c, &doorstep.Error{Code: doorstep.ETOOLARGE, Field: "body",
			Message: "The body is larger than " + size + "."})
		return nil, false
	} else if err != nil {
		writeError(c, doorstep.FieldErrorf("body", "The body could not be read."))
		return nil, false
	}
	var obj jsonObject
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		writeError(c, doorstep.FieldErrorf("body", "The body must be one JSON object."))
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeError(c, doorstep.FieldErrorf("body", "The body must be one JSON object, with nothing after it."))
		return nil, false
	}
	return obj, true
}

// names returns the members' names in order, so the first error is always the same.
func (o jsonObject) names() []string {
	names := make([]string, 0, len(o))
	for k := range o {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// decode decodes member name into dst strictly (no unknown members in nested
// objects), and refuses null unless nullable. what says what the member must be,
// for the error.
func (o jsonObject) decode(name string, dst any, what string, nullable bool) error {
	raw := o[name]
	if string(bytes.TrimSpace(raw)) == "null" && !nullable {
		return doorstep.FieldErrorf(name, "%s must be %s, not null.", name, what)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return doorstep.FieldErrorf(name, "%s must be %s.", name, what)
	}
	return nil
}
