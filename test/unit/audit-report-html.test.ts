import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../lib/core/audit/html/escape.js';
import { renderAuditReportHtml } from '../../lib/core/audit/report-html.js';
import { auditShards } from '../../lib/core/audit/shard-auditor.js';
import { plannedFixture } from '../helpers/audit-fixture.js';

const fixture = plannedFixture(800, { strategy: 'balanced', seed: 6, epochs: 2, worldSize: 4, perDeviceBatchSize: 2 });
const reason = `record "</script><script>alert('x')</script>" & more`;
const report = auditShards(fixture.run, fixture.epochs, { files: { verified: 8, bytes: 10 }, rejects: [{ source: 's<1>', reason }] }, fixture.indexColumns);

describe('report.html', () => {
  it('is a pure function of the report: the same report gives the same bytes', () => {
    expect(renderAuditReportHtml(structuredClone(report))).toBe(renderAuditReportHtml(report));
  });

  it('escapes every piece of text taken from the run', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderAuditReportHtml(report);
    expect(html).not.toContain("<script>alert('x')");
    expect(html).toContain(escapeHtml(reason));
    expect(html).toContain('s&lt;1&gt;');
    // The page's one script is its own; nothing else opens a script element.
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('refers to nothing outside itself, and forbids fetching by policy', () => {
    const html = renderAuditReportHtml(report);
    expect(html).not.toMatch(/\s(src|href|action)=/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
    // The only URL is the SVG namespace, an identifier that is never fetched.
    expect([...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
  });
});
