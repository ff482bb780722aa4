/**
 * A bad length index never yields a plan: a damaged file is a CorruptArtifactError naming the file,
 * a well-formed index with an unplannable sample is an InvalidInputError naming the sample, and in
 * both cases nothing at all is written to the output folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptArtifactError, InvalidInputError } from '../../lib/core/errors.js';
import { MODALITY_TEXT_ONLY, type LengthIndex } from '../../lib/core/index/length-index.js';
import { FsObjectStore } from '../../lib/io/fs-store.js';
import { MemoryObjectStore } from '../../lib/io/memory-store.js';
import { planIndexFile } from '../../lib/run/plan/plan-index-file.js';
import { makeLengthIndexFixture } from '../helpers/length-index-fixture.js';
import { putLengthIndex } from '../helpers/plan-output.js';
import { runCli } from '../helpers/run-cli.js';
import { listFilesUnder, makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

const SPEC = { strategy: 'balanced', seed: 5, epochs: 2, worldSize: 4, perDeviceBatchSize: 2 };
const index = makeLengthIndexFixture(2000, 3);

let tmp: string;
let indexStore: FsObjectStore;
/** The good index file's bytes, to damage. */
let good: Uint8Array;

beforeAll(async () => {
  tmp = await makeTempDir('bad-index');
  indexStore = new FsObjectStore(join(tmp, 'index'));
  good = await putLengthIndex(indexStore, 'good.arrow', index);
});

afterAll(() => removeTempDir(tmp));

let outCount = 0;
/** Put `bytes` (unless null) as index `name`, plan it into a fresh folder; the error (if any) and what got written. */
async function planFrom(name: string, bytes: Uint8Array | null, spec: unknown = SPEC) {
  if (bytes !== null) await indexStore.put(name, bytes);
  const outDir = join(tmp, `out-${outCount++}`);
  const out = new FsObjectStore(outDir);
  const error = await planIndexFile({ index: { store: indexStore, key: name }, spec, out: { store: out, prefix: '' } }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, written: await out.list(''), outExists: existsSync(outDir), path: join(indexStore.location, name) };
}

/** Byte offset of a column's values in the encoded file (found by content; must be unique). */
function offsetOf(column: Int32Array | Uint8Array): number {
  const needle = Buffer.from(column.buffer, column.byteOffset, 64);
  const haystack = Buffer.from(good.buffer, good.byteOffset, good.byteLength);
  const at = haystack.indexOf(needle);
  expect(at).toBeGreaterThan(0);
  expect(haystack.lastIndexOf(needle)).toBe(at);
  return at;
}

function damaged(edit: (bytes: Uint8Array) => void): Uint8Array {
  const bytes = good.slice();
  edit(bytes);
  return bytes;
}

describe('planning from a good index (control)', () => {
  it('succeeds and writes the plan', async () => {
    const { error, written } = await planFrom('good.arrow', null);
    expect(error).toBeUndefined();
    expect(written).toContain('manifest.json');
  });
});

describe('a damaged index file is a CorruptArtifactError naming the file, and nothing is written', () => {
  const NOT_ARROW = /is not an Arrow IPC file/;
  const CASES: ReadonlyArray<readonly [string, () => Uint8Array, RegExp]> = [
    ['truncated by one byte', () => good.subarray(0, good.length - 1), NOT_ARROW],
    ['truncated by 100 bytes', () => good.subarray(0, good.length - 100), NOT_ARROW],
    ['truncated to half', () => good.subarray(0, good.length >> 1), NOT_ARROW],
    ['empty', () => new Uint8Array(0), NOT_ARROW],
    ['JSON instead of Arrow', () => new TextEncoder().encode('{"lengths":[1,2,3]}'), NOT_ARROW],
    ['a flipped leading magic byte', () => damaged((b) => (b[0]! ^= 0xff)), NOT_ARROW],
    ['a flipped trailing magic byte', () => damaged((b) => (b[b.length - 1]! ^= 0xff)), NOT_ARROW],
    ['a garbled footer', () => damaged((b) => b.fill(0xa5, b.length - 60, b.length - 10)), /: /],
    ['a garbled body', () => damaged((b) => b.fill(0xff, 8, b.length - 8)), /: /],
    [
      'a flipped bit in total_tokens[17]',
      () => damaged((b) => (b[offsetOf(index.totalTokens) + 4 * 17]! ^= 0x01)),
      /index\.totalTokens\[17\]: is \d+; must equal textTokens \+ imageTokens/,
    ],
    ['modality[33] out of range', () => damaged((b) => (b[offsetOf(index.modality) + 33] = 0xff)), /index\.modality\[33\]: is 255/],
    // Still a valid index (same sign, invariants hold), but not the one the metadata describes.
    [
      'xtuner_length[0] rewritten, metadata kept',
      () => damaged((b) => (b[offsetOf(index.xtunerLength)]! ^= 0x10)),
      /the file was changed after megashard wrote it/,
    ],
  ];

  it.each(CASES)('%s', async (name, bytes, message) => {
    const file = `${name.replace(/\W+/g, '-')}.arrow`;
    const { error, written, outExists, path } = await planFrom(file, bytes());
    expect(error).toBeInstanceOf(CorruptArtifactError);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(written).toEqual([]);
    expect(outExists).toBe(false);
  });

  it('another megashard file passed as the index (a plan rank file) names the wrong kind', async () => {
    const plan = new MemoryObjectStore();
    await planIndexFile({ index: { store: indexStore, key: 'good.arrow' }, spec: SPEC, out: { store: plan, prefix: '' } });
    const { error, written, path } = await planFrom('rank-file.arrow', await plan.get('epoch-0000/rank-00000.arrow'));
    expect(error).toBeInstanceOf(CorruptArtifactError);
    expect((error as Error).message).toContain(`${path}: metadata "megashard.kind" must be "length-index"`);
    expect(written).toEqual([]);
  });

  it('through the CLI: exit 1, the file named on stderr, an empty output folder', async () => {
    const path = join(indexStore.location, 'cli-truncated.arrow');
    await indexStore.put('cli-truncated.arrow', good.subarray(0, good.length - 100));
    const specPath = join(tmp, 'spec.json');
    await new FsObjectStore(tmp).put('spec.json', JSON.stringify(SPEC));
    const out = join(tmp, 'cli-out-corrupt');
    const { code, stdout, stderr } = await runCli(['plan', '--index', path, '--spec', specPath, '--out', out]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`megashard: CorruptArtifact: ${path}: is not an Arrow IPC file`);
    expect(await listFilesUnder(out)).toEqual([]);
  });
});

describe('a valid index holding a zero-length sample is refused before anything is written', () => {
  /** The fixture with a text-only row past 100 emptied: 0 tokens in every length column (a valid index). */
  function withEmptySample(): { zeroed: LengthIndex; row: number } {
    const zeroed = makeLengthIndexFixture(2000, 3);
    const row = zeroed.modality.indexOf(MODALITY_TEXT_ONLY, 100);
    for (const column of [zeroed.textTokens, zeroed.totalTokens, zeroed.trainableTokens, zeroed.xtunerLength, zeroed.llavaLength]) column[row] = 0;
    return { zeroed, row };
  }

  it.each([
    ['balanced', 'total_tokens'],
    ['xtuner-length-grouped', 'xtuner_length'],
    ['llava-modality-length-grouped', 'llava_length'],
  ])('%s (grouping by %s) names the file, column and sample and writes nothing', async (strategy, column) => {
    const { zeroed, row } = withEmptySample();
    expect(row).toBeGreaterThanOrEqual(100);
    const name = `zero-${strategy}.arrow`;
    await putLengthIndex(indexStore, name, zeroed); // the encoder accepts it: the index itself is valid
    const { error, written, outExists, path } = await planFrom(name, null, { ...SPEC, strategy });
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(`${path} ${column}[${row}]`);
    expect((error as Error).message).toContain('is 0; every sample needs at least one token');
    expect(written).toEqual([]);
    expect(outExists).toBe(false);
  });

  it('through the CLI: exit 2 with the sample named', async () => {
    const { zeroed, row } = withEmptySample();
    await putLengthIndex(indexStore, 'zero-cli.arrow', zeroed);
    const specPath = join(tmp, 'spec-zero.json');
    await new FsObjectStore(tmp).put('spec-zero.json', JSON.stringify(SPEC));
    const out = join(tmp, 'cli-out-zero');
    const { code, stderr } = await runCli(['plan', '--index', join(indexStore.location, 'zero-cli.arrow'), '--spec', specPath, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain(`InvalidInput: ${join(indexStore.location, 'zero-cli.arrow')} total_tokens[${row}]: is 0`);
    expect(await listFilesUnder(out)).toEqual([]);
  });
});
