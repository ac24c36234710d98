//! The GPU context: adapter, device, the two compiled kernels, and the int8 matrix product.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};

use quantlab_core::mlp::int8::MAX_K_I32;
use wgpu::util::DeviceExt;

use crate::error::{GpuError, Result};

const DOT4_WGSL: &str = include_str!("shaders/matmul_dot4.wgsl");
const PORTABLE_WGSL: &str = include_str!("shaders/matmul_portable.wgsl");

/// Invocations along each of x (outputs) and y (rows) in a workgroup; the shaders'
/// `@workgroup_size(8, 8, 1)`.
pub const WORKGROUP_SIDE: u32 = 8;

/// Which WGSL kernel computes the int8 product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// WGSL's `dot4I8Packed` on the packed words: one built-in call per four products.
    /// Needs the adapter's `packed_4x8_integer_dot_product` language feature.
    PackedDot,
    /// Sign-extends each byte with `extractBits` and multiplies: runs on every adapter.
    Portable,
}

impl Kernel {
    /// Both kernels.
    pub const ALL: [Kernel; 2] = [Kernel::PackedDot, Kernel::Portable];

    /// A short stable id: `dot4i8packed` or `portable`.
    pub fn id(self) -> &'static str {
        match self {
            Kernel::PackedDot => "dot4i8packed",
            Kernel::Portable => "portable",
        }
    }

    /// A label for the page: `dot4I8Packed` or `portable (extractBits)`.
    pub fn label(self) -> &'static str {
        match self {
            Kernel::PackedDot => "dot4I8Packed",
            Kernel::Portable => "portable (extractBits)",
        }
    }

    /// The kernel's WGSL source.
    pub fn source(self) -> &'static str {
        match self {
            Kernel::PackedDot => DOT4_WGSL,
            Kernel::Portable => PORTABLE_WGSL,
        }
    }
}

/// What the page shows about the adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    /// The adapter's name as the driver or browser reports it (browsers may hide it; then
    /// vendor and architecture are used, or `unnamed adapter`).
    pub name: String,
    /// The backend: `Vulkan`, `WebGPU`, …
    pub backend: String,
    /// The device type: `discrete GPU`, `integrated GPU`, `CPU (software)`, …
    pub device_type: String,
    /// The driver and its version, where reported (natively).
    pub driver: String,
    /// A software rasterizer or the browser's fallback adapter (lavapipe, SwiftShader,
    /// WARP): correct, but its speed says nothing about real GPUs.
    pub is_software: bool,
    /// The WGSL language feature `packed_4x8_integer_dot_product` is reported, so the
    /// `dot4I8Packed` kernel is compiled.
    pub has_packed_dot: bool,
}

impl AdapterSummary {
    /// One line for the page: `llvmpipe (LLVM 19.1.7, 256 bits) · Vulkan · software
    /// fallback adapter — not representative of real GPUs`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} · {}", self.name, self.backend);
        if self.is_software {
            s.push_str(" · software fallback adapter — not representative of real GPUs");
        } else {
            s.push_str(" · ");
            s.push_str(&self.device_type);
        }
        s
    }
}

/// Errors the device reports outside any error scope, and the reason it was lost; kept
/// here instead of wgpu's default handler, which panics.
#[derive(Debug, Default)]
struct Health {
    uncaptured: Option<String>,
    lost: Option<String>,
}

/// An open GPU device with both int8 kernels compiled (the packed one where the adapter
/// has the feature).
///
/// Create it once with [`GpuContext::new`] and reuse it; every method returns a
/// [`GpuError`] in plain words instead of panicking.
pub struct GpuContext {
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter: AdapterSummary,
    kernel: Kernel,
    layout: wgpu::BindGroupLayout,
    packed: Option<wgpu::ComputePipeline>,
    portable: wgpu::ComputePipeline,
    health: Arc<Mutex<Health>>,
    max_binding: u64,
    max_groups: u32,
    rows_cap: Option<usize>,
}

impl fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.adapter)
            .field("kernel", &self.kernel)
            .field("max_binding", &self.max_binding)
            .field("max_groups", &self.max_groups)
            .finish_non_exhaustive()
    }
}

fn no_adapter_message(detail: &str) -> String {
    if cfg!(target_arch = "wasm32") {
        // wgpu's detail lists the native backends it was built without: noise in a browser.
        let _ = detail;
        "This browser has no WebGPU adapter (navigator.gpu is missing or requestAdapter() \
         returned nothing), so the GPU path cannot run; the CPU paths still work."
            .to_string()
    } else {
        format!(
            "No GPU adapter was found: install a Vulkan driver (on Debian, \
             mesa-vulkan-drivers and libvulkan1 give the lavapipe software driver). ({detail})"
        )
    }
}

fn backend_name(b: wgpu::Backend) -> String {
    match b {
        wgpu::Backend::Vulkan => "Vulkan".into(),
        wgpu::Backend::Metal => "Metal".into(),
        wgpu::Backend::Dx12 => "Direct3D 12".into(),
        wgpu::Backend::Gl => "OpenGL".into(),
        wgpu::Backend::BrowserWebGpu => "WebGPU".into(),
        other => format!("{other:?}"),
    }
}

fn device_type_name(t: wgpu::DeviceType) -> &'static str {
    match t {
        wgpu::DeviceType::DiscreteGpu => "discrete GPU",
        wgpu::DeviceType::IntegratedGpu => "integrated GPU",
        wgpu::DeviceType::VirtualGpu => "virtual GPU",
        wgpu::DeviceType::Cpu => "CPU (software)",
        wgpu::DeviceType::Other => "other",
    }
}

/// Software rasterizers that do not always say so in the device type: Mesa's llvmpipe and
/// lavapipe, Chromium's SwiftShader, Windows' WARP ("Microsoft Basic Render Driver").
fn is_software_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "llvmpipe",
        "lavapipe",
        "swiftshader",
        "microsoft basic render",
    ]
    .iter()
    .any(|s| n.contains(s))
}

fn lock(h: &Mutex<Health>) -> std::sync::MutexGuard<'_, Health> {
    h.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The error scopes around one piece of GPU work, popped in reverse order.
struct Scopes {
    oom: wgpu::ErrorScopeGuard,
    validation: wgpu::ErrorScopeGuard,
}

impl Scopes {
    fn push(device: &wgpu::Device) -> Scopes {
        let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        Scopes { oom, validation }
    }

    async fn pop(self) -> Result<()> {
        let Scopes { oom, validation } = self;
        let oom = oom.pop();
        let validation = validation.pop();
        if let Some(e) = oom.await {
            return Err(e.into());
        }
        if let Some(e) = validation.await {
            return Err(e.into());
        }
        Ok(())
    }
}

impl GpuContext {
    /// Finds an adapter (the browser's WebGPU, natively Vulkan), opens a device, and
    /// compiles the portable kernel and — when the adapter reports the WGSL feature
    /// `packed_4x8_integer_dot_product` — the `dot4I8Packed` kernel, which is then the one
    /// in use.
    ///
    /// Errors: [`GpuError::NoAdapter`] (in a browser: "This browser has no WebGPU
    /// adapter…"), [`GpuError::RequestDevice`], or a shader that does not compile.
    pub async fn new() -> Result<GpuContext> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions::default())
            .await
            .map_err(|e| GpuError::NoAdapter(no_adapter_message(&e.to_string())))?;
        let info = adapter.get_info();
        let has_packed_dot = instance
            .wgsl_language_features()
            .contains(wgpu::WgslLanguageFeatures::Packed4x8IntegerDotProduct);

        let supported = adapter.limits();
        let required_limits = wgpu::Limits {
            max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
            max_buffer_size: supported.max_buffer_size,
            max_compute_workgroups_per_dimension: supported.max_compute_workgroups_per_dimension,
            ..wgpu::Limits::downlevel_defaults()
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("quantlab-gpu"),
                required_limits,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::RequestDevice(e.to_string()))?;

        let health = Arc::new(Mutex::new(Health::default()));
        {
            let h = Arc::clone(&health);
            device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
                lock(&h).uncaptured.get_or_insert_with(|| e.to_string());
            }));
            let h = Arc::clone(&health);
            device.set_device_lost_callback(move |reason, message| {
                lock(&h).lost = Some(format!("{reason:?}: {message}"));
            });
        }

        let browser = crate::browser::adapter_info().await;
        let mut name = info.name.trim().to_string();
        if name.is_empty() {
            name = browser.name.clone();
        }
        let is_software = info.device_type == wgpu::DeviceType::Cpu
            || browser.is_fallback == Some(true)
            || is_software_name(&name)
            || is_software_name(&browser.name);
        let summary = AdapterSummary {
            name: if name.is_empty() {
                "unnamed adapter".into()
            } else {
                name
            },
            backend: backend_name(info.backend),
            device_type: device_type_name(info.device_type).into(),
            driver: [info.driver.trim(), info.driver_info.trim()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
            is_software,
            has_packed_dot,
        };

        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("int8 matmul"),
            entries: &[
                storage_entry(0, true),
                storage_entry(1, true),
                storage_entry(2, false),
                wgpu::BindGroupLayoutEntry {
                    binding: 3,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("int8 matmul"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let portable = compile(&device, &pipeline_layout, Kernel::Portable).await?;
        let packed = if has_packed_dot {
            Some(compile(&device, &pipeline_layout, Kernel::PackedDot).await?)
        } else {
            None
        };

        let limits = device.limits();
        Ok(GpuContext {
            device,
            queue,
            adapter: summary,
            kernel: if packed.is_some() {
                Kernel::PackedDot
            } else {
                Kernel::Portable
            },
            layout,
            packed,
            portable,
            health,
            max_binding: limits
                .max_storage_buffer_binding_size
                .min(limits.max_buffer_size),
            max_groups: limits.max_compute_workgroups_per_dimension,
            rows_cap: None,
        })
    }

    /// The adapter this context runs on.
    pub fn adapter(&self) -> &AdapterSummary {
        &self.adapter
    }

    /// The kernel [`GpuContext::matmul_i8x4`] and the model forward use.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The kernels this adapter can run (the portable one always).
    pub fn available_kernels(&self) -> Vec<Kernel> {
        Kernel::ALL
            .into_iter()
            .filter(|&k| self.pipeline(k).is_ok())
            .collect()
    }

    /// Chooses the kernel; [`GpuError::KernelUnavailable`] for the packed one on an adapter
    /// without the feature.
    pub fn set_kernel(&mut self, kernel: Kernel) -> Result<()> {
        self.pipeline(kernel)?;
        self.kernel = kernel;
        Ok(())
    }

    /// Caps the rows of one dispatch (`None`: as many as the device's limits allow).
    /// Longer batches are always split to fit the limits; a lower cap splits them more,
    /// which the tests use to check that the pieces join up.
    pub fn set_rows_per_dispatch(&mut self, rows: Option<usize>) {
        self.rows_cap = rows.map(|r| r.max(1));
    }

    fn pipeline(&self, kernel: Kernel) -> Result<&wgpu::ComputePipeline> {
        match kernel {
            Kernel::Portable => Ok(&self.portable),
            Kernel::PackedDot => self.packed.as_ref().ok_or(GpuError::KernelUnavailable),
        }
    }

    fn check_health(&self) -> Result<()> {
        let h = lock(&self.health);
        if let Some(lost) = &h.lost {
            return Err(GpuError::DeviceLost(lost.clone()));
        }
        if let Some(e) = &h.uncaptured {
            return Err(GpuError::Validation(e.clone()));
        }
        Ok(())
    }

    /// Uploads a row-packed int8 matrix `(n, k)` ([`quantlab_core::mlp::int8::pack_i8x4_rows`]:
    /// `n` rows of `⌈k/4⌉` words) once, to be the weights of many products.
    pub async fn upload_weights(&self, packed: &[u32], n: usize, k: usize) -> Result<GpuMatrix> {
        self.check_health()?;
        let kw = k.div_ceil(4);
        check_packed_len(packed.len(), n, kw, "packed weights (n, ⌈k/4⌉)")?;
        if k > MAX_K_I32 {
            return Err(GpuError::InvalidInput(format!(
                "rows of {k} values can overflow an int32 accumulator (at most {MAX_K_I32})"
            )));
        }
        let bytes = (packed.len() as u64).saturating_mul(4);
        if bytes > self.max_binding {
            return Err(GpuError::InvalidInput(format!(
                "the weights take {bytes} bytes, more than this GPU binds in one buffer ({})",
                self.max_binding
            )));
        }
        let buffer = if packed.is_empty() {
            None
        } else {
            let scopes = Scopes::push(&self.device);
            let buffer = self
                .device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("int8 weights"),
                    contents: &words_to_bytes(packed),
                    usage: wgpu::BufferUsages::STORAGE,
                });
            scopes.pop().await?;
            Some(buffer)
        };
        Ok(GpuMatrix { buffer, n, k })
    }

    /// `C = A·Wᵀ` in int32 on the GPU with the current kernel: `a` the row-packed
    /// activations `(m, ⌈k/4⌉)` words, `w` the row-packed weights `(n, ⌈k/4⌉)`; returns `C`
    /// `(m, n)` row-major, equal to [`quantlab_core::mlp::int8::matmul_i8x4_i32`].
    pub async fn matmul_i8x4(
        &self,
        a: &[u32],
        w: &[u32],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>> {
        self.matmul_i8x4_with(self.kernel, a, w, m, k, n).await
    }

    /// [`GpuContext::matmul_i8x4`] with a chosen kernel.
    pub async fn matmul_i8x4_with(
        &self,
        kernel: Kernel,
        a: &[u32],
        w: &[u32],
        m: usize,
        k: usize,
        n: usize,
    ) -> Result<Vec<i32>> {
        let weights = self.upload_weights(w, n, k).await?;
        self.matmul(kernel, a, m, &weights).await
    }

    /// `C = A·Wᵀ` against weights already on the GPU; `a` is `(m, ⌈k/4⌉)` packed words.
    /// Long batches are split into several dispatches so that no buffer passes the
    /// device's binding limit and no dispatch its workgroup-count limit.
    pub async fn matmul(
        &self,
        kernel: Kernel,
        a: &[u32],
        m: usize,
        w: &GpuMatrix,
    ) -> Result<Vec<i32>> {
        self.check_health()?;
        let pipeline = self.pipeline(kernel)?;
        let (n, kw) = (w.n, w.k.div_ceil(4));
        check_packed_len(a.len(), m, kw, "packed activations (m, ⌈k/4⌉)")?;
        let mut c = Vec::with_capacity(m.saturating_mul(n));
        let Some(w_buffer) = &w.buffer else {
            // k = 0 or n = 0: every sum is empty.
            c.resize(m * n, 0);
            return Ok(c);
        };
        if m == 0 {
            return Ok(c);
        }
        let row_bytes = (kw.max(n) as u64) * 4;
        let by_binding = usize::try_from(self.max_binding / row_bytes).unwrap_or(usize::MAX);
        let by_dispatch = self.max_groups as usize * WORKGROUP_SIDE as usize;
        let rows_per_chunk = by_binding
            .min(by_dispatch)
            .min(self.rows_cap.unwrap_or(usize::MAX));
        if rows_per_chunk == 0 {
            return Err(GpuError::InvalidInput(format!(
                "one row of {n} outputs does not fit in a GPU buffer on this device ({} bytes)",
                self.max_binding
            )));
        }
        let groups_x = u32::try_from(n.div_ceil(WORKGROUP_SIDE as usize))
            .ok()
            .filter(|&g| g <= self.max_groups)
            .ok_or_else(|| {
                GpuError::InvalidInput(format!(
                    "{n} outputs need more workgroups than this GPU dispatches ({})",
                    self.max_groups
                ))
            })?;
        for start in (0..m).step_by(rows_per_chunk) {
            let rows = rows_per_chunk.min(m - start);
            let chunk = &a[start * kw..(start + rows) * kw];
            let out = self
                .run_chunk(pipeline, chunk, rows, n, kw, w_buffer, groups_x)
                .await?;
            c.extend(out);
        }
        Ok(c)
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_chunk(
        &self,
        pipeline: &wgpu::ComputePipeline,
        a: &[u32],
        rows: usize,
        n: usize,
        kw: usize,
        w: &wgpu::Buffer,
        groups_x: u32,
    ) -> Result<Vec<i32>> {
        let to_u32 = |v: usize| {
            u32::try_from(v).map_err(|_| {
                GpuError::InvalidInput(format!("{v} is too large for a GPU index (u32)"))
            })
        };
        let shape = [to_u32(rows)?, to_u32(n)?, to_u32(kw)?, 0];
        let groups_y = to_u32(rows.div_ceil(WORKGROUP_SIDE as usize))?;
        let out_bytes = (rows * n * 4) as u64;

        let scopes = Scopes::push(&self.device);
        let a_buf = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("int8 activations"),
                contents: &words_to_bytes(a),
                usage: wgpu::BufferUsages::STORAGE,
            });
        let shape_buf = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("shape"),
                contents: &words_to_bytes(&shape),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let c_buf = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("int32 accumulators"),
            size: out_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: out_bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("int8 matmul"),
            layout: &self.layout,
            entries: &[
                buffer_entry(0, &a_buf),
                buffer_entry(1, w),
                buffer_entry(2, &c_buf),
                buffer_entry(3, &shape_buf),
            ],
        });
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("int8 matmul"),
            });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("int8 matmul"),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups(groups_x, groups_y, 1);
        }
        encoder.copy_buffer_to_buffer(&c_buf, 0, &staging, 0, out_bytes);
        self.queue.submit([encoder.finish()]);
        scopes.pop().await?;

        let bytes = self.read_back(&staging).await?;
        self.check_health()?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// Maps `staging` and copies it out: natively by waiting on the device, in the browser
    /// by awaiting the map callback (the browser drives the device).
    async fn read_back(&self, staging: &wgpu::Buffer) -> Result<Vec<u8>> {
        let (tx, rx) = futures_channel::oneshot::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            // The receiver only goes away if the caller's future was dropped.
            let _ = tx.send(r);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        match rx.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(GpuError::Readback(e.to_string())),
            Err(_) => {
                self.check_health()?;
                return Err(GpuError::Readback(
                    "the GPU dropped the request before it finished".into(),
                ));
            }
        }
        let bytes = staging
            .slice(..)
            .get_mapped_range()
            .map(|view| view.to_vec())
            .map_err(|e| GpuError::Readback(e.to_string()));
        staging.unmap();
        bytes
    }
}

/// Row-packed int8 weights `(n, k)` on the GPU ([`GpuContext::upload_weights`]).
#[derive(Debug)]
pub struct GpuMatrix {
    /// `None` when the matrix is empty (`n = 0` or `k = 0`): nothing to bind.
    buffer: Option<wgpu::Buffer>,
    n: usize,
    k: usize,
}

impl GpuMatrix {
    /// Rows (output channels).
    pub fn rows(&self) -> usize {
        self.n
    }

    /// Values per row before packing.
    pub fn cols(&self) -> usize {
        self.k
    }
}

async fn compile(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    kernel: Kernel,
) -> Result<wgpu::ComputePipeline> {
    let scopes = Scopes::push(device);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(kernel.id()),
        source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(kernel.source())),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(kernel.id()),
        layout: Some(layout),
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    scopes.pop().await.map_err(|e| {
        GpuError::Validation(format!(
            "the {} kernel did not compile: {e}",
            kernel.label()
        ))
    })?;
    Ok(pipeline)
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn buffer_entry(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

fn words_to_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn check_packed_len(len: usize, rows: usize, words: usize, what: &str) -> Result<()> {
    if rows.checked_mul(words) == Some(len) {
        Ok(())
    } else {
        Err(GpuError::InvalidInput(format!(
            "{what}: the shape [{rows}, {words}] holds {} words but {len} were given",
            rows.saturating_mul(words)
        )))
    }
}
