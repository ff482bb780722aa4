/** The report's source-mix table (mixed epochs only), every value escaped. */
import type { AuditReport } from '../report-schema.js';
import { escapeHtml, integer, percent } from './escape.js';

/**
 * One row per epoch and source: entries and distinct samples declared vs seen (a row whose counts
 * differ is marked), and how much of the source the epochs so far have seen at least once.
 */
export function sourceMixTable(report: AuditReport): string {
  const rows = report.epochs.flatMap((e) =>
    (e.mix?.sources ?? []).map((s) => {
      const differs = s.declaredEntries !== s.seenEntries || s.declaredDistinct !== s.seenDistinct;
      const share = s.samples > 0 ? s.seenSoFar / s.samples : 1;
      const downSampled = s.declaredDistinct < s.samples;
      return (
        `<tr class="source-mix${differs ? ' fail' : ''}" data-epoch="${e.epoch}" data-source="${escapeHtml(s.name)}">` +
        `<td>${e.epoch}</td><td><code>${escapeHtml(s.name)}</code>${s.warning === undefined ? '' : `<div class="muted">${escapeHtml(s.warning)}</div>`}</td>` +
        `<td>${integer(s.samples)}</td><td>${integer(s.declaredEntries)}</td><td>${integer(s.seenEntries)}</td>` +
        `<td>${integer(s.declaredDistinct)}</td><td>${integer(s.seenDistinct)}</td>` +
        `<td><meter min="0" max="1" value="${share}"></meter> ${integer(s.seenSoFar)} (${percent(share)})${downSampled ? ' <span class="muted">down-sampled</span>' : ''}</td></tr>`
      );
    }),
  );
  if (rows.length === 0) return '<p class="muted">No mixed epochs: every source is used once per epoch.</p>';
  return (
    '<table class="source-mix"><thead><tr><th>epoch</th><th>source</th><th>samples</th><th>entries declared</th><th>entries seen</th>' +
    '<th>distinct declared</th><th>distinct seen</th><th>seen so far (≥ once, epochs up to this one)</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}
