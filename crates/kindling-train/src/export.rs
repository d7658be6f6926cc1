//! Exporting a run's weights as safetensors, for PyTorch and other tools.
//!
//! The file holds one tensor per parameter of the network's dense layers, named
//! `layers.{i}.weight` and `layers.{i}.bias`, `i` counting from 0 at the first hidden layer (the
//! last index is the output layer). The names are the same for classifiers and regressors: the
//! regressor's wrapper (`net.` in `model.bpk`) is left out. Tensors are `f32`.
//!
//! In the default [`WeightLayout::PyTorch`], `layers.{i}.weight` is `[outputs, inputs]`, as
//! PyTorch's `nn.Linear` stores it (burn-store's `BurnToPyTorchAdapter` transposes burn's
//! `[inputs, outputs]`); [`WeightLayout::Burn`] keeps burn's layout. Biases are `[outputs]`
//! either way.
//!
//! The header's metadata describes the network, so that the file can be used without
//! `config.json`; see [`export_safetensors`].

use crate::error::TrainError;
use crate::recipe::ModelKind;
use crate::run_dir::{CONFIG_FILE, write_atomic};
use crate::trained::{LoadedRun, TrainedModel, load_run};
use burn::prelude::*;
use burn::store::{
    BurnToPyTorchAdapter, ModuleAdapter, ModuleSnapshot, PathFilter, SafetensorsStore,
};
use kindling_models::{ConvNet, DenseStack, Head};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the export in a run directory, when no other is given.
pub const SAFETENSORS_FILE: &str = "model.safetensors";

/// How the dense layers' weight matrices are laid out in the exported file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WeightLayout {
    /// `[outputs, inputs]`, as PyTorch's `nn.Linear` (and Keras's transpose) stores it; the
    /// file loads into `nn.Linear` layers as it is.
    #[default]
    PyTorch,
    /// `[inputs, outputs]`, as burn's `Linear` stores it; the file loads back into burn with
    /// `SafetensorsStore` and no adapter.
    Burn,
}

impl WeightLayout {
    /// The name used on the command line and in the file's metadata.
    pub fn name(self) -> &'static str {
        match self {
            WeightLayout::PyTorch => "pytorch",
            WeightLayout::Burn => "burn",
        }
    }

    /// What `layers.{i}.weight`'s two dimensions are.
    pub fn weight_shape(self) -> &'static str {
        match self {
            WeightLayout::PyTorch => "[outputs, inputs]",
            WeightLayout::Burn => "[inputs, outputs]",
        }
    }
}

/// One tensor of an exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedTensor {
    /// Its name in the file, e.g. `layers.0.weight`.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
}

/// What [`export_safetensors`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The file written.
    pub path: PathBuf,
    /// The tensors, in layer order (each layer's weight, then its bias).
    pub tensors: Vec<ExportedTensor>,
    /// The metadata in the file's header (burn-store's `format`, `producer` and `version`
    /// included).
    pub metadata: BTreeMap<String, String>,
}

/// Loads the run in `run_dir` (its weights checked against the SHA-256 in `metrics.json`, and
/// against the architecture in `config.json`) and writes its weights to `output` as
/// safetensors, in `layout`. See the [module documentation](self) for the names.
///
/// The header's metadata, besides burn-store's `format`, `producer` and `version`:
/// `kindling_version`, `task`, `kind` (`classifier` or `regressor`), `layout` (`pytorch` or
/// `burn`), `widths` (`784,50,50,10`: the input, each hidden layer, the output),
/// `activations` (one per hidden layer: `relu,relu`), `head` (`softmax`: the outputs are
/// logits, apply softmax for probabilities; `linear`: the outputs are the predictions),
/// `features` and `target` (the input columns as a JSON array, and the target column),
/// `scaler` (JSON `{"kind", "offset", "divisor"}`: the network expects
/// `(x - offset) / divisor`, per feature; absent when the run has none) and `weights_sha256`
/// (of the `model.bpk` exported).
///
/// The file is written to a temporary name beside `output` and renamed into place, so a
/// failure leaves any earlier file as it was. `output` may not be one of the run directory's
/// own files (`model.bpk`, `config.json`, ...).
pub fn export_safetensors(
    run_dir: &Path,
    output: &Path,
    layout: WeightLayout,
    device: &Device,
) -> Result<Export, TrainError> {
    check_output(run_dir, output)?;
    let run = load_run(run_dir, device)?;
    let (export, bytes) = encode_safetensors(&run, output, layout)?;
    write_atomic(output, &bytes)?;
    Ok(export)
}

/// The safetensors file [`export_safetensors`] writes, as bytes (for standard output, say);
/// the [`Export`]'s path is `-`.
pub fn safetensors_bytes(
    run_dir: &Path,
    layout: WeightLayout,
    device: &Device,
) -> Result<(Export, Vec<u8>), TrainError> {
    let run = load_run(run_dir, device)?;
    encode_safetensors(&run, Path::new(kindling_data::stdio::STDIO), layout)
}

/// The weights of a loaded run as a safetensors file, and what it holds; `output` names it in
/// errors.
/// Whether a record path is a layer's weight or bias: the stack's `architecture` tensor (its
/// activations and head, as integers) goes to the metadata instead.
fn is_weight(path: &str, _container: &str) -> bool {
    path.starts_with("layers.")
}

fn encode_safetensors(
    run: &LoadedRun,
    output: &Path,
    layout: WeightLayout,
) -> Result<(Export, Vec<u8>), TrainError> {
    let mut metadata = metadata(run, layout)?;
    match &run.model {
        TrainedModel::Classifier(net) => {
            metadata.extend(dense_metadata(net));
            encode_module(net, is_weight, &[], metadata, output, layout)
        }
        TrainedModel::Regressor(regressor) => {
            metadata.extend(dense_metadata(&regressor.net));
            encode_module(&regressor.net, is_weight, &[], metadata, output, layout)
        }
        TrainedModel::Conv(net) => {
            metadata.extend(conv_metadata(net));
            let names: &[(&str, &str)] = match layout {
                WeightLayout::PyTorch => &TORCH_CONV_NAMES,
                WeightLayout::Burn => &[],
            };
            encode_module(&**net, |_, _| true, names, metadata, output, layout)
        }
    }
}

/// A conv net's record paths and the names of the same tensors in the reference PyTorch
/// model, an `nn.Sequential` of Conv2d(0), ReLU, MaxPool2d, Conv2d(3), ReLU, MaxPool2d,
/// Flatten, Dropout, Linear(8): its `state_dict` loads the file as it is.
const TORCH_CONV_NAMES: [(&str, &str); 3] = [("conv1.", "0."), ("conv2.", "3."), ("dense.", "8.")];

/// `name` with the first matching prefix of `names` replaced.
fn renamed(name: &str, names: &[(&str, &str)]) -> String {
    names
        .iter()
        .find_map(|(from, to)| name.strip_prefix(from).map(|rest| format!("{to}{rest}")))
        .unwrap_or_else(|| name.to_string())
}

/// The tensors of `module` that `keep` selects, named through `names`, as a safetensors file
/// with `metadata` in its header.
fn encode_module<M: Module>(
    module: &M,
    keep: fn(&str, &str) -> bool,
    names: &[(&str, &str)],
    metadata: BTreeMap<String, String>,
    output: &Path,
    layout: WeightLayout,
) -> Result<(Export, Vec<u8>), TrainError> {
    let fail = |reason: String| TrainError::Export {
        path: output.to_path_buf(),
        reason,
    };
    let to_pytorch = layout == WeightLayout::PyTorch;
    // The names and shapes the store will write (collecting reads no tensor data).
    let adapter = to_pytorch.then(|| Box::new(BurnToPyTorchAdapter) as Box<dyn ModuleAdapter>);
    let tensors = module
        .collect(Some(PathFilter::new().with_predicate(keep)), adapter, false)
        .into_iter()
        .map(|tensor| ExportedTensor {
            name: renamed(&tensor.name, names),
            shape: tensor.shape.to_vec(),
        })
        .collect();

    let mut store = SafetensorsStore::from_bytes(None).with_predicate(keep);
    for (from, to) in names {
        store = store.with_key_remapping(format!("^{}", from.replace('.', "\\.")), *to);
    }
    if to_pytorch {
        store = store.with_to_adapter(BurnToPyTorchAdapter);
    }
    for (key, value) in &metadata {
        store = store.metadata(key.clone(), value.clone());
    }
    module
        .save_into(&mut store)
        .map_err(|e| fail(e.to_string()))?;
    // Through memory and `write_atomic` rather than burn-store's own file writer, which creates
    // the file readable by its owner only.
    let bytes = store.get_bytes().map_err(|e| fail(e.to_string()))?;

    let mut all = SafetensorsStore::default_metadata()
        .into_iter()
        .collect::<BTreeMap<_, _>>();
    all.extend(metadata);
    let export = Export {
        path: output.to_path_buf(),
        tensors,
        metadata: all,
    };
    Ok((export, bytes))
}

/// Refuses an output that is a directory, has no file name, or is one of the run's own files.
fn check_output(run_dir: &Path, output: &Path) -> Result<(), TrainError> {
    let fail = |reason: &str| TrainError::Export {
        path: output.to_path_buf(),
        reason: reason.to_string(),
    };
    if output.is_dir() {
        return Err(fail(
            "is a directory; give a file name such as model.safetensors",
        ));
    }
    if output.file_name().is_none() {
        return Err(fail("not a file name; give one such as model.safetensors"));
    }
    if crate::run_dir::is_run_file(run_dir, output) {
        return Err(fail(
            "is one of the run's own files; write the export elsewhere (the default is model.safetensors in the run directory)",
        ));
    }
    Ok(())
}

/// The header's metadata every network shares (see [`export_safetensors`]).
fn metadata(run: &LoadedRun, layout: WeightLayout) -> Result<BTreeMap<String, String>, TrainError> {
    let config = &run.config;
    let json = |value: serde_json::Result<String>| {
        value.map_err(|e| TrainError::Record {
            path: run.dir.join(CONFIG_FILE),
            reason: format!("cannot describe the model ({e})"),
        })
    };
    let mut metadata = BTreeMap::from([
        (
            "kindling_version".to_string(),
            env!("CARGO_PKG_VERSION").to_string(),
        ),
        ("task".into(), config.task.clone()),
        (
            "kind".into(),
            match config.kind {
                ModelKind::Classifier => "classifier",
                ModelKind::Regressor => "regressor",
            }
            .into(),
        ),
        ("architecture".into(), config.model.name().into()),
        ("layout".into(), layout.name().into()),
        (
            "features".into(),
            json(serde_json::to_string(&config.features))?,
        ),
        ("target".into(), config.target.clone()),
        ("weights_sha256".into(), run.metrics.weights_sha256.clone()),
    ]);
    if let Some(scaler) = &config.scaler {
        metadata.insert("scaler".into(), json(serde_json::to_string(scaler))?);
    }
    Ok(metadata)
}

/// A dense stack's widths, activations and head, for the header.
fn dense_metadata(stack: &DenseStack) -> [(String, String); 3] {
    let join = |items: Vec<String>| items.join(",");
    let mut widths = vec![stack.layers[0].weight.dims()[0]];
    widths.extend(stack.layers.iter().map(|layer| layer.weight.dims()[1]));
    [
        (
            "widths".into(),
            join(widths.iter().map(usize::to_string).collect()),
        ),
        (
            "activations".into(),
            join(
                stack
                    .activations
                    .iter()
                    .map(|a| a.name().to_string())
                    .collect(),
            ),
        ),
        (
            "head".into(),
            match stack.head {
                Head::Softmax => "softmax",
                Head::Linear => "linear",
            }
            .into(),
        ),
    ]
}

/// A conv net's input shape and layers, for the header.
fn conv_metadata(net: &ConvNet) -> [(String, String); 3] {
    let [f1, _, k, _] = net.conv1.weight.dims();
    let [f2, ..] = net.conv2.weight.dims();
    let [flat, classes] = net.dense.weight.dims();
    [
        ("input_shape".into(), format!("1,{0},{0}", net.side)),
        (
            "layers".into(),
            format!(
                "conv2d(1,{f1},{k}),relu,maxpool(2),conv2d({f1},{f2},{k}),relu,maxpool(2),flatten,dropout,linear({flat},{classes})"
            ),
        ),
        ("head".into(), "softmax".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::FitOptions;
    use crate::recipe::RunConfig;
    use crate::run_dir::{METRICS_FILE, WEIGHTS_FILE};
    use crate::run_dir::{RunMetrics, save_weights, write_json};
    use burn::module::Param;
    use burn::store::PyTorchToBurnAdapter;
    use burn::tensor::Distribution;
    use kindling_data::scale::{ScaleKind, Scaler};
    use kindling_models::{Activation, DenseStackConfig, RegressionMlp};
    use safetensors::{Dtype, SafeTensors};

    /// A network of `config` with random weights and random, non-zero biases.
    fn random_stack(config: &DenseStackConfig, device: &Device) -> DenseStack {
        let mut net = config.init(device);
        for layer in &mut net.layers {
            let width = layer.weight.dims()[1];
            layer.bias = Some(Param::from_tensor(Tensor::random(
                [width],
                Distribution::Uniform(-1.0, 1.0),
                device,
            )));
        }
        net
    }

    /// Writes a run directory holding `model` (a classifier's stack or a regressor), as
    /// `kindling train` would, and returns the stack inside it.
    fn write_test_run(dir: &Path, kind: ModelKind, config: &DenseStackConfig) -> DenseStack {
        let device = Device::flex();
        let stack = random_stack(config, &device);
        let sha = match kind {
            ModelKind::Classifier => save_weights(&stack, &dir.join(WEIGHTS_FILE)),
            ModelKind::Regressor => {
                save_weights(&RegressionMlp::new(stack.clone()), &dir.join(WEIGHTS_FILE))
            }
        }
        .unwrap();
        let scaler = Scaler {
            kind: ScaleKind::Standard,
            offset: vec![0.5; config.input],
            divisor: vec![2.0; config.input],
        };
        let run_config = RunConfig {
            task: "drug".into(),
            kind,
            model: config.clone().into(),
            fit: FitOptions::default(),
            data_dir: dir.to_path_buf(),
            backend: "flex".into(),
            features: (0..config.input).map(|i| format!("x{i}")).collect(),
            target: "y".into(),
            scaler: Some(scaler),
            input_range: None,
            fill_values: Default::default(),
            encoding: None,
        };
        write_json(&dir.join(CONFIG_FILE), &run_config).unwrap();
        let metrics = RunMetrics {
            task: "drug".into(),
            backend: "flex".into(),
            engine: "fused".into(),
            device: "test".into(),
            epochs_run: 1,
            stopped_early: false,
            best_epoch: 1,
            train_loss: 1.0,
            train_accuracy: None,
            val_loss: 1.0,
            val_accuracy: None,
            test_loss: None,
            test_accuracy: None,
            seconds_per_epoch: 0.0,
            train_samples_per_second: 0.0,
            train_examples: 1,
            valid_examples: 1,
            test_examples: 0,
            parameters: config.num_params(),
            weights_sha256: sha,
            status: Default::default(),
            config_sha256: Default::default(),
            validation_scores: None,
            warnings: Vec::new(),
        };
        write_json(&dir.join(METRICS_FILE), &metrics).unwrap();
        stack
    }

    fn values(tensor: &Tensor<2>) -> Vec<f32> {
        tensor.clone().into_data().iter::<f32>().collect()
    }

    fn floats(view: &safetensors::tensor::TensorView<'_>) -> Vec<f32> {
        assert_eq!(view.dtype(), Dtype::F32);
        view.data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }

    /// `[rows, cols]` row-major → `[cols, rows]`.
    fn transpose(data: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        (0..cols)
            .flat_map(|j| (0..rows).map(move |i| data[i * cols + j]))
            .collect()
    }

    /// 5 inputs, hidden layers of 7 (ReLU) and 4 (tanh), `outputs` outputs.
    fn tabular_config(outputs: usize) -> DenseStackConfig {
        DenseStackConfig::new(
            5,
            vec![7, 4],
            vec![Activation::Relu, Activation::Tanh],
            outputs,
        )
    }

    #[test]
    fn pytorch_layout_holds_every_weight_transposed_with_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let config = tabular_config(3);
        let stack = write_test_run(dir.path(), ModelKind::Classifier, &config);
        let output = dir.path().join(SAFETENSORS_FILE);
        let export =
            export_safetensors(dir.path(), &output, WeightLayout::PyTorch, &Device::flex())
                .unwrap();

        let names: Vec<&str> = export.tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "layers.0.weight",
                "layers.0.bias",
                "layers.1.weight",
                "layers.1.bias",
                "layers.2.weight",
                "layers.2.bias"
            ]
        );
        let bytes = std::fs::read(&output).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(file.len(), 6);
        for (i, layer) in stack.layers.iter().enumerate() {
            let [inputs, outputs] = layer.weight.dims();
            let weight = file.tensor(&format!("layers.{i}.weight")).unwrap();
            assert_eq!(weight.shape(), [outputs, inputs], "layer {i}");
            assert_eq!(
                floats(&weight),
                transpose(&values(&layer.weight.val()), inputs, outputs)
            );
            let bias = file.tensor(&format!("layers.{i}.bias")).unwrap();
            assert_eq!(bias.shape(), [outputs]);
            let expected: Vec<f32> = layer
                .bias
                .as_ref()
                .unwrap()
                .val()
                .into_data()
                .iter()
                .collect();
            assert_eq!(floats(&bias), expected);
            let listed = &export.tensors[2 * i];
            assert_eq!(listed.shape, [outputs, inputs]);
        }

        let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
        let metadata = header.metadata().clone().unwrap();
        assert_eq!(metadata["layout"], "pytorch");
        assert_eq!(metadata["widths"], "5,7,4,3");
        assert_eq!(metadata["activations"], "relu,tanh");
        assert_eq!(metadata["head"], "softmax");
        assert_eq!(metadata["kind"], "classifier");
        assert_eq!(metadata["task"], "drug");
        assert_eq!(metadata["target"], "y");
        assert_eq!(metadata["kindling_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(metadata["producer"], "burn");
        let features: Vec<String> = serde_json::from_str(&metadata["features"]).unwrap();
        assert_eq!(features, ["x0", "x1", "x2", "x3", "x4"]);
        let scaler: Scaler = serde_json::from_str(&metadata["scaler"]).unwrap();
        assert_eq!(scaler.offset, vec![0.5; 5]);
        let recorded = std::fs::read_to_string(dir.path().join(METRICS_FILE)).unwrap();
        assert!(recorded.contains(&metadata["weights_sha256"]));
        let expected: BTreeMap<String, String> = metadata.into_iter().collect();
        assert_eq!(export.metadata, expected);
    }

    /// `x Wᵀ + b` layer by layer, with the exported PyTorch-layout tensors, as `nn.Linear`
    /// computes it.
    fn torch_style_forward(
        file: &SafeTensors<'_>,
        activations: &[Activation],
        x: &[f32],
    ) -> Vec<f32> {
        let mut x = x.to_vec();
        let layers = activations.len() + 1;
        for i in 0..layers {
            let weight = file.tensor(&format!("layers.{i}.weight")).unwrap();
            let [outputs, inputs] = [weight.shape()[0], weight.shape()[1]];
            let (w, b) = (
                floats(&weight),
                floats(&file.tensor(&format!("layers.{i}.bias")).unwrap()),
            );
            x = (0..outputs)
                .map(|o| {
                    let z = b[o] + (0..inputs).map(|k| w[o * inputs + k] * x[k]).sum::<f32>();
                    match activations.get(i) {
                        Some(Activation::Relu) => z.max(0.0),
                        Some(Activation::Tanh) => z.tanh(),
                        Some(Activation::Sigmoid) => 1.0 / (1.0 + (-z).exp()),
                        Some(Activation::Identity) | None => z,
                    }
                })
                .collect();
        }
        x
    }

    #[test]
    fn pytorch_layout_computes_what_the_model_computes() {
        let dir = tempfile::tempdir().unwrap();
        let config = tabular_config(3);
        let stack = write_test_run(dir.path(), ModelKind::Classifier, &config);
        let output = dir.path().join("out/torch.safetensors");
        export_safetensors(dir.path(), &output, WeightLayout::PyTorch, &Device::flex()).unwrap();
        let bytes = std::fs::read(&output).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let device = Device::flex();
        let x = Tensor::<2>::random([4, 5], Distribution::Uniform(-2.0, 2.0), &device);
        let expected = values(&stack.forward(x.clone()));
        let rows = values(&x);
        for (row, logits) in rows.chunks(5).zip(expected.chunks(3)) {
            let got = torch_style_forward(&file, &config.activations, row);
            for (a, b) in got.iter().zip(logits) {
                assert!((a - b).abs() < 1e-5, "{got:?} vs {logits:?}");
            }
        }
    }

    #[test]
    fn regressor_names_drop_the_wrapper_and_both_layouts_load_back_into_burn() {
        let dir = tempfile::tempdir().unwrap();
        let config = tabular_config(1).with_head(Head::Linear);
        let stack = write_test_run(dir.path(), ModelKind::Regressor, &config);
        let device = Device::flex();
        let x = Tensor::<2>::random([3, 5], Distribution::Default, &device);
        let expected = values(&stack.forward(x.clone()));

        let burn_file = dir.path().join("burn.safetensors");
        let export =
            export_safetensors(dir.path(), &burn_file, WeightLayout::Burn, &device).unwrap();
        assert!(export.tensors.iter().all(|t| t.name.starts_with("layers.")));
        assert_eq!(export.tensors[0].shape, [5, 7]);
        assert_eq!(export.metadata["head"], "linear");
        assert_eq!(export.metadata["kind"], "regressor");
        let bytes = std::fs::read(&burn_file).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(
            floats(&file.tensor("layers.1.weight").unwrap()),
            values(&stack.layers[1].weight.val())
        );
        // The export holds the layers only (the activations and head are in its metadata), so
        // the stack's `architecture` tensor keeps the value `config` gives it.
        let mut fresh = config.init(&device);
        fresh
            .load_from(&mut SafetensorsStore::from_file(&burn_file).allow_partial(true))
            .unwrap();
        assert_eq!(values(&fresh.forward(x.clone())), expected);

        let torch_file = dir.path().join("torch.safetensors");
        export_safetensors(dir.path(), &torch_file, WeightLayout::PyTorch, &device).unwrap();
        let mut fresh = config.init(&device);
        fresh
            .load_from(
                &mut SafetensorsStore::from_file(&torch_file)
                    .with_from_adapter(PyTorchToBurnAdapter)
                    .allow_partial(true),
            )
            .unwrap();
        assert_eq!(values(&fresh.forward(x)), expected);
    }

    #[test]
    fn refuses_tampered_weights_and_the_run_files_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        write_test_run(dir.path(), ModelKind::Classifier, &tabular_config(3));
        let weights = dir.path().join(WEIGHTS_FILE);
        let original = std::fs::read(&weights).unwrap();
        let device = Device::flex();

        for name in [WEIGHTS_FILE, CONFIG_FILE, METRICS_FILE] {
            let err = export_safetensors(
                dir.path(),
                &dir.path().join(name),
                WeightLayout::PyTorch,
                &device,
            )
            .unwrap_err();
            assert!(matches!(err, TrainError::Export { .. }), "{err}");
            assert!(
                err.to_string().contains("one of the run's own files"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read(&weights).unwrap(), original);
        let err =
            export_safetensors(dir.path(), dir.path(), WeightLayout::PyTorch, &device).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");

        let mut tampered = original.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        std::fs::write(&weights, &tampered).unwrap();
        let output = dir.path().join(SAFETENSORS_FILE);
        let err =
            export_safetensors(dir.path(), &output, WeightLayout::PyTorch, &device).unwrap_err();
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
        assert!(!output.exists());
    }
}
