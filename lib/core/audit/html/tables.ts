/** The report's tables as HTML strings (every value escaped). */
import { describeFinding } from '../finding.js';
import type { AuditReport, CheckStatus } from '../report-schema.js';
import { escapeHtml, integer, percent } from './escape.js';

const STATUS_LABEL: Readonly<Record<CheckStatus, string>> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

/** One row per check, failures listed under it. */
export function checksTable(report: AuditReport): string {
  const rows = report.checks.map((check) => {
    const failures =
      check.failures.length === 0
        ? ''
        : `<details><summary>${integer(check.failureCount)} finding${check.failureCount === 1 ? '' : 's'}${check.failureCount > check.failures.length ? ` (first ${check.failures.length} shown)` : ''}</summary><ul>${check.failures
            .map((f) => `<li>${escapeHtml(describeFinding(f))}</li>`)
            .join('')}</ul></details>`;
    return (
      `<tr class="check ${check.status}" data-check="${escapeHtml(check.id)}">` +
      `<td><span class="status ${check.status}">${STATUS_LABEL[check.status]}</span></td>` +
      `<td><strong>${escapeHtml(check.title)}</strong><br><code>${escapeHtml(check.id)}</code></td>` +
      `<td>${escapeHtml(check.summary)}${failures}<div class="what">${escapeHtml(check.description)}</div></td>` +
      `</tr>`
    );
  });
  return `<table class="checks"><thead><tr><th>status</th><th>check</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One row per epoch: counts, steps, balance and waste next to the random-order baseline. */
export function epochsTable(report: AuditReport): string {
  const rows = report.epochs.map((e) => {
    const q = e.quality;
    const pair = (written: number, random: number) => `${percent(written)} <span class="muted">(random ${percent(random)})</span>`;
    return (
      `<tr><td>${e.epoch}</td><td>${integer(e.entries)}</td><td>${integer(e.distinctSamples)}</td><td>${integer(e.paddingEntries)}</td>` +
      `<td>${integer(e.droppedSamples)}</td><td>${percent(e.coverage)}</td>` +
      `<td>${e.stepsPerRank.min === e.stepsPerRank.max ? integer(e.stepsPerRank.max) : `${integer(e.stepsPerRank.min)}–${integer(e.stepsPerRank.max)}`}</td>` +
      `<td>${pair(q.written.meanStepTokenImbalance, q.randomOrder.meanStepTokenImbalance)}</td>` +
      // A packed epoch pads nothing: its waste is the budget its packs leave unfilled.
      `<td>${e.packing ? `${percent(Math.max(0, 1 - e.packing.efficiency))} <span class="muted">(budget unfilled)</span>` : pair(q.written.wastedSlotFraction, q.randomOrder.wastedSlotFraction)}</td>` +
      `<td>${e.longestFirst.holds ? 'yes' : 'no'}</td></tr>`
    );
  });
  return (
    '<table class="epochs"><thead><tr><th>epoch</th><th>entries</th><th>distinct samples</th><th>padding</th><th>dropped</th>' +
    '<th>coverage</th><th>steps per rank</th><th>mean step imbalance</th><th>padded slots wasted</th><th>longest first</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** Rejects grouped by reason. */
export function rejectsTable(report: AuditReport): string {
  if (report.rejects.total === 0) return '<p class="muted">No records were rejected (or the run was not tokenized).</p>';
  const rows = report.rejects.byReason.map(
    (r) =>
      `<tr><td>${integer(r.count)}</td><td><code>${escapeHtml(r.reason)}</code><div class="muted">e.g. ${escapeHtml(r.example)}</div></td><td>${escapeHtml(r.sources.join(', '))}</td></tr>`,
  );
  return `<table class="rejects"><thead><tr><th>records</th><th>reason</th><th>sources</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Declared padding entries of each epoch (first ones), so a reviewer sees which samples repeat where. */
export function paddingList(report: AuditReport): string {
  const items = report.epochs
    .filter((e) => e.paddingEntries > 0)
    .map((e) => {
      const shown = e.padding.sampleIds.slice(0, 200).map((id, i) => `sample ${id} at rank ${e.padding.ranks[i]} step ${e.padding.steps[i]}`);
      const more = e.paddingEntries > shown.length ? `, … (${integer(e.paddingEntries)} in all; report.json lists ${integer(e.padding.sampleIds.length)})` : '';
      return `<li><details><summary>epoch ${e.epoch}: ${integer(e.paddingEntries)} padding entries</summary>${escapeHtml(shown.join(', ') + more)}</details></li>`;
    });
  return items.length === 0 ? '<p class="muted">No declared padding entries.</p>' : `<ul class="padding">${items.join('')}</ul>`;
}
