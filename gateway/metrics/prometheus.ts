// Prometheus text exposition: a tiny writer, so the gateway needs no metrics library for a handful of gauges.
export type Labels = Record<string, string>;

export class PromText {
  private readonly lines: string[] = [];

  metric(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Labels, number]>): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels);
      const text = l.length ? `{${l.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}` : '';
      this.lines.push(`${name}${text} ${Number.isFinite(value) ? value : 0}`);
    }
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

function escape(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
