/** Image headers from bytes (image-size), and the synthetic images the header reader is tested on. */
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { HEADER_MAX_PROBE_BYTES, HEADER_PROBE_BYTES, nextProbeBytes, orientedSize, parseImageHeader } from '../../lib/core/images/image-header.js';
import { addJpegMetadata, encodeSyntheticImage, encodeSyntheticJpeg, encodeSyntheticPng, syntheticImageSizes } from '../../lib/core/images/synthetic-images.js';

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [640, 480],
  [480, 640],
  [1000, 250],
  [97, 13],
];

describe('parseImageHeader', () => {
  it.each(SIZES)('reads %i×%i from a PNG and a JPEG, whole or from the first probe only', (width, height) => {
    const png = encodeSyntheticPng(width, height, 7);
    const jpg = encodeSyntheticJpeg(width, height, 7);
    expect(parseImageHeader(png, true)).toEqual({ kind: 'header', header: { width, height, format: 'png' } });
    expect(parseImageHeader(jpg, true)).toEqual({ kind: 'header', header: { width, height, format: 'jpg' } });
    expect(parseImageHeader(png.subarray(0, 64), false)).toMatchObject({ kind: 'header', header: { width, height } });
    expect(parseImageHeader(jpg.subarray(0, HEADER_PROBE_BYTES), false)).toMatchObject({ kind: 'header', header: { width, height } });
  });

  it('reads any generated size back exactly', () => {
    const dim = fc.integer({ min: 1, max: 300 });
    fc.assert(
      fc.property(dim, dim, fc.boolean(), (width, height, asPng) => {
        const bytes = encodeSyntheticImage({ width, height, format: asPng ? 'png' : 'jpeg' }, width * 31 + height);
        expect(parseImageHeader(bytes, true)).toMatchObject({ kind: 'header', header: { width, height } });
      }),
      { numRuns: 60 },
    );
  });

  it('reports EXIF orientation but keeps the stored size, as PIL Image.size does', () => {
    const rotated = addJpegMetadata(encodeSyntheticJpeg(640, 480, 1), { orientation: 6 });
    const parsed = parseImageHeader(rotated, true);
    expect(parsed).toEqual({ kind: 'header', header: { width: 640, height: 480, format: 'jpg', orientation: 6 } });
    if (parsed.kind !== 'header') throw new Error('unreachable');
    expect(orientedSize(parsed.header)).toEqual({ width: 480, height: 640 });
    expect(orientedSize({ width: 640, height: 480, format: 'jpg', orientation: 3 })).toEqual({ width: 640, height: 480 });
  });

  it('asks for more bytes when a JPEG frame header sits behind large metadata', () => {
    const bulky = addJpegMetadata(encodeSyntheticJpeg(320, 200, 2), { orientation: 1, paddingBytes: 150_000 });
    expect(parseImageHeader(bulky.subarray(0, HEADER_PROBE_BYTES), false)).toMatchObject({ kind: 'need-more-bytes' });
    expect(parseImageHeader(bulky.subarray(0, 4 * HEADER_PROBE_BYTES), false)).toMatchObject({
      kind: 'header',
      header: { width: 320, height: 200 },
    });
  });

  it('calls truncated files unreadable once the whole file has been read', () => {
    const png = encodeSyntheticPng(64, 64, 3);
    const jpg = addJpegMetadata(encodeSyntheticJpeg(64, 64, 3), { paddingBytes: 2000 });
    // Subarrays of the full file: image-size must not read on past them into the rest of the buffer.
    expect(parseImageHeader(png.subarray(0, 20), true)).toMatchObject({ kind: 'unreadable' });
    expect(parseImageHeader(jpg.subarray(0, 1000), true)).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/JPG/) });
    expect(parseImageHeader(jpg.subarray(0, 1000), false)).toMatchObject({ kind: 'need-more-bytes' });
  });

  it('calls garbage and empty files unreadable', () => {
    const text = new TextEncoder().encode('this is a caption, not an image\n'.repeat(100));
    expect(parseImageHeader(text, true)).toEqual({ kind: 'unreadable', reason: 'not a recognised image format' });
    // Even mid-file: no format starts like this, so more bytes cannot help.
    expect(parseImageHeader(text, false)).toEqual({ kind: 'unreadable', reason: 'not a recognised image format' });
    expect(parseImageHeader(new Uint8Array(0), true)).toEqual({ kind: 'unreadable', reason: 'empty file' });
    expect(parseImageHeader(new Uint8Array(0), false)).toMatchObject({ kind: 'need-more-bytes' });
  });

  it('grows probes ×4 from 64 KiB up to the 4 MiB cap', () => {
    const probes = [HEADER_PROBE_BYTES];
    for (let next = nextProbeBytes(HEADER_PROBE_BYTES); next !== undefined; next = nextProbeBytes(next)) probes.push(next);
    expect(probes).toEqual([65536, 262144, 1048576, 4194304]);
    expect(probes.at(-1)).toBe(HEADER_MAX_PROBE_BYTES);
  });
});

describe('synthetic images', () => {
  it('are real files that decoders read back at the stated size', () => {
    const decodedJpeg = jpeg.decode(encodeSyntheticJpeg(120, 80, 5), { useTArray: true });
    expect([decodedJpeg.width, decodedJpeg.height]).toEqual([120, 80]);
    const decodedPng = PNG.sync.read(Buffer.from(encodeSyntheticPng(120, 80, 5)));
    expect([decodedPng.width, decodedPng.height]).toEqual([120, 80]);
  });

  it('are deterministic in their content seed', () => {
    expect(encodeSyntheticJpeg(64, 48, 9)).toEqual(encodeSyntheticJpeg(64, 48, 9));
    expect(encodeSyntheticPng(64, 48, 9)).toEqual(encodeSyntheticPng(64, 48, 9));
    expect(encodeSyntheticJpeg(64, 48, 9)).not.toEqual(encodeSyntheticJpeg(64, 48, 10));
  });

  it('draw a varied, seed-deterministic size distribution', () => {
    const specs = syntheticImageSizes(2000, 42);
    expect(syntheticImageSizes(2000, 42)).toEqual(specs);
    expect(syntheticImageSizes(100, 42)).toEqual(specs.slice(0, 100));
    expect(syntheticImageSizes(100, 43)).not.toEqual(specs.slice(0, 100));
    const count = (w: number, h: number) => specs.filter((s) => s.width === w && s.height === h).length;
    // Per-mille weights 300 / 120 / 100 / 60 / 30 / 20 of 2000 draws, with generous slack.
    expect(count(640, 480)).toBeGreaterThan(500);
    expect(count(640, 480)).toBeLessThan(700);
    for (const [w, h] of [
      [480, 640],
      [500, 375],
      [224, 224],
      [1920, 1080],
      [1000, 250],
    ] as const) {
      expect(count(w, h)).toBeGreaterThan(10);
    }
    const pngShare = specs.filter((s) => s.format === 'png').length / specs.length;
    expect(pngShare).toBeGreaterThan(0.1);
    expect(pngShare).toBeLessThan(0.2);
    for (const spec of specs) {
      expect(Math.min(spec.width, spec.height)).toBeGreaterThanOrEqual(32);
      expect(Math.max(spec.width, spec.height)).toBeLessThanOrEqual(1920);
    }
  });
});
