// District choices for filters, named in the viewer's language.
import { get } from '../api.ts';
import { currentLang } from '../i18n.ts';

let cached: Promise<Array<[string, string]>> | undefined;

export function districtOptions(): Promise<Array<[string, string]>> {
  cached ??= get<{ items: Array<{ id: string; name: string; nameZh: string | null }> }>('/api/v1/grid', { level: 'district' })
    .then((r) => r.items.map((d): [string, string] => [d.id, (currentLang() === 'zh-CN' && d.nameZh) || d.name]))
    .catch(() => {
      cached = undefined;
      return [];
    });
  return cached;
}
