import { describe, expect, it } from 'vitest';
import { isCompleteJpeg, jpegSize } from '../../src/core/jpeg.ts';

// SOI, an APP0 of 4 bytes, DHT (skipped: not a frame header), SOF0 for 640x360, EOI.
const jpeg = Uint8Array.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x03, 0x00, 0xff, 0xc0, 0x00,
  0x11, 0x08, 0x01, 0x68, 0x02, 0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
  0xff, 0xd9,
]);

describe('jpeg', () => {
  it('reads the frame size from SOF0', () => {
    expect(jpegSize(jpeg)).toEqual({ width: 640, height: 360 });
    expect(isCompleteJpeg(jpeg)).toBe(true);
  });

  it('refuses other bytes and a cut file', () => {
    expect(jpegSize(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(isCompleteJpeg(jpeg.subarray(0, jpeg.length - 1))).toBe(false);
  });
});
