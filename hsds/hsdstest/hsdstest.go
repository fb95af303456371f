// Package hsdstest checks HSDS output against the official compiled JSON Schemas of
// HSDS 3.0 (see testdata/README.md), for the tests of any package.
package hsdstest

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/*.json.gz
var schemaFiles embed.FS

// Schema names: the compiled schemas of a full service, a service list item and an
// organization.
const (
	Service     = "service"
	ServiceList = "service_list"
	Org         = "organization"
)

type compiled struct {
	published, closed *jsonschema.Schema
	err               error
}

var (
	mu    sync.Mutex
	cache = map[string]*compiled{}
)

// Validate checks v, encoded as JSON, against the named schema twice: as published,
// with formats (uuid, date-time, uri, email) asserted; and closed — every object
// allowing only the properties the schema names — since the published schemas
// accept any extra member and so would pass a misspelt field.
func Validate(name string, v any) error {
	c := schema(name)
	if c.err != nil {
		return c.err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if err := c.published.Validate(inst); err != nil {
		return fmt.Errorf("hsds %s schema: %w", name, err)
	}
	if err := c.closed.Validate(inst); err != nil {
		return fmt.Errorf("hsds %s schema, closed to unknown members: %w", name, err)
	}
	return nil
}

// MustValidate is Validate failing the test.
func MustValidate(tb testing.TB, name string, v any) {
	tb.Helper()
	if err := Validate(name, v); err != nil {
		tb.Fatal(err)
	}
}

func schema(name string) *compiled {
	mu.Lock()
	defer mu.Unlock()
	if c, ok := cache[name]; ok {
		return c
	}
	c := &compiled{}
	cache[name] = c
	if c.published, c.err = compile(name, false); c.err == nil {
		c.closed, c.err = compile(name, true)
	}
	return c
}

func compile(name string, closed bool) (*jsonschema.Schema, error) {
	f, err := schemaFiles.Open("testdata/" + name + ".json.gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if closed {
		closeObjects(doc)
	}
	url := "https://doorstep.invalid/hsds/" + name + ".json"
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	if err := comp.AddResource(url, doc); err != nil {
		return nil, err
	}
	return comp.Compile(url)
}

// closeObjects sets additionalProperties false on every schema with properties.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			v["additionalProperties"] = false
			for _, p := range props {
				closeObjects(p)
			}
		}
		if items, ok := v["items"]; ok {
			closeObjects(items)
		}
	case []any:
		for _, x := range v {
			closeObjects(x)
		}
	}
}
