// Text as devices send it. Firmware that copies fixed-size C strings sends their NUL padding ("ACME\0\0\0", seen on
// GB/T 28181 and cheap ONVIF devices alike): a value ends at its first NUL, as the device meant it. PostgreSQL text
// cannot hold NUL either, so a padded name would make the row that carries it fail.
export function deviceText(value: string): string {
  const nul = value.indexOf('\u0000');
  return nul < 0 ? value : value.slice(0, nul).trimEnd();
}
