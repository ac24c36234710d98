// C = A·Wᵀ in int32 on int8 values packed four to a u32 word, without any language
// extension: each byte is sign-extended with `extractBits` on an i32 (which replicates the
// top bit of the field), multiplied and summed in the same order as the packed kernel.
//
// Layout (quantlab_core::mlp::int8::pack_i8x4_rows): value 4w + b of a row is byte b
// (bits 8b..8b+8, two's complement) of word w; a row of k values takes kw = ⌈k/4⌉ words,
// zero-padded, so padding adds nothing to a sum.
//   a: (m, kw) activations    w: (n, kw) weights, one row per output channel
//   c: (m, n) int32, c[i·n + j] = Σ_t Σ_b byte_b(a[i·kw + t]) · byte_b(w[j·kw + t])
// One invocation per output; x runs over the n outputs, y over the m rows.

struct Shape {
    m: u32,
    n: u32,
    kw: u32,
    unused: u32,
}

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> c: array<i32>;
@group(0) @binding(3) var<uniform> shape: Shape;

// The dot product of the four signed bytes of x and y (the reference for dot4I8Packed).
fn dot4_unpacked(x: u32, y: u32) -> i32 {
    let xs = bitcast<i32>(x);
    let ys = bitcast<i32>(y);
    return extractBits(xs, 0u, 8u) * extractBits(ys, 0u, 8u)
        + extractBits(xs, 8u, 8u) * extractBits(ys, 8u, 8u)
        + extractBits(xs, 16u, 8u) * extractBits(ys, 16u, 8u)
        + extractBits(xs, 24u, 8u) * extractBits(ys, 24u, 8u);
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let j = gid.x;
    let i = gid.y;
    if (i >= shape.m || j >= shape.n) {
        return;
    }
    let ar = i * shape.kw;
    let wr = j * shape.kw;
    var acc = 0i;
    for (var t = 0u; t < shape.kw; t++) {
        acc += dot4_unpacked(a[ar + t], w[wr + t]);
    }
    c[i * shape.n + j] = acc;
}
