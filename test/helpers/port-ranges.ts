// Every fixed port or port range the test files use, in one table: vitest runs files side by side, and two files whose
// ranges overlap can take each other's port between a free-port check and the bind (a false failure). All lie below the
// kernel's ephemeral range (32768+), where port-0 listeners and outgoing connections take theirs.
// port-ranges.spec.ts checks that no two overlap.
export const PORT_RANGES = {
  /** test/chaos/crash.test.ts and the chaos harness (scripts/chaos.ts and bench/door-bus.bench.ts use it when run alone). */
  chaosCrash: [21000, 21999],
  streamCheck: [22110, 22110],
  cameraQuirksBroker: [22200, 22210],
  discoveryReplies: [22220, 22259],
  cameraQuirksCameras: [22290, 22320],
  cameraSnapshotAuth: [22400, 22401],
  gatewayEnrol: [23101, 23101],
  startNats: [23200, 23399],
  e2eCameraLive: [23554, 23554],
  gatewayStartErrors: [24017, 24017],
  ingestStartErrors: [24018, 24018],
  snapshotAttacks: [24400, 24499],
  /** test/gb28181 (freeSipPort). */
  gbSip: [25000, 25999],
  liveView: [26100, 26100],
  liveViewRtsp: [26554, 26556],
  cameraFailover: [27099, 27199],
  clusterJetstream: [28000, 28999],
  /** test/chaos/cluster-city.test.ts: its NATS nodes' ports apart from the rest, which are taken while the nodes start. */
  clusterCityNats: [29000, 29249],
  clusterCity: [29250, 29499],
  clusterCityCameras: [29599, 29616],
  analyticsCrash: [30000, 30999],
  systemStart: [31000, 31999],
} as const satisfies Record<string, readonly [number, number]>;

export type PortRange = [number, number];

/** A range of the table as the mutable pair portIn takes. */
export function rangeOf(name: keyof typeof PORT_RANGES): PortRange {
  const [lo, hi] = PORT_RANGES[name];
  return [lo, hi];
}
