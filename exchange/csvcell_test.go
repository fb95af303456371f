package exchange

import "testing"

func TestEscapeCell(t *testing.T) {
	tests := []struct{ in, out string }{
		{"", ""},
		{"长寿路街道", "长寿路街道"},
		{"=1+1", "'=1+1"},
		{"+86 21 6543 2100", "'+86 21 6543 2100"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'quoted", "''quoted"},
		{"a=1", "a=1"},
	}
	for _, tc := range tests {
		if got := EscapeCell(tc.in); got != tc.out {
			t.Errorf("EscapeCell(%q) = %q, want %q", tc.in, got, tc.out)
		}
		if back := UnescapeCell(EscapeCell(tc.in)); back != tc.in {
			t.Errorf("UnescapeCell(EscapeCell(%q)) = %q", tc.in, back)
		}
	}
}
