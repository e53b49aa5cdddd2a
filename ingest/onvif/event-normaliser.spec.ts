import { describe, expect, it } from 'vitest';
import { normaliseOnvifEvent } from './event-normaliser.ts';

const msg = (topic: string, name: string, value: boolean, op = 'Changed') => ({
  topic: { _: topic },
  message: {
    message: {
      $: { UtcTime: new Date('2026-05-04T00:00:01.250Z'), PropertyOperation: op },
      data: { simpleItem: { $: { Name: name, Value: value } } },
    },
  },
});

describe('ONVIF event normaliser', () => {
  it('when motion, tamper and signal loss change, then each edge maps to its kind with the camera time', () => {
    const now = new Date();
    expect(normaliseOnvifEvent(msg('tns1:RuleEngine/CellMotionDetector/Motion', 'IsMotion', true), now)).toMatchObject({
      kind: 'motion_start',
      ts: '2026-05-04T00:00:01.250Z',
      initial: false,
    });
    expect(normaliseOnvifEvent(msg('tns1:RuleEngine/CellMotionDetector/Motion', 'IsMotion', false), now)?.kind).toBe('motion_stop');
    expect(normaliseOnvifEvent(msg('tns1:RuleEngine/TamperDetector/Tamper', 'IsTamper', true), now)?.kind).toBe('tamper');
    expect(normaliseOnvifEvent(msg('tns1:VideoSource/SignalLoss', 'State', true), now)?.kind).toBe('video_loss');
    expect(normaliseOnvifEvent(msg('tns1:VideoSource/SignalLoss', 'State', false, 'Initialized'), now)).toMatchObject({
      kind: 'video_restored',
      initial: true,
    });
  });
  it('when the topic is not tracked, then nothing', () => {
    expect(normaliseOnvifEvent(msg('tns1:Device/Trigger/DigitalInput', 'LogicalState', true), new Date())).toBeUndefined();
  });
});
