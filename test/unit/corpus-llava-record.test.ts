import { describe, expect, it } from 'vitest';
import { convertLlavaRecord, moveSinglePlaceholderToFront, pythonStrip } from '../../lib/core/corpus/llava-record.js';
import type { ConvertOptions, ConvertResult } from '../../lib/core/corpus/source-format.js';

const OPTIONS: ConvertOptions = { maxTextChars: 1 << 20, mmc4MaxImages: 6 };
const convert = (raw: unknown, options = OPTIONS): ConvertResult => convertLlavaRecord(raw, options);
const reasonOf = (raw: unknown, options = OPTIONS): string => {
  const result = convert(raw, options);
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
};
const human = (value: string) => ({ from: 'human', value });
const gpt = (value: string) => ({ from: 'gpt', value });

describe('LLaVA records shaped like the public files', () => {
  it('LLaVA-Pretrain 558K: the suffix <image> moves to the front as "<image>\\n" + rest', () => {
    const record = {
      id: '004539375',
      image: '00453/004539375.jpg',
      conversations: [
        human('Render a clear and concise summary of the photo.\n<image>'),
        gpt('select luxury furniture 3 - inch gel memory foam mattress topper'),
      ],
    };
    expect(convert(record)).toEqual({
      ok: true,
      conversation: {
        id: '004539375',
        turns: [
          { role: 'user', text: '<image>\nRender a clear and concise summary of the photo.' },
          { role: 'assistant', text: 'select luxury furniture 3 - inch gel memory foam mattress topper' },
        ],
        images: ['00453/004539375.jpg'],
        kind: 'conversation',
      },
    });
  });

  it('mix665k multi-turn: the placeholder stays in the first human turn, later turns are untouched', () => {
    const record = {
      id: '000000033471',
      image: 'coco/train2017/000000033471.jpg',
      conversations: [
        human('<image>\nWhat are the colors of the bus in the image?'),
        gpt('The bus in the image is white and red.'),
        human('What feature can be seen on the back of the bus? '),
        gpt('The back of the bus features an advertisement.'),
      ],
    };
    const result = convert(record);
    expect(result.ok && result.conversation.turns.map((t) => t.text)).toEqual([
      '<image>\nWhat are the colors of the bus in the image?',
      'The bus in the image is white and red.',
      'What feature can be seen on the back of the bus? ',
      'The back of the bus features an advertisement.',
    ]);
  });

  it('mix665k text-only (ShareGPT, with a "model" key) and integer ids', () => {
    const shareGpt = { id: 'i6IyJda_0', model: '', conversations: [human('How to tell if a customer segment is well segmented?'), gpt('1. Homogeneity')] };
    expect(convert(shareGpt)).toEqual({
      ok: true,
      conversation: {
        id: 'i6IyJda_0',
        turns: [
          { role: 'user', text: 'How to tell if a customer segment is well segmented?' },
          { role: 'assistant', text: '1. Homogeneity' },
        ],
        images: [],
        kind: 'conversation',
      },
    });
    const ocr = { id: 1234567, image: 'ocr_vqa/images/1234567.jpg', conversations: [human('<image>\nWho wrote this book?'), gpt('Jane Doe')] };
    expect(convert(ocr).ok && (convert(ocr) as { conversation: { id: string } }).conversation.id).toBe('1234567');
    expect(convert({ ...shareGpt, image: null }).ok).toBe(true);
  });

  it('drops leading gpt turns (XTuner drops all, LLaVA one) and accepts user/assistant as synonyms', () => {
    const result = convert({ conversations: [gpt('hello'), { from: 'user', value: 'q' }, { from: 'assistant', value: 'a' }] });
    expect(result).toEqual({
      ok: true,
      conversation: {
        id: '',
        turns: [
          { role: 'user', text: 'q' },
          { role: 'assistant', text: 'a' },
        ],
        images: [],
        kind: 'conversation',
      },
    });
  });

  it('multi-image: "images" or an "image" list; one placeholder per turn moves to the front, several stay in place', () => {
    const separate = convert({ images: ['a.jpg', 'b.jpg'], conversations: [human('first <image>'), gpt('x'), human('then <image> '), gpt('y')] });
    expect(separate.ok && separate.conversation.turns.map((t) => t.text)).toEqual(['<image>\nfirst', 'x', '<image>\nthen', 'y']);
    const together = convert({ image: ['a.jpg', 'b.jpg'], conversations: [human('<image> vs <image>: which?'), gpt('left')] });
    expect(together.ok && together.conversation).toMatchObject({
      images: ['a.jpg', 'b.jpg'],
      turns: [{ text: '<image> vs <image>: which?' }, { text: 'left' }],
    });
  });
});

describe('placeholder normalisation matches Python', () => {
  it('an image-only turn becomes "<image>" (the final .strip())', () => {
    expect(moveSinglePlaceholderToFront('  <image>\n ')).toBe('<image>');
    expect(moveSinglePlaceholderToFront('<image>What?')).toBe('<image>\nWhat?');
    expect(moveSinglePlaceholderToFront('A <image> B')).toBe('<image>\nA  B');
  });

  it("strips Python's whitespace set, not JavaScript's", () => {
    expect(pythonStrip('\u001c\u0085 x \u3000\u2029')).toBe('x');
    expect(pythonStrip('\ufeffx\ufeff')).toBe('\ufeffx\ufeff'); // JS trim() would remove U+FEFF; Python keeps it
  });
});

describe('LLaVA rejects name the field', () => {
  const base = { id: 'r1', image: 'a.jpg', conversations: [human('<image>\nq'), gpt('a')] };

  it.each([
    [
      'unknown role',
      { ...base, conversations: [human('<image>\nq'), gpt('a'), { from: 'robot', value: 'x' }] },
      'conversations[2].from: "robot" is not a role (human, gpt; or their synonyms user, assistant)',
    ],
    [
      'system role',
      { ...base, conversations: [{ from: 'system', value: 's' }, human('<image>\nq'), gpt('a')] },
      'conversations[0].from: "system" is not a role',
    ],
    ['empty conversations', { ...base, conversations: [] }, 'conversations: empty conversation; a record needs a human turn and a gpt answer'],
    ['missing conversations', { id: 'r1', image: 'a.jpg' }, 'conversations: must be a list of turns, got undefined'],
    [
      'value of the wrong type',
      { ...base, conversations: [human('<image>\nq'), { from: 'gpt', value: 42 }] },
      'conversations[1].value: must be a string, got 42',
    ],
    ['fractional id', { ...base, id: 1.5 }, 'id: must be a string or a safe integer, got 1.5'],
    ['image of the wrong type', { ...base, image: 7 }, 'image: must be an image path or a list of paths, got 7'],
    ['image and images', { ...base, images: ['b.jpg'] }, 'image, images: both are set'],
    ['only gpt turns', { ...base, conversations: [gpt('a')] }, 'conversations: no human turn'],
    [
      'broken alternation',
      { ...base, conversations: [human('<image>\nq'), human('q2'), gpt('a')] },
      'conversations[1].from: expected a gpt turn (turns alternate human, gpt), got "human"',
    ],
    [
      'ends with a human turn',
      { ...base, conversations: [human('<image>\nq'), gpt('a'), human('more?')] },
      'conversations[2]: the conversation ends with a human turn that has no gpt answer',
    ],
    ['image without placeholder', { ...base, conversations: [human('q'), gpt('a')] }, "conversations: no <image> placeholder for the record's 1 image(s)"],
    [
      'placeholder without image',
      { id: 'r1', conversations: [human('<image>\nq'), gpt('a')] },
      'conversations: 1 <image> placeholder(s) but the record has no image',
    ],
    ['two placeholders, one image', { ...base, conversations: [human('<image> <image>'), gpt('a')] }, 'conversations: 2 <image> placeholder(s) for 1 image(s)'],
    ['placeholder in a gpt turn', { ...base, conversations: [human('<image>\nq'), gpt('see <image>')] }, 'conversations[1].value: <image> in a gpt turn'],
  ])('%s', (_name, record, reason) => {
    expect(reasonOf(record)).toContain(reason);
  });

  it('a text over the limit is rejected, and the reason never quotes the long value', () => {
    const reason = reasonOf({ ...base, conversations: [human('<image>\nq'), gpt('x'.repeat(2000))] }, { ...OPTIONS, maxTextChars: 1000 });
    expect(reason).toBe('conversations[1].value: 2000 characters, over the limit of 1000 (limits.maxTextChars)');
    const longRole = reasonOf({ ...base, conversations: [{ from: 'r'.repeat(10_000), value: 'x' }] });
    expect(longRole.length).toBeLessThan(200);
  });
});
