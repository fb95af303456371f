-- What a walking line holds for people who cannot take steps (issue 14): a bit set
-- (doorstep.Access) reduced from OpenStreetMap's highway=steps, wheelchair, kerb,
-- incline and ramp tags. Networks stored before it read as 0, an ordinary way;
-- their steps are still known by kind = 'steps'.
ALTER TABLE network_edges ADD COLUMN access INTEGER NOT NULL DEFAULT 0;
