import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../lib/core/corpus/conversation.js';
import { encodeConversations } from '../../lib/core/templates/encode-pieces.js';
import { sampleOf } from '../../lib/core/templates/encoded-batch.js';
import { internlm2ChatTemplate, XTUNER_INTERNLM2_CHAT } from '../../lib/core/templates/internlm2-chat.js';
import { llama3ChatTemplate, XTUNER_LLAMA3_CHAT } from '../../lib/core/templates/llama3-chat.js';
import type { Piece, Template } from '../../lib/core/templates/pieces.js';
import { XTUNER_QWEN_CHAT } from '../../lib/core/templates/qwen-chat.js';
import { resolveTemplate } from '../../lib/core/templates/template-registry.js';
import { xtunerVicunaTemplate, XTUNER_VICUNA } from '../../lib/core/templates/xtuner-vicuna.js';
import { FakeTokenizer } from '../helpers/fake-tokenizer.js';

const conversation = (turns: Conversation['turns'], images = 1): Conversation => ({
  id: 'x1',
  kind: 'conversation',
  images: Array.from({ length: images }, (_, i) => `img${i}.jpg`),
  turns,
});

const TWO_ROUNDS = conversation([
  { role: 'user', text: 'What is shown?\n<image>' },
  { role: 'assistant', text: 'A cat.' },
  { role: 'user', text: 'Color?' },
  { role: 'assistant', text: 'Black.' },
]);

const PRETRAIN = conversation([
  { role: 'user', text: 'Render a clear and concise summary of the photo.\n<image>' },
  { role: 'assistant', text: 'a cat' },
]);

const LLAMA3_SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
const llama3Tokenizer = (): FakeTokenizer =>
  new FakeTokenizer({ prefix: 'none', specials: LLAMA3_SPECIALS, bosToken: '<|begin_of_text|>', eosToken: '<|eot_id|>' });
const qwenTokenizer = (): FakeTokenizer =>
  new FakeTokenizer({ prefix: 'none', specials: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], bosToken: null, eosToken: '<|im_end|>' });
const internlmTokenizer = (): FakeTokenizer => new FakeTokenizer({ prefix: 'always', specials: ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'] });

/** Pieces as compact strings: text as JSON, `[T]` when trainable. */
function describePieces(pieces: readonly Piece[]): string[] {
  return pieces.map((p) =>
    p.kind === 'image' ? 'IMG' : p.kind === 'special' ? `<${p.token}>${p.trainable ? '[T]' : ''}` : `${JSON.stringify(p.text)}${p.trainable ? '[T]' : ''}`,
  );
}

async function shown(template: Template, sample: Conversation, tokenizer: FakeTokenizer) {
  const batch = await encodeConversations([sample], template, tokenizer);
  const { inputIds, labels } = sampleOf(batch, 0);
  return { tokens: tokenizer.tokens(inputIds), labels: tokenizer.tokens(labels), flags: batch.flags[0] };
}

describe('XTuner template strings (xtuner/utils/templates.py, verbatim)', () => {
  it('keeps the upstream strings', () => {
    expect(XTUNER_VICUNA.INSTRUCTION).toBe('USER: {input} ASSISTANT:');
    expect(XTUNER_VICUNA.SYSTEM.endsWith("user's questions. {system}\n ")).toBe(true);
    expect([XTUNER_VICUNA.SEP, XTUNER_VICUNA.SUFFIX, XTUNER_VICUNA.SUFFIX_AS_EOS]).toEqual(['\n', '', false]);
    expect(XTUNER_INTERNLM2_CHAT).toEqual({
      SYSTEM: '<|im_start|>system\n{system}<|im_end|>\n',
      INSTRUCTION: '<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n',
      SUFFIX: '<|im_end|>',
      SUFFIX_AS_EOS: true,
      SEP: '\n',
    });
    expect(XTUNER_QWEN_CHAT).toEqual(XTUNER_INTERNLM2_CHAT);
    expect(XTUNER_LLAMA3_CHAT).toEqual({
      SYSTEM: '<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>',
      INSTRUCTION: '<|start_header_id|>user<|end_header_id|>\n\n{input}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
      SUFFIX: '<|eot_id|>',
      SUFFIX_AS_EOS: true,
      SEP: '',
    });
  });
});

describe('xtuner_vicuna', () => {
  it('renders one call per segment: input (split at <image>), output, EOS by id, SEP; BOS after every EOS', () => {
    expect(describePieces(xtunerVicunaTemplate().render(TWO_ROUNDS).pieces)).toEqual([
      '<bos>',
      '"USER: "',
      'IMG',
      '"\\nWhat is shown? ASSISTANT:"',
      '"A cat."[T]',
      '<eos>[T]',
      '"\\n"',
      '<bos>',
      '"USER: Color? ASSISTANT:"',
      '"Black."[T]',
      '<eos>[T]',
      '"\\n"',
    ]);
  });

  it('trains the answers and </s>; the answer gets its own dummy prefix because it is its own call', async () => {
    const result = await shown(xtunerVicunaTemplate(), TWO_ROUNDS, new FakeTokenizer());
    expect(result.tokens).toEqual([
      '<s>',
      '▁USER:',
      '▁',
      '<image>',
      '▁',
      '\n',
      'What',
      '▁is',
      '▁shown?',
      '▁ASSISTANT:',
      '▁A',
      '▁cat.',
      '</s>',
      '▁',
      '\n',
      '<s>',
      '▁USER:',
      '▁Color?',
      '▁ASSISTANT:',
      '▁Black.',
      '</s>',
      '▁',
      '\n',
    ]);
    expect(result.labels).toEqual([
      '·',
      '·',
      '·',
      '·',
      '·',
      '·',
      '·',
      '·',
      '·',
      '·',
      '▁A',
      '▁cat.',
      '</s>',
      '·',
      '·',
      '·',
      '·',
      '·',
      '·',
      '▁Black.',
      '</s>',
      '·',
      '·',
    ]);
  });

  it('adds the system prompt to the first round only, from the conversation or the config', () => {
    const withSystem = conversation([{ role: 'system', text: 'Be brief.' }, ...TWO_ROUNDS.turns]);
    const pieces = describePieces(xtunerVicunaTemplate({ system: 'ignored' }).render(withSystem).pieces);
    expect(pieces[1]).toBe(
      JSON.stringify(
        "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. Be brief.\n USER: ",
      ),
    );
    expect(pieces[8]).toBe('"USER: Color? ASSISTANT:"');
    expect(describePieces(xtunerVicunaTemplate({ system: 'Cfg.' }).render(TWO_ROUNDS).pieces)[1]).toContain('questions. Cfg.\\n USER: ');
  });

  it('concatenates consecutive user turns, skips leading assistant turns and drops an unanswered last question (llava_map_fn)', () => {
    const odd = conversation(
      [
        { role: 'assistant', text: 'Hello' },
        { role: 'user', text: 'A' },
        { role: 'user', text: 'B' },
        { role: 'assistant', text: 'C' },
        { role: 'user', text: 'unanswered' },
      ],
      0,
    );
    expect(describePieces(xtunerVicunaTemplate().render(odd).pieces)).toEqual(['<bos>', '"USER: AB ASSISTANT:"', '"C"[T]', '<eos>[T]', '"\\n"']);
  });

  it('keeps several images of one turn in place (XTuner asserts one)', () => {
    const two = conversation(
      [
        { role: 'user', text: '<image> vs <image>?' },
        { role: 'assistant', text: 'Same.' },
      ],
      2,
    );
    expect(describePieces(xtunerVicunaTemplate().render(two).pieces).slice(0, 6)).toEqual(['<bos>', '"USER: "', 'IMG', '" vs "', 'IMG', '"? ASSISTANT:"']);
  });
});

describe('internlm2_chat', () => {
  it('renders <|im_start|> turns with <|im_end|> as trainable suffix, BOS once, "\\n" SEP masked', async () => {
    const result = await shown(internlm2ChatTemplate(), TWO_ROUNDS, internlmTokenizer());
    expect(result.tokens).toEqual([
      '<s>',
      '<|im_start|>',
      '▁user',
      '\n',
      '<image>',
      '▁',
      '\n',
      'What',
      '▁is',
      '▁shown?',
      '<|im_end|>',
      '▁',
      '\n',
      '<|im_start|>',
      '▁assistant',
      '\n',
      '▁A',
      '▁cat.',
      '<|im_end|>',
      '▁',
      '\n',
      '<|im_start|>',
      '▁user',
      '\n',
      'Color?',
      '<|im_end|>',
      '▁',
      '\n',
      '<|im_start|>',
      '▁assistant',
      '\n',
      '▁Black.',
      '<|im_end|>',
      '▁',
      '\n',
    ]);
    expect(result.labels.filter((t) => t !== '·')).toEqual(['▁A', '▁cat.', '<|im_end|>', '▁Black.', '<|im_end|>']);
    expect(result.labels[15]).toBe('·');
  });
});

describe('chatml / qwen2 (XTuner qwen_chat)', () => {
  it('is ChatML with no BOS for a tokenizer without one, system from the conversation', async () => {
    const withSystem = conversation([{ role: 'system', text: 'Be brief.' }, ...TWO_ROUNDS.turns.slice(0, 2)]);
    const result = await shown(resolveTemplate({ name: 'qwen2' }), withSystem, qwenTokenizer());
    expect(result.tokens).toEqual([
      '<|im_start|>',
      'system',
      '\n',
      'Be',
      '▁brief.',
      '<|im_end|>',
      '\n',
      '<|im_start|>',
      'user',
      '\n',
      '<image>',
      '\n',
      'What',
      '▁is',
      '▁shown?',
      '<|im_end|>',
      '\n',
      '<|im_start|>',
      'assistant',
      '\n',
      'A',
      '▁cat.',
      '<|im_end|>',
      '\n',
    ]);
    expect(result.labels.filter((t) => t !== '·')).toEqual(['A', '▁cat.', '<|im_end|>']);
  });
});

describe('llama3 (XTuner llama3_chat)', () => {
  it('has header tokens, <|eot_id|> as trainable suffix, no SEP and BOS once', async () => {
    const result = await shown(llama3ChatTemplate(), TWO_ROUNDS, llama3Tokenizer());
    expect(result.tokens).toEqual([
      '<|begin_of_text|>',
      '<|start_header_id|>',
      'user',
      '<|end_header_id|>',
      '\n',
      '\n',
      '<image>',
      '\n',
      'What',
      '▁is',
      '▁shown?',
      '<|eot_id|>',
      '<|start_header_id|>',
      'assistant',
      '<|end_header_id|>',
      '\n',
      '\n',
      'A',
      '▁cat.',
      '<|eot_id|>',
      '<|start_header_id|>',
      'user',
      '<|end_header_id|>',
      '\n',
      '\n',
      'Color?',
      '<|eot_id|>',
      '<|start_header_id|>',
      'assistant',
      '<|end_header_id|>',
      '\n',
      '\n',
      'Black.',
      '<|eot_id|>',
    ]);
    expect(result.labels.filter((t) => t !== '·')).toEqual(['A', '▁cat.', '<|eot_id|>', 'Black.', '<|eot_id|>']);
  });
});

describe('chat template in pretraining', () => {
  it('XTuner (templateInPretraining: true) keeps the instruction inside the chat template', async () => {
    const template = resolveTemplate({ name: 'xtuner_vicuna', templateInPretraining: true }, 'pretrain');
    const result = await shown(template, PRETRAIN, new FakeTokenizer());
    expect(result.tokens.join(' ')).toBe('<s> ▁USER: ▁ <image> ▁ \n Render ▁a ▁clear ▁and ▁concise ▁summary ▁of ▁the ▁photo. ▁ASSISTANT: ▁a ▁cat </s> ▁ \n');
    expect(result.labels.filter((t) => t !== '·')).toEqual(['▁a', '▁cat', '</s>']);
  });

  it('LLaVA (templateInPretraining: false) renders pretraining data with plain', async () => {
    const template = resolveTemplate({ name: 'internlm2_chat', templateInPretraining: false }, 'pretrain');
    expect(template.id).toBe('llava-plain@1');
    const result = await shown(template, PRETRAIN, internlmTokenizer());
    expect(result.tokens).toEqual(['<s>', '<image>', '▁a', '▁cat', '\n']);
  });
});
