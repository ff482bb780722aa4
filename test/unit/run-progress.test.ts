/** Progress of a local run: a bar redrawn in place on a terminal, plain lines (map progress per 10 %) elsewhere. */
import { describe, expect, it } from 'vitest';
import { createRunProgress } from '../../lib/cli/run-progress.js';
import type { LocalRunEvent } from '../../lib/local/run-events.js';

function fakeStream(isTTY: boolean) {
  let text = '';
  const stream = { isTTY, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

const EVENTS: LocalRunEvent[] = [
  { kind: 'state', phase: 'entered', state: 'Prepare', type: 'Task', depth: 0 },
  { kind: 'state', phase: 'exited', state: 'Prepare', type: 'Task', depth: 0 },
  { kind: 'state', phase: 'entered', state: 'AlreadyComplete', type: 'Choice', depth: 0 },
  { kind: 'state', phase: 'entered', state: 'TokenizeChunks', type: 'Task', depth: 0 },
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(
    (done): LocalRunEvent => ({ kind: 'map', state: 'TokenizeChunks', progress: { doneItems: done * 4, failedItems: 0, totalItems: 40 } }),
  ),
  {
    kind: 'state',
    phase: 'failed',
    state: 'Tokenize',
    type: 'Task',
    depth: 1,
    error: 'StorageTransient',
    cause: '{"errorType":"StorageTransient","errorMessage":"s3://b/k: SlowDown"}',
  },
  { kind: 'state', phase: 'retried', state: 'Tokenize', type: 'Task', depth: 1 },
  { kind: 'state', phase: 'exited', state: 'TokenizeChunks', type: 'Task', depth: 0 },
];

describe('run progress', () => {
  it('prints plain lines when not on a terminal: task states, map progress each 10 %, retries with the error message', () => {
    const { stream, text } = fakeStream(false);
    const progress = createRunProgress(stream);
    for (const event of EVENTS) progress.onEvent(event);
    progress.finish();
    const lines = text().trimEnd().split('\n');
    expect(text()).not.toContain('\x1b');
    expect(lines[0]).toBe('Prepare …');
    expect(lines[1]).toMatch(/^Prepare done \(\d+\.\d s\)$/);
    expect(lines).not.toContain('AlreadyComplete …');
    expect(lines.filter((l) => l.startsWith('TokenizeChunks: '))).toHaveLength(11);
    expect(lines).toContain('Tokenize failed: StorageTransient: s3://b/k: SlowDown');
    expect(lines).toContain('Tokenize: retrying');
  });

  it('redraws one bar in place on a terminal and clears it at the end', () => {
    const { stream, text } = fakeStream(true);
    const progress = createRunProgress(stream);
    for (const event of EVENTS.slice(0, 9)) progress.onEvent(event);
    expect(text()).toContain('\r\x1b[2KTokenizeChunks [##########--------------] 16/40 items');
    // No finished line holds the bar: it lives on the last, unterminated line.
    expect(
      text()
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.includes('items')),
    ).toHaveLength(0);
    progress.finish();
    expect(text().endsWith('\r\x1b[2K')).toBe(true);
  });
});
