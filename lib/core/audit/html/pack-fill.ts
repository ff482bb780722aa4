/**
 * The report's packing section (packed runs only): a table of each epoch's packing figures and the
 * pack fill histogram (packs by tokens ÷ maxTokens, the last bar = over the budget), inline SVG.
 */
import type { AuditReport, EpochReport } from '../report-schema.js';
import { coord, escapeHtml, integer, percent } from './escape.js';

const WIDTH = 760;
const HEIGHT = 220;
const MARGIN = { left: 64, right: 16, top: 16, bottom: 40 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const FILL_COLOUR = '#4e79a7';
const OVER_COLOUR = '#e15759';

/** The packing table and one fill histogram per packed epoch; '' when no epoch is packed. */
export function packingSection(report: AuditReport): string {
  const packed = report.epochs.filter((e) => e.packing !== undefined);
  if (packed.length === 0) return '';
  const rows = packed.map((e) => {
    const p = e.packing!;
    return (
      `<tr data-epoch="${e.epoch}"><td>${e.epoch}</td><td>${integer(p.maxTokens)}${p.maxImagesPerPack === null ? '' : `, ≤ ${p.maxImagesPerPack} images`}</td>` +
      `<td>${integer(p.packs)}</td><td>${percent(p.efficiency)}</td><td>${integer(p.ownPackOverBudget)} <span class="muted">(${escapeHtml(p.overLength)})</span></td>` +
      `<td>${percent(p.meanStepCostImbalance)}</td><td>step ${p.worstStepCost.step}: rank ${p.worstStepCost.busiestRank}, +${percent(p.worstStepCost.imbalance)}</td></tr>`
    );
  });
  const table =
    '<table class="packing"><thead><tr><th>epoch</th><th>budget</th><th>packs</th><th>efficiency (tokens ÷ budget × packs)</th>' +
    '<th>over budget, alone</th><th>step cost imbalance (mean)</th><th>worst step</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`;
  const note =
    `<p class="muted">Cost per sample L² + c·L (c = ${integer(packed[0]!.packing!.costLinearWeight)}): per step, the dearest rank ÷ the mean rank − 1. ` +
    'A packed epoch pads nothing and trains one pack per rank per step, so the fixed-batch figures (padding waste against a random order, ' +
    'tokens per rank per step) are not drawn for it: its waste is the unfilled budget, its balance the step cost above.</p>';
  return `${table}${note}${packed.map(fillHistogramSvg).join('')}`;
}

/** Packs per fill bin of one epoch; the last bin (red) holds packs over the budget. */
function fillHistogramSvg(epoch: EpochReport): string {
  const { binWidth, counts } = epoch.packing!.fill;
  const yMax = Math.max(1, ...counts);
  const barW = PLOT_W / counts.length;
  const y0 = MARGIN.top + PLOT_H;
  const bars = counts.map((n, bin) => {
    const over = bin === counts.length - 1;
    const range = over ? 'over the budget' : `${percent(bin * binWidth)}–${percent((bin + 1) * binWidth)} full`;
    const h = (n / yMax) * PLOT_H;
    return `<rect class="bar" x="${coord(MARGIN.left + bin * barW + 0.5)}" y="${coord(y0 - h)}" width="${coord(Math.max(1, barW - 1))}" height="${coord(Math.max(n === 0 ? 0 : 0.5, h))}" fill="${over ? OVER_COLOUR : FILL_COLOUR}"><title>${escapeHtml(`${range}: ${integer(n)} packs`)}</title></rect>`;
  });
  return [
    `<svg class="chart" data-chart="pack-fill" data-epoch="${epoch.epoch}" role="img" aria-label="${escapeHtml(`Pack fill histogram of epoch ${epoch.epoch}`)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">`,
    `<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${y0}"/>`,
    `<line class="axis" x1="${MARGIN.left}" y1="${y0}" x2="${MARGIN.left + PLOT_W}" y2="${y0}"/>`,
    `<text class="tick" x="${MARGIN.left - 6}" y="${y0}" text-anchor="end">0</text>`,
    `<text class="tick" x="${MARGIN.left - 6}" y="${MARGIN.top + 10}" text-anchor="end">${integer(yMax)}</text>`,
    `<text class="tick" x="${MARGIN.left}" y="${y0 + 14}">0 %</text>`,
    `<text class="tick" x="${coord(MARGIN.left + PLOT_W - barW)}" y="${y0 + 14}" text-anchor="middle">100 %</text>`,
    `<text class="axis-title" x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(`epoch ${epoch.epoch}: pack fill (tokens ÷ maxTokens)`)}</text>`,
    `<text class="axis-title" transform="translate(14 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">packs</text>`,
    bars.join(''),
    '</svg>',
  ].join('');
}
