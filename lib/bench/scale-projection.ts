/**
 * The last line of `bench scale`: each stage's cost per sample at the largest size, and how its
 * per-sample bytes and requests grew from the smallest size (1 = linear; the issue's bar is 1.3),
 * plus the shard stages' reads over the tokens and HEAD requests per image reference (all HEADs, and
 * those of image keys alone).
 */
import type { ScaleLine } from './bench-scale.js';

const requestsOf = (s: { get: number; getRange: number; put: number; head: number; list: number; delete: number }) =>
  s.get + s.getRange + s.put + s.head + s.list + s.delete;
const round = (value: number, digits = 4) => Number(value.toPrecision(digits));

/** Per-sample coefficients of the largest size and growth against the smallest, by stage. */
export function scaleProjection(lines: readonly ScaleLine[]): Record<string, unknown> {
  const small = lines[0]!;
  const large = lines[lines.length - 1]!;
  const perSample = Object.fromEntries(
    Object.entries(large.stages).map(([stage, s]) => {
      const before = small.stages[stage];
      const growth = (now: number, then: number | undefined) =>
        then === undefined || then === 0 ? null : round(now / large.samples / (then / small.samples), 3);
      return [
        stage,
        {
          bytesRead: round(s.bytesRead / large.samples),
          bytesWritten: round(s.bytesWritten / large.samples),
          requests: round(requestsOf(s) / large.samples),
          getRange: round(s.getRange / large.samples),
          bytesReadGrowth: growth(s.bytesRead, before?.bytesRead),
          requestsGrowth: growth(requestsOf(s), before === undefined ? undefined : requestsOf(before)),
          maxCallBytesRead: s.maxCallBytesRead,
        },
      ];
    }),
  );
  const shardBytes = (line: ScaleLine) => (line.stages.Route?.bytesRead ?? 0) + (line.stages.Assemble?.bytesRead ?? 0);
  const heads = (line: ScaleLine) => Object.values(line.stages).reduce((sum, s) => sum + s.head, 0);
  return {
    projection: {
      fromSamples: small.samples,
      toSamples: large.samples,
      perSample,
      shardReadsOverTokenBytes: lines.map((line) => round(shardBytes(line) / line.tokenBytes, 3)),
      headsPerImageReference: lines.map((line) => round(heads(line) / Math.max(1, line.imageReferences), 3)),
      imageHeadsPerImageReference: lines.map((line) => round(line.imageHeads / Math.max(1, line.imageReferences), 3)),
    },
  };
}
