/**
 * An epoch's drawn multiset — sample ids in ascending order, each as often as it is drawn — read
 * front to back in pieces instead of held whole: at 100M entries a materialised population is a
 * 400 MB array whose first touch alone costs more than drawing it.
 */
export interface DrawnMultiset {
  /** Entries drawn. */
  readonly total: number;
  /** A reader at the first entry (each call starts over); InvalidInputError if the draw exceeds 2^31 − 1 entries. */
  read(): MultisetReader;
}

/** Reads a drawn multiset in order. */
export interface MultisetReader {
  /** Writes the next entries into `out` (as many as fit); returns how many, 0 once every entry was read. */
  fill(out: Int32Array): number;
}

/** The whole multiset as one array (the population every strategy without a streamed path plans). */
export function readWhole(drawn: DrawnMultiset): Int32Array {
  const reader = drawn.read(); // first: it refuses a draw too large to hold before anything is allocated
  const population = new Int32Array(drawn.total);
  reader.fill(population);
  return population;
}
