package static

import (
	"regexp"
	"strings"
	"testing"
)

// TestChineseStringsUseFullWidthPunctuation reads the Chinese half of every page's
// dictionary: a string with Chinese text in it uses full-width punctuation (，：？！；（）),
// keeping a colon only between digits (10:30) and anything inside {placeholders}.
func TestChineseStringsUseFullWidthPunctuation(t *testing.T) {
	literal := regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)
	cjk := regexp.MustCompile(`\p{Han}`)
	placeholder := regexp.MustCompile(`\{\w+\}`)
	halfWidth := regexp.MustCompile(`[,?!;()]|(?:^|[^\d]):|:(?:[^\d]|$)`)
	for _, name := range []string{"i18n.js", "staff-strings.js", "office.js"} {
		src, err := Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inZh := false
		for i, line := range strings.Split(string(src), "\n") {
			switch strings.TrimSpace(line) {
			case "zh: {":
				inZh = true
			case "en: {":
				inZh = false
			}
			if !inZh {
				continue
			}
			for _, m := range literal.FindAllStringSubmatch(line, -1) {
				s := placeholder.ReplaceAllString(m[1], "")
				if cjk.MatchString(s) && halfWidth.MatchString(s) {
					t.Errorf("%s:%d: half-width punctuation in Chinese text: %q", name, i+1, m[1])
				}
			}
		}
	}
}
