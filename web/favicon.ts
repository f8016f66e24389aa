// The page's icon: a 16×16 ICO, a plain grey rounded square that names nothing
// (no logo, no word), drawn here so that the build writes the same bytes on every
// machine and the manifest's digest (and the organisation's signature) covers it.
// Browsers ask for /favicon.ico on every page; without it each load logs a 404.

const SIZE = 16;
const GREY = [0x6b, 0x6b, 0x6b]; // neutral, like a blank tab
const HEADER = 6;
const ENTRY = 16;
const INFO = 40;

export const FAVICON_FILE = 'favicon.ico';

/** One 32-bit ICO image: ICONDIR, one ICONDIRENTRY, a BITMAPINFOHEADER, BGRA rows bottom-up, an AND mask. */
export function favicon(): Buffer {
  const pixels = SIZE * SIZE * 4;
  const mask = SIZE * 4; // one bit per pixel, rows padded to 32 bits
  const image = INFO + pixels + mask;
  const out = Buffer.alloc(HEADER + ENTRY + image);
  out.writeUInt16LE(0, 0); // reserved
  out.writeUInt16LE(1, 2); // type: icon
  out.writeUInt16LE(1, 4); // one image
  out.writeUInt8(SIZE, 6);
  out.writeUInt8(SIZE, 7);
  out.writeUInt16LE(1, 10); // colour planes
  out.writeUInt16LE(32, 12); // bits per pixel
  out.writeUInt32LE(image, 14);
  out.writeUInt32LE(HEADER + ENTRY, 18);
  const info = HEADER + ENTRY;
  out.writeUInt32LE(INFO, info);
  out.writeInt32LE(SIZE, info + 4);
  out.writeInt32LE(SIZE * 2, info + 8); // height counts the AND mask too
  out.writeUInt16LE(1, info + 12);
  out.writeUInt16LE(32, info + 14);
  out.writeUInt32LE(pixels + mask, info + 20);
  const corner = (x: number, y: number) =>
    (x === 0 || x === SIZE - 1) && (y === 0 || y === SIZE - 1);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const at = info + INFO + (y * SIZE + x) * 4;
      out[at] = GREY[2]!;
      out[at + 1] = GREY[1]!;
      out[at + 2] = GREY[0]!;
      out[at + 3] = corner(x, y) ? 0 : 0xff; // alpha: the corners are clear
    }
  }
  return out; // the AND mask stays zero: the alpha channel decides
}
