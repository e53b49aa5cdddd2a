-- The values an alert's title is made of (camera, door, person, cause…), so each client words the title in its own
-- language; `title` stays as the English text.
ALTER TABLE alerts ADD COLUMN title_args jsonb;
