package server

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// The residents' busiest answers — nearest lists and doorstep answers — are
// written by hand into one pooled buffer rather than built as structs for
// encoding/json: at thousands of answers a second building and reflecting over
// them cost as much CPU as finding the listings. The appenders below write
// exactly what encoding/json writes for the same values (HTML-safe strings,
// ES6-style numbers); encode_test.go holds them to it byte for byte.

// answerBuffers are the buffers answers are written into; one is taken per
// answer and given back once the body is written.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// maxPooledAnswer bounds the buffers kept in answerBuffers, so one huge answer
// does not stay held for good.
const maxPooledAnswer = 256 << 10

// writeAnswer answers 200 with the body that write appends to a pooled buffer, of
// contentType (a header value shared by every answer, as gin shares its own:
// nothing changes a sent header), with its Content-Length rather than chunked as a
// body of unknown length goes. An error write returns is answered instead.
func writeAnswer(c *gin.Context, contentType []string, write func([]byte) ([]byte, error)) {
	bp := answerBuffers.Get().(*[]byte)
	b, err := write((*bp)[:0])
	if cap(b) <= maxPooledAnswer {
		defer func() { *bp = b[:0]; answerBuffers.Put(bp) }()
	}
	if err != nil {
		writeError(c, err)
		return
	}
	h := c.Writer.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	c.Status(http.StatusOK)
	if _, err := c.Writer.Write(b); err != nil { // the client left; as gin's c.Data
		_ = c.Error(err)
		c.Abort()
	}
}

// jsonContentType is gin's c.JSON Content-Type.
const jsonContentType = "application/json; charset=utf-8"

var jsonContentTypeHeader = []string{jsonContentType}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes a string: quoted, with <, >
// and & escaped for HTML, control characters, U+2028 and U+2029 escaped, and
// invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form only below 1e-6 or from 1e21.
// encoding/json refuses NaN and infinities; answers hold neither, and null is
// written should one slip through.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-07 → e-7, as encoding/json
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONBool appends true or false.
func appendJSONBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// appendJSON appends v encoded by encoding/json, for the small or rare parts of a
// document written by hand (a circle's properties, today's menu); on an error it
// appends nothing.
func appendJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}
