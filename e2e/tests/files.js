// Small files built in the test, byte by byte, so uploads use real formats.

/** A mono or stereo PCM WAV with 16-bit samples (values in [−1, 1]). */
export function wav16(samples, { rate = 8000, channels = 1 } = {}) {
  const frames = samples.length / channels;
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * channels * 2, 28); h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  void frames;
  return Buffer.concat([h, data]);
}

/** A little-endian float32 .npy file (format version 1.0). */
export function npyF32(values, shape = [values.length]) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1'); pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

/** A sine of n samples. */
export function sine(n, cycles = 5, amp = 0.8) {
  return Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * cycles * i) / n));
}
