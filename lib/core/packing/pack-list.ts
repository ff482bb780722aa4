/** Flat packs: pack p is `members[packStarts[p], packStarts[p+1])`. */
export interface FlatPacks {
  readonly members: Int32Array;
  readonly packStarts: ArrayLike<number>;
}

/** Flat packs with each pack's cost (pack-cost.ts). */
export interface CostedPacks extends FlatPacks {
  readonly packCosts: Float64Array;
}

/**
 * A list of packs as flat typed arrays (no object per pack): pack k holds
 * `members[packStarts[k], packStarts[k+1])`, in the order its packer appended them.
 */
export interface PackList {
  /** Sample indices of every pack, pack after pack. */
  readonly members: Int32Array;
  /** `packCount + 1` offsets into members. */
  readonly packStarts: Int32Array;
  /** XTuner's per-pack `longest` (the key its sampler sorts by; see each packer for its meaning). */
  readonly packLongest: Float64Array;
  /** Which input dataset each pack came from (0 when datasets were packed together). */
  readonly packDatasetId: Int32Array;
}

/** Number of packs in a list. */
export function packCount(list: PackList): number {
  return list.packStarts.length - 1;
}

/** Pack k's members (a view, not a copy). */
export function packMembers(list: PackList, pack: number): Int32Array {
  return list.members.subarray(list.packStarts[pack], list.packStarts[pack + 1]);
}

/**
 * Appends packs member by member into doubling typed arrays; the open pack is always the last
 * one, so a packer that tops a pack up later just keeps appending before it closes it.
 */
export class PackListBuilder {
  private members = new Int32Array(1024);
  private memberCount = 0;
  private starts = new Int32Array(256);
  private longest = new Float64Array(256);
  private datasetIds = new Int32Array(256);
  private closed = 0;

  /** Append a member to the open pack. */
  push(member: number): void {
    if (this.memberCount === this.members.length) this.members = grow(this.members);
    this.members[this.memberCount++] = member;
  }

  /** Whether the open pack has members. */
  get hasOpenPack(): boolean {
    return this.memberCount > this.starts[this.closed]!;
  }

  /** Close the open pack with its `longest` key and dataset id. */
  closePack(longest: number, datasetId: number): void {
    if (this.closed + 2 > this.starts.length) {
      this.starts = grow(this.starts);
      this.longest = grow(this.longest);
      this.datasetIds = grow(this.datasetIds);
    }
    this.longest[this.closed] = longest;
    this.datasetIds[this.closed] = datasetId;
    this.starts[++this.closed] = this.memberCount;
  }

  /** The closed packs, trimmed (members of an unclosed pack are left out). */
  build(): PackList {
    const end = this.starts[this.closed]!;
    return {
      members: this.members.slice(0, end),
      packStarts: this.starts.slice(0, this.closed + 1),
      packLongest: this.longest.slice(0, this.closed),
      packDatasetId: this.datasetIds.slice(0, this.closed),
    };
  }
}

function grow<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}
