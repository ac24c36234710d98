// Weight files built byte by byte in the tests: .safetensors with several tensors and dtypes,
// .npy in C or Fortran order, and the malformed variants the Weight lab must explain.

/** IEEE half from a JS number (round to nearest even; enough for test values). */
export function toHalf(v) {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return h;
}

/** bfloat16 from a JS number (round to nearest even). */
export function toBf16(v) {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

const SIZE = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I8: 1 };

function encode(dtype, values) {
  const b = Buffer.alloc(values.length * SIZE[dtype]);
  values.forEach((v, i) => {
    switch (dtype) {
      case 'F32': b.writeFloatLE(v, i * 4); break;
      case 'F64': b.writeDoubleLE(v, i * 8); break;
      case 'F16': b.writeUInt16LE(toHalf(v), i * 2); break;
      case 'BF16': b.writeUInt16LE(toBf16(v), i * 2); break;
      case 'I32': b.writeInt32LE(v, i * 4); break;
      case 'I8': b.writeInt8(v, i); break;
      default: throw new Error(dtype);
    }
  });
  return b;
}

/**
 * A .safetensors file: `tensors` is [{ name, dtype, shape, values }]. The header is padded with
 * spaces to a multiple of 8, as the reference writer does.
 */
export function safetensors(tensors, metadata = { format: 'pt' }) {
  const header = { __metadata__: metadata };
  const parts = [];
  let offset = 0;
  for (const t of tensors) {
    const data = encode(t.dtype, t.values);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + data.length] };
    offset += data.length;
    parts.push(data);
  }
  return withHeader(JSON.stringify(header), Buffer.concat(parts));
}

/** `n` (u64 LE) | header text padded to 8 | data. */
export function withHeader(text, data) {
  const pad = (8 - (text.length % 8)) % 8;
  const h = Buffer.from(text + ' '.repeat(pad), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

/** A seeded pseudo-random normal-ish value stream (sum of uniforms), scaled by `sigma`. */
export function weights(n, sigma = 0.02, seed = 1) {
  let s = seed >>> 0;
  const u = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  return Array.from({ length: n }, () => (u() + u() + u() + u() - 2) * sigma * 1.7);
}

/** A .npy file of float32 (`<f4`) or float64 (`<f8`) values in C or Fortran order. */
export function npy(values, shape, { descr = '<f4', fortran = false } = {}) {
  const tuple = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${tuple}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1'); pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  const size = descr.endsWith('8') ? 8 : 4;
  const data = Buffer.alloc(values.length * size);
  values.forEach((v, i) => (size === 8 ? data.writeDoubleLE(v, i * 8) : data.writeFloatLE(v, i * 4)));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

/** The multi-tensor model file of the tests: every float dtype, a vector and an int tensor. */
export function smallModel() {
  return safetensors([
    { name: 'layers.0.weight', dtype: 'F32', shape: [64, 128], values: weights(64 * 128, 0.02, 1) },
    { name: 'layers.0.bias', dtype: 'F32', shape: [64], values: weights(64, 0.01, 2) },
    { name: 'layers.1.weight', dtype: 'F16', shape: [32, 64], values: weights(32 * 64, 0.05, 3) },
    { name: 'layers.2.weight', dtype: 'BF16', shape: [16, 256], values: weights(16 * 256, 0.03, 4) },
    { name: 'head.weight', dtype: 'F64', shape: [8, 64], values: weights(8 * 64, 0.1, 5) },
    { name: 'position_ids', dtype: 'I32', shape: [4], values: [0, 1, 2, 3] },
  ]);
}
