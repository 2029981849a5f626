/**
 * A baseline JPEG encoder for RGB24 frames: YCbCr 4:2:0, the float AAN DCT,
 * the quality-scaled quantisation and the standard Huffman tables of the
 * JPEG spec (ITU T.81, Annex K), written into one reusable byte buffer.
 *
 * The camera previews (2 a second per camera on the wall) and the shots'
 * thumbnails are made from the analysed frame on the main thread. jpeg-js
 * took about 60 ms per 320x192 frame, most of it building tables on every
 * call and collecting the garbage of a byte-per-element JS array: 8 cameras
 * with a dashboard open kept the main thread busy half the time. This takes
 * about 1 ms and allocates only its output.
 */

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44,
  51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

// Annex K.1: the example quantisation tables, natural order.
const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
  104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...new Array<number>(32).fill(99),
];

// Annex K.3: the typical Huffman tables (code counts per length 1..16, then the symbols).
const DC_LUMA = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const DC_CHROMA = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const AC_LUMA = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15,
    0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43,
    0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
    0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2,
    0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3,
    0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};
const AC_CHROMA = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23,
    0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
    0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

interface HuffmanSpec {
  counts: number[];
  symbols: number[];
}

/** Code and length per symbol (Annex C: canonical codes by length). */
function huffmanCodes(spec: HuffmanSpec): { code: Uint16Array; length: Uint8Array } {
  const code = new Uint16Array(256), length = new Uint8Array(256);
  let next = 0, k = 0;
  for (let bits = 1; bits <= 16; bits++) {
    for (let i = 0; i < spec.counts[bits - 1]!; i++) {
      const symbol = spec.symbols[k++]!;
      code[symbol] = next++;
      length[symbol] = bits;
    }
    next <<= 1;
  }
  return { code, length };
}

const TABLES = { dcLuma: huffmanCodes(DC_LUMA), acLuma: huffmanCodes(AC_LUMA), dcChroma: huffmanCodes(DC_CHROMA), acChroma: huffmanCodes(AC_CHROMA) };

// The AAN DCT leaves each coefficient scaled by s(u) s(v) 8: folded into the divisors.
const AAN = [1, 1.387039845, 1.306562965, 1.175875602, 1, 0.785694958, 0.5411961, 0.275899379];

interface Quantiser {
  /** The table as written in DQT, zigzag order. */
  zigzag: Uint8Array;
  /** 1 / (q * AAN scale), natural order. */
  scale: Float32Array;
}

function quantiser(base: readonly number[], quality: number): Quantiser {
  const factor = quality < 50 ? 5000 / quality : 200 - quality * 2;
  const zigzag = new Uint8Array(64), scale = new Float32Array(64);
  for (let i = 0; i < 64; i++) {
    const q = Math.min(255, Math.max(1, Math.floor((base[i]! * factor + 50) / 100)));
    scale[i] = 1 / (q * AAN[i >> 3]! * AAN[i & 7]! * 8);
  }
  for (let z = 0; z < 64; z++) zigzag[z] = Math.min(255, Math.max(1, Math.floor((base[ZIGZAG[z]!]! * factor + 50) / 100)));
  return { zigzag, scale };
}

/** Forward DCT (float AAN, rows then columns) of one 8x8 block in place. */
function fdct(d: Float32Array): void {
  for (let pass = 0; pass < 2; pass++) {
    const step = pass === 0 ? 1 : 8, stride = pass === 0 ? 8 : 1;
    for (let line = 0; line < 8; line++) {
      const o = line * stride;
      const d0 = d[o]!, d1 = d[o + step]!, d2 = d[o + 2 * step]!, d3 = d[o + 3 * step]!;
      const d4 = d[o + 4 * step]!, d5 = d[o + 5 * step]!, d6 = d[o + 6 * step]!, d7 = d[o + 7 * step]!;
      const t0 = d0 + d7, t7 = d0 - d7, t1 = d1 + d6, t6 = d1 - d6, t2 = d2 + d5, t5 = d2 - d5, t3 = d3 + d4, t4 = d3 - d4;
      const e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;
      d[o] = e10 + e11;
      d[o + 4 * step] = e10 - e11;
      const z1 = (e12 + e13) * 0.707106781;
      d[o + 2 * step] = e13 + z1;
      d[o + 6 * step] = e13 - z1;
      const o10 = t4 + t5, o11 = t5 + t6, o12 = t6 + t7;
      const z5 = (o10 - o12) * 0.382683433;
      const z2 = 0.5411961 * o10 + z5, z4 = 1.306562965 * o12 + z5, z3 = o11 * 0.707106781;
      const z11 = t7 + z3, z13 = t7 - z3;
      d[o + 5 * step] = z13 + z2;
      d[o + 3 * step] = z13 - z2;
      d[o + step] = z11 + z4;
      d[o + 7 * step] = z11 - z4;
    }
  }
}

class ByteWriter {
  buf = new Uint8Array(64 * 1024);
  at = 0;
  private bits = 0;
  private count = 0;

  reset(): void {
    this.at = 0;
    this.bits = 0;
    this.count = 0;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  word(w: number): void {
    this.byte(w >> 8);
    this.byte(w & 255);
  }

  bytes(list: ArrayLike<number>): void {
    for (let i = 0; i < list.length; i++) this.byte(list[i]!);
  }

  /** Entropy-coded bits, most significant first, with 0xFF stuffed by 0x00. */
  put(value: number, length: number): void {
    this.bits = ((this.bits << length) | (value & ((1 << length) - 1))) >>> 0;
    this.count += length;
    while (this.count >= 8) {
      const b = (this.bits >>> (this.count - 8)) & 255;
      this.room(2);
      this.buf[this.at++] = b;
      if (b === 255) this.buf[this.at++] = 0;
      this.count -= 8;
    }
    this.bits &= (1 << this.count) - 1;
  }

  /** Pads the last byte with 1 bits. */
  flush(): void {
    if (this.count > 0) this.put((1 << (8 - this.count)) - 1, 8 - this.count);
  }
}

type Codes = ReturnType<typeof huffmanCodes>;

export class JpegEncoder {
  private readonly luma: Quantiser;
  private readonly chroma: Quantiser;
  private readonly out = new ByteWriter();
  private readonly block = new Float32Array(64);
  private readonly coef = new Int16Array(64);
  private y = new Float32Array(0);
  private cb = new Float32Array(0);
  private cr = new Float32Array(0);

  constructor(readonly quality = 80) {
    const q = Math.min(100, Math.max(1, Math.round(quality)));
    this.luma = quantiser(LUMA_QUANT, q);
    this.chroma = quantiser(CHROMA_QUANT, q);
  }

  /** A JPEG of an RGB24 frame (a copy: the encoder's buffer is reused). */
  encode(data: Uint8Array, width: number, height: number): Uint8Array {
    if (!(width > 0 && height > 0 && width < 65536 && height < 65536) || data.length < width * height * 3) {
      throw new RangeError(`cannot encode ${width}x${height} from ${data.length} bytes`);
    }
    // Planes padded to whole 16x16 macroblocks by repeating the last row and column.
    const pw = (width + 15) & ~15, ph = (height + 15) & ~15, cw = pw >> 1, ch = ph >> 1;
    if (this.y.length < pw * ph) this.y = new Float32Array(pw * ph);
    if (this.cb.length < cw * ch) {
      this.cb = new Float32Array(cw * ch);
      this.cr = new Float32Array(cw * ch);
    }
    const { y, cb, cr } = this;
    cb.fill(0, 0, cw * ch);
    cr.fill(0, 0, cw * ch);
    for (let row = 0; row < ph; row++) {
      const sy = Math.min(row, height - 1);
      const crow = (row >> 1) * cw;
      for (let col = 0; col < pw; col++) {
        const s = (sy * width + Math.min(col, width - 1)) * 3;
        const r = data[s]!, g = data[s + 1]!, b = data[s + 2]!;
        // JFIF YCbCr, level-shifted by 128 for the DCT.
        y[row * pw + col] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
        const c = crow + (col >> 1);
        cb[c]! += (-0.168736 * r - 0.331264 * g + 0.5 * b) * 0.25;
        cr[c]! += (0.5 * r - 0.418688 * g - 0.081312 * b) * 0.25;
      }
    }
    const out = this.out;
    out.reset();
    this.headers(width, height);
    let dcY = 0, dcCb = 0, dcCr = 0;
    for (let my = 0; my < ph; my += 16) {
      for (let mx = 0; mx < pw; mx += 16) {
        dcY = this.unit(y, pw, mx, my, this.luma, dcY, TABLES.dcLuma, TABLES.acLuma);
        dcY = this.unit(y, pw, mx + 8, my, this.luma, dcY, TABLES.dcLuma, TABLES.acLuma);
        dcY = this.unit(y, pw, mx, my + 8, this.luma, dcY, TABLES.dcLuma, TABLES.acLuma);
        dcY = this.unit(y, pw, mx + 8, my + 8, this.luma, dcY, TABLES.dcLuma, TABLES.acLuma);
        dcCb = this.unit(cb, cw, mx >> 1, my >> 1, this.chroma, dcCb, TABLES.dcChroma, TABLES.acChroma);
        dcCr = this.unit(cr, cw, mx >> 1, my >> 1, this.chroma, dcCr, TABLES.dcChroma, TABLES.acChroma);
      }
    }
    out.flush();
    out.word(0xffd9); // EOI
    return out.buf.slice(0, out.at);
  }

  /** One 8x8 data unit: DCT, quantise, Huffman-code; returns its DC for the next unit's difference. */
  private unit(plane: Float32Array, stride: number, x: number, y: number, q: Quantiser, lastDc: number, dc: Codes, ac: Codes): number {
    const { block, coef, out } = this;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) block[r * 8 + c] = plane[(y + r) * stride + x + c]!;
    fdct(block);
    for (let z = 0; z < 64; z++) {
      const i = ZIGZAG[z]!;
      coef[z] = Math.round(block[i]! * q.scale[i]!);
    }
    const diff = coef[0]! - lastDc;
    const dcSize = magnitudeBits(diff);
    out.put(dc.code[dcSize]!, dc.length[dcSize]!);
    if (dcSize) out.put(amplitude(diff, dcSize), dcSize);
    let run = 0;
    for (let z = 1; z < 64; z++) {
      const v = coef[z]!;
      if (v === 0) {
        run++;
        continue;
      }
      while (run > 15) {
        out.put(ac.code[0xf0]!, ac.length[0xf0]!); // ZRL: sixteen zeros
        run -= 16;
      }
      const size = magnitudeBits(v);
      const symbol = (run << 4) | size;
      out.put(ac.code[symbol]!, ac.length[symbol]!);
      out.put(amplitude(v, size), size);
      run = 0;
    }
    if (run > 0) out.put(ac.code[0]!, ac.length[0]!); // EOB
    return coef[0]!;
  }

  private headers(width: number, height: number): void {
    const out = this.out;
    out.word(0xffd8); // SOI
    out.bytes([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // APP0 JFIF 1.1, no density, no thumbnail
    for (const [id, q] of [[0, this.luma], [1, this.chroma]] as const) {
      out.word(0xffdb);
      out.word(67);
      out.byte(id);
      out.bytes(q.zigzag);
    }
    out.bytes([0xff, 0xc0, 0, 17, 8]); // SOF0, 8-bit
    out.word(height);
    out.word(width);
    out.bytes([3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]); // Y 2x2 (table 0), Cb and Cr 1x1 (table 1)
    for (const [klass, id, spec] of [[0, 0, DC_LUMA], [1, 0, AC_LUMA], [0, 1, DC_CHROMA], [1, 1, AC_CHROMA]] as const) {
      out.word(0xffc4);
      out.word(3 + 16 + spec.symbols.length);
      out.byte((klass << 4) | id);
      out.bytes(spec.counts);
      out.bytes(spec.symbols);
    }
    out.bytes([0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]); // SOS: all three components, full spectrum
  }
}

/** Bits needed for |v| (the JPEG "category"). */
function magnitudeBits(v: number): number {
  return v === 0 ? 0 : 32 - Math.clz32(v < 0 ? -v : v);
}

/** v's low bits as JPEG writes them: negatives as v - 1 in `size` bits. */
function amplitude(v: number, size: number): number {
  return v < 0 ? (v - 1) & ((1 << size) - 1) : v;
}
