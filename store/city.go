package store

import (
	"context"
	"database/sql"
	"fmt"

	"doorstep"
)

// LoadCity fills an empty database with a whole street or city at once — its
// boundary, residential areas, listings (run by one sample organization) and
// walking network — in one transaction, marked as sample data. It is how
// `doorstep gen` makes the synthetic city for benchmarks and load tests; a
// database that holds anything (see Contents) is refused.
func (db *DB) LoadCity(ctx context.Context, street *doorstep.Street, areas []*doorstep.Area, services []*doorstep.Service, network []doorstep.NetworkLine) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if c, err := contents(ctx, tx); err != nil {
			return err
		} else if !c.Empty() {
			return doorstep.Errorf(doorstep.ECONFLICT, "The database already holds %s.", c)
		}
		if err := insertStreet(ctx, tx, street, true); err != nil {
			return err
		}
		for i, a := range areas {
			if err := insertArea(ctx, tx, a); err != nil {
				return fmt.Errorf("area %d: %w", i+1, err)
			}
		}
		org, err := ensureOrganization(ctx, tx, "示例运营方 Sample operator", "operator")
		if err != nil {
			return err
		}
		for i, s := range services {
			s.OrganizationID = org
			if err := db.insertService(ctx, tx, s); err != nil {
				return fmt.Errorf("service %d: %w", i+1, err)
			}
		}
		if err := replaceNetwork(ctx, tx, network, nil); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'true')`, MetaSample)
		return err
	})
}
