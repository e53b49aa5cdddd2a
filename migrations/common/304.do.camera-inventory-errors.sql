-- What each ONVIF inventory call of a camera answered: the calls that failed (inventory_errors: [{call, errorClass,
-- message, at}]) and the optional services the camera lacks (capabilities: {events, snapshot, videoSources, ...}),
-- so a partial inventory keeps what answered and the API and dashboard can say why a field is empty.
ALTER TABLE cameras
  ADD COLUMN inventory_errors jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN capabilities jsonb NOT NULL DEFAULT '{}';
