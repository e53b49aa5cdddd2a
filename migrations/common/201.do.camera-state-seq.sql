-- A change number on each detector state row: workers keep states in memory and learn from this feed which rows
-- another worker changed, so an unchanged camera costs no database round trip.
CREATE SEQUENCE camera_state_seq;
ALTER TABLE camera_state ADD COLUMN seq bigint NOT NULL DEFAULT nextval('camera_state_seq');
CREATE INDEX camera_state_seq_idx ON camera_state (seq);
