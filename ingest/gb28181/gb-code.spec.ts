import { describe, expect, it } from 'vitest';
import { gridPlaceOf, parseGbCode } from './gb-code.ts';

describe('GB/T 28181 codes', () => {
  it('when a 20-digit code is parsed, then division, grassroots unit and type come from their digits', () => {
    expect(parseGbCode('35030401001320000123')).toEqual({
      code: '35030401001320000123',
      centre: '35030401',
      division: '350304',
      unit: '01',
      type: '132',
    });
  });

  it('when a code is not 20 digits, then it is refused', () => {
    expect(parseGbCode('3503040100132000012')).toBeUndefined();
    expect(parseGbCode('3503040100132000012x')).toBeUndefined();
  });

  it('when a Putian civil code names a district and town, then it maps to their grid units', () => {
    expect(gridPlaceOf('35030402')).toEqual({ districtId: 'd-licheng', townId: 't-licheng-02' });
    expect(gridPlaceOf('350322')).toEqual({ districtId: 'd-xianyou', townId: undefined });
    expect(gridPlaceOf('35032200')).toEqual({ districtId: 'd-xianyou', townId: undefined });
  });

  it('when the division is outside Putian, then there is no place', () => {
    expect(gridPlaceOf('34020000')).toBeUndefined();
  });
});
