import { Resvg } from '@resvg/resvg-js';

// A two-panel horizontal bar chart drawn as SVG and rasterised to PNG with resvg (a prebuilt
// binary shipped in its npm package): throughput on the left, p99 latency on the right, one row
// per scenario, one bar per series (run), log scales so logins and cached reads fit together.

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
}

export interface ChartRow {
  readonly label: string;
  /** One value per series; undefined draws nothing. */
  readonly values: readonly (number | undefined)[];
}

export interface ChartPanel {
  readonly title: string;
  readonly unit: string;
  readonly rows: readonly ChartRow[];
  /** Vertical reference lines (targets, ceilings). */
  readonly marks?: readonly { readonly value: number; readonly label: string; readonly color: string }[];
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle: string;
  readonly series: readonly ChartSeries[];
  readonly panels: readonly [ChartPanel, ChartPanel];
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatValue(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function logBounds(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  const min = Math.min(...positive, 1);
  const max = Math.max(...positive, 10);
  return [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max * 1.6))];
}

function panelSvg(panel: ChartPanel, series: readonly ChartSeries[], x0: number, y0: number, width: number, labelWidth: number): { svg: string; height: number } {
  const barHeight = 14;
  const rowGap = 14;
  const plotLeft = x0 + labelWidth;
  const plotWidth = width - labelWidth - 60;
  const rowHeight = series.length * barHeight + rowGap;
  const marks = panel.marks ?? [];
  const top = y0 + 30 + Math.max(0, marks.length - 1) * 14;
  const height = top - y0 + panel.rows.length * rowHeight + 40;
  const values = [...panel.rows.flatMap((r) => r.values.filter((v): v is number => v !== undefined)), ...(panel.marks ?? []).map((m) => m.value)];
  const [lo, hi] = logBounds(values);
  const scale = (v: number) => plotLeft + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotWidth;
  const bottom = top + panel.rows.length * rowHeight;
  const parts: string[] = [];
  parts.push(`<text x="${x0}" y="${y0 + 14}" font-size="16" font-weight="bold">${escape(panel.title)} <tspan font-weight="normal" fill="#555">(${escape(panel.unit)}, log scale)</tspan></text>`);
  for (let decade = lo; decade <= hi; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const v = decade * step;
      if (v > hi) break;
      const x = scale(v);
      parts.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" stroke="${step === 1 ? '#bbb' : '#e6e6e6'}" stroke-width="1"/>`);
      if (step === 1 || (hi / lo <= 1000 && step !== 1)) {
        parts.push(`<text x="${x}" y="${bottom + 16}" font-size="11" text-anchor="middle" fill="#444">${formatValue(v)}</text>`);
      }
    }
  }
  panel.rows.forEach((row, r) => {
    const rowTop = top + r * rowHeight;
    parts.push(`<text x="${plotLeft - 8}" y="${rowTop + (series.length * barHeight) / 2 + 4}" font-size="13" text-anchor="end">${escape(row.label)}</text>`);
    row.values.forEach((value, s) => {
      if (value === undefined || !Number.isFinite(value)) return;
      const y = rowTop + s * barHeight;
      const x1 = scale(value);
      parts.push(`<rect x="${plotLeft}" y="${y}" width="${Math.max(1, x1 - plotLeft)}" height="${barHeight - 2}" fill="${series[s]?.color ?? '#888'}"/>`);
      parts.push(`<text x="${x1 + 4}" y="${y + barHeight - 4}" font-size="10.5" fill="#222">${formatValue(value)}</text>`);
    });
  });
  (panel.marks ?? []).forEach((mark, i) => {
    const x = scale(mark.value);
    // Labels stacked above the plot, one line each, so that close marks never overlap.
    const labelY = top - 10 - (marks.length - 1 - i) * 14;
    parts.push(`<line x1="${x}" y1="${labelY + 2}" x2="${x}" y2="${bottom}" stroke="${mark.color}" stroke-width="2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${x + 3}" y="${labelY}" font-size="11" fill="${mark.color}">${escape(mark.label)}</text>`);
  });
  parts.push(`<line x1="${plotLeft}" y1="${top - 4}" x2="${plotLeft}" y2="${bottom}" stroke="#333"/>`);
  return { svg: parts.join('\n'), height };
}

export function chartSvg(spec: ChartSpec): string {
  const width = 1500;
  const half = width / 2;
  const headerHeight = 80;
  const left = panelSvg(spec.panels[0], spec.series, 20, headerHeight, half - 30, 200);
  const right = panelSvg(spec.panels[1], spec.series, half + 10, headerHeight, half - 30, 200);
  let legendX = 20;
  const legend = spec.series
    .map((s) => {
      const item = `<rect x="${legendX}" y="48" width="14" height="14" fill="${s.color}"/><text x="${legendX + 20}" y="60" font-size="13">${escape(s.name)}</text>`;
      legendX += 20 + s.name.length * 7.6 + 24;
      return item;
    })
    .join('\n');
  const height = headerHeight + Math.max(left.height, right.height) + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT}">
<rect width="${width}" height="${height}" fill="white"/>
<text x="20" y="24" font-size="20" font-weight="bold">${escape(spec.title)}</text>
<text x="20" y="42" font-size="12" fill="#555">${escape(spec.subtitle)}</text>
${legend}
${left.svg}
${right.svg}
</svg>`;
}

export function renderPng(svg: string): Buffer {
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'original' } }).render().asPng();
}
