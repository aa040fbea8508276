/**
 * Follows a raw deflate stream's block structure (RFC 1951) without producing its output, to find the bits that
 * the format ignores: those after a stored block's header up to the next byte, and those after the final block.
 * Inflating skips them, so a pack could change there without changing a member; PackWriter (fflate) writes them
 * as zero, and so a set one is an edit. zlib still does the inflating and reports corrupt data; this walker only
 * has to stay in step with it, and to never loop or throw anything but WalkError on garbage.
 * Decoding follows Mark Adler's puff.c: canonical Huffman codes decoded a bit at a time.
 */

export class WalkError extends Error {}

/** Thrown inside a step that ran out of input; the step is retried once more input arrives. */
const NEED_MORE = Symbol('need more input');

interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
  /** codes of up to FAST_BITS bits, indexed by the next FAST_BITS bits of the stream: (symbol << 4) | length */
  fast: Int32Array;
}

const FAST_BITS = 9;

const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Builds the canonical code for `lengths`; refuses an over-subscribed set (zlib does too). */
function huffman(lengths: ArrayLike<number>): Huffman {
  const count = new Uint16Array(16);
  for (let i = 0; i < lengths.length; i++) count[lengths[i]]++;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = (left << 1) - count[len];
    if (left < 0) throw new WalkError('over-subscribed Huffman code');
  }
  const offs = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + count[len];
  const symbol = new Uint16Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) if (lengths[i] !== 0) symbol[offs[lengths[i]]++] = i;
  // Canonical codes (RFC 1951 3.2.2), stored bit-reversed: the stream holds a code's first bit lowest.
  const next = new Uint16Array(16);
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + (len === 1 ? 0 : count[len - 1])) << 1;
    next[len] = code;
  }
  const fast = new Int32Array(1 << FAST_BITS);
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym];
    if (len === 0) continue;
    const code = next[len]++;
    if (len > FAST_BITS) continue;
    let rev = 0;
    for (let b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
    for (let i = rev; i < fast.length; i += 1 << len) fast[i] = (sym << 4) | len;
  }
  return { count, symbol, fast };
}

const FIXED = (() => {
  const lengths = new Uint8Array(288 + 30);
  lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288).fill(5, 288);
  return { lencode: huffman(lengths.subarray(0, 288)), distcode: huffman(lengths.subarray(288)) };
})();

export class DeflateWalker {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private bitbuf = 0;
  private bitcnt = 0;
  private final = false;
  private state: 'header' | 'stored' | 'codes' | 'done' = 'header';
  private storedLeft = 0;
  private lencode: Huffman | undefined;
  private distcode: Huffman | undefined;
  private last = false;

  /** Feeds the next piece of compressed data; `last` when no more follows. Throws WalkError. */
  push(chunk: Uint8Array, last: boolean): void {
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length ? concat(rest, chunk) : chunk;
    this.pos = 0;
    this.last = last;
    for (;;) {
      const saved = [this.pos, this.bitbuf, this.bitcnt] as const;
      try {
        if (!this.step()) break;
      } catch (error) {
        if (error !== NEED_MORE) throw error;
        [this.pos, this.bitbuf, this.bitcnt] = saved;
        if (last) throw new WalkError('cut short');
        return;
      }
    }
    if (!last) return;
    // After the final block: the rest of its byte is padding, and nothing may follow.
    if (this.align() !== 0) throw new WalkError('bits set after the end of the deflate stream');
    if (this.pos !== this.buf.length) throw new WalkError('data after the end of the deflate stream');
  }

  /** One unit of work; false when the stream is done or stored data has used up the input. */
  private step(): boolean {
    switch (this.state) {
      case 'done':
        return false;
      case 'header': {
        this.final = this.bits(1) === 1;
        const type = this.bits(2);
        if (type === 0) {
          // Stored: the rest of this byte is skipped by inflaters, then LEN and its complement.
          if (this.align() !== 0) throw new WalkError('bits set in a stored block header');
          const len = this.bits(16);
          const nlen = this.bits(16);
          if (len !== (~nlen & 0xffff)) throw new WalkError('stored block length check');
          this.storedLeft = len;
          this.state = 'stored';
        } else if (type === 1) {
          this.lencode = FIXED.lencode;
          this.distcode = FIXED.distcode;
          this.state = 'codes';
        } else if (type === 2) {
          this.dynamic();
          this.state = 'codes';
        } else throw new WalkError('invalid block type');
        return true;
      }
      case 'stored': {
        // Stored data may span pushes: take what is here (no rollback needed, nothing is half-read).
        const take = Math.min(this.storedLeft, this.buf.length - this.pos);
        this.pos += take;
        this.storedLeft -= take;
        if (this.storedLeft > 0) {
          if (this.last) throw new WalkError('cut short');
          return false;
        }
        this.state = this.final ? 'done' : 'header';
        return true;
      }
      case 'codes': {
        const sym = this.decode(this.lencode!);
        if (sym < 256) return true;
        if (sym === 256) {
          this.state = this.final ? 'done' : 'header';
          return true;
        }
        const l = sym - 257;
        if (l >= 29) throw new WalkError('invalid length symbol');
        this.bits(LENGTH_EXTRA[l]);
        const d = this.decode(this.distcode!);
        if (d >= 30) throw new WalkError('invalid distance symbol');
        this.bits(DIST_EXTRA[d]);
        return true;
      }
    }
  }

  private dynamic(): void {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new WalkError('bad counts');
    const lengths = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) lengths[CODE_LENGTH_ORDER[i]] = this.bits(3);
    const lencode = huffman(lengths);
    const all = new Uint8Array(nlen + ndist);
    for (let i = 0; i < nlen + ndist;) {
      let sym = this.decode(lencode);
      if (sym < 16) {
        all[i++] = sym;
        continue;
      }
      let len = 0;
      if (sym === 16) {
        if (i === 0) throw new WalkError('repeat with no previous length');
        len = all[i - 1];
        sym = 3 + this.bits(2);
      } else if (sym === 17) sym = 3 + this.bits(3);
      else sym = 11 + this.bits(7);
      if (i + sym > nlen + ndist) throw new WalkError('too many lengths');
      while (sym--) all[i++] = len;
    }
    if (all[256] === 0) throw new WalkError('no end-of-block code');
    this.lencode = huffman(all.subarray(0, nlen));
    this.distcode = huffman(all.subarray(nlen));
  }

  private bits(need: number): number {
    let val = this.bitbuf;
    while (this.bitcnt < need) {
      if (this.pos >= this.buf.length) throw NEED_MORE;
      val |= this.buf[this.pos++] << this.bitcnt;
      this.bitcnt += 8;
    }
    this.bitbuf = val >>> need;
    this.bitcnt -= need;
    return val & ((1 << need) - 1);
  }

  /**
   * Moves to the next byte boundary and returns the bits skipped. Whole bytes read ahead into the bit buffer (by
   * decode's look-ahead) go back to the input.
   */
  private align(): number {
    const skipped = this.bitbuf & ((1 << (this.bitcnt & 7)) - 1);
    this.pos -= this.bitcnt >> 3;
    this.bitbuf = 0;
    this.bitcnt = 0;
    return skipped;
  }

  private decode(h: Huffman): number {
    // Fast path: look FAST_BITS ahead (whole bytes, while the input lasts) and take a short code from the table.
    while (this.bitcnt < 16 && this.pos < this.buf.length) {
      this.bitbuf |= this.buf[this.pos++] << this.bitcnt;
      this.bitcnt += 8;
    }
    if (this.bitcnt >= FAST_BITS) {
      const entry = h.fast[this.bitbuf & ((1 << FAST_BITS) - 1)];
      if (entry !== 0) {
        const len = entry & 15;
        this.bitbuf >>>= len;
        this.bitcnt -= len;
        return entry >> 4;
      }
    }
    // A long code, or the input's last bits: a bit at a time.
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= 15; len++) {
      code |= this.bits(1);
      const count = h.count[len];
      if (code - count < first) return h.symbol[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new WalkError('invalid Huffman code');
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
