package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
)

// searchTable is one contentless FTS5 index of migration 006, with the table that
// keeps the texts it holds and the query that lists each queued row's indexed texts
// (NULL when not indexed) and current texts (NULL when the row is gone), column by
// column.
type searchTable struct {
	entity, fts, text string
	columns           []string
	queued            string
	// current turns a row's stored values into the texts to index; nil keeps them.
	current func(cols []string)
}

var searchTables = []searchTable{
	{
		entity: "service", fts: "services_search", text: "services_search_text",
		columns: []string{"name", "kind", "address", "offers"},
		queued: `SELECT q.id, t.name, t.kind, t.address, t.offers,
				s.name || ' ' || s.name_en, c.name_zh || ' ' || c.name_en, s.address, s.offers
			FROM search_queue q
			LEFT JOIN services_search_text t ON t.id = q.id
			LEFT JOIN services s ON s.id = q.id
			LEFT JOIN categories c ON c.id = s.category
			WHERE q.entity = 'service'`,
		current: func(cols []string) { cols[3] = offersText(cols[3]) },
	},
	{
		entity: "area", fts: "areas_search", text: "areas_search_text",
		columns: []string{"name", "committee"},
		queued: `SELECT q.id, t.name, t.committee, a.name, a.committee
			FROM search_queue q
			LEFT JOIN areas_search_text t ON t.id = q.id
			LEFT JOIN areas a ON a.id = q.id
			WHERE q.entity = 'area'`,
	},
}

// queuedSearchRow is a queued row's texts: as indexed (nil when not indexed) and
// as they are now (nil when the row is gone).
type queuedSearchRow struct {
	id           int64
	indexed, now []string
}

// indexQueued brings the search indexes up to date with every row in search_queue
// and empties it, inside tx: a write is searchable exactly when it commits.
func indexQueued(ctx context.Context, tx *sql.Tx) error {
	var queued bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_queue)`).Scan(&queued); err != nil || !queued {
		return err
	}
	for _, t := range searchTables {
		if err := t.index(ctx, tx); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM search_queue`)
	return err
}

// indexPending indexes rows queued by another client's writes (migration 006), if
// any, in a write transaction of its own; without any it only reads.
func (db *DB) indexPending(ctx context.Context) error {
	var queued bool
	if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_queue)`).Scan(&queued); err != nil || !queued {
		return err
	}
	return db.writeTx(ctx, func(*sql.Tx) error { return nil }) // writeTx indexes the queue
}

func (t searchTable) index(ctx context.Context, tx *sql.Tx) error {
	rows, err := t.queuedRows(ctx, tx)
	if err != nil || len(rows) == 0 {
		return err
	}
	n := len(t.columns)
	cols := strings.Join(t.columns, ", ")
	marks := strings.Repeat(", ?", n)
	remove, err := tx.PrepareContext(ctx, `INSERT INTO `+t.fts+` (`+t.fts+`, rowid, `+cols+`) VALUES ('delete', ?`+marks+`)`)
	if err != nil {
		return err
	}
	defer remove.Close()
	add, err := tx.PrepareContext(ctx, `INSERT INTO `+t.fts+` (rowid, `+cols+`) VALUES (?`+marks+`)`)
	if err != nil {
		return err
	}
	defer add.Close()
	keep, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO `+t.text+` (id, `+cols+`) VALUES (?`+marks+`)`)
	if err != nil {
		return err
	}
	defer keep.Close()
	forget, err := tx.PrepareContext(ctx, `DELETE FROM `+t.text+` WHERE id = ?`)
	if err != nil {
		return err
	}
	defer forget.Close()

	for _, r := range rows {
		if r.indexed != nil && r.now != nil && equalTexts(r.indexed, r.now) {
			continue
		}
		if r.indexed != nil {
			if _, err := remove.ExecContext(ctx, pairArgs(r.id, r.indexed)...); err != nil {
				return err
			}
		}
		if r.now == nil {
			if _, err := forget.ExecContext(ctx, r.id); err != nil {
				return err
			}
			continue
		}
		if _, err := add.ExecContext(ctx, pairArgs(r.id, r.now)...); err != nil {
			return err
		}
		args := []any{r.id}
		for _, s := range r.now {
			args = append(args, s)
		}
		if _, err := keep.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// queuedRows reads the queued rows of t's entity, all before any is written.
func (t searchTable) queuedRows(ctx context.Context, tx *sql.Tx) ([]queuedSearchRow, error) {
	rs, err := tx.QueryContext(ctx, t.queued)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	n := len(t.columns)
	var out []queuedSearchRow
	for rs.Next() {
		var r queuedSearchRow
		vals := make([]sql.NullString, 2*n)
		dest := []any{&r.id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		r.indexed, r.now = texts(vals[:n]), texts(vals[n:])
		if r.now != nil {
			if t.current != nil {
				t.current(r.now)
			}
			for i, s := range r.now {
				r.now[i] = lowerASCII(s)
			}
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// texts returns the strings of vals, or nil when the first is NULL (a LEFT JOIN
// that found no row).
func texts(vals []sql.NullString) []string {
	if !vals[0].Valid {
		return nil
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v.String
	}
	return out
}

func equalTexts(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pairArgs is id followed by each text's character pairs.
func pairArgs(id int64, texts []string) []any {
	args := []any{id}
	for _, s := range texts {
		args = append(args, searchPairs(s))
	}
	return args
}

// searchPairs is text as the index's tokens: its overlapping pairs of characters,
// the last character alone, each in upper-case hex so that FTS5's 'ascii' tokenizer
// reads it as one word: "长者食堂" is the hex of 长者 者食 食堂 堂. searchMatch builds
// queries of the same tokens.
func searchPairs(text string) string {
	runes := []rune(text)
	var b strings.Builder
	for i := range runes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hexUpper(string(runes[i:min(i+2, len(runes))])))
	}
	return b.String()
}

// offersText is a listing's offers (a JSON array of strings) as one text, offers
// separated by spaces; text that is not such an array is indexed as it is.
func offersText(offers string) string {
	var list []string
	if err := json.Unmarshal([]byte(offers), &list); err != nil {
		return offers
	}
	return strings.Join(list, " ")
}
