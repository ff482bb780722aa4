import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { overflowConfigSchema, truncateSample } from '../../lib/core/templates/truncate.js';
import { parseTemplateConfig, resolveTemplate, TEMPLATE_NAMES } from '../../lib/core/templates/template-registry.js';

describe('template config', () => {
  it('resolves every name to its versioned upstream template', () => {
    const ids = TEMPLATE_NAMES.map((name) => resolveTemplate(parseTemplateConfig({ name })).id);
    expect(ids).toEqual([
      'llava-plain@1',
      'llava-vicuna-v1@1',
      'xtuner-vicuna@1',
      'xtuner-internlm2-chat@1',
      'xtuner-qwen-chat@1',
      'xtuner-qwen-chat@1',
      'xtuner-llama3-chat@1',
    ]);
  });

  it('names the field and the fix for bad configs', () => {
    expect(() => parseTemplateConfig({ name: 'vicuna' })).toThrow(/template\.name: .*"plain"/);
    expect(() => parseTemplateConfig({ name: 'plain', system: 'x' })).toThrow(/template\.system: plain has no system prompt/);
    expect(() => parseTemplateConfig({ name: 'chatml', legacy: true })).toThrow(/template\.legacy: legacy only affects vicuna_v1/);
    expect(() => parseTemplateConfig({ name: 'chatml', sytem: 'x' })).toThrow(InvalidInputError);
  });

  it('asks which way to template pretraining data with a chat template, and follows the answer', () => {
    expect(() => resolveTemplate({ name: 'llama3' }, 'pretrain')).toThrow(/template\.templateInPretraining: .*set true \(XTuner.*false \(LLaVA: plain\)/);
    expect(resolveTemplate({ name: 'llama3', templateInPretraining: true }, 'pretrain').id).toBe('xtuner-llama3-chat@1');
    expect(resolveTemplate({ name: 'llama3', templateInPretraining: false }, 'pretrain').id).toBe('llava-plain@1');
    expect(resolveTemplate({ name: 'plain' }, 'pretrain').id).toBe('llava-plain@1');
    expect(resolveTemplate({ name: 'llama3', templateInPretraining: false }).id).toBe('xtuner-llama3-chat@1');
  });
});

describe('overflow config and truncation', () => {
  it('defaults to truncate and needs maxLength to split', () => {
    expect(overflowConfigSchema.parse({})).toEqual({ overflow: 'truncate' });
    expect(overflowConfigSchema.safeParse({ overflow: 'split' }).error?.issues[0]?.message).toMatch(/needs maxLength/);
    expect(overflowConfigSchema.safeParse({ maxLength: 1 }).success).toBe(false);
  });

  it('cuts ids and labels at maxLength, as XTuner encode_fn and the LLaVA collator do', () => {
    const ids = Int32Array.from([1, -200, 5, 6, 2]);
    const labels = Int32Array.from([-100, -100, 5, 6, 2]);
    const cut = truncateSample(ids, labels, 3);
    expect([Array.from(cut.inputIds), Array.from(cut.labels), cut.truncated]).toEqual([[1, -200, 5], [-100, -100, 5], true]);
    expect(truncateSample(ids, labels, 5).truncated).toBe(false);
    expect(truncateSample(ids, labels, undefined).inputIds).toBe(ids);
  });
});
