/**
 * Assemble's placement: the routed rows of one section (from every tokens file) put back into
 * plan order, rank by rank. Every planned position must receive exactly one row, holding the
 * sample the plan put there — a routed object that lost rows cannot yield a short shard.
 */
import type { DecodedPlanRank, ShardRows, ShardTokenColumns } from '../../arrow/index.js';
import type { RoutedRows } from '../../arrow/routed-section-file.js';
import { CorruptArtifactError, InvalidInputError } from '../../core/errors.js';

/** Decoded sections and, for every planned entry of the section's ranks, where its row is. */
export class RoutedSlots {
  /** Per entry (ranks concatenated): the section part and row holding it, -1 until placed. */
  private readonly part: Int32Array;
  private readonly row: Int32Array;
  private readonly rankStarts: Float64Array;

  constructor(
    private readonly first: number,
    private readonly plans: readonly DecodedPlanRank[],
    private readonly parts: ReadonlyArray<{ readonly rows: RoutedRows; readonly count: number; readonly where: string }>,
  ) {
    this.rankStarts = new Float64Array(plans.length + 1);
    plans.forEach((plan, r) => (this.rankStarts[r + 1] = this.rankStarts[r]! + plan.sampleIds.length));
    const total = this.rankStarts[plans.length]!;
    this.part = new Int32Array(total).fill(-1);
    this.row = new Int32Array(total);
    parts.forEach((part, s) => this.place(part, s));
  }

  private place(part: { rows: RoutedRows; count: number; where: string }, s: number): void {
    const { rank, position, sampleId } = part.rows;
    for (let i = 0; i < part.count; i++) {
      const r = rank[i]! - this.first;
      const fail = (why: string): never => {
        throw new CorruptArtifactError(part.where, `row ${i} (rank ${rank[i]} position ${position[i]}) ${why}: rerun Route for it`);
      };
      if (r < 0 || r >= this.plans.length) fail(`is outside this section's ranks [${this.first}, ${this.first + this.plans.length})`);
      const ids = this.plans[r]!.sampleIds;
      const p = position[i]!;
      if (p < 0 || p >= ids.length) fail(`is outside the rank's ${ids.length} planned entries`);
      if (sampleId[i] !== ids[p]) fail(`holds sample ${sampleId[i]}; the plan has ${ids[p]} there`);
      const slot = this.rankStarts[r]! + p;
      if (this.part[slot] !== -1) fail('arrived twice');
      this.part[slot] = s;
      this.row[slot] = i;
    }
  }

  /** Fail, naming the first position no routed object filled (a missing or truncated routed object). */
  checkComplete(describe: (rank: number) => string): void {
    const missing = this.part.indexOf(-1);
    if (missing < 0) return;
    let r = 0;
    while (this.rankStarts[r + 1]! <= missing) r++;
    const p = missing - this.rankStarts[r]!;
    throw new CorruptArtifactError(
      describe(this.first + r),
      `position ${p} (sample ${this.plans[r]!.sampleIds[p]}) came in no routed object: one is missing rows; rerun Route`,
    );
  }

  /** Rank `rank`'s shard rows in plan order: the plan's columns, the routed index columns, and (optionally) its tokens. */
  rankRows(rank: number, withTokens: boolean): ShardRows {
    const r = rank - this.first;
    const plan = this.plans[r]!;
    const base = this.rankStarts[r]!;
    const n = plan.sampleIds.length;
    const totalTokens = new Int32Array(n);
    const trainableTokens = new Int32Array(n);
    const modality = new Uint8Array(n);
    const idOffsets = new Int32Array(n + 1);
    for (let p = 0; p < n; p++) {
      const { rows } = this.parts[this.part[base + p]!]!;
      const i = this.row[base + p]!;
      totalTokens[p] = rows.totalTokens[i]!;
      trainableTokens[p] = rows.trainableTokens[i]!;
      modality[p] = rows.modality[i]!;
      idOffsets[p + 1] = idOffsets[p]! + rows.recordIds.offsets[i + 1]! - rows.recordIds.offsets[i]!;
    }
    const idBytes = new Uint8Array(idOffsets[n]!);
    for (let p = 0; p < n; p++) {
      const { rows } = this.parts[this.part[base + p]!]!;
      const i = this.row[base + p]!;
      idBytes.set(rows.recordIds.bytes.subarray(rows.recordIds.offsets[i], rows.recordIds.offsets[i + 1]), idOffsets[p]);
    }
    const index: ShardRows = {
      sampleIds: plan.sampleIds,
      recordIds: { bytes: idBytes, offsets: idOffsets },
      lengths: plan.lengths,
      totalTokens,
      trainableTokens,
      modality,
      isPadding: plan.isPadding,
    };
    return withTokens ? { ...index, tokens: this.rankTokens(base, n) } : index;
  }

  /** The rank's token columns, sized from the routed rows' own offsets, copied in plan order. */
  private rankTokens(base: number, n: number): ShardTokenColumns {
    const tokenOffsets = new Int32Array(n + 1);
    const imageOffsets = new Int32Array(n + 1);
    const refOffsetsPerRow = new Int32Array(n + 1);
    for (let p = 0; p < n; p++) {
      const t = this.parts[this.part[base + p]!]!.rows.tokens;
      const i = this.row[base + p]!;
      const tokens = tokenOffsets[p]! + t.tokenOffsets[i + 1]! - t.tokenOffsets[i]!;
      if (tokens > 2 ** 31 - 1)
        throw new InvalidInputError('shards', "a rank's shard would hold more than 2^31 − 1 tokens (Arrow's 32-bit list offsets); use more ranks");
      tokenOffsets[p + 1] = tokens;
      imageOffsets[p + 1] = imageOffsets[p]! + t.imageOffsets[i + 1]! - t.imageOffsets[i]!;
      refOffsetsPerRow[p + 1] = refOffsetsPerRow[p]! + t.images.offsets[t.imageOffsets[i + 1]!]! - t.images.offsets[t.imageOffsets[i]!]!;
    }
    const out: ShardTokenColumns = {
      tokenOffsets,
      imageOffsets,
      inputIds: new Int32Array(tokenOffsets[n]!),
      labels: new Int32Array(tokenOffsets[n]!),
      imageTokens: new Int32Array(imageOffsets[n]!),
      images: { bytes: new Uint8Array(refOffsetsPerRow[n]!), offsets: new Int32Array(imageOffsets[n]! + 1) },
    };
    for (let p = 0; p < n; p++) copyTokens(this.parts[this.part[base + p]!]!.rows.tokens, this.row[base + p]!, out, p, refOffsetsPerRow[p]!);
    return out;
  }
}

/** Copy routed row i's tokens and images into row p of a rank's columns. */
function copyTokens(t: ShardTokenColumns, i: number, out: ShardTokenColumns, p: number, refAt: number): void {
  const from = t.tokenOffsets[i]!;
  const to = t.tokenOffsets[i + 1]!;
  out.inputIds.set(t.inputIds.subarray(from, to), out.tokenOffsets[p]);
  out.labels.set(t.labels.subarray(from, to), out.tokenOffsets[p]);
  const firstImage = t.imageOffsets[i]!;
  const imageRow = out.imageOffsets[p]!;
  const items = t.images.offsets;
  let at = refAt;
  for (let k = 0; k < out.imageOffsets[p + 1]! - imageRow; k++) {
    out.imageTokens[imageRow + k] = t.imageTokens[firstImage + k]!;
    const start = items[firstImage + k]!;
    const end = items[firstImage + k + 1]!;
    // Image references are short paths: a loop beats a view per reference.
    for (let b = start; b < end; b++) out.images.bytes[at + b - start] = t.images.bytes[b]!;
    at += end - start;
    out.images.offsets[imageRow + k + 1] = at;
  }
}
