//! What an embed of the MLP lab can show, with the words of its builder in both languages.

use crate::widgets::embed_builder::Choice;

/// The figures of the MLP lab an embed can show (`views=`).
pub const EMBED_VIEWS: &[Choice] = &[
    ("training", "Training: status and curves"),
    ("accuracy", "Accuracy of every configuration"),
    ("pad", "The digit pad"),
    ("session", "The course's table across datasets"),
    ("confusion", "Confusion matrix"),
    ("layers", "Per-layer SNR"),
    ("int16", "The int16 accumulator demo"),
    ("throughput", "CPU throughput"),
    ("gpu", "WebGPU"),
];

/// [`EMBED_VIEWS`] in Portuguese.
pub const EMBED_VIEWS_PT: &[Choice] = &[
    ("training", "Treinamento: situação e curvas"),
    ("accuracy", "Acurácia de cada configuração"),
    ("pad", "A área de desenho de dígitos"),
    (
        "session",
        "A tabela do curso com todos os conjuntos de dados",
    ),
    ("confusion", "Matriz de confusão"),
    ("layers", "SNR por camada"),
    ("int16", "A demonstração do acumulador int16"),
    ("throughput", "Vazão na CPU"),
    ("gpu", "WebGPU"),
];

/// [`EMBED_CONTROLS`] in Portuguese.
pub const EMBED_CONTROLS_PT: &[Choice] = &[
    ("dataset", "Conjunto de dados"),
    ("hidden", "Tamanhos das camadas ocultas"),
    ("optimizer", "Otimizador"),
    ("lr", "Taxa de aprendizado"),
    ("momentum", "Momento"),
    ("epochs", "Épocas"),
    ("batch", "Lote"),
    ("seed", "Semente"),
    ("train", "Treinar"),
    ("stop", "Parar"),
];

/// The controls of the MLP lab an embed can show (`controls=`, by their test ids).
pub const EMBED_CONTROLS: &[Choice] = &[
    ("dataset", "Dataset"),
    ("hidden", "Hidden sizes"),
    ("optimizer", "Optimizer"),
    ("lr", "Learning rate"),
    ("momentum", "Momentum"),
    ("epochs", "Epochs"),
    ("batch", "Batch"),
    ("seed", "Seed"),
    ("train", "Train"),
    ("stop", "Stop"),
];
