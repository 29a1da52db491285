/**
 * Draws an RGB image with '▀' cells: the foreground colour paints the upper pixel, the
 * background the lower one, so a terminal row shows two image rows.
 */

export type Rgb = { r: number; g: number; b: number };

export type HalfBlockCell = { char: '▀'; fg: Rgb; bg: Rgb };

/** `rgb` is packed rgb24, row by row. An odd last row pairs with black. */
export function halfBlocks(rgb: Uint8Array, width: number, height: number): HalfBlockCell[][] {
  if (rgb.length < width * height * 3) {
    throw new RangeError(
      `expected ${width * height * 3} bytes for ${width}x${height} rgb24, got ${rgb.length}`,
    );
  }
  const pixel = (x: number, y: number): Rgb => {
    if (y >= height) return { r: 0, g: 0, b: 0 };
    const i = (y * width + x) * 3;
    return { r: rgb[i] ?? 0, g: rgb[i + 1] ?? 0, b: rgb[i + 2] ?? 0 };
  };
  const rows: HalfBlockCell[][] = [];
  for (let y = 0; y < height; y += 2) {
    const row: HalfBlockCell[] = [];
    for (let x = 0; x < width; x++) row.push({ char: '▀', fg: pixel(x, y), bg: pixel(x, y + 1) });
    rows.push(row);
  }
  return rows;
}
