package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"doorstep"
)

// Limits on a search query: longer text is refused rather than cut, and a query of
// many words is refused before it becomes a long FTS5 expression.
const (
	MaxSearchRunes = 100
	MaxSearchTerms = 10
)

// Ranking. bm25 costs about 3 µs a match (it reads each match's column sizes), so
// a query matching more than exactRankLimit rows — a common word over a whole
// city's listings — is ranked in two tiers instead: matches in the name first
// (rank nameTierRank), then the rest (otherTierRank).
const (
	nameTierRank  = -2.0
	otherTierRank = -1.0
)

// exactRankLimit is a variable so that a test can rank in tiers without writing
// thousands of listings.
var exactRankLimit = 2000

// searchIndex is one FTS5 table of migration 006 with its bm25 column weights, the
// name column weighing most.
type searchIndex struct {
	table, weights, nameColumn string
}

var (
	servicesIndex = searchIndex{"services_search", "8.0, 2.0, 1.0, 3.0", "name"} // name, kind, address, offers
	areasIndex    = searchIndex{"areas_search", "4.0, 1.0", "name"}              // name, committee
)

// SearchServices finds the listings (of any status) whose names, category names,
// address or offers contain every term of q, and returns each one's id with its
// rank, lower is better: bm25 with a name match weighing most (in two tiers, name
// matches first, beyond exactRankLimit matches). Terms are q split at spaces and
// punctuation, and match as substrings — one character (助), two (食堂) or more — in
// any script; Latin letters match in either case. q is never read as FTS5 syntax,
// so any text is safe. Invalid UTF-8, more than MaxSearchRunes characters or more
// than MaxSearchTerms terms is an EINVALID naming "q"; a q without a letter or digit
// matches nothing.
func (db *DB) SearchServices(ctx context.Context, q string) (map[int64]float64, error) {
	return db.search(ctx, q, servicesIndex)
}

// SearchAreas finds the residential areas whose name or residents' committee
// contains every term of q, ranked as SearchServices ranks listings: "凉城四村" finds
// that area, "凉城" every 凉城 village.
func (db *DB) SearchAreas(ctx context.Context, q string) (map[int64]float64, error) {
	return db.search(ctx, q, areasIndex)
}

func (db *DB) search(ctx context.Context, q string, index searchIndex) (map[int64]float64, error) {
	match, err := searchMatch(q)
	if err != nil {
		return nil, err
	}
	hits := map[int64]float64{}
	if match == "" {
		return hits, nil
	}
	// Another client's writes since Doorstep's last are indexed first.
	if err := db.indexPending(ctx); err != nil {
		return nil, err
	}
	from := ` FROM ` + index.table + ` WHERE ` + index.table + ` MATCH ?`
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		err := scanHits(ctx, tx, `SELECT rowid, `+strconv.FormatFloat(otherTierRank, 'f', -1, 64)+from, match, hits)
		if err != nil || len(hits) == 0 {
			return err
		}
		if len(hits) <= exactRankLimit {
			return scanHits(ctx, tx, `SELECT rowid, bm25(`+index.table+`, `+index.weights+`)`+from, match, hits)
		}
		nameOnly := `{` + index.nameColumn + `} : (` + match + `)`
		return scanHits(ctx, tx, `SELECT rowid, `+strconv.FormatFloat(nameTierRank, 'f', -1, 64)+from, nameOnly, hits)
	})
	if err != nil {
		return nil, err
	}
	return hits, nil
}

// scanHits runs a query of (id, rank) rows and sets each rank in hits.
func scanHits(ctx context.Context, tx *sql.Tx, query, match string, hits map[int64]float64) error {
	rows, err := tx.QueryContext(ctx, query, match)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			rank float64
		)
		if err := rows.Scan(&id, &rank); err != nil {
			return err
		}
		hits[id] = rank
	}
	return rows.Err()
}

// searchTerms checks q and splits it into lower-cased terms at every character that
// is not a letter, digit or mark.
func searchTerms(q string) ([]string, error) {
	if !utf8.ValidString(q) {
		return nil, doorstep.FieldErrorf("q", "q must be valid UTF-8 text.")
	}
	if utf8.RuneCountInString(q) > MaxSearchRunes {
		return nil, doorstep.FieldErrorf("q", "q must be at most %d characters.", MaxSearchRunes)
	}
	terms := strings.FieldsFunc(lowerASCII(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if len(terms) > MaxSearchTerms {
		return nil, doorstep.FieldErrorf("q", "q may have at most %d words.", MaxSearchTerms)
	}
	return terms, nil
}

// searchMatch turns q into an FTS5 expression over the hex character pairs of
// searchPairs: each term of two or more characters is the phrase of its pairs,
// a one-character term a prefix query on its hex, and all terms must match. The
// expression holds only hex digits, quotes, spaces, "*" and AND, whatever q holds.
// It is "" when q has no term.
func searchMatch(q string) (string, error) {
	terms, err := searchTerms(q)
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(terms))
	for _, term := range terms {
		runes := []rune(term)
		if len(runes) == 1 {
			parts = append(parts, `"`+hexUpper(term)+`"*`)
			continue
		}
		pairs := make([]string, len(runes)-1)
		for i := range pairs {
			pairs[i] = hexUpper(string(runes[i : i+2]))
		}
		parts = append(parts, `"`+strings.Join(pairs, " ")+`"`)
	}
	return strings.Join(parts, " AND "), nil
}

func hexUpper(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) }

// lowerASCII lower-cases A–Z only, as SQLite's lower() does without ICU, so a query
// folds exactly as the indexed text did.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
