import { describe, expect, it } from 'vitest';
import { convertGenericDocument } from '../../lib/core/corpus/generic-document-record.js';
import { convertMmc4Record } from '../../lib/core/corpus/mmc4-record.js';
import { convertObelicsRecord } from '../../lib/core/corpus/obelics-record.js';
import type { ConvertOptions, ConvertResult } from '../../lib/core/corpus/source-format.js';

const OPTIONS: ConvertOptions = { maxTextChars: 1 << 20, mmc4MaxImages: 6 };

function accepted(result: ConvertResult) {
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.conversation;
}
function reason(result: ConvertResult): string {
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
}
const info = (image_name: string, matched_text_index: number) => ({
  image_name,
  matched_text_index,
  matched_sim: 0.3,
  face_detections: null,
  raw_url: 'http://x',
});

describe('MMC4 (VILA 1.5 LazyMMC4Dataset rule)', () => {
  it('prefixes matched sentences, joins with " ", drops one space around <image>, orders images by sentence', () => {
    const doc = {
      url: 'http://example.com/post',
      text_list: ['Intro sentence.', 'Second one.', ' Matched twice.', 'End.'],
      image_info: [info('b.jpg', 2), info('a.jpg', 0), info('c.jpg', 2)],
      similarity_matrix: [[0.1, 0.2, 0.3, 0.1]],
    };
    expect(accepted(convertMmc4Record(doc, OPTIONS))).toEqual({
      id: '',
      // joined: "<image>Intro sentence. Second one. <image><image> Matched twice. End." (checked against Python)
      turns: [{ role: 'assistant', text: '<image>Intro sentence. Second one.<image><image>Matched twice. End.' }],
      images: ['a.jpg', 'b.jpg', 'c.jpg'],
      kind: 'document',
    });
  });

  it('keeps the first mmc4MaxImages images in image_info order, escapes literal <image>, allows text-only documents', () => {
    const doc = { text_list: ['s0 <image> tag', 's1', 's2'], image_info: [info('late.jpg', 2), info('early.jpg', 1), info('dropped.jpg', 0)] };
    const two = accepted(convertMmc4Record(doc, { ...OPTIONS, mmc4MaxImages: 2 }));
    expect(two.images).toEqual(['early.jpg', 'late.jpg']);
    expect(two.turns[0]!.text).toBe('s0 <IMAGE> tag<image>s1<image>s2');
    expect(accepted(convertMmc4Record(doc, { ...OPTIONS, mmc4MaxImages: 0 }))).toMatchObject({ images: [], turns: [{ text: 's0 <IMAGE> tag s1 s2' }] });
    expect(accepted(convertMmc4Record({ text_list: ['only text'], image_info: [] }, OPTIONS)).images).toEqual([]);
  });

  it('rejects with the field named', () => {
    expect(reason(convertMmc4Record({ text_list: ['a'], image_info: [info('x.jpg', 3)] }, OPTIONS))).toBe(
      'image_info[0].matched_text_index: 3 is past the end of text_list (1 sentences)',
    );
    // An out-of-range index beyond the kept images is never used (VILA never reads it either).
    expect(convertMmc4Record({ text_list: ['a'], image_info: [info('x.jpg', 0), info('y.jpg', 9)] }, { ...OPTIONS, mmc4MaxImages: 1 }).ok).toBe(true);
    expect(reason(convertMmc4Record({ text_list: ['a'], image_info: [{ matched_text_index: 0 }] }, OPTIONS))).toBe(
      'image_info[0].image_name: must be an image name, got undefined',
    );
    expect(reason(convertMmc4Record({ text_list: ['a'], image_info: [info('x.jpg', -1)] }, OPTIONS))).toBe(
      'image_info[0].matched_text_index: must be a sentence index (integer ≥ 0), got -1',
    );
    expect(reason(convertMmc4Record({ text_list: 'a b', image_info: [] }, OPTIONS))).toBe('text_list: must be a list of sentences, got "a b"');
    expect(reason(convertMmc4Record({ text_list: [], image_info: [] }, OPTIONS))).toBe('text_list, image_info: empty document');
    expect(reason(convertMmc4Record({ text_list: ['abc'], image_info: [] }, { ...OPTIONS, maxTextChars: 2 }))).toBe(
      'text_list[0]: 3 characters, over the limit of 2 (limits.maxTextChars)',
    );
  });
});

describe('OBELICS', () => {
  it('walks the parallel lists; images become <image>, pieces are joined with a newline', () => {
    const doc = {
      texts: [null, 'Sunday at the beach.', null, 'The <image> tag is HTML.'],
      images: ['http://i/1.jpg', null, 'http://i/2.jpg', null],
      metadata: '[]',
      general_metadata: '{}',
    };
    expect(accepted(convertObelicsRecord(doc, OPTIONS))).toEqual({
      id: '',
      turns: [{ role: 'assistant', text: '<image>\nSunday at the beach.\n<image>\nThe <IMAGE> tag is HTML.' }],
      images: ['http://i/1.jpg', 'http://i/2.jpg'],
      kind: 'document',
    });
  });

  it('rejects unequal lists, positions with both or neither set, and empty documents', () => {
    expect(reason(convertObelicsRecord({ texts: ['a', null], images: [null] }, OPTIONS))).toBe(
      'texts, images: 2 texts but 1 images; the lists are parallel and must have equal length',
    );
    expect(reason(convertObelicsRecord({ texts: ['a', null], images: [null, null] }, OPTIONS))).toBe(
      'texts[1], images[1]: both are null; exactly one must be non-null at each position',
    );
    expect(reason(convertObelicsRecord({ texts: ['a'], images: ['x.jpg'] }, OPTIONS))).toBe(
      'texts[0], images[0]: both are set; exactly one must be non-null at each position',
    );
    expect(reason(convertObelicsRecord({ texts: [], images: [] }, OPTIONS))).toBe('texts, images: empty document');
    expect(reason(convertObelicsRecord({ texts: [3], images: [null] }, OPTIONS))).toBe('texts[0]: must be a string or null, got 3');
  });
});

describe('generic document', () => {
  it('concatenates segments verbatim; each image segment is one <image>', () => {
    const doc = { id: 42, segments: [{ text: 'Look: ' }, { image: 'img/a.png' }, { text: '\nand then ' }, { image: 'img/b.png' }] };
    expect(accepted(convertGenericDocument(doc, OPTIONS))).toEqual({
      id: '42',
      turns: [{ role: 'assistant', text: 'Look: <image>\nand then <image>' }],
      images: ['img/a.png', 'img/b.png'],
      kind: 'document',
    });
  });

  it('rejects ambiguous or malformed segments with the index named', () => {
    expect(reason(convertGenericDocument({ segments: [{ text: 'a <image> b' }] }, OPTIONS))).toBe(
      'segments[0].text: contains the literal placeholder <image>; use an {"image": path} segment instead',
    );
    expect(reason(convertGenericDocument({ segments: [{ text: '<ima' }, { text: 'ge>' }] }, OPTIONS))).toMatch(
      /^segments: adjacent text segments spell a literal <image>/,
    );
    expect(reason(convertGenericDocument({ segments: [{ text: 'a', image: 'b.jpg' }] }, OPTIONS))).toBe(
      'segments[0]: must be {"text": string} or {"image": non-empty path}, got an object with keys (text, image)',
    );
    expect(reason(convertGenericDocument({ segments: [] }, OPTIONS))).toBe('segments: empty document; give at least one segment');
  });
});
