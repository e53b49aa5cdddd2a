import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { buildManscdp, itemsOf, parseManscdp } from './manscdp.ts';

const binary = (b: Buffer) => b.toString('latin1');

describe('MANSCDP bodies', () => {
  it('when a catalog answer is declared GB2312, then its Chinese names are decoded from GB2312 bytes', () => {
    const xml =
      '<?xml version="1.0" encoding="GB2312"?>\r\n<Response><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>35030401001180000001</DeviceID>' +
      '<SumNum>1</SumNum><DeviceList Num="1"><Item><DeviceID>35030401001320000001</DeviceID><Name>荔城区镇海街道口</Name><Status>ON</Status></Item></DeviceList></Response>';
    const m = parseManscdp(binary(iconv.encode(xml, 'gb2312')));
    expect(m).toMatchObject({ root: 'Response', cmdType: 'Catalog', sn: '7', deviceId: '35030401001180000001', charset: 'GB2312' });
    expect(itemsOf(m.body.DeviceList)).toEqual([{ DeviceID: '35030401001320000001', Name: '荔城区镇海街道口', Status: 'ON' }]);
  });

  it('when a body is declared UTF-8, then it is decoded as UTF-8', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>35030401001320000001</DeviceID><Status>OK</Status><Info>正常</Info></Notify>';
    const m = parseManscdp(binary(Buffer.from(xml, 'utf8')));
    expect(m).toMatchObject({ root: 'Notify', cmdType: 'Keepalive', charset: 'UTF-8' });
    expect(m.body.Info).toBe('正常');
  });

  it('when a query is built in GB2312 and parsed back, then the fields survive', () => {
    const m = parseManscdp(buildManscdp('Query', { CmdType: 'Catalog', SN: 3, DeviceID: '35030401001180000001' }));
    expect(m).toMatchObject({ root: 'Query', cmdType: 'Catalog', sn: '3', deviceId: '35030401001180000001', charset: 'GB2312' });
  });

  it('when the body is not MANSCDP, then the error says why', () => {
    expect(() => parseManscdp('<Hello/>')).toThrow(/no Query, Response, Notify or Control/);
    expect(() => parseManscdp('<Notify><SN>1</SN></Notify>')).toThrow(/no CmdType/);
  });

  it('when a device pads its C strings with NULs, then each value ends at its first NUL', () => {
    const xml =
      '<?xml version="1.0" encoding="GB2312"?><Response><CmdType>Catalog</CmdType><SN>8</SN><DeviceID>35030401001180000001\0\0</DeviceID>' +
      '<SumNum>1</SumNum><DeviceList Num="1\0"><Item><DeviceID>35030401001320000001</DeviceID><Name>北门\0\0\0\0garbage</Name><Status>ON</Status></Item></DeviceList></Response>';
    const m = parseManscdp(binary(iconv.encode(xml, 'gb2312')));
    expect(m.deviceId).toBe('35030401001180000001');
    expect(m.body.DeviceList['@Num']).toBe('1');
    expect(itemsOf(m.body.DeviceList)).toEqual([{ DeviceID: '35030401001320000001', Name: '北门', Status: 'ON' }]);
  });
});
