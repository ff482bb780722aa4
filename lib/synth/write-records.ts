import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';

/** How a corpus file lays its records out. */
export type RecordLayout = 'json-array' | 'jsonl';

/**
 * Stream `count` records into a file as a JSON array (`[\n{…},\n{…}\n]`, the LLaVA layout) or as
 * JSONL, without holding the corpus in memory (a 665K-record file is ~0.5 GB). Written to a
 * temporary name and renamed, so a reader never sees half a file.
 */
export async function writeRecords(path: string, layout: RecordLayout, count: number, recordAt: (index: number) => unknown): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.partial`;
  const stream = createWriteStream(temporary);
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!stream.write(text)) await once(stream, 'drain');
  };
  try {
    if (layout === 'json-array') await write('[\n');
    for (let i = 0; i < count; i++) {
      const json = JSON.stringify(recordAt(i));
      await write(layout === 'jsonl' ? `${json}\n` : `${i === 0 ? '' : ',\n'}${json}`);
    }
    if (layout === 'json-array') await write('\n]\n');
    stream.end();
    await once(stream, 'finish');
    await rename(temporary, path);
    return bytes;
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
