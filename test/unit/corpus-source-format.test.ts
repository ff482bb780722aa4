import { describe, expect, it } from 'vitest';
import { detectSourceFormat, formatFieldPath, sourceFormatConfigSchema, type SourceFormatConfig } from '../../lib/core/corpus/source-format.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const detect = (text: string, config?: SourceFormatConfig, sourceSize?: number) =>
  detectSourceFormat(bytesOf(text), 'data/src.json', sourceSize ?? bytesOf(text).length, config);

const LLAVA = {
  id: '004539375',
  image: '00453/004539375.jpg',
  conversations: [
    { from: 'human', value: 'Describe.\n<image>' },
    { from: 'gpt', value: 'a cat' },
  ],
};
const MMC4 = { text_list: ['a', 'b'], image_info: [{ image_name: 'x.jpg', matched_text_index: 1, matched_sim: 0.3 }], url: 'http://e.x' };
const OBELICS = { texts: [null, 'hello'], images: ['http://img/1.jpg', null], metadata: '[]' };
const GENERIC = { id: 'd1', segments: [{ image: 'a.jpg' }, { text: 'caption' }] };

describe('detectSourceFormat', () => {
  it('detects the container from the first byte and the shape from the first record', () => {
    expect(detect(JSON.stringify([LLAVA], null, 2))).toEqual({ container: 'json-array', shape: 'llava' });
    expect(detect(`${JSON.stringify(MMC4)}\n${JSON.stringify(MMC4)}\n`)).toEqual({ container: 'jsonl', shape: 'mmc4' });
    expect(detect(`\ufeff \n${JSON.stringify(OBELICS)}`)).toEqual({ container: 'jsonl', shape: 'obelics' });
    expect(detect(JSON.stringify([GENERIC]))).toEqual({ container: 'json-array', shape: 'generic' });
  });

  it('looks past a bad first record, and needs only complete records in the head', () => {
    expect(detect(`{"id": 1, "conv\n${JSON.stringify(LLAVA)}\n`)).toEqual({ container: 'jsonl', shape: 'llava' });
    const head = `[${JSON.stringify(MMC4)}, {"text_list": ["cut off`;
    expect(detect(head, undefined, 10_000)).toEqual({ container: 'json-array', shape: 'mmc4' });
    expect(() => detect('[{"text_list": ["cut off', undefined, 10_000)).toThrow(/no record in the first 24 bytes parses as a JSON object/);
  });

  it('takes the shape from the config, and checks the configured container against the bytes', () => {
    expect(detect('[{"weird": 1}]', { shape: 'generic' })).toEqual({ container: 'json-array', shape: 'generic' });
    expect(() => detect('[{"weird": 1}]', { container: 'jsonl' })).toThrow('data/src.json: the config says jsonl but the file starts like json-array');
  });

  it('names the file and says what to do when it is not JSON or not a known shape', () => {
    expect(() => detect('id,image,caption\n1,a.jpg,cat\n')).toThrow(
      "data/src.json: not JSON: byte 0 is 'i'; expected '[' (a JSON array of records) or '{' (JSONL, one record per line)",
    );
    expect(() => detect('')).toThrow('data/src.json: the file is empty');
    expect(() => detect('[{"question": "q", "answer": "a"}]')).toThrow(
      /^data\/src\.json: unknown record shape: the first record has keys \(question, answer\); expected "conversations" \(LLaVA\)/,
    );
    expect(() => detectSourceFormat(Uint8Array.of(0x1f, 0x8b, 8, 0), 'd/x.json.gz', 4)).toThrow(
      'd/x.json.gz: the file is gzip-compressed; decompress it first',
    );
    expect(() => detectSourceFormat(bytesOf('PK\u0003\u0004...'), 'shard_0.jsonl.zip', 7)).toThrow(/a zip archive .*unzip it first/);
    expect(() => detectSourceFormat(bytesOf('PAR1....'), 'obelics.parquet', 8)).toThrow(/Parquet .*export it to JSONL first/);
  });

  it('treats a pretty-printed single object as JSONL whose lines are not records', () => {
    expect(() => detect(JSON.stringify(LLAVA, null, 2))).toThrow(/no record in the first \d+ bytes parses as a JSON object/);
  });

  it('has a strict config schema', () => {
    expect(sourceFormatConfigSchema.safeParse({ shape: 'llava', contaner: 'jsonl' }).success).toBe(false);
    expect(sourceFormatConfigSchema.parse({ container: 'jsonl' })).toEqual({ container: 'jsonl' });
  });
});

describe('formatFieldPath', () => {
  it('writes indices in brackets', () => {
    expect(formatFieldPath(['conversations', 2, 'from'])).toBe('conversations[2].from');
    expect(formatFieldPath([])).toBe('record');
  });
});
