// Every setting of Gridwatch: its environment variable, type, default and meaning, in one table.
// The README's configuration table is generated from this list (see `describeSettings`).

/** `decimal`: a plain decimal number such as 0.36 (no exponent, no hex), within min/max when given. */
export type SettingKind = 'string' | 'int' | 'decimal' | 'bool' | 'duration' | 'url' | 'enum';

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
  mqttUrl: {
    env: 'MQTT_URL',
    kind: 'url',
    description:
      "Bus URL: an MQTT broker (mqtt://), or NATS JetStream (nats://host:4222, comma-separate the servers of a cluster; door controllers then publish to nats-server's MQTT listener); unset = embedded aedes broker.",
  },
  mqttClientId: {
    env: 'MQTT_CLIENT_ID',
    kind: 'string',
    description:
      "This process's MQTT client id (default gridwatch-<service>-<hostname>): its persistent session survives restarts for a day; set it to tell several copies on one host apart.",
  },
  mqttEmbeddedPort: {
    env: 'MQTT_EMBEDDED_PORT',
    kind: 'int',
    default: '1884',
    min: 0,
    max: 65535,
    description: 'TCP port of the embedded broker (0 = any free port).',
  },
  redisUrl: {
    env: 'REDIS_URL',
    kind: 'url',
    description: 'Redis for the socket.io adapter across several gateways; unset = single gateway.',
  },
  liveChannel: {
    env: 'LIVE_CHANNEL',
    kind: 'string',
    default: 'gridwatch',
    description: 'Name the gateways of one deployment share: Redis adapter key and bus share group of the live push.',
  },
  dataDir: { env: 'DATA_DIR', kind: 'string', default: './data', description: 'Embedded database, face images and other files.' },
  simulate: {
    env: 'SIMULATE',
    kind: 'bool',
    description: 'Run the simulated city; default on when database and broker are both embedded.',
  },
  simCameras: { env: 'SIM_CAMERAS', kind: 'int', default: '200', min: 0, max: 20000, description: 'Simulated cameras.' },
  simDoors: { env: 'SIM_DOORS', kind: 'int', default: '40', min: 0, max: 5000, description: 'Simulated doors.' },
  simSeed: { env: 'SIM_SEED', kind: 'int', default: '42', description: 'Seed of the simulated city.' },
  simControlPort: {
    env: 'SIM_CONTROL_PORT',
    kind: 'int',
    default: '8090',
    min: 0,
    max: 65535,
    description: 'Simulator control API port (loopback only).',
  },
  simCameraBasePort: {
    env: 'SIM_CAMERA_BASE_PORT',
    kind: 'int',
    default: '18000',
    min: 0,
    max: 65535,
    description: 'HTTP port of the first simulated camera; the others follow (0 = any free ports).',
  },
  simScenario: {
    env: 'SIM_SCENARIO',
    kind: 'bool',
    default: 'on',
    description: 'Run the scripted demo scenario (outages, a forced door, a watch-list face) in simulation.',
  },
  simDoorRate: {
    env: 'SIM_DOOR_RATE',
    kind: 'decimal',
    default: '1',
    min: 0,
    description: 'Multiplier of the simulated door traffic (1 = realistic, with morning and evening peaks).',
  },
  simDoorMqttUrl: {
    env: 'SIM_DOOR_MQTT_URL',
    kind: 'url',
    description:
      "Where the simulated door controllers publish, over MQTT 3.1.1 (mqtt://); unset = the bus's broker when it is an MQTT one. On a nats:// bus set it to nats-server's MQTT listener, or the controllers stay off.",
  },
  simRtspStreams: {
    env: 'SIM_RTSP_STREAMS',
    kind: 'int',
    default: '4',
    min: 0,
    description: 'Simulated cameras streaming H.264 over RTSP (GStreamer, /usr/bin/python3 with gi); the rest stream MJPEG over HTTP.',
  },
  simRtspPort: {
    env: 'SIM_RTSP_PORT',
    kind: 'int',
    default: '8554',
    min: 0,
    max: 65535,
    description: "Port of the simulated cameras' RTSP server (0 = any free port).",
  },
  simBackfill: {
    env: 'SIM_BACKFILL',
    kind: 'bool',
    default: 'on',
    description:
      'On a first start with an empty database, the simulation writes 30 days of plausible history (outages, tickets, health, door events).',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    description: 'Log level.',
  },
  timezone: {
    env: 'TZ_DISPLAY',
    kind: 'string',
    default: 'Asia/Shanghai',
    description: 'Time zone for reports and normalised local times.',
  },
  retentionEvents: {
    env: 'RETENTION_EVENTS',
    kind: 'duration',
    default: '90d',
    description: 'How long event rows (door, camera, health, face match) are kept.',
  },
  retentionFaces: {
    env: 'RETENTION_FACES',
    kind: 'duration',
    default: '30d',
    description: 'How long face crops of non-enrolled people are kept.',
  },
  maintenanceInterval: {
    env: 'MAINTENANCE_INTERVAL',
    kind: 'duration',
    default: '5m',
    description: 'Partition upkeep, retention and rollup refresh period (plain PostgreSQL and embedded).',
  },
  batchSize: {
    env: 'WRITE_BATCH_SIZE',
    kind: 'int',
    default: '5000',
    min: 1,
    max: 100000,
    description:
      'Most rows per batched insert: under load a batch takes what queued while the writers were busy, up to this (5000 held 15 % more door events/s than 2000, see BENCHMARKS.md).',
  },
  batchDelay: {
    env: 'WRITE_BATCH_DELAY',
    kind: 'duration',
    default: '50ms',
    description: 'Longest a row waits for its batch to fill, counted from its arrival.',
  },
  writeBufferMax: {
    env: 'WRITE_BUFFER_MAX',
    kind: 'int',
    default: '50000',
    min: 100,
    description: 'Rows held in memory while the database is unreachable before intake pauses.',
  },
  ingestShared: {
    env: 'INGEST_SHARED',
    kind: 'bool',
    default: 'false',
    description:
      'Split door intake across ingest instances with a shared MQTT subscription ($share/ingest/…). Off by default: Mosquitto 2.0 does not restore shared subscriptions after a broker restart, so messages published before ingest reconnects would be lost. Always shared on a nats:// bus (one JetStream durable consumer).',
  },
  mqttMaxPayload: {
    env: 'MQTT_MAX_PAYLOAD',
    kind: 'int',
    default: '1048576',
    min: 1024,
    description: 'Largest accepted door payload in bytes; larger go to dead letters.',
  },
  healthInterval: { env: 'HEALTH_INTERVAL', kind: 'duration', default: '30s', description: 'Camera heartbeat period.' },
  healthTimeout: { env: 'HEALTH_TIMEOUT', kind: 'duration', default: '3s', description: 'Camera heartbeat timeout.' },
  healthConcurrency: { env: 'HEALTH_CONCURRENCY', kind: 'int', default: '200', min: 1, description: 'Heartbeats in flight at once.' },
  streamCheckInterval: {
    env: 'STREAM_CHECK_INTERVAL',
    kind: 'duration',
    default: '10m',
    description: 'Stream (ffmpeg) check period per camera.',
  },
  streamSample: {
    env: 'STREAM_SAMPLE',
    kind: 'duration',
    default: '4s',
    description: 'How long a stream check reads the stream (ffmpeg is killed hard at this plus HEALTH_TIMEOUT).',
  },
  streamCheckConcurrency: {
    env: 'STREAM_CHECK_CONCURRENCY',
    kind: 'int',
    default: '2',
    min: 1,
    description: 'ffmpeg stream checks running at once.',
  },
  discoveryTimeout: {
    env: 'DISCOVERY_TIMEOUT',
    kind: 'duration',
    default: '5s',
    description: 'How long a WS-Discovery probe collects replies.',
  },
  streamMinRatio: {
    env: 'STREAM_MIN_RATIO',
    kind: 'decimal',
    default: '0.5',
    min: 0,
    max: 1,
    description:
      'A stream whose frame rate or pixel count falls below this share of its profile is a quality issue (low_fps, low_resolution).',
  },
  ffmpegPath: { env: 'FFMPEG_PATH', kind: 'string', default: 'ffmpeg', description: 'ffmpeg binary.' },
  liveViewersPerCamera: {
    env: 'LIVE_VIEWERS_PER_CAMERA',
    kind: 'int',
    default: '4',
    min: 1,
    description: 'Live-view viewers of one camera at once, per gateway (one more is refused with 429).',
  },
  liveViewersTotal: {
    env: 'LIVE_VIEWERS_TOTAL',
    kind: 'int',
    default: '16',
    min: 1,
    description:
      'Live-view viewers of all cameras at once, per gateway; each RTSP camera watched costs one ffmpeg remux (a re-encode for a stream that is not H.264).',
  },
  liveStartTimeout: {
    env: 'LIVE_START_TIMEOUT',
    kind: 'duration',
    default: '15s',
    description: "Longest a live view waits for the camera's first picture before it answers 502.",
  },
  clipBefore: {
    env: 'CLIP_BEFORE',
    kind: 'duration',
    default: '10s',
    description:
      'Seconds of video kept before a forced-door, tamper or watch-list alert (the ring buffer of each door camera holds this much).',
  },
  clipAfter: { env: 'CLIP_AFTER', kind: 'duration', default: '10s', description: 'Seconds of video kept after such an alert.' },
  clipRetention: {
    env: 'CLIP_RETENTION',
    kind: 'duration',
    default: '30d',
    description: 'How long event clips are kept under DATA_DIR/clips.',
  },
  clipRecorder: {
    env: 'CLIP_RECORDER',
    kind: 'bool',
    default: 'on',
    description:
      'Keep a ring buffer of the door cameras and write clips of forced-door, tamper and watch-list alerts (one gateway of a deployment shares the work through the bus).',
  },
  discoveryInterval: { env: 'DISCOVERY_INTERVAL', kind: 'duration', default: '5m', description: 'WS-Discovery probe period.' },
  discoveryInterface: {
    env: 'DISCOVERY_INTERFACE',
    kind: 'string',
    description: 'Network interface for WS-Discovery probes (e.g. lo, eth0); unset = default route.',
  },
  discoveryNetwork: {
    env: 'DISCOVERY_NETWORK',
    kind: 'string',
    default: 'default',
    description:
      'Name of the camera network this ingest instance reaches: of the instances sharing cameras, one per name sends the WS-Discovery probes (and reads CAMERA_ADDRESSES); give instances on separate networks separate names.',
  },
  cameraSharing: {
    env: 'CAMERA_SHARING',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'on', 'off'],
    description:
      'Share the cameras between ingest instances through leases in the database, each camera watched by one live instance; auto = on with a PostgreSQL server, off with the embedded database (one process).',
  },
  cameraLeaseRenew: {
    env: 'CAMERA_LEASE_RENEW',
    kind: 'duration',
    default: '5s',
    description: 'How often an ingest instance renews its lease and looks for cameras to take or hand over.',
  },
  cameraLeaseTtl: {
    env: 'CAMERA_LEASE_TTL',
    kind: 'duration',
    default: '15s',
    description:
      'An ingest instance that has not renewed its lease for this long is dead: its cameras are watched again within CAMERA_LEASE_TTL + CAMERA_LEASE_RENEW + HEALTH_TIMEOUT (23 s by default, under one HEALTH_INTERVAL). Shorter risks taking cameras from an instance that is only slow.',
  },
  cameraAddresses: {
    env: 'CAMERA_ADDRESSES',
    kind: 'string',
    description: 'Extra cameras by address: comma-separated host:port or host:port-port ranges.',
  },
  cameraUsername: {
    env: 'CAMERA_USERNAME',
    kind: 'string',
    default: 'admin',
    description: 'Default ONVIF user for cameras without their own.',
  },
  cameraPassword: {
    env: 'CAMERA_PASSWORD',
    kind: 'string',
    default: '',
    description: 'Default ONVIF password for cameras without their own.',
  },
  cameraCredentialsFile: {
    env: 'CAMERA_CREDENTIALS_FILE',
    kind: 'string',
    description:
      'JSON file of camera credentials per site (address range, grid unit, property) and per camera (urn, id, address); camera beats site beats CAMERA_USERNAME/CAMERA_PASSWORD. Read at start (a bad file stops it) and on every discovery pass.',
  },
  credentialKey: {
    env: 'CREDENTIAL_KEY',
    kind: 'string',
    description: 'Key (any text, hashed to 256 bits) for encrypting camera credentials at rest; generated under DATA_DIR when unset.',
  },
  gbSipPort: {
    env: 'GB_SIP_PORT',
    kind: 'int',
    default: '5060',
    min: 0,
    max: 65535,
    description:
      'GB/T 28181 SIP server port, UDP and TCP (0 = off). A port that is taken is logged and GB/T 28181 stays off; the rest runs.',
  },
  gbSipId: {
    env: 'GB_SIP_ID',
    kind: 'string',
    default: '35030000002000000001',
    description: 'GB/T 28181 SIP server id (20-digit national code).',
  },
  gbSipDomain: { env: 'GB_SIP_DOMAIN', kind: 'string', default: '3503000000', description: 'GB/T 28181 SIP domain (digest realm).' },
  gbSipHost: {
    env: 'GB_SIP_HOST',
    kind: 'string',
    simDefault: '127.0.0.1',
    description:
      'Address the GB/T 28181 devices reach the SIP server at, sent in Via of its requests (unset = the first non-loopback IPv4 address; simulation: 127.0.0.1).',
  },
  gbSipPassword: {
    env: 'GB_SIP_PASSWORD',
    kind: 'string',
    default: '',
    simDefault: 'gridwatch-gb',
    description:
      'Default digest password of GB/T 28181 devices without their own (empty = only devices with their own password may register).',
  },
  gbKeepaliveInterval: {
    env: 'GB_KEEPALIVE_INTERVAL',
    kind: 'duration',
    default: '60s',
    description: 'Keepalive period assumed for a GB device that does not report its own (BasicParam HeartBeatInterval).',
  },
  gbKeepaliveMisses: {
    env: 'GB_KEEPALIVE_MISSES',
    kind: 'int',
    default: '3',
    min: 1,
    description:
      'Keepalives missed before a GB device and its channels are offline (the standard says 3), unless the device reports its own HeartBeatCount.',
  },
  gbQueryTimeout: {
    env: 'GB_QUERY_TIMEOUT',
    kind: 'duration',
    default: '15s',
    description: 'How long a Catalog/DeviceInfo/DeviceStatus query waits for all its answers.',
  },
  simGbDevices: {
    env: 'SIM_GB_DEVICES',
    kind: 'int',
    default: '12',
    min: 0,
    max: 20000,
    description: 'Simulated GB/T 28181 devices (IPCs and NVRs, UDP and TCP) registering with GB_SIP_PORT in simulation (0 = none).',
  },
  offlineAfterFailures: {
    env: 'OFFLINE_AFTER_FAILURES',
    kind: 'int',
    default: '2',
    min: 1,
    description: 'Consecutive failed checks before a camera is offline.',
  },
  offlineAfterFailuresKey: { env: 'OFFLINE_AFTER_FAILURES_KEY', kind: 'int', min: 1, description: 'Override for key cameras.' },
  offlineAfterFailuresRemote: { env: 'OFFLINE_AFTER_FAILURES_REMOTE', kind: 'int', min: 1, description: 'Override for remote cameras.' },
  flapThreshold: {
    env: 'FLAP_THRESHOLD',
    kind: 'int',
    default: '4',
    min: 2,
    description: 'Status toggles within FLAP_WINDOW that make a camera flapping.',
  },
  flapWindow: { env: 'FLAP_WINDOW', kind: 'duration', default: '15m', description: 'Window for flapping detection.' },
  repairSlaKey: {
    env: 'REPAIR_SLA_KEY',
    kind: 'duration',
    default: '4h',
    simDefault: '4m',
    description: 'Repair deadline for key cameras (simulation: 4m).',
  },
  repairSlaNormal: {
    env: 'REPAIR_SLA_NORMAL',
    kind: 'duration',
    default: '24h',
    simDefault: '8m',
    description: 'Repair deadline for normal cameras (simulation: 8m).',
  },
  repairSlaRemote: {
    env: 'REPAIR_SLA_REMOTE',
    kind: 'duration',
    default: '72h',
    simDefault: '12m',
    description: 'Repair deadline for remote cameras (simulation: 12m).',
  },
  repairStableFor: {
    env: 'REPAIR_STABLE_FOR',
    kind: 'duration',
    default: '5m',
    simDefault: '1m',
    description: 'Time back online before a ticket resolves itself (simulation: 1m).',
  },
  escalationLevel2Factor: {
    env: 'ESCALATION_LEVEL2_FACTOR',
    kind: 'int',
    default: '2',
    min: 1,
    description: 'Level 2 escalation at this multiple of the SLA.',
  },
  outboxHold: {
    env: 'OUTBOX_HOLD',
    kind: 'duration',
    default: '30s',
    description:
      'How long a bus message decided in a transaction (an outage alert, its ticket, a status change) waits for the worker that stored it before the outbox relay sends it: a worker killed between its commit and its publish.',
  },
  analyticsTick: {
    env: 'ANALYTICS_TICK',
    kind: 'duration',
    default: '5s',
    description: 'How often analytics checks deadlines (escalation) and cameras back up (stable for REPAIR_STABLE_FOR).',
  },
  coverageInterval: {
    env: 'COVERAGE_INTERVAL',
    kind: 'duration',
    default: '1m',
    description: 'Longest time between coverage recomputations (also recomputed soon after cameras go down or up).',
  },
  jwtSecret: { env: 'JWT_SECRET', kind: 'string', description: 'Token signing secret; generated under DATA_DIR when unset.' },
  tokenTtl: { env: 'TOKEN_TTL', kind: 'duration', default: '12h', description: 'Login token lifetime.' },
  bootstrapAdminPassword: {
    env: 'BOOTSTRAP_ADMIN_PASSWORD',
    kind: 'string',
    description: 'Creates user admin while no administrator exists.',
  },
  demoPassword: {
    env: 'DEMO_PASSWORD',
    kind: 'string',
    description: 'Password of the demo users in simulation (generated and printed when unset).',
  },
  trustProxy: {
    env: 'TRUST_PROXY',
    kind: 'string',
    default: 'off',
    description:
      'Proxies in front of the gateway whose X-Forwarded-For names the client: off, on (any: only behind a proxy that overwrites it), a hop count, or addresses/CIDRs (comma-separated).',
  },
  loginRateLimit: {
    env: 'LOGIN_RATE_LIMIT',
    kind: 'int',
    default: '10',
    min: 1,
    description: 'Login attempts per minute from one client address.',
  },
  faceThreshold: {
    env: 'FACE_MATCH_THRESHOLD',
    kind: 'decimal',
    default: '0.36',
    min: 0.01,
    max: 1.99,
    description:
      'Default Euclidean distance between unit-length face descriptors under which a face matches a person on a banned or residents list: false accept rate 0.1 % on the calibration part of fixtures/faces/eval (BENCHMARKS.md).',
  },
  faceThresholdWanted: {
    env: 'FACE_MATCH_THRESHOLD_WANTED',
    kind: 'decimal',
    default: '0.41',
    min: 0.01,
    max: 1.99,
    description:
      "The same for wanted lists, which trade false alerts for recall: false accept rate 1 % on the calibration part (BENCHMARKS.md). A list's own threshold overrides either.",
  },
  faceWorkers: { env: 'FACE_WORKERS', kind: 'int', min: 1, description: 'Face recognition workers (default: one per core).' },
  faceQueueMax: {
    env: 'FACE_QUEUE_MAX',
    kind: 'int',
    default: '200',
    min: 1,
    description: 'Face jobs waiting before new ones are dropped.',
  },
  faceEnrolTimeout: {
    env: 'FACE_ENROL_TIMEOUT',
    kind: 'duration',
    default: '2m',
    description: 'How long the gateway waits for the face service to answer an enrolment before answering 503.',
  },
  faceMinSize: {
    env: 'FACE_MIN_SIZE',
    kind: 'int',
    default: '80',
    min: 16,
    description: 'Smallest face width in pixels accepted at enrolment.',
  },
  faceMinSharpness: {
    env: 'FACE_MIN_SHARPNESS',
    kind: 'int',
    default: '15',
    min: 0,
    description: 'Lowest face sharpness accepted at enrolment: Laplacian spread in % of the face contrast at 112 px (sharp photos 20–50).',
  },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof settings;
