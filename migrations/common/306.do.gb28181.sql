-- GB/T 28181: each camera says which protocol it comes by; a GB channel names the device (IPC or NVR) it belongs
-- to; gb_devices holds the devices that register with the SIP server (registration, keepalive, inventory).
ALTER TABLE cameras
  ADD COLUMN protocol text NOT NULL DEFAULT 'onvif' CHECK (protocol IN ('onvif', 'gb28181')),
  ADD COLUMN parent_id text;
CREATE INDEX cameras_protocol ON cameras (protocol);
CREATE INDEX cameras_parent ON cameras (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE gb_devices (
  id text PRIMARY KEY,
  name text,
  transport text NOT NULL CHECK (transport IN ('udp', 'tcp')),
  address text,
  registered_at timestamptz,
  expires_at timestamptz,
  -- HeartBeatInterval in seconds as the device reported it (ConfigDownload BasicParam); NULL = GB_KEEPALIVE_INTERVAL.
  keepalive_interval integer,
  last_keepalive timestamptz,
  online boolean NOT NULL DEFAULT false,
  manufacturer text,
  model text,
  firmware text,
  channel_count integer NOT NULL DEFAULT 0,
  charset text,
  -- A device's own password, sealed like ONVIF credentials; NULL = GB_SIP_PASSWORD.
  password_enc text,
  auth_failures integer NOT NULL DEFAULT 0,
  first_seen timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
