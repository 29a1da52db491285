import { halfBlocks, type Rgb } from '../core/half-blocks.ts';

/** Nearest-neighbour scale of packed rgb24 to `outW` x `outH` pixels. */
export function scaleRgb(
  rgb: Uint8Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Uint8Array {
  const out = new Uint8Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outH));
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outW));
      const si = (sy * width + sx) * 3;
      const oi = (y * outW + x) * 3;
      out[oi] = rgb[si] ?? 0;
      out[oi + 1] = rgb[si + 1] ?? 0;
      out[oi + 2] = rgb[si + 2] ?? 0;
    }
  }
  return out;
}

/** xterm's 256-colour cube: half the bytes of truecolour, and what tmux passes by default. */
function xterm256({ r, g, b }: Rgb): number {
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.floor((v - 35) / 40));
  return 16 + 36 * level(r) + 6 * level(g) + level(b);
}

const RAMP = ' .:-=+*#%@';

/**
 * Text lines of `columns` x `rows` cells for an rgb24 frame. In colour: '▀' cells with the
 * upper pixel as foreground and the lower as background, escape codes only where the colour
 * changes. Without colour: a luminance ramp, so the picture still reads under NO_COLOR.
 */
export function thumbnailLines(
  rgb: Uint8Array,
  width: number,
  height: number,
  columns: number,
  rows: number,
  color: boolean,
): string[] {
  if (columns <= 0 || rows <= 0 || width <= 0 || height <= 0) return [];
  const scaled = scaleRgb(rgb, width, height, columns, rows * 2);
  const cells = halfBlocks(scaled, columns, rows * 2);
  return cells.map((row) => {
    if (!color) {
      return row
        .map(({ fg, bg }) => {
          const lum = (0.299 * (fg.r + bg.r) + 0.587 * (fg.g + bg.g) + 0.114 * (fg.b + bg.b)) / 2;
          return RAMP[Math.min(RAMP.length - 1, Math.floor((lum / 256) * RAMP.length))];
        })
        .join('');
    }
    let line = '';
    let lastFg = -1;
    let lastBg = -1;
    for (const { fg, bg } of row) {
      const f = xterm256(fg);
      const b = xterm256(bg);
      if (f !== lastFg) line += `\u001B[38;5;${f}m`;
      if (b !== lastBg) line += `\u001B[48;5;${b}m`;
      line += '▀';
      lastFg = f;
      lastBg = b;
    }
    return `${line}\u001B[39;49m`;
  });
}

/** Thumbnail size in cells that fits a box, keeping the frame's aspect (cells are 1:2). */
export function fitThumbnail(
  frameW: number,
  frameH: number,
  maxColumns: number,
  maxRows: number,
): { columns: number; rows: number } {
  if (maxColumns <= 0 || maxRows <= 0) return { columns: 0, rows: 0 };
  const aspect = frameW / frameH;
  let columns = maxColumns;
  let rows = Math.round(columns / aspect / 2);
  if (rows > maxRows) {
    rows = maxRows;
    columns = Math.round(rows * 2 * aspect);
  }
  return { columns: Math.max(1, Math.min(columns, maxColumns)), rows: Math.max(1, rows) };
}

/** Columns of tiles for `count` cameras in a box: the layout with the largest pictures. */
export function tileGrid(
  count: number,
  width: number,
  height: number,
): { cols: number; tileWidth: number; tileHeight: number; visibleRows: number } {
  let best = { cols: 1, tileWidth: width, tileHeight: height, visibleRows: 1, area: -1 };
  const minTileHeight = 6;
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const tileWidth = Math.floor(width / cols);
    if (tileWidth < 16) break;
    const gridRows = Math.ceil(count / cols);
    const visibleRows = Math.max(1, Math.min(gridRows, Math.floor(height / minTileHeight)));
    const tileHeight = Math.floor(height / visibleRows);
    const pic = fitThumbnail(16, 9, tileWidth - 2, tileHeight - 3);
    // Seeing every camera matters more than a bigger picture.
    const area = pic.columns * pic.rows * 2 - (gridRows > visibleRows ? 1_000_000 : 0);
    if (area > best.area) best = { cols, tileWidth, tileHeight, visibleRows, area };
  }
  const { area: _area, ...grid } = best;
  return grid;
}
