/**
 * Python's `len(text.split())`: the number of runs of non-whitespace, where whitespace is exactly
 * the characters for which CPython's `str.isspace()` is true. LLaVA's `modality_lengths` is a sum
 * of these counts; JavaScript's `\s` differs (it includes U+FEFF and lacks U+001C–U+001F and U+0085),
 * so a regex split would drift on real data.
 */
const PYTHON_WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
  0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** True for the code units CPython's `str.isspace()` accepts (all are in the BMP). */
export function isPythonWhitespace(codeUnit: number): boolean {
  return codeUnit <= 0x20 ? PYTHON_WHITESPACE.has(codeUnit) : codeUnit >= 0x85 && PYTHON_WHITESPACE.has(codeUnit);
}

/** `len(text.split())` as CPython computes it. */
export function pythonWordCount(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isPythonWhitespace(text.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}
