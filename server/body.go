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
	"strings"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// bodyMember is one member a body may hold: what it must be, for errors, where it
// is decoded to, and whether it may be null.
type bodyMember struct {
	what     string
	dst      any
	nullable bool
}

// decodeMembers decodes each member of body into its place in members, refusing
// unknown members, nulls where a member is not nullable, and the absence of any
// member named required, each by name.
func decodeMembers(body jsonObject, members map[string]bodyMember, required ...string) error {
	return decodeMembersNullable(body, members, false, required...)
}

// decodeMembersNullable is decodeMembers, accepting null for any member when
// nullable (as a what-if body does).
func decodeMembersNullable(body jsonObject, members map[string]bodyMember, nullable bool, required ...string) error {
	for _, name := range body.names() {
		m, ok := members[name]
		if !ok {
			return doorstep.FieldErrorf(name, "Unknown field %q: the body may hold %s.", name, memberNames(members))
		}
		if err := body.decode(name, m.dst, m.what, nullable || m.nullable); err != nil {
			return err
		}
	}
	for _, name := range required {
		if _, ok := body[name]; !ok {
			return doorstep.FieldErrorf(name, "%s is required (%s).", name, members[name].what)
		}
	}
	return nil
}

// memberNames lists the members a body may hold, "kind, note and phone"; the
// honeypot is left out, as no person should fill it.
func memberNames(members map[string]bodyMember) string {
	var names []string
	for name := range members {
		if name != reportHoneypot {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// honeypotError refuses a body whose honeypot member a robot filled in.
func honeypotError(trap string) error {
	if trap != "" {
		return doorstep.FieldErrorf(reportHoneypot, "Leave this field empty.")
	}
	return nil
}

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
