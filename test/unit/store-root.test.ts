/** The tasks' "bucket": prefixes open under the root, except mounted ones, which open where they really are. */
import { describe, expect, it } from 'vitest';
import { joinLocation, MountedStoreRoot } from '../../lib/io/store-root.js';

describe('MountedStoreRoot', () => {
  const root = new MountedStoreRoot({ root: '/out', mounts: [{ prefix: 'datasets/llava', location: 's3://data-bucket/corpora/llava' }] });

  it('opens a mounted prefix (and what is under it) at its own location, everything else under the root', () => {
    expect(root.openUnder('datasets/llava').location).toBe('s3://data-bucket/corpora/llava');
    expect(root.openUnder('datasets/llava/images').location).toBe('s3://data-bucket/corpora/llava/images');
    expect(root.openUnder('datasets/llava2').location).toBe('/out/datasets/llava2');
    expect(root.openUnder('runs/0123').location).toBe('/out/runs/0123');
    expect(root.openUnder('').location).toBe('/out');
  });

  it('refuses a mount prefix that is empty or not relative', () => {
    for (const prefix of ['', '/datasets/x', 'datasets/x/']) {
      expect(() => new MountedStoreRoot({ root: '/out', mounts: [{ prefix, location: '/d' }] })).toThrow(/mount\.prefix/);
    }
  });

  it('joins folder and s3:// locations with one slash', () => {
    expect(joinLocation('s3://b/p/', 'runs/x')).toBe('s3://b/p/runs/x');
    expect(joinLocation('/out/', 'runs/x')).toBe('/out/runs/x');
    expect(joinLocation('s3://b', '')).toBe('s3://b');
  });
});
