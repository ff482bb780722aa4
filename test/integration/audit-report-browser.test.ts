import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochShards } from '../../lib/core/audit/rank-shard-columns.js';
import { renderAuditReportHtml } from '../../lib/core/audit/report-html.js';
import type { AuditReport } from '../../lib/core/audit/report-schema.js';
import { auditShards } from '../../lib/core/audit/shard-auditor.js';
import { plannedFixture, rowAt, setSample, withRank } from '../helpers/audit-fixture.js';
import { launchChromium } from '../helpers/chromium.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

/** A hostile reject reason: must show as text, never become markup or a fetch. */
const HOSTILE = 'image "<img src=https://example.invalid/x.png onerror=alert(1)>": missing image file';

let dir: string;
let browser: Browser;
let page: Page;
let report: AuditReport;
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  const fixture = plannedFixture(3000, { strategy: 'balanced', seed: 4, epochs: 2, worldSize: 8, perDeviceBatchSize: 4, gradientAccumulation: 2 });
  const [e0, e1] = fixture.epochs as [EpochShards, EpochShards];
  const duplicate = e0.ranks[1]!.sampleIds[rowAt(e0.ranks[1]!, 2, 0)]!;
  const tampered = withRank(e0, 5, (c) => setSample(c, rowAt(c, 9, 1), duplicate, fixture));
  report = auditShards(
    fixture.run,
    [tampered, e1],
    { files: { verified: 16, bytes: 1 }, rejects: [{ source: 'a.json', reason: HOSTILE }] },
    fixture.indexColumns,
  );
  dir = await makeTempDir('audit-html');
  const file = join(dir, 'report.html');
  await writeFile(file, renderAuditReportHtml(report));
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  await removeTempDir(dir);
});

/** Count of elements matching `selector` whose rendered box has non-zero width and height. */
function visibleBoxes(selector: string): Promise<number> {
  return page.$$eval(
    selector,
    (elements) =>
      elements.filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
      }).length,
  );
}

describe('audit/report.html in headless Chromium', () => {
  it('draws the length histogram by modality: bars with a size', async () => {
    const bars = await page.locator('svg[data-chart="length-histogram"] rect.bar').count();
    expect(bars).toBeGreaterThan(10);
    expect(await visibleBoxes('svg[data-chart="length-histogram"] rect.bar')).toBe(bars);
  });

  it('draws per-rank tokens per step as a heatmap of every cell, and the imbalance line with its points', async () => {
    const { rows, columns } = report.epochs[0]!.heatmap;
    const selector = '.epoch-view[data-epoch="0"] svg[data-chart="step-tokens-heatmap"] rect.cell';
    expect(await page.locator(selector).count()).toBe(rows * columns);
    expect(await visibleBoxes(selector)).toBe(rows * columns);
    const points = '.epoch-view[data-epoch="0"] svg[data-chart="step-imbalance"] circle.point';
    expect(await visibleBoxes(points)).toBe(report.epochs[0]!.imbalanceSeries.max.length);
    expect(await visibleBoxes('.epoch-view[data-epoch="0"] svg[data-chart="step-imbalance"] polyline.series')).toBe(2);
  });

  it('draws padding waste of the shards next to the random-order baseline for each epoch', async () => {
    expect(await visibleBoxes('svg[data-chart="padding-waste"] rect.bar')).toBe(2 * report.epochs.length);
  });

  it('shows the failing check in the checks table, naming epoch, rank and step', async () => {
    const row = page.locator('tr.check.fail[data-check="exactly-once"]');
    expect(await row.count()).toBe(1);
    expect(await row.isVisible()).toBe(true);
    const text = await row.innerText();
    expect(text).toContain('FAIL');
    expect(text).toMatch(/epoch 0 rank 5 step 9: sample \d+ seen twice \(also epoch 0 rank 1 step 2\)/);
    expect(await page.locator('.verdict.failed').innerText()).toMatch(/AUDIT FAILED/);
  });

  it('switches the per-epoch charts with its inline script', async () => {
    expect(await page.locator('.epoch-view[data-epoch="1"]').isVisible()).toBe(false);
    await page.selectOption('#epoch-select', '1');
    expect(await page.locator('.epoch-view[data-epoch="1"]').isVisible()).toBe(true);
    expect(await page.locator('.epoch-view[data-epoch="0"]').isVisible()).toBe(false);
    expect(await visibleBoxes('.epoch-view[data-epoch="1"] svg[data-chart="step-tokens-heatmap"] rect.cell')).toBeGreaterThan(0);
  });

  it('shows hostile text as text, and made no network request and no console error', async () => {
    expect(await page.locator('table.rejects').innerText()).toContain('<img src=https://example.invalid/x.png onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(consoleErrors).toEqual([]);
  });
});

describe('audit/report.html of a packed run in headless Chromium', () => {
  let packedPage: Page;
  const packedErrors: string[] = [];
  const FILL = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 5, 9, 31, 3];

  beforeAll(async () => {
    // The packing figures of each epoch are what makes an epoch packed for the page.
    const packed: AuditReport = {
      ...report,
      epochs: report.epochs.map((e) => ({
        ...e,
        packing: {
          maxTokens: 4096,
          maxImagesPerPack: 6,
          overLength: 'own-pack' as const,
          packs: 51,
          efficiency: 0.962,
          ownPackOverBudget: 3,
          meanStepCostImbalance: 0.004,
          costLinearWeight: 49152,
          worstStepCost: { step: 7, imbalance: 0.03, busiestRank: 2 },
          fill: { binWidth: 0.05, counts: FILL },
        },
      })),
    };
    const file = join(dir, 'packed-report.html');
    await writeFile(file, renderAuditReportHtml(packed));
    packedPage = await browser.newPage();
    packedPage.on('console', (message) => message.type() === 'error' && packedErrors.push(message.text()));
    packedPage.on('pageerror', (error) => packedErrors.push(error.message));
    await packedPage.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  });

  const visible = (selector: string) =>
    packedPage.$$eval(selector, (elements) => elements.filter((element) => element.getBoundingClientRect().height > 0).length);

  it('draws each epoch’s pack fill histogram, over-budget bar included, and the packing table', async () => {
    for (const epoch of [0, 1]) expect(await visible(`svg[data-chart="pack-fill"][data-epoch="${epoch}"] rect.bar`)).toBe(FILL.filter((n) => n > 0).length);
    expect(await packedPage.locator('table.packing tbody tr').count()).toBe(2);
    expect(await packedPage.locator('table.packing').innerText()).toMatch(/96\.2 ?%/);
  });

  it('draws no fixed-batch figure: no padding waste against a random order, no tokens per rank per step', async () => {
    for (const chart of ['padding-waste', 'step-tokens-heatmap', 'step-imbalance'])
      expect(await packedPage.locator(`svg[data-chart="${chart}"]`).count(), chart).toBe(0);
    expect(await packedPage.locator('#epoch-select').count()).toBe(0);
    expect(await packedPage.locator('table.epochs').innerText()).toContain('budget unfilled');
    expect(await visible('svg[data-chart="length-histogram"] rect.bar')).toBeGreaterThan(10);
    expect(packedErrors).toEqual([]);
  });
});

describe('audit/report.html of a mixed run in headless Chromium', () => {
  let mixedPage: Page;
  const mixedErrors: string[] = [];

  beforeAll(async () => {
    // Epoch 0 as declared; epoch 1 with one web entry short (a failing row), a hostile source name escaped.
    const sources = (epoch: number) => [
      { name: 'curated', samples: 40, declaredEntries: 100, seenEntries: 100, declaredDistinct: 40, seenDistinct: 40, seenSoFar: 40 },
      {
        name: 'web',
        samples: 200,
        declaredEntries: 80,
        seenEntries: epoch === 1 ? 79 : 80,
        declaredDistinct: 80,
        seenDistinct: epoch === 1 ? 79 : 80,
        seenSoFar: epoch === 1 ? 159 : 80,
      },
      {
        name: '<b>x</b>',
        samples: 5,
        declaredEntries: 0,
        seenEntries: 0,
        declaredDistinct: 0,
        seenDistinct: 0,
        seenSoFar: 0,
        warning: 'weight 0.01 rounds this source to 0 entries',
      },
    ];
    const mixed: AuditReport = { ...report, epochs: report.epochs.map((e) => ({ ...e, mix: { rule: 'mixture-rotation@1', sources: sources(e.epoch) } })) };
    const file = join(dir, 'mixed-report.html');
    await writeFile(file, renderAuditReportHtml(mixed));
    mixedPage = await browser.newPage();
    mixedPage.on('console', (message) => message.type() === 'error' && mixedErrors.push(message.text()));
    mixedPage.on('pageerror', (error) => mixedErrors.push(error.message));
    await mixedPage.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  });

  it('shows declared vs seen per epoch and source, marks the disagreeing row, and how much of each source was seen so far', async () => {
    expect(await mixedPage.locator('table.source-mix tbody tr').count()).toBe(6);
    expect(await mixedPage.locator('tr.source-mix.fail').count()).toBe(1);
    expect(await mixedPage.locator('tr.source-mix.fail').getAttribute('data-epoch')).toBe('1');
    expect(await mixedPage.locator('tr.source-mix.fail').getAttribute('data-source')).toBe('web');
    expect(await mixedPage.locator('tr.source-mix[data-epoch="1"][data-source="web"] meter').getAttribute('value')).toBe(String(159 / 200));
    expect(await mixedPage.locator('table.source-mix').innerText()).toContain('<b>x</b>');
    expect(await mixedPage.locator('table.source-mix').innerText()).toContain('rounds this source to 0 entries');
    expect(mixedErrors).toEqual([]);
  });
});
