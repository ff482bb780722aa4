import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonArrayScanner, type ScanSink } from '../../lib/core/corpus/json-array-scanner.js';
import { InvalidInputError } from '../../lib/core/errors.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Record starts (with whether each is a cut), spans, and the fatal error, of pushes then finish. */
function trace(run: (sink: ScanSink) => void) {
  const events: string[] = [];
  const sink: ScanSink = {
    span: (s) => events.push(`span ${s.start}-${s.end} ${s.problem ?? ''}`),
    recordStart: (at, cut) => events.push(`start ${at} ${cut}`),
  };
  try {
    run(sink);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    events.push(`fatal ${error.message}`);
  }
  return events;
}

const jsonArrayish = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', ' ', '1', 'a', '\n'), maxLength: 60 }).map((s) => `[${s}`);

describe('JsonArrayScanner state', () => {
  it('resuming from state() at any byte finds what one scanner finds (boundaries, record starts, fatals)', () => {
    fc.assert(
      fc.property(jsonArrayish, fc.nat(), (text, at) => {
        const bytes = bytesOf(text);
        const split = at % (bytes.length + 1);
        const whole = trace((sink) => {
          const scanner = new JsonArrayScanner('s.json', 0);
          scanner.push(bytes, sink);
          scanner.finish(sink);
        });
        const resumed = trace((sink) => {
          const first = new JsonArrayScanner('s.json', 0);
          first.push(bytes.subarray(0, split), sink);
          const second = JsonArrayScanner.resume('s.json', split, first.state());
          second.push(bytes.subarray(split), sink);
          second.finish(sink);
        });
        // Spans may differ only in where a resumed element says it started; cuts, starts and fatals may not.
        const cutsAndFatals = (events: string[]) => events.filter((e) => !e.startsWith('span'));
        expect(cutsAndFatals(resumed)).toEqual(cutsAndFatals(whole));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a resync across a window: a record after a stray byte that follows a missing comma is not a cut', () => {
    const bytes = bytesOf('[{} } , {}]');
    const scanner = new JsonArrayScanner('s.json', 0);
    const starts: string[] = [];
    scanner.push(bytes.subarray(0, 6), { span: () => undefined });
    const state = scanner.state();
    expect(state).toMatchObject({ phase: 'expect-element', resynced: true });
    const resumed = JsonArrayScanner.resume('s.json', 6, state);
    resumed.push(bytes.subarray(6), { span: () => undefined, recordStart: (at, cut) => starts.push(`${at}:${cut}`) });
    expect(starts).toEqual(['8:false']);
  });

  it('reports the state inside a string element, escaped, and inside a container', () => {
    const inside = (text: string) => {
      const scanner = new JsonArrayScanner('s.json', 0);
      scanner.push(bytesOf(text), { span: () => undefined });
      return scanner.state();
    };
    expect(inside('["a\\')).toEqual({ phase: 'in-element', depth: 0, inString: true, escaped: true, scalar: false, resynced: false });
    expect(inside('[{"a": [1, "x')).toEqual({ phase: 'in-element', depth: 2, inString: true, escaped: false, scalar: false, resynced: false });
    expect(inside('[12')).toMatchObject({ phase: 'in-element', scalar: true });
    expect(inside('[1,')).toMatchObject({ phase: 'expect-element', resynced: false });
  });
});
