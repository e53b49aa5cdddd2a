import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('when nothing is set, then defaults apply and simulation is on with embedded servers', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('./data');
    expect(c.simulate).toBe(true);
    expect(c.healthInterval).toBe(30_000);
    expect(c.repairSlaKey).toBe(4 * 60_000);
  });

  it('when servers are configured, then simulation is off and the production deadlines apply', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://x@h/db', MQTT_URL: 'mqtt://h:1883' });
    expect(c.simulate).toBe(false);
    expect(c.repairSlaKey).toBe(4 * 3_600_000);
    expect(c.repairSlaRemote).toBe(72 * 3_600_000);
  });

  it('when a deadline is set in simulation, then it is kept', () => {
    expect(loadConfig({ REPAIR_SLA_KEY: '30s' }).repairSlaKey).toBe(30_000);
  });

  it('when a value is bad, then the error names the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ HEALTH_INTERVAL: '30 seconds' })).toThrow(/HEALTH_INTERVAL.*duration/);
    expect(() => loadConfig({ SIMULATE: 'maybe' })).toThrow(/SIMULATE/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('when a decimal setting is given, then it is a number; a non-number or one out of range is refused naming the variable', () => {
    expect(loadConfig({}).faceThreshold).toBe(0.36);
    expect(loadConfig({ FACE_MATCH_THRESHOLD: '0.4', SIM_DOOR_RATE: '.5' })).toMatchObject({ faceThreshold: 0.4, simDoorRate: 0.5 });
    expect(() => loadConfig({ FACE_MATCH_THRESHOLD: '0,4' })).toThrow(/FACE_MATCH_THRESHOLD: expected a decimal number/);
    expect(() => loadConfig({ FACE_MATCH_THRESHOLD: '1e-1' })).toThrow(/FACE_MATCH_THRESHOLD/);
    expect(() => loadConfig({ FACE_MATCH_THRESHOLD_WANTED: '2.5' })).toThrow(/FACE_MATCH_THRESHOLD_WANTED: must be ≤ 1.99/);
    expect(() => loadConfig({ STREAM_MIN_RATIO: '-0.1' })).toThrow(/STREAM_MIN_RATIO: must be ≥ 0/);
  });
});
