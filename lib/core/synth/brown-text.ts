/**
 * Turn Brown Corpus lines (`The/at jury/nn said/vbd ,/, ``/`` …`) into plain English sentences:
 * drop the part-of-speech tags, turn the corpus's `` and '' into straight quotes, and attach
 * punctuation the way printed text does. Pure: the caller reads the files.
 */
const NO_SPACE_BEFORE = new Set([',', '.', '!', '?', ';', ':', ')', "''", "'s", "n't"]);
const NO_SPACE_AFTER = new Set(['(', '``', '$']);

/** Sentences of one Brown Corpus file (one sentence per non-blank line in the corpus). */
export function brownSentences(fileText: string): string[] {
  const sentences: string[] = [];
  for (const line of fileText.split('\n')) {
    const words = line
      .trim()
      .split(/\s+/)
      .filter((token) => token.length > 0)
      .map((token) => {
        const slash = token.lastIndexOf('/');
        return slash > 0 ? token.slice(0, slash) : token;
      });
    if (words.length < 3) continue;
    sentences.push(joinWords(words));
  }
  return sentences;
}

function joinWords(words: readonly string[]): string {
  let out = '';
  let glue = false;
  for (const word of words) {
    const text = word === '``' || word === "''" ? '"' : word;
    if (out !== '' && !glue && !NO_SPACE_BEFORE.has(word)) out += ' ';
    out += text;
    glue = NO_SPACE_AFTER.has(word);
  }
  return out.charAt(0).toUpperCase() + out.slice(1);
}
