/**
 * The report's charts as inline SVG strings, pure functions of the report object. No library, no
 * fonts or images fetched: the page must open offline and identically everywhere.
 */
import type { AuditReport, EpochReport } from '../report-schema.js';
import { coord, escapeHtml, integer, percent } from './escape.js';

const WIDTH = 760;
const HEIGHT = 260;
const MARGIN = { left: 64, right: 16, top: 30, bottom: 40 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

/** Fill colour of each modality (colour-blind-safe Tableau 10 hues). */
export const MODALITY_COLOURS: Readonly<Record<string, string>> = { 'text-only': '#4e79a7', 'image-text': '#f28e2b', interleaved: '#59a14f' };
const WRITTEN_COLOUR = '#4e79a7';
const RANDOM_COLOUR = '#bab0ac';

function svgOpen(label: string, chart: string): string {
  return `<svg class="chart" data-chart="${chart}" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">`;
}

/** Axes with 0 and max on y, first and last labels on x, and axis titles. */
function axes(xTitle: string, yTitle: string, yMax: string, xFirst: string, xLast: string, yMin = '0'): string {
  const x0 = MARGIN.left;
  const y0 = MARGIN.top + PLOT_H;
  return [
    `<line class="axis" x1="${x0}" y1="${MARGIN.top}" x2="${x0}" y2="${y0}"/>`,
    `<line class="axis" x1="${x0}" y1="${y0}" x2="${x0 + PLOT_W}" y2="${y0}"/>`,
    `<text class="tick" x="${x0 - 6}" y="${y0}" text-anchor="end">${escapeHtml(yMin)}</text>`,
    `<text class="tick" x="${x0 - 6}" y="${MARGIN.top + 10}" text-anchor="end">${escapeHtml(yMax)}</text>`,
    `<text class="tick" x="${x0}" y="${y0 + 14}">${escapeHtml(xFirst)}</text>`,
    `<text class="tick" x="${x0 + PLOT_W}" y="${y0 + 14}" text-anchor="end">${escapeHtml(xLast)}</text>`,
    `<text class="axis-title" x="${x0 + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(xTitle)}</text>`,
    `<text class="axis-title" transform="translate(14 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yTitle)}</text>`,
  ].join('');
}

function legend(entries: readonly (readonly [string, string])[]): string {
  return entries
    .map(([name, colour], i) => {
      const x = MARGIN.left + i * 190;
      return `<rect class="legend-swatch" x="${x}" y="6" width="10" height="10" fill="${colour}"/><text class="tick" x="${x + 14}" y="15">${escapeHtml(name)}</text>`;
    })
    .join('');
}

/** Stacked bars: samples per total_tokens bin, one colour per modality. */
export function histogramSvg(histogram: NonNullable<AuditReport['lengthHistogram']>): string {
  const names = Object.keys(histogram.counts);
  const totals = Array.from({ length: histogram.bins }, (_, bin) => names.reduce((sum, name) => sum + histogram.counts[name]![bin]!, 0));
  const yMax = Math.max(1, ...totals);
  const barW = PLOT_W / histogram.bins;
  const bars: string[] = [];
  for (let bin = 0; bin < histogram.bins; bin++) {
    let stacked = 0;
    for (const name of names) {
      const n = histogram.counts[name]![bin]!;
      if (n === 0) continue;
      const h = (n / yMax) * PLOT_H;
      const y = MARGIN.top + PLOT_H - ((stacked + n) / yMax) * PLOT_H;
      stacked += n;
      const range = `${integer(bin * histogram.binWidth)}–${integer((bin + 1) * histogram.binWidth)} tokens`;
      bars.push(
        `<rect class="bar" x="${coord(MARGIN.left + bin * barW + 0.5)}" y="${coord(y)}" width="${coord(Math.max(1, barW - 1))}" height="${coord(Math.max(0.5, h))}" fill="${MODALITY_COLOURS[name] ?? '#999'}"><title>${escapeHtml(`${name}, ${range}: ${integer(n)} samples`)}</title></rect>`,
      );
    }
  }
  return [
    svgOpen(`Length histogram of epoch ${histogram.epoch} by modality`, 'length-histogram'),
    axes('total tokens per sample', 'samples', integer(yMax), '0', integer(histogram.bins * histogram.binWidth)),
    bars.join(''),
    legend(names.map((name) => [name, MODALITY_COLOURS[name] ?? '#999'] as const)),
    '</svg>',
  ].join('');
}

/** Heatmap: rows = rank groups, columns = step groups, colour = mean tokens per rank per step. */
export function heatmapSvg(epoch: EpochReport): string {
  const { rows, columns, meanTokens, ranksPerRow, stepsPerColumn } = epoch.heatmap;
  const low = meanTokens.length > 0 ? Math.min(...meanTokens) : 0;
  const high = meanTokens.length > 0 ? Math.max(...meanTokens) : 0;
  const cellW = PLOT_W / Math.max(1, columns);
  const cellH = PLOT_H / Math.max(1, rows);
  const cells: string[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const value = meanTokens[row * columns + column]!;
      const share = high > low ? (value - low) / (high - low) : 0.5;
      cells.push(
        `<rect class="cell" x="${coord(MARGIN.left + column * cellW)}" y="${coord(MARGIN.top + (rows - 1 - row) * cellH)}" width="${coord(cellW + 0.05)}" height="${coord(cellH + 0.05)}" fill="${blues(share)}"/>`,
      );
    }
  }
  const rowsLabel = ranksPerRow === 1 ? 'rank' : `ranks (${ranksPerRow} per row)`;
  const stepsLabel = stepsPerColumn === 1 ? 'step' : `step (${stepsPerColumn} per column)`;
  return [
    svgOpen(`Tokens per rank per step, epoch ${epoch.epoch}`, 'step-tokens-heatmap'),
    `<title>${escapeHtml(`mean tokens per rank per step: ${integer(low)} (lightest) to ${integer(high)} (darkest)`)}</title>`,
    legend([
      [`${integer(low)} tokens`, blues(0)],
      [`${integer(high)} tokens per rank per step`, blues(1)],
    ]),
    axes(stepsLabel, rowsLabel, String(epoch.ranks - 1), '0', String(Math.max(0, epoch.stepsPerRank.max - 1))),
    cells.join(''),
    '</svg>',
  ].join('');
}

/** Line chart of per-step imbalance (busiest ÷ mean rank tokens): max and mean per column, with points. */
export function imbalanceSvg(epoch: EpochReport): string {
  const { max, mean, stepsPerColumn } = epoch.imbalanceSeries;
  // Imbalance is ≥ 1 by definition (1 = every rank equal), so the axis starts there.
  const yTop = 1 + Math.max(0.01, ...max.map((v) => v - 1)) * 1.1;
  const x = (i: number) => MARGIN.left + (max.length > 1 ? (i / (max.length - 1)) * PLOT_W : PLOT_W / 2);
  const y = (v: number) => MARGIN.top + PLOT_H - ((v - 1) / (yTop - 1)) * PLOT_H;
  const line = (values: readonly number[], cls: string, colour: string) =>
    `<polyline class="series ${cls}" fill="none" stroke="${colour}" stroke-width="1.5" points="${values.map((v, i) => `${coord(x(i))},${coord(y(v))}`).join(' ')}"/>`;
  const points = max
    .map(
      (v, i) =>
        `<circle class="point" cx="${coord(x(i))}" cy="${coord(y(v))}" r="2" fill="${WRITTEN_COLOUR}"><title>${escapeHtml(`steps from ${i * stepsPerColumn}: max ${v.toFixed(3)}, mean ${mean[i]!.toFixed(3)}`)}</title></circle>`,
    )
    .join('');
  return [
    svgOpen(`Per-step token imbalance across ranks, epoch ${epoch.epoch}`, 'step-imbalance'),
    axes('step', 'busiest ÷ mean rank tokens', yTop.toFixed(2), '0', String(Math.max(0, epoch.stepsPerRank.max - 1)), '1'),
    line(mean, 'mean', RANDOM_COLOUR),
    line(max, 'max', WRITTEN_COLOUR),
    points,
    legend([
      ['max per column', WRITTEN_COLOUR],
      ['mean per column', RANDOM_COLOUR],
    ]),
    '</svg>',
  ].join('');
}

/** Grouped bars per epoch: wasted slot fraction of the shards vs the same entries in random order. */
export function paddingWasteSvg(epochs: readonly EpochReport[]): string {
  const measured = epochs;
  const yTop = Math.max(0.01, ...measured.flatMap((e) => [e.quality.written.wastedSlotFraction, e.quality.randomOrder.wastedSlotFraction])) * 1.1;
  const groupW = PLOT_W / Math.max(1, measured.length);
  const barW = Math.min(60, groupW / 3);
  const bars = measured.flatMap((e, i) =>
    (
      [
        ['written', e.quality.written.wastedSlotFraction, WRITTEN_COLOUR],
        ['random order', e.quality.randomOrder.wastedSlotFraction, RANDOM_COLOUR],
      ] as const
    ).map(([name, value, colour], j) => {
      const h = (value / yTop) * PLOT_H;
      const bx = MARGIN.left + i * groupW + groupW / 2 - barW + j * barW;
      return (
        `<rect class="bar" x="${coord(bx)}" y="${coord(MARGIN.top + PLOT_H - h)}" width="${coord(barW - 2)}" height="${coord(Math.max(0.5, h))}" fill="${colour}"><title>${escapeHtml(`epoch ${e.epoch}, ${name}: ${percent(value)} of padded slots wasted`)}</title></rect>` +
        `<text class="tick" x="${coord(bx + barW / 2 - 1)}" y="${coord(MARGIN.top + PLOT_H - h - 3)}" text-anchor="middle">${escapeHtml(percent(value))}</text>`
      );
    }),
  );
  const first = measured[0]?.epoch ?? 0;
  const last = measured[measured.length - 1]?.epoch ?? 0;
  return [
    svgOpen('Padding waste per epoch: shards vs random order', 'padding-waste'),
    axes('epoch', 'padded slots wasted', percent(yTop), `epoch ${first}`, `epoch ${last}`),
    bars.join(''),
    legend([
      ['shards as written', WRITTEN_COLOUR],
      ['random order (same entries)', RANDOM_COLOUR],
    ]),
    '</svg>',
  ].join('');
}

/** Light to dark blue for share ∈ [0, 1]. */
function blues(share: number): string {
  const from = [239, 243, 255];
  const to = [8, 48, 107];
  const channel = (k: number) => Math.round(from[k]! + (to[k]! - from[k]!) * Math.min(1, Math.max(0, share)));
  return `#${[0, 1, 2].map((k) => channel(k).toString(16).padStart(2, '0')).join('')}`;
}
