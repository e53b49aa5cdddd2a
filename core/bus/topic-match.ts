// MQTT filter matching ('+' one level, '#' the rest), for routing messages of one connection to their handlers.
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
  const fp = f.split('/');
  const tp = topic.split('/');
  for (let i = 0; i < fp.length; i++) {
    if (fp[i] === '#') return true;
    if (i >= tp.length) return false;
    if (fp[i] !== '+' && fp[i] !== tp[i]) return false;
  }
  return fp.length === tp.length;
}
