package exchange

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestReadSuggestionsRowErrors(t *testing.T) {
	const header = "external_id,year,filed_on,category,title,text,area,state,answer\n"
	good := func(id string) string {
		return id + ",2020,2020-03-01,环境卫生,路灯,弄堂口路灯坏了,,resolved,已修好\n"
	}
	var many strings.Builder
	for i := range maxSuggestionErrors + 5 {
		fmt.Fprintf(&many, "S%d,1900,,c,t,x,,received,\n", i)
	}
	tests := []struct {
		name, data string
		want       []string // each error's text, in order
	}{
		{"blank rows skipped, lines kept", header + "\n , \n" + good("A") + "A,1900,,c,t,x,,received,\n",
			[]string{`line 5, year: "1900" is not a year such as 2020`}},
		{"cell count", header + "A,2020\n" + good("B"),
			[]string{"line 2: 2 cells, the header has 9"}},
		{"external id twice", header + good("A") + good("A"),
			[]string{`line 3, external_id: "A" is on line 2 too`}},
		{"bad CSV ends the reading", header + "A,1900,,c,t,x,,received,\n" + "B,\"open\n",
			[]string{`line 2, year: "1900" is not a year such as 2020`, "line 3: not valid CSV: extraneous or missing \" in quoted-field"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSuggestions(strings.NewReader(tc.data))
			var errs RowErrors
			if !errors.As(err, &errs) {
				t.Fatalf("err %v, want RowErrors", err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	t.Run("errors stop at the bound", func(t *testing.T) {
		_, err := ReadSuggestions(strings.NewReader(header + many.String() + "B,\"open\n"))
		var errs RowErrors
		if !errors.As(err, &errs) || len(errs) != maxSuggestionErrors || errs[len(errs)-1].Line != maxSuggestionErrors+1 {
			t.Fatalf("got %d errors (%v), want the first %d", len(errs), err, maxSuggestionErrors)
		}
	})
	t.Run("good rows read", func(t *testing.T) {
		recs, err := ReadSuggestions(strings.NewReader("\ufeff" + header + good("A") + "\n" + good("B")))
		if err != nil || len(recs) != 2 || recs[1].ExternalID != "B" {
			t.Fatalf("got %+v, %v", recs, err)
		}
	})
}
