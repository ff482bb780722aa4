import { AUDIT_REPORT_KEY } from '../core/run-layout.js';
import { join } from 'node:path';
import { decodeLengthIndex } from '../arrow/index.js';
import { measurePlanQuality, type PlanQuality } from '../core/audit/plan-quality.js';
import { auditReportSchema, type AuditReport } from '../core/audit/report-schema.js';
import { signedLengths } from '../core/index/length-index.js';
import type { EpochManifest, PlanManifest } from '../core/plan/manifest.js';
import { planEpoch } from '../core/plan/plan-epoch.js';
import { resolveShardSpec } from '../core/spec/resolve-shard-spec.js';
import { openStore } from '../io/open-store.js';
import type { LocalRunEvent } from '../local/run-events.js';
import { writeDemoDataset } from './demo-dataset.js';
import { readEpochPlan } from '../run/plan/read-epoch-plan.js';
import { parseJsonArtifact } from '../core/json-artifact.js';
import { runPipeline, type PipelineRunResult } from '../run/pipeline/run-pipeline.js';

/** What the demo plans: 8 ranks, two epochs, gradient accumulation 2. */
export const DEMO_SPEC = {
  strategy: 'balanced',
  seed: 20241123,
  epochs: 2,
  worldSize: 8,
  perDeviceBatchSize: 4,
  gradientAccumulation: 2,
} as const;

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Folder for the dataset (`<out>/dataset`) and the runs (`<out>/runs/<run id>`). */
  readonly outDir: string;
  /** Records to synthesize: 80 % conversations, 20 % interleaved documents. */
  readonly samples: number;
  readonly workers: number;
  readonly onEvent?: (event: LocalRunEvent) => void;
}

/** Result of the demo: where things are, what each epoch holds, and how good epoch 0 is. */
export interface DemoResult {
  readonly datasetDir: string;
  readonly conversations: number;
  readonly documents: number;
  readonly run: PipelineRunResult;
  readonly plan: PlanManifest;
  readonly epochs: readonly EpochManifest[];
  /** Epoch 0 measured from the written rank files, and XTuner's sampler on the same index for context. */
  readonly quality: { readonly balanced: PlanQuality; readonly xtuner: PlanQuality };
  /** The pipeline's Audit of the written shards (audit/report.json). */
  readonly audit: AuditReport;
}

/**
 * The embedded default job: synthesize a small LLaVA-style + interleaved dataset, run the full
 * pipeline on it locally (the deployed state machine, real tokenizer, every core: shards and
 * audit included), then read epoch 0 back from its files and measure it next to XTuner's sampler
 * on the same index.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const datasetDir = join(options.outDir, 'dataset');
  const conversations = Math.max(1, Math.round(options.samples * 0.8));
  const documents = Math.max(1, options.samples - conversations);
  await writeDemoDataset({ dir: datasetDir, conversations, documents, seed: DEMO_SPEC.seed, shard: DEMO_SPEC });
  const run = await runPipeline({
    datasetLocation: datasetDir,
    outLocation: options.outDir,
    workers: options.workers,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const store = openStore(run.runLocation);
  // Every epoch read back from its files (manifests and rank files verified by sha256).
  const stored = [];
  for (let epoch = 0; epoch < DEMO_SPEC.epochs; epoch++) stored.push(await readEpochPlan({ store, prefix: 'plan' }, epoch));
  const { index } = decodeLengthIndex(await store.get('index/lengths.arrow'), `${store.location}/index/lengths.arrow`);
  const trueCost = signedLengths(index, 'total');
  const written = stored[0]!;
  const xtuner = resolveShardSpec({ ...DEMO_SPEC, strategy: 'xtuner-length-grouped' });
  const xtunerPlan = planEpoch(xtuner.strategy, signedLengths(index, 'xtuner'), xtuner.spec, 0);
  const quality = { balanced: measurePlanQuality(written.plan, trueCost), xtuner: measurePlanQuality(xtunerPlan, trueCost) };
  const audit = parseJsonArtifact(await store.get(AUDIT_REPORT_KEY), auditReportSchema, `${store.location}/${AUDIT_REPORT_KEY}`);
  return { datasetDir, conversations, documents, run, plan: written.root, epochs: stored.map((s) => s.manifest), quality, audit };
}
