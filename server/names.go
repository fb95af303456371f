package server

import (
	"regexp"
	"slices"
	"strconv"

	"doorstep"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// sortAreasByName puts residential areas in the order a resident counts them, as
// the resident page's area list does (i18n.js compareNames): 凉城一村, 二村, 三村 …
// 十村, by the number (Chinese or Arabic) before 村, 号, 弄, 期, 坊 or 站, the rest
// in pinyin order.
func sortAreasByName(areas []*doorstep.Area) {
	// A Collator is not safe for concurrent use: one a call.
	c := collate.New(language.SimplifiedChinese, collate.Numeric)
	slices.SortStableFunc(areas, func(a, b *doorstep.Area) int {
		return c.CompareString(countedKey(a.Name), countedKey(b.Name))
	})
}

var countedNumber = regexp.MustCompile(`[〇零一二两三四五六七八九十百]+([村号弄期坊站])`)

// countedKey writes the Chinese number before a counting word in digits: 凉城十二村 → 凉城12村.
func countedKey(s string) string {
	return countedNumber.ReplaceAllStringFunc(s, func(m string) string {
		r := []rune(m)
		return strconv.Itoa(chineseNumber(string(r[:len(r)-1]))) + string(r[len(r)-1])
	})
}

// chineseNumber reads a Chinese numeral up to the hundreds: 四 → 4, 十二 → 12, 二十 → 20.
func chineseNumber(s string) int {
	digits := map[rune]int{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	total, digit := 0, 0
	for _, ch := range s {
		switch ch {
		case '十':
			total += max(digit, 1) * 10
			digit = 0
		case '百':
			total += max(digit, 1) * 100
			digit = 0
		default:
			digit = digits[ch]
		}
	}
	return total + digit
}
