/**
 * Text a tokenizer can encode. JSON's `\uXXXX` escapes can spell a lone UTF-16 surrogate
 * (`"\ud800"`), which is not Unicode text: `JSON.parse` accepts it, Python's tokenizers refuse it,
 * and encoding it to UTF-8 silently trains U+FFFD. Raw UTF-8 cannot carry one (the strict decoder
 * rejects it first), so only escaped surrogates reach these checks.
 */
import { z } from 'zod';

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` is not valid Unicode text (the first lone surrogate and where), or null. */
export function loneSurrogateProblem(text: string): string | null {
  const found = LONE_SURROGATE.exec(text);
  if (found === null) return null;
  const unit = found[0].charCodeAt(0).toString(16);
  return `lone UTF-16 surrogate \\u${unit} at character ${found.index}: not valid text (Python's tokenizers refuse it); fix the record's encoding`;
}

/** A string schema that also rejects lone surrogates, naming where; `base` keeps its own messages. */
export function wellFormedString(base: z.ZodString = z.string()): z.ZodString {
  return base.superRefine((text, ctx) => {
    const problem = loneSurrogateProblem(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: text });
  });
}
