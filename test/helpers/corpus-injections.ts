/**
 * Faults the corpus fuzz suite splices between valid records, each with the reject reason it must
 * produce: one generator per fault kind, per record shape and container.
 */
import fc from 'fast-check';
import type { BrokenImage } from './fault-images.js';

/** The record shapes megashard reads. */
export type Shape = 'llava' | 'mmc4' | 'obelics' | 'generic';

/**
 * Where a fault sits: as an element; as an element without the ',' before it; between two elements
 * (a stray byte: the next element then has no ',' of its own); as the truncated end of the file.
 */
export type InjectionLayout = 'element' | 'no-comma-before' | 'between-elements' | 'last-truncated';

/** One fault: its bytes (given the id to carry), where it goes, and the reject it must cause. */
export interface Injection {
  readonly kind: string;
  readonly layout: InjectionLayout;
  readonly bytes: (id: string) => Uint8Array;
  readonly reason: RegExp;
  /** Whether the reject carries the injected record's id. */
  readonly named: boolean;
}

/** A valid record of `shape` with these texts and images (each image gets its placeholder). */
export function buildRecord(shape: Shape, id: string, texts: readonly string[], images: readonly string[]): Record<string, unknown> {
  switch (shape) {
    case 'llava': {
      const placeholders = images.map(() => '<image>').join(' ');
      const imageField = images.length === 0 ? {} : images.length === 1 ? { image: images[0] } : { images };
      const turns = texts.flatMap((t, k) => [
        { from: 'human', value: k === 0 && images.length > 0 ? `${placeholders}\n${t}` : t },
        { from: 'gpt', value: `${t} (answer)` },
      ]);
      return { id, ...imageField, conversations: turns };
    }
    case 'mmc4':
      return { id, text_list: texts, image_info: images.map((name, k) => ({ image_name: name, matched_text_index: k % texts.length, matched_sim: 0.3 })) };
    case 'obelics': {
      const slots: Array<[string | null, string | null]> = [];
      texts.forEach((t, k) => {
        slots.push([t, null]);
        if (images[k] !== undefined) slots.push([null, images[k]!]);
      });
      for (const image of images.slice(texts.length)) slots.push([null, image]);
      return { id, texts: slots.map(([t]) => t), images: slots.map(([, i]) => i) };
    }
    case 'generic':
      return {
        id,
        segments: [
          ...texts.flatMap((t, k) => (images[k] === undefined ? [{ text: t }] : [{ text: t }, { image: images[k] }])),
          ...images.slice(texts.length).map((image) => ({ image })),
        ],
      };
  }
}

const LIST_FIELD: Record<Shape, string> = { llava: 'conversations', mmc4: 'text_list', obelics: 'texts', generic: 'segments' };
/** Fields that must be present besides the list, so a fault in the list is the first issue. */
const COMPANIONS: Record<Shape, Record<string, unknown>> = { llava: {}, mmc4: { image_info: [] }, obelics: { images: [] }, generic: {} };
const LIST_MUST_BE: Record<Shape, string> = {
  llava: 'must be a list of turns',
  mmc4: 'must be a list of sentences',
  obelics: 'must be a list of texts and nulls',
  generic: 'must be a list of segments',
};

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const json = (value: unknown): Uint8Array => utf8(JSON.stringify(value));

/** A valid record whose JSON text gets `raw` bytes spliced into an extra string field. */
function withRawNote(shape: Shape, id: string, raw: readonly number[]): Uint8Array {
  const rest = JSON.stringify(buildRecord(shape, id, ['fine'], [])).slice(1); // after '{'
  return new Uint8Array([...utf8(`{"note":"a`), ...raw, ...utf8(`b",`), ...utf8(rest)]);
}

/** Image references that name no file inside the image root. */
const HOSTILE_REFS = [
  'a\u0000b.jpg',
  'x\u001fy.jpg',
  '../outside.jpg',
  '..',
  '/etc/passwd',
  'https://cdn.example/1.jpg',
  'sub\\good-c.jpg',
  'sub//good-c.jpg',
  './good-a.jpg',
  'sub/',
  `${'x'.repeat(256)}.jpg`,
  `${'d/'.repeat(520)}x.jpg`,
];
const HOSTILE_REASON =
  /^image ".*"(… \(\d+ chars\))?: (contains the control character|climbs out of the image root|is absolute|is a URL|contains a backslash|has an empty or "\." path segment|has a path segment of \d+ bytes|is \d+ bytes long with the image root)/;

/** Faults that are complete JSON values (or byte runs) placed as elements: valid in both containers. */
function elementFaults(shape: Shape, caught: readonly BrokenImage[]): fc.Arbitrary<Injection>[] {
  const field = LIST_FIELD[shape];
  const element = (kind: string, bytes: (id: string) => Uint8Array, reason: RegExp, named: boolean): Injection => ({
    kind,
    layout: 'element',
    bytes,
    reason,
    named,
  });
  const faults: fc.Arbitrary<Injection>[] = [
    fc.constant(element('wrong type', (id) => json({ id, [field]: 5, ...COMPANIONS[shape] }), new RegExp(`^${field}: ${LIST_MUST_BE[shape]}, got 5$`), true)),
    fc.constant(
      element('wrong id type', () => json({ ...buildRecord(shape, '', ['t'], []), id: 1.5 }), /^id: must be a string or a safe integer, got 1\.5$/, false),
    ),
    fc.constant(element('empty object', () => utf8('{}'), new RegExp(`^${field}: ${LIST_MUST_BE[shape]}, got undefined`), false)),
    fc
      .integer({ min: 50, max: 20_000 })
      .map((depth) =>
        element(
          `nesting ${depth} deep`,
          (id) =>
            utf8(
              `{"id":${JSON.stringify(id)},"${field}":${'['.repeat(depth)}${']'.repeat(depth)},${JSON.stringify(COMPANIONS[shape]).slice(1, -1) || '"x":0'}}`,
            ),
          new RegExp(`^${field}\\[0\\]`),
          true,
        ),
      ),
    fc.constant(element('bad escape', (id) => new Uint8Array([...withRawNote(shape, id, [0x5c, 0x71])]), /^invalid JSON: /, false)),
    fc
      .constantFrom(0xff, 0xc3, 0xed)
      .map((b) =>
        element(
          `invalid UTF-8 0x${b.toString(16)}`,
          (id) => withRawNote(shape, id, b === 0xed ? [0xed, 0xa0, 0x80] : [b, 0x28]),
          new RegExp(`^invalid UTF-8 at byte \\d+ \\(0x${b.toString(16)}\\)$`),
          false,
        ),
      ),
    fc
      .constantFrom(0x00, 0x01, 0x0b, 0x0d, 0x1f)
      .map((b) =>
        element(`raw control byte 0x${b.toString(16)}`, (id) => withRawNote(shape, id, [b]), /^invalid JSON: Bad control character in string literal/, false),
      ),
    fc.constant(
      element(
        'lone surrogate',
        (id) => json(buildRecord(shape, id, ['a\ud800b'], [])),
        /: lone UTF-16 surrogate \\ud800 at character \d+: not valid text/,
        true,
      ),
    ),
    fc
      .constantFrom(...HOSTILE_REFS)
      .map((ref) => element(`hostile image ${JSON.stringify(ref).slice(0, 30)}`, (id) => json(buildRecord(shape, id, ['t'], [ref])), HOSTILE_REASON, true)),
    fc
      .constantFrom('xyz', '12.5', '"str"', 'true', 'null', '[1,2]')
      .map((scalar) => element(`scalar ${scalar}`, () => utf8(scalar), /^(invalid JSON: |record is .+, not a JSON object$)/, false)),
  ];
  if (caught.length > 0) {
    faults.push(
      fc
        .constantFrom(...caught)
        .map((image) =>
          element(
            `broken image ${image.ref}`,
            (id) => json(buildRecord(shape, id, ['t'], [image.ref])),
            new RegExp(`^image "${escapeRegExp(image.ref)}": ${image.reason.source.slice(1)}`),
            true,
          ),
        ),
    );
  }
  return faults;
}

/** A valid record's JSON cut short at a random byte (at least one byte kept, at least one cut). */
const truncatedRecord = (shape: Shape) =>
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => (id: string): Uint8Array => {
    const whole = json(buildRecord(shape, id, ['a truncated record', 'é😀'], []));
    return whole.subarray(0, 1 + Math.floor(at * (whole.length - 2)));
  });

/** Faults of one container: JSON arrays add missing commas, stray bytes and a truncated end. */
export function injectionArbitrary(shape: Shape, container: 'json-array' | 'jsonl', caught: readonly BrokenImage[]): fc.Arbitrary<Injection> {
  const faults = elementFaults(shape, caught);
  const huge = fc.constant<Injection>({
    kind: 'huge string',
    layout: 'element',
    named: true,
    bytes: (id) => json(buildRecord(shape, id, ['y'.repeat((1 << 20) + 1)], [])),
    reason: /: \d+ characters, over the limit of 1048576 \(limits\.maxTextChars\)$/,
  });
  if (container === 'jsonl') {
    const truncated = truncatedRecord(shape).map(
      (bytes): Injection => ({
        kind: 'truncated line',
        layout: 'element',
        bytes,
        named: false,
        reason: /^(truncated JSON \(the record ends before its value is complete\)|invalid JSON|invalid UTF-8 at byte)/,
      }),
    );
    return fc.oneof({ arbitrary: fc.oneof(...faults, truncated), weight: 30 }, { arbitrary: huge, weight: 1 });
  }
  const missingComma = fc.constant<Injection>({
    kind: 'missing comma',
    layout: 'no-comma-before',
    named: true,
    bytes: (id) => json(buildRecord(shape, id, ['after a missing comma'], [])),
    reason: /^missing ',' at byte \d+ before the record at byte \d+ \(found '\{' where ',' or '\]' was expected\); the record is rejected: add the ','$/,
  });
  const stray = fc.constantFrom(',', '}').map(
    (b): Injection => ({
      kind: `stray '${b}'`,
      layout: 'between-elements',
      named: false,
      bytes: () => utf8(b),
      reason: new RegExp(`^'\\${b}' where a record was expected$`),
    }),
  );
  const truncated = truncatedRecord(shape).map(
    (bytes): Injection => ({
      kind: 'truncated end',
      layout: 'last-truncated',
      bytes,
      named: false,
      reason: /^truncated JSON: the source ends (inside a string|with \d+ bracket\(s\) still open)$/,
    }),
  );
  return fc.oneof({ arbitrary: fc.oneof(...faults, missingComma, stray, truncated), weight: 30 }, { arbitrary: huge, weight: 1 });
}
