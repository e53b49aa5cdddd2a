// A small city for gateway tests: two districts, three compounds, doors and cameras in each, polygons on cells.
import type { City, GridUnit } from '../../core/city/city.schema.ts';

function square(lon: number, lat: number, d = 0.01) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lon, lat],
        [lon + d, lat],
        [lon + d, lat + d],
        [lon, lat + d],
        [lon, lat],
      ] as [number, number][],
    ],
  };
}

/** `camerasPerCell` cameras in each of the four cells (3 by default; the benchmark uses 2,500). */
export function testCity(camerasPerCell = 3): City {
  const units: GridUnit[] = [{ id: 'city', level: 'city', name: 'Putian', nameZh: '莆田' }];
  for (const [i, d] of ['d1', 'd2'].entries()) {
    units.push({ id: d, level: 'district', parentId: 'city', name: `District ${i + 1}`, nameZh: `区${i + 1}` });
    units.push({ id: `${d}-t1`, level: 'town', parentId: d, name: `Town ${d}` });
    units.push({ id: `${d}-c1`, level: 'community', parentId: `${d}-t1`, name: `Community ${d}` });
    for (const k of [1, 2]) {
      units.push({
        id: `${d}-cell${k}`,
        level: 'cell',
        parentId: `${d}-c1`,
        name: `Cell ${d}/${k}`,
        geom: square(119 + i * 0.05 + k * 0.01, 25.4),
        terrain: 'urban',
      });
    }
  }
  const properties = [
    { id: 'p1', name: 'Lanting Garden', nameZh: '兰亭花园', cellId: 'd1-cell1', districtId: 'd1' },
    { id: 'p2', name: 'Mulan Court', cellId: 'd1-cell2', districtId: 'd1' },
    { id: 'p3', name: 'Hanjiang Estate', cellId: 'd2-cell1', districtId: 'd2' },
  ];
  const doors = [
    { id: 'p1-door1', propertyId: 'p1', name: 'North gate', lon: 119.011, lat: 25.401 },
    { id: 'p1-door2', propertyId: 'p1', name: 'South gate', lon: 119.012, lat: 25.402 },
    { id: 'p1-door3', propertyId: 'p1', name: 'Garage', lon: 119.013, lat: 25.403 },
    { id: 'p2-door1', propertyId: 'p2', name: 'Main gate', lon: 119.021, lat: 25.401 },
    { id: 'p3-door1', propertyId: 'p3', name: 'Main gate', lon: 119.061, lat: 25.401 },
  ];
  const cameras = [];
  let n = 0;
  for (const cell of units.filter((u) => u.level === 'cell')) {
    for (let k = 0; k < camerasPerCell; k++) {
      n++;
      cameras.push({
        id: `cam-${String(n).padStart(camerasPerCell > 3 ? 5 : 3, '0')}`,
        urn: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        name: `Camera ${n} ${cell.id}`,
        cellId: cell.id,
        districtId: cell.parentId!.split('-')[0],
        lon: 119.01 + n * 0.001,
        lat: 25.401,
        heading: 90,
        fov: 90,
        rangeM: 50,
        priority: (['key', 'normal', 'remote'] as const)[k % 3],
      });
    }
  }
  return {
    seed: 1,
    name: 'Test city',
    gridUnits: units,
    maintenanceUnits: [
      { id: 'mu1', name: 'Unit 1', districtId: 'd1' },
      { id: 'mu2', name: 'Unit 2', districtId: 'd2' },
    ],
    properties,
    doors,
    cameras,
  };
}
