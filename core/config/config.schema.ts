// Every setting of Gridwatch: its environment variable, type, default and meaning, in one table.
// The README's configuration table is generated from this list (see `describeSettings`).

export type SettingKind = 'string' | 'int' | 'bool' | 'duration' | 'url' | 'enum';

export interface Setting {
  env: string;
  kind: SettingKind;
  default?: string;
  description: string;
  values?: readonly string[];
  /** Default while SIMULATE is on, so the demo shows deadlines passing within minutes. */
  simDefault?: string;
  min?: number;
  max?: number;
}

export const settings = {
  port: { env: 'PORT', kind: 'int', default: '8080', min: 0, max: 65535, description: 'Gateway HTTP port (API, dashboard, socket.io).' },
  host: { env: 'HOST', kind: 'string', default: '0.0.0.0', description: 'Gateway listen address.' },
  databaseUrl: { env: 'DATABASE_URL', kind: 'url', description: 'PostgreSQL/TimescaleDB URL; unset = embedded PGlite under DATA_DIR.' },
  mqttUrl: { env: 'MQTT_URL', kind: 'url', description: 'MQTT broker URL; unset = embedded aedes broker.' },
  mqttClientId: { env: 'MQTT_CLIENT_ID', kind: 'string', description: "This process's MQTT client id (default gridwatch-<service>-<hostname>): its persistent session survives restarts for a day; set it to tell several copies on one host apart." },
  mqttEmbeddedPort: { env: 'MQTT_EMBEDDED_PORT', kind: 'int', default: '1884', min: 0, max: 65535, description: 'TCP port of the embedded broker (0 = any free port).' },
  redisUrl: { env: 'REDIS_URL', kind: 'url', description: 'Redis for the socket.io adapter across several gateways; unset = single gateway.' },
  liveChannel: { env: 'LIVE_CHANNEL', kind: 'string', default: 'gridwatch', description: 'Name the gateways of one deployment share: Redis adapter key and bus share group of the live push.' },
  dataDir: { env: 'DATA_DIR', kind: 'string', default: './data', description: 'Embedded database, face images and other files.' },
  simulate: { env: 'SIMULATE', kind: 'bool', description: 'Run the simulated city; default on when database and broker are both embedded.' },
  simCameras: { env: 'SIM_CAMERAS', kind: 'int', default: '200', min: 0, max: 20000, description: 'Simulated cameras.' },
  simDoors: { env: 'SIM_DOORS', kind: 'int', default: '40', min: 0, max: 5000, description: 'Simulated doors.' },
  simSeed: { env: 'SIM_SEED', kind: 'int', default: '42', description: 'Seed of the simulated city.' },
  simControlPort: { env: 'SIM_CONTROL_PORT', kind: 'int', default: '8090', min: 0, max: 65535, description: 'Simulator control API port (loopback only).' },
  simCameraBasePort: { env: 'SIM_CAMERA_BASE_PORT', kind: 'int', default: '18000', min: 0, max: 65535, description: 'HTTP port of the first simulated camera; the others follow (0 = any free ports).' },
  simScenario: { env: 'SIM_SCENARIO', kind: 'bool', default: 'on', description: 'Run the scripted demo scenario (outages, a forced door, a watch-list face) in simulation.' },
  simDoorRate: { env: 'SIM_DOOR_RATE', kind: 'string', default: '1', description: 'Multiplier of the simulated door traffic (1 = realistic, with morning and evening peaks).' },
  simRtspStreams: { env: 'SIM_RTSP_STREAMS', kind: 'int', default: '4', min: 0, description: 'Simulated cameras streaming H.264 over RTSP (GStreamer, /usr/bin/python3 with gi); the rest stream MJPEG over HTTP.' },
  simRtspPort: { env: 'SIM_RTSP_PORT', kind: 'int', default: '8554', min: 0, max: 65535, description: 'Port of the simulated cameras\' RTSP server (0 = any free port).' },
  simBackfill: { env: 'SIM_BACKFILL', kind: 'bool', default: 'on', description: 'On a first start with an empty database, the simulation writes 30 days of plausible history (outages, tickets, health, door events).' },
  logLevel: { env: 'LOG_LEVEL', kind: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], description: 'Log level.' },
  timezone: { env: 'TZ_DISPLAY', kind: 'string', default: 'Asia/Shanghai', description: 'Time zone for reports and normalised local times.' },
  retentionEvents: { env: 'RETENTION_EVENTS', kind: 'duration', default: '90d', description: 'How long event rows (door, camera, health, face match) are kept.' },
  retentionFaces: { env: 'RETENTION_FACES', kind: 'duration', default: '30d', description: 'How long face crops of non-enrolled people are kept.' },
  maintenanceInterval: { env: 'MAINTENANCE_INTERVAL', kind: 'duration', default: '5m', description: 'Partition upkeep, retention and rollup refresh period (plain PostgreSQL and embedded).' },
  batchSize: { env: 'WRITE_BATCH_SIZE', kind: 'int', default: '5000', min: 1, max: 100000, description: 'Most rows per batched insert: under load a batch takes what queued while the writers were busy, up to this (5000 held 15 % more door events/s than 2000, see BENCHMARKS.md).' },
  batchDelay: { env: 'WRITE_BATCH_DELAY', kind: 'duration', default: '50ms', description: 'Longest a row waits for its batch to fill, counted from its arrival.' },
  writeBufferMax: { env: 'WRITE_BUFFER_MAX', kind: 'int', default: '50000', min: 100, description: 'Rows held in memory while the database is unreachable before intake pauses.' },
  ingestShared: { env: 'INGEST_SHARED', kind: 'bool', default: 'false', description: 'Split door intake across ingest instances with a shared MQTT subscription ($share/ingest/…). Off by default: Mosquitto 2.0 does not restore shared subscriptions after a broker restart, so messages published before ingest reconnects would be lost.' },
  mqttMaxPayload: { env: 'MQTT_MAX_PAYLOAD', kind: 'int', default: '1048576', min: 1024, description: 'Largest accepted door payload in bytes; larger go to dead letters.' },
  healthInterval: { env: 'HEALTH_INTERVAL', kind: 'duration', default: '30s', description: 'Camera heartbeat period.' },
  healthTimeout: { env: 'HEALTH_TIMEOUT', kind: 'duration', default: '3s', description: 'Camera heartbeat timeout.' },
  healthConcurrency: { env: 'HEALTH_CONCURRENCY', kind: 'int', default: '200', min: 1, description: 'Heartbeats in flight at once.' },
  streamCheckInterval: { env: 'STREAM_CHECK_INTERVAL', kind: 'duration', default: '10m', description: 'Stream (ffmpeg) check period per camera.' },
  streamSample: { env: 'STREAM_SAMPLE', kind: 'duration', default: '4s', description: 'How long a stream check reads the stream (ffmpeg is killed hard at this plus HEALTH_TIMEOUT).' },
  streamCheckConcurrency: { env: 'STREAM_CHECK_CONCURRENCY', kind: 'int', default: '2', min: 1, description: 'ffmpeg stream checks running at once.' },
  discoveryTimeout: { env: 'DISCOVERY_TIMEOUT', kind: 'duration', default: '5s', description: 'How long a WS-Discovery probe collects replies.' },
  streamMinRatio: { env: 'STREAM_MIN_RATIO', kind: 'string', default: '0.5', description: 'A stream whose frame rate or pixel count falls below this share of its profile is a quality issue (low_fps, low_resolution).' },
  ffmpegPath: { env: 'FFMPEG_PATH', kind: 'string', default: 'ffmpeg', description: 'ffmpeg binary.' },
  discoveryInterval: { env: 'DISCOVERY_INTERVAL', kind: 'duration', default: '5m', description: 'WS-Discovery probe period.' },
  discoveryInterface: { env: 'DISCOVERY_INTERFACE', kind: 'string', description: 'Network interface for WS-Discovery probes (e.g. lo, eth0); unset = default route.' },
  cameraAddresses: { env: 'CAMERA_ADDRESSES', kind: 'string', description: 'Extra cameras by address: comma-separated host:port or host:port-port ranges.' },
  cameraUsername: { env: 'CAMERA_USERNAME', kind: 'string', default: 'admin', description: 'Default ONVIF user for cameras without their own.' },
  cameraPassword: { env: 'CAMERA_PASSWORD', kind: 'string', default: '', description: 'Default ONVIF password for cameras without their own.' },
  cameraCredentialsFile: { env: 'CAMERA_CREDENTIALS_FILE', kind: 'string', description: 'JSON file of camera credentials per site (address range, grid unit, property) and per camera (urn, id, address); camera beats site beats CAMERA_USERNAME/CAMERA_PASSWORD. Read at start (a bad file stops it) and on every discovery pass.' },
  credentialKey: { env: 'CREDENTIAL_KEY', kind: 'string', description: 'Key (any text, hashed to 256 bits) for encrypting camera credentials at rest; generated under DATA_DIR when unset.' },
  offlineAfterFailures: { env: 'OFFLINE_AFTER_FAILURES', kind: 'int', default: '2', min: 1, description: 'Consecutive failed checks before a camera is offline.' },
  offlineAfterFailuresKey: { env: 'OFFLINE_AFTER_FAILURES_KEY', kind: 'int', min: 1, description: 'Override for key cameras.' },
  offlineAfterFailuresRemote: { env: 'OFFLINE_AFTER_FAILURES_REMOTE', kind: 'int', min: 1, description: 'Override for remote cameras.' },
  flapThreshold: { env: 'FLAP_THRESHOLD', kind: 'int', default: '4', min: 2, description: 'Status toggles within FLAP_WINDOW that make a camera flapping.' },
  flapWindow: { env: 'FLAP_WINDOW', kind: 'duration', default: '15m', description: 'Window for flapping detection.' },
  repairSlaKey: { env: 'REPAIR_SLA_KEY', kind: 'duration', default: '4h', simDefault: '4m', description: 'Repair deadline for key cameras (simulation: 4m).' },
  repairSlaNormal: { env: 'REPAIR_SLA_NORMAL', kind: 'duration', default: '24h', simDefault: '8m', description: 'Repair deadline for normal cameras (simulation: 8m).' },
  repairSlaRemote: { env: 'REPAIR_SLA_REMOTE', kind: 'duration', default: '72h', simDefault: '12m', description: 'Repair deadline for remote cameras (simulation: 12m).' },
  repairStableFor: { env: 'REPAIR_STABLE_FOR', kind: 'duration', default: '5m', simDefault: '1m', description: 'Time back online before a ticket resolves itself (simulation: 1m).' },
  escalationLevel2Factor: { env: 'ESCALATION_LEVEL2_FACTOR', kind: 'int', default: '2', min: 1, description: 'Level 2 escalation at this multiple of the SLA.' },
  analyticsTick: { env: 'ANALYTICS_TICK', kind: 'duration', default: '5s', description: 'How often analytics checks deadlines (escalation) and cameras back up (stable for REPAIR_STABLE_FOR).' },
  coverageInterval: { env: 'COVERAGE_INTERVAL', kind: 'duration', default: '1m', description: 'Longest time between coverage recomputations (also recomputed soon after cameras go down or up).' },
  jwtSecret: { env: 'JWT_SECRET', kind: 'string', description: 'Token signing secret; generated under DATA_DIR when unset.' },
  tokenTtl: { env: 'TOKEN_TTL', kind: 'duration', default: '12h', description: 'Login token lifetime.' },
  bootstrapAdminPassword: { env: 'BOOTSTRAP_ADMIN_PASSWORD', kind: 'string', description: 'Creates user admin while no administrator exists.' },
  demoPassword: { env: 'DEMO_PASSWORD', kind: 'string', description: 'Password of the demo users in simulation (generated and printed when unset).' },
  loginRateLimit: { env: 'LOGIN_RATE_LIMIT', kind: 'int', default: '10', min: 1, description: 'Login attempts per minute from one client address.' },
  faceThreshold: { env: 'FACE_MATCH_THRESHOLD', kind: 'string', default: '0.30', description: 'Default Euclidean distance between unit-length face descriptors under which a face matches a watch-list person (calibration in BENCHMARKS.md).' },
  faceWorkers: { env: 'FACE_WORKERS', kind: 'int', min: 1, description: 'Face recognition workers (default: one per core).' },
  faceQueueMax: { env: 'FACE_QUEUE_MAX', kind: 'int', default: '200', min: 1, description: 'Face jobs waiting before new ones are dropped.' },
  faceMinSize: { env: 'FACE_MIN_SIZE', kind: 'int', default: '80', min: 16, description: 'Smallest face width in pixels accepted at enrolment.' },
  faceMinSharpness: { env: 'FACE_MIN_SHARPNESS', kind: 'int', default: '15', min: 0, description: 'Lowest face sharpness accepted at enrolment: Laplacian spread in % of the face contrast at 112 px (sharp photos 20–50).' },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof settings;
