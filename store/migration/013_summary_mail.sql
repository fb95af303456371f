-- The daily summary by e-mail (issue 17). A user's email is where their summary
-- goes ('' for none), kept by the office with `doorstep user email`. summary_mails
-- records each day's summary per user, so that a restart never sends one twice: a
-- row is claimed ('sending') before the mail goes and marked 'sent' after; 'empty'
-- marks a day with nothing new or overdue, when no mail is sent.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE summary_mails (
	day     TEXT NOT NULL, -- YYYY-MM-DD in the street's time zone
	user_id INTEGER NOT NULL REFERENCES users (id),
	address TEXT NOT NULL,
	state   TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'empty')),
	at      TEXT NOT NULL,
	PRIMARY KEY (day, user_id)
);
