-- The same rejected message is one dead letter: a redelivery (ingest stopped between storing the letter and
-- acknowledging the message) no longer adds a row, and a controller repeating the same bad payload raises a count.
ALTER TABLE dead_letters ADD COLUMN fingerprint text;
ALTER TABLE dead_letters ADD COLUMN occurrences integer NOT NULL DEFAULT 1;
ALTER TABLE dead_letters ADD COLUMN last_ts timestamptz;
UPDATE dead_letters SET last_ts = ts;
ALTER TABLE dead_letters ALTER COLUMN last_ts SET NOT NULL;
ALTER TABLE dead_letters ALTER COLUMN last_ts SET DEFAULT now();
CREATE UNIQUE INDEX dead_letters_fingerprint ON dead_letters (fingerprint);
CREATE INDEX dead_letters_last_ts ON dead_letters (last_ts DESC);
