//! Training an [`Mlp`]: mini-batch gradient descent on the softmax cross-entropy, in chunks.
//!
//! **Gradients** (backpropagation, for a batch of `B` samples):
//!
//! ```text
//! δ_L = (softmax(z_L) − onehot(y)) / B
//! ∂W_l = δ_lᵀ · a_{l−1},   ∂b_l = Σ_i δ_l[i],   δ_{l−1} = (δ_l · W_l) ⊙ [z_{l−1} > 0]
//! ```
//!
//! plus `λ·W` for the weights when `weight_decay = λ > 0` (L2; biases are not decayed).
//!
//! **Optimizers**, with learning rate `η` and the gradient `g` of a parameter `θ`:
//!
//! ```text
//! SGD with momentum μ:   v ← μ·v + g,   θ ← θ − η·v                 (PyTorch's form)
//! Adam (β1, β2, ε):      m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
//!                        θ ← θ − η·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
//! ```
//!
//! **Determinism.** One ChaCha8 generator seeded with [`TrainConfig::seed`] draws the He
//! initial weights, then one Fisher–Yates shuffle of the training set at the start of every
//! epoch. An epoch is `⌈n/B⌉` batches in that order (the last one may be smaller). Nothing
//! else is random, and how the work is cut into [`Trainer::step_batches`] calls changes
//! nothing: the same seed gives the same weights bit for bit.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::net::{Mlp, accuracy_of, argmax_rows, cross_entropy, relu_in_place};
use crate::dataset::{Dataset, DatasetId};
use crate::error::{QuantError, Result};

/// Which update rule [`Trainer`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// Stochastic gradient descent with (heavy-ball) momentum.
    Sgd,
    /// Adam (Kingma & Ba, 2015) with bias correction.
    #[default]
    Adam,
}

/// How the learning rate changes over the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// `η_t = η` throughout.
    Constant,
    /// Cosine decay to zero over all the run's batches: `η_t = η·(1 + cos(π·t/T))/2`, with
    /// `t` the batches done before this one and `T = epochs·⌈n/B⌉`.
    #[default]
    Cosine,
}

/// Everything that decides a training run: architecture, optimizer, schedule, seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainConfig {
    /// Widths of the hidden layers (may be empty: a linear softmax classifier).
    pub hidden: Vec<usize>,
    /// The update rule.
    pub optimizer: OptimizerKind,
    /// The learning rate `η`.
    pub learning_rate: f32,
    /// SGD's momentum `μ` (ignored by Adam).
    pub momentum: f32,
    /// Adam's `β1`.
    pub beta1: f32,
    /// Adam's `β2`.
    pub beta2: f32,
    /// Adam's `ε`.
    pub epsilon: f32,
    /// L2 weight decay `λ` on the weights (not the biases).
    pub weight_decay: f32,
    /// The learning-rate schedule.
    pub schedule: Schedule,
    /// Data augmentation for image sets: each training image is moved by a random whole
    /// number of pixels in `[−s, s]` along each axis every time it is drawn (0 = off;
    /// ignored for tabular data).
    pub augment_shift: u32,
    /// Samples per mini-batch `B`.
    pub batch_size: usize,
    /// Epochs to train.
    pub epochs: usize,
    /// The seed of the initial weights and of the shuffles.
    pub seed: u64,
}

impl Default for TrainConfig {
    /// One hidden layer of 64, Adam (η = 0.001, β = 0.9/0.999, ε = 1e−8), batches of 32,
    /// 20 epochs, seed 0.
    fn default() -> Self {
        TrainConfig {
            hidden: vec![64],
            optimizer: OptimizerKind::Adam,
            learning_rate: 1e-3,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            schedule: Schedule::Cosine,
            augment_shift: 0,
            batch_size: 32,
            epochs: 20,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// The default settings for a built-in dataset (all with the cosine schedule and seed 0;
    /// the accuracies they reach are in `tests/mlp_accuracy.rs`):
    ///
    /// | dataset | hidden | optimizer | η | B | epochs | shift |
    /// |---|---|---|---|---|---|---|
    /// | iris | 16 | Adam | 0.01 | 16 | 30 | – |
    /// | wine | 32 | Adam | 0.01 | 16 | 40 | – |
    /// | breast-cancer | 32 | Adam | 0.003 | 32 | 40 | – |
    /// | digits | 64 | Adam | 0.003 | 32 | 30 | – |
    /// | mnist | 128 | SGD, μ = 0.9 | 0.05 | 64 | 10 | 1 px |
    /// | fashion-mnist | 128 | SGD, μ = 0.9 | 0.05 | 64 | 12 | – |
    ///
    /// The MNIST subset has only 10,000 training images, and a plain MLP memorises them
    /// (≈ 94.5 % test accuracy); moving each image by up to one pixel every time it is drawn
    /// lifts that to ≈ 96.5 %.
    pub fn for_dataset(id: DatasetId) -> TrainConfig {
        let (hidden, optimizer, learning_rate, batch_size, epochs, augment_shift) = match id {
            DatasetId::Iris => (16, OptimizerKind::Adam, 1e-2, 16, 30, 0),
            DatasetId::Wine => (32, OptimizerKind::Adam, 1e-2, 16, 40, 0),
            DatasetId::BreastCancer => (32, OptimizerKind::Adam, 3e-3, 32, 40, 0),
            DatasetId::Digits => (64, OptimizerKind::Adam, 3e-3, 32, 30, 0),
            DatasetId::Mnist => (128, OptimizerKind::Sgd, 5e-2, 64, 10, 1),
            DatasetId::FashionMnist => (128, OptimizerKind::Sgd, 5e-2, 64, 12, 0),
        };
        TrainConfig {
            hidden: vec![hidden],
            optimizer,
            learning_rate,
            batch_size,
            epochs,
            augment_shift,
            ..TrainConfig::default()
        }
    }

    /// Checks the settings without looking at data.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(QuantError::InvalidParameter(m));
        if self.batch_size == 0 {
            return bad("the batch size must be at least 1".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "the learning rate must be a positive number, not {}",
                self.learning_rate
            ));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return bad(format!(
                "the momentum must lie in [0, 1), not {}",
                self.momentum
            ));
        }
        if !(0.0..1.0).contains(&self.beta1) || !(0.0..1.0).contains(&self.beta2) {
            return bad(format!(
                "Adam's β1 and β2 must lie in [0, 1), not {} and {}",
                self.beta1, self.beta2
            ));
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return bad(format!("Adam's ε must be positive, not {}", self.epsilon));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "the weight decay must be 0 or more, not {}",
                self.weight_decay
            ));
        }
        if let Some(&h) = self.hidden.iter().find(|&&h| h == 0 || h > 4096) {
            return bad(format!("a hidden layer needs 1 to 4,096 units, not {h}"));
        }
        Ok(())
    }
}

/// The figures of one finished epoch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// The epoch, counting from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (each batch's mean, weighted by its size;
    /// measured while the weights were changing).
    pub train_loss: f32,
    /// Training accuracy over the epoch, measured the same way.
    pub train_accuracy: f32,
    /// Test loss after the epoch, when the trainer has a test set.
    pub test_loss: Option<f32>,
    /// Test accuracy after the epoch, when the trainer has a test set.
    pub test_accuracy: Option<f32>,
}

/// What one [`Trainer::step_batches`] call did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Batches run in this call (0 once training is done).
    pub batches: usize,
    /// Mean loss over the samples of those batches (0 if none ran).
    pub loss: f32,
    /// Accuracy over the samples of those batches, before each batch's update.
    pub accuracy: f32,
    /// The epochs that finished during this call.
    pub finished: Vec<EpochStats>,
    /// Whether all [`TrainConfig::epochs`] are done.
    pub done: bool,
}

/// Optimizer state of one parameter tensor.
#[derive(Debug, Clone)]
struct Moments {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Moments {
    fn new(len: usize, adam: bool) -> Moments {
        Moments {
            m: vec![0.0; len],
            v: if adam { vec![0.0; len] } else { Vec::new() },
        }
    }
}

/// Trains an [`Mlp`] on a dataset in chunks (see the module docs).
///
/// ```text
/// let mut t = Trainer::new(config, split.train, Some(split.test))?;
/// while !t.is_done() { let r = t.step_batches(20)?; /* draw r.loss, yield to the page */ }
/// let model = t.model();
/// ```
#[derive(Debug, Clone)]
pub struct Trainer {
    config: TrainConfig,
    model: Mlp,
    train: Dataset,
    test: Option<Dataset>,
    rng: ChaCha8Rng,
    order: Vec<usize>,
    cursor: usize,
    epoch: usize,
    step: u64,
    weight_state: Vec<Moments>,
    bias_state: Vec<Moments>,
    epoch_loss: f64,
    epoch_right: usize,
    epoch_seen: usize,
    history: Vec<EpochStats>,
}

impl Trainer {
    /// A trainer for `train` (and, optionally, a `test` set measured after every epoch), with
    /// a freshly initialised network `[d, hidden…, classes]`.
    ///
    /// Errors: invalid settings, or a test set whose features or classes differ from the
    /// training set's.
    pub fn new(config: TrainConfig, train: Dataset, test: Option<Dataset>) -> Result<Trainer> {
        config.validate()?;
        train.validate()?;
        if let Some(t) = &test {
            t.validate()?;
        }
        if let Some(t) = &test
            && (t.d != train.d || t.classes != train.classes)
        {
            return Err(QuantError::InvalidParameter(format!(
                "the test set has {} features and {} classes but the training set {} and {}",
                t.d, t.classes, train.d, train.classes
            )));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut dims = vec![train.d];
        dims.extend(&config.hidden);
        dims.push(train.classes);
        let model = Mlp::new(&dims, &mut rng)?;
        let adam = config.optimizer == OptimizerKind::Adam;
        let weight_state = model
            .layers
            .iter()
            .map(|l| Moments::new(l.weight.len(), adam))
            .collect();
        let bias_state = model
            .layers
            .iter()
            .map(|l| Moments::new(l.bias.len(), adam))
            .collect();
        Ok(Trainer {
            order: (0..train.n).collect(),
            config,
            model,
            train,
            test,
            rng,
            cursor: 0,
            epoch: 0,
            step: 0,
            weight_state,
            bias_state,
            epoch_loss: 0.0,
            epoch_right: 0,
            epoch_seen: 0,
            history: Vec::new(),
        })
    }

    /// The network as trained so far.
    pub fn model(&self) -> &Mlp {
        &self.model
    }

    /// The network, consuming the trainer.
    pub fn into_model(self) -> Mlp {
        self.model
    }

    /// The settings.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The training set.
    pub fn train_set(&self) -> &Dataset {
        &self.train
    }

    /// The test set, if any.
    pub fn test_set(&self) -> Option<&Dataset> {
        self.test.as_ref()
    }

    /// Every finished epoch's figures, in order.
    pub fn history(&self) -> &[EpochStats] {
        &self.history
    }

    /// Epochs finished.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }

    /// Batches in one epoch, `⌈n/B⌉`.
    pub fn batches_per_epoch(&self) -> usize {
        self.train.n.div_ceil(self.config.batch_size)
    }

    /// Share of the whole run done, in `[0, 1]`.
    pub fn progress(&self) -> f32 {
        let total = self.config.epochs * self.batches_per_epoch();
        if total == 0 {
            return 1.0;
        }
        let done = self.history.len() * self.batches_per_epoch()
            + self.cursor.div_ceil(self.config.batch_size);
        (done as f32 / total as f32).min(1.0)
    }

    /// Whether all epochs are done.
    pub fn is_done(&self) -> bool {
        self.history.len() >= self.config.epochs
    }

    /// The learning rate the next batch uses ([`Schedule`]).
    pub fn learning_rate_now(&self) -> f32 {
        match self.config.schedule {
            Schedule::Constant => self.config.learning_rate,
            Schedule::Cosine => {
                let total = (self.config.epochs * self.batches_per_epoch()).max(1) as f64;
                let t = (self.step as f64 / total).min(1.0);
                (f64::from(self.config.learning_rate)
                    * 0.5
                    * (1.0 + (std::f64::consts::PI * t).cos())) as f32
            }
        }
    }

    /// Runs up to `k` mini-batches (fewer when the last epoch ends first), crossing epoch
    /// boundaries as needed.
    pub fn step_batches(&mut self, k: usize) -> Result<StepReport> {
        let mut report = StepReport {
            batches: 0,
            loss: 0.0,
            accuracy: 0.0,
            finished: Vec::new(),
            done: self.is_done(),
        };
        let (mut loss_sum, mut right, mut seen) = (0.0f64, 0usize, 0usize);
        while report.batches < k && !self.is_done() {
            if self.cursor == 0 {
                self.order.shuffle(&mut self.rng);
            }
            let end = (self.cursor + self.config.batch_size).min(self.train.n);
            let batch: Vec<usize> = self.order[self.cursor..end].to_vec();
            let (loss, ok) = self.train_batch(&batch)?;
            self.cursor = end;
            report.batches += 1;
            loss_sum += f64::from(loss) * batch.len() as f64;
            right += ok;
            seen += batch.len();
            self.epoch_loss += f64::from(loss) * batch.len() as f64;
            self.epoch_right += ok;
            self.epoch_seen += batch.len();
            if self.cursor >= self.train.n {
                report.finished.push(self.finish_epoch()?);
            }
        }
        if seen > 0 {
            report.loss = (loss_sum / seen as f64) as f32;
            report.accuracy = right as f32 / seen as f32;
        }
        report.done = self.is_done();
        Ok(report)
    }

    /// Runs the rest of the current epoch (a whole epoch when called at a boundary) and
    /// returns its figures; `None` when training is already done.
    pub fn step_epoch(&mut self) -> Result<Option<EpochStats>> {
        if self.is_done() {
            return Ok(None);
        }
        let left = self.batches_per_epoch() - self.cursor.div_ceil(self.config.batch_size);
        let r = self.step_batches(left.max(1))?;
        Ok(r.finished.last().copied())
    }

    /// Trains until all epochs are done; returns the whole history.
    pub fn run(&mut self) -> Result<&[EpochStats]> {
        while !self.is_done() {
            self.step_epoch()?;
        }
        Ok(&self.history)
    }

    fn finish_epoch(&mut self) -> Result<EpochStats> {
        self.cursor = 0;
        self.epoch += 1;
        let seen = self.epoch_seen.max(1) as f64;
        let (test_loss, test_accuracy) = match &self.test {
            Some(t) => {
                let logits = self.model.forward(&t.features, t.n)?;
                let loss = cross_entropy(&logits, &t.labels, t.classes);
                let acc = accuracy_of(&argmax_rows(&logits, t.classes), &t.labels);
                (Some(loss), Some(acc))
            }
            None => (None, None),
        };
        let stats = EpochStats {
            epoch: self.epoch,
            train_loss: (self.epoch_loss / seen) as f32,
            train_accuracy: (self.epoch_right as f64 / seen) as f32,
            test_loss,
            test_accuracy,
        };
        self.epoch_loss = 0.0;
        self.epoch_right = 0;
        self.epoch_seen = 0;
        self.history.push(stats);
        Ok(stats)
    }

    /// One forward/backward pass and update on the samples `batch`; returns the batch's
    /// mean loss and how many it classified right (before the update).
    fn train_batch(&mut self, batch: &[usize]) -> Result<(f32, usize)> {
        let b = batch.len();
        let d = self.train.d;
        let c = self.train.classes;
        let mut x = Vec::with_capacity(b * d);
        let mut y = Vec::with_capacity(b);
        let shift = self.config.augment_shift as usize;
        let image = self.train.image.filter(|&(r, c)| shift > 0 && r * c == d);
        for &i in batch {
            let sample = &self.train.features[i * d..(i + 1) * d];
            match image {
                Some((rows, cols)) => {
                    let span = 2 * shift as i64 + 1;
                    let dy = self.rng.random_range(0..span) - shift as i64;
                    let dx = self.rng.random_range(0..span) - shift as i64;
                    shift_image(sample, rows, cols, dy, dx, &mut x);
                }
                None => x.extend_from_slice(sample),
            }
            y.push(self.train.labels[i]);
        }
        // Forward, keeping every layer's input a_{l−1} (post-ReLU).
        let nl = self.model.layers.len();
        let mut inputs: Vec<Vec<f32>> = Vec::with_capacity(nl);
        let mut a = x;
        for (l, layer) in self.model.layers.iter().enumerate() {
            let mut z = layer.forward(&a, b);
            if l + 1 < nl {
                relu_in_place(&mut z);
            }
            inputs.push(a);
            a = z;
        }
        let logits = a;
        let loss = cross_entropy(&logits, &y, c);
        let right = argmax_rows(&logits, c)
            .iter()
            .zip(&y)
            .filter(|(p, t)| p == t)
            .count();
        // δ_L = (softmax − onehot)/B.
        let mut delta = logits;
        let inv_b = 1.0 / b as f32;
        for (row, &t) in delta.chunks_exact_mut(c).zip(&y) {
            let m = row.iter().fold(f32::NEG_INFINITY, |acc, &v| acc.max(v));
            let mut sum = 0.0f32;
            for v in row.iter_mut() {
                *v = (*v - m).exp();
                sum += *v;
            }
            for v in row.iter_mut() {
                *v = *v / sum * inv_b;
            }
            row[usize::from(t)] -= inv_b;
        }
        // Backward, last layer first.
        let lr = self.learning_rate_now();
        self.step += 1;
        for l in (0..nl).rev() {
            let layer = &self.model.layers[l];
            let (in_dim, out_dim) = (layer.in_dim, layer.out_dim);
            let a_prev = &inputs[l];
            let mut gw = vec![0.0f32; out_dim * in_dim];
            let mut gb = vec![0.0f32; out_dim];
            for (di, ai) in delta.chunks_exact(out_dim).zip(a_prev.chunks_exact(in_dim)) {
                for (j, &g) in di.iter().enumerate() {
                    if g != 0.0 {
                        gb[j] += g;
                        axpy(g, ai, &mut gw[j * in_dim..(j + 1) * in_dim]);
                    }
                }
            }
            // δ_{l−1} = (δ_l·W_l) ⊙ [a_{l−1} > 0], before W_l changes.
            let next_delta = if l > 0 {
                let mut nd = vec![0.0f32; b * in_dim];
                for ((di, ndi), ai) in delta
                    .chunks_exact(out_dim)
                    .zip(nd.chunks_exact_mut(in_dim))
                    .zip(a_prev.chunks_exact(in_dim))
                {
                    for (j, &g) in di.iter().enumerate() {
                        if g != 0.0 {
                            axpy(g, layer.row(j), ndi);
                        }
                    }
                    for (v, &act) in ndi.iter_mut().zip(ai) {
                        if act <= 0.0 {
                            *v = 0.0;
                        }
                    }
                }
                Some(nd)
            } else {
                None
            };
            let cfg = &self.config;
            let layer = &mut self.model.layers[l];
            if cfg.weight_decay > 0.0 {
                axpy(cfg.weight_decay, &layer.weight, &mut gw);
            }
            update(
                cfg,
                lr,
                self.step,
                &mut layer.weight,
                &gw,
                &mut self.weight_state[l],
            );
            update(
                cfg,
                lr,
                self.step,
                &mut layer.bias,
                &gb,
                &mut self.bias_state[l],
            );
            if let Some(nd) = next_delta {
                delta = nd;
            }
        }
        if !loss.is_finite()
            || self
                .model
                .layers
                .iter()
                .any(|l| l.weight.iter().any(|w| !w.is_finite()))
        {
            return Err(QuantError::InvalidParameter(format!(
                "training diverged (loss {loss}): lower the learning rate"
            )));
        }
        Ok((loss, right))
    }
}

/// Appends `img` `(rows, cols)` moved down by `dy` and right by `dx` pixels to `out`; pixels
/// shifted in from outside take the image's smallest value (its background).
fn shift_image(img: &[f32], rows: usize, cols: usize, dy: i64, dx: i64, out: &mut Vec<f32>) {
    let fill = img.iter().fold(f32::INFINITY, |m, &v| m.min(v));
    for r in 0..rows as i64 {
        for c in 0..cols as i64 {
            let (sr, sc) = (r - dy, c - dx);
            out.push(
                if (0..rows as i64).contains(&sr) && (0..cols as i64).contains(&sc) {
                    img[sr as usize * cols + sc as usize]
                } else {
                    fill
                },
            );
        }
    }
}

/// `y ← y + α·x`.
#[inline]
fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yv, &xv) in y.iter_mut().zip(x) {
        *yv += alpha * xv;
    }
}

/// One optimizer step on `theta` with gradient `g` (see the module docs).
fn update(cfg: &TrainConfig, lr: f32, step: u64, theta: &mut [f32], g: &[f32], s: &mut Moments) {
    match cfg.optimizer {
        OptimizerKind::Sgd => {
            let mu = cfg.momentum;
            for ((p, &gv), v) in theta.iter_mut().zip(g).zip(s.m.iter_mut()) {
                *v = mu * *v + gv;
                *p -= lr * *v;
            }
        }
        OptimizerKind::Adam => {
            let (b1, b2, eps) = (cfg.beta1, cfg.beta2, cfg.epsilon);
            let t = step.min(i32::MAX as u64) as i32;
            let c1 = 1.0 - b1.powi(t);
            let c2 = 1.0 - b2.powi(t);
            for (((p, &gv), m), v) in theta
                .iter_mut()
                .zip(g)
                .zip(s.m.iter_mut())
                .zip(s.v.iter_mut())
            {
                *m = b1 * *m + (1.0 - b1) * gv;
                *v = b2 * *v + (1.0 - b2) * gv * gv;
                *p -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
            }
        }
    }
}

/// Finite-difference check helper: the mean loss of `model` on `(x, y)`.
#[cfg(test)]
fn loss_of(model: &Mlp, x: &[f32], y: &[u8], m: usize) -> f32 {
    cross_entropy(&model.forward(x, m).unwrap(), y, model.out_dim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs(n: usize, seed: u64) -> Dataset {
        // Three well separated Gaussian-ish blobs in 2-D, deterministic.
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut f = Vec::new();
        let mut l = Vec::new();
        for i in 0..n {
            let c = (i % 3) as u8;
            let (cx, cy) = [(0.0, 2.0), (2.0, -1.0), (-2.0, -1.0)][usize::from(c)];
            let jitter = |r: &mut ChaCha8Rng| rand::Rng::random_range(r, -0.5f32..0.5);
            f.push(cx + jitter(&mut rng));
            f.push(cy + jitter(&mut rng));
            l.push(c);
        }
        Dataset::new("blobs", f, l, 2, vec!["a".into(), "b".into(), "c".into()]).unwrap()
    }

    fn small_config(opt: OptimizerKind) -> TrainConfig {
        TrainConfig {
            hidden: vec![8],
            optimizer: opt,
            learning_rate: if opt == OptimizerKind::Adam {
                0.02
            } else {
                0.05
            },
            batch_size: 10,
            epochs: 15,
            seed: 5,
            ..TrainConfig::default()
        }
    }

    #[test]
    fn both_optimizers_learn_separable_blobs() {
        for opt in [OptimizerKind::Sgd, OptimizerKind::Adam] {
            let mut t = Trainer::new(small_config(opt), blobs(90, 1), Some(blobs(30, 2))).unwrap();
            t.run().unwrap();
            let h = t.history();
            assert_eq!(h.len(), 15);
            assert!(h[14].train_loss < h[0].train_loss, "{opt:?}: {h:?}");
            assert_eq!(h[14].test_accuracy, Some(1.0), "{opt:?}");
        }
    }

    #[test]
    fn chunked_training_gives_the_same_weights_as_one_run() {
        let cfg = small_config(OptimizerKind::Adam);
        let mut whole = Trainer::new(cfg.clone(), blobs(95, 1), None).unwrap();
        whole.run().unwrap();
        let mut chunked = Trainer::new(cfg, blobs(95, 1), None).unwrap();
        let mut calls = 0;
        while !chunked.is_done() {
            chunked.step_batches(3).unwrap();
            calls += 1;
        }
        assert!(calls > 15);
        assert_eq!(chunked.model(), whole.model());
        assert_eq!(chunked.history(), whole.history());
        assert_eq!(chunked.progress(), 1.0);
        let r = chunked.step_batches(5).unwrap();
        assert_eq!((r.batches, r.done), (0, true));
        assert_eq!(chunked.step_epoch().unwrap(), None);
    }

    #[test]
    fn backprop_matches_finite_differences() {
        // Take one SGD step with lr = ε and no momentum: Δθ = −ε·g.
        let data = blobs(6, 3);
        let cfg = TrainConfig {
            hidden: vec![5, 4],
            optimizer: OptimizerKind::Sgd,
            learning_rate: 1e-3,
            momentum: 0.0,
            batch_size: 6,
            epochs: 1,
            seed: 9,
            ..TrainConfig::default()
        };
        let mut t = Trainer::new(cfg, data.clone(), None).unwrap();
        let before = t.model().clone();
        let batch: Vec<usize> = (0..6).collect();
        t.train_batch(&batch).unwrap();
        let after = t.model().clone();
        for l in 0..before.layers.len() {
            for k in [0usize, 3, 7] {
                let k = k % before.layers[l].weight.len();
                let g = (before.layers[l].weight[k] - after.layers[l].weight[k]) / 1e-3;
                let h = 1e-2f32;
                let mut plus = before.clone();
                plus.layers[l].weight[k] += h;
                let mut minus = before.clone();
                minus.layers[l].weight[k] -= h;
                let fd = (loss_of(&plus, &data.features, &data.labels, 6)
                    - loss_of(&minus, &data.features, &data.labels, 6))
                    / (2.0 * h);
                assert!(
                    (g - fd).abs() < 2e-3 + 0.02 * fd.abs(),
                    "layer {l} w{k}: {g} vs {fd}"
                );
            }
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        let data = blobs(9, 0);
        for cfg in [
            TrainConfig {
                batch_size: 0,
                ..TrainConfig::default()
            },
            TrainConfig {
                learning_rate: 0.0,
                ..TrainConfig::default()
            },
            TrainConfig {
                learning_rate: f32::NAN,
                ..TrainConfig::default()
            },
            TrainConfig {
                momentum: 1.0,
                ..TrainConfig::default()
            },
            TrainConfig {
                hidden: vec![0],
                ..TrainConfig::default()
            },
        ] {
            assert!(Trainer::new(cfg, data.clone(), None).is_err());
        }
        let other = Dataset::new("x", vec![0.0; 3], vec![0], 3, vec!["a".into()]).unwrap();
        assert!(Trainer::new(TrainConfig::default(), data, Some(other)).is_err());
    }

    #[test]
    fn a_huge_learning_rate_reports_divergence_instead_of_nan_weights() {
        let cfg = TrainConfig {
            optimizer: OptimizerKind::Sgd,
            learning_rate: 1e30,
            ..small_config(OptimizerKind::Sgd)
        };
        let mut t = Trainer::new(cfg, blobs(30, 1), None).unwrap();
        let e = t.run().unwrap_err();
        assert!(e.to_string().contains("diverged"), "{e}");
    }
}
