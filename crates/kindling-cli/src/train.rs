//! `kindling train`.

use crate::backend;
use crate::csv_args::CsvArgs;
use crate::experiment_setup::{self, check_widths, fetch_data_dir, out_dir};
use crate::kit_args::KitArgs;
use crate::shared_args::{IoArgs, SplitArgs, VALIDATION_SPLIT};
use anyhow::{Context, Result};
use clap::Args;
use kindling_data::scale::ScaleKind;
use kindling_models::{Activation, ConvNetConfig, DenseStackConfig, DigitNetConfig, WeightInit};
use kindling_train::catalog::fit_options;
use kindling_train::csv_source::{CSV_EPOCHS, CSV_HIDDEN, CSV_TASK, CsvSource};
use kindling_train::mnist::{train_mnist, train_mnist_conv};
use kindling_train::recipe::RunSetup;
use kindling_train::run_dir::{RunMetrics, RunStatus};
use kindling_train::tabular::{PreparedTable, train_prepared, train_tabular};
use kindling_train::{
    Engine, FitOptions, HiddenLayers, Monitor, OptimizerKind, Regularization, Task,
};
use std::path::PathBuf;

/// Arguments of `kindling train`.
#[derive(Debug, Args)]
#[command(mut_arg("out", |a| a.help("Run directory [default: runs/<task>-<timestamp>]")))]
#[command(mut_arg("quiet", |a| a.help("Print nothing while training")))]
pub struct TrainArgs {
    /// What to train: a task (each with the course's model and settings), or `csv FILE` for a
    /// CSV file of your own (with --target).
    #[arg(value_parser = what_parser(), required_unless_present = "resume")]
    task: Option<What>,
    /// csv: the CSV file to train on.
    #[arg(value_name = "FILE", required_if_eq("task", "csv"))]
    file: Option<PathBuf>,
    /// Continue the run in RUN_DIR from its last epoch, with the settings it was trained with
    /// (the model, optimizer state, data order and seed as they were), to --epochs in all
    /// [default: the epochs it was started with]. --quiet and --data-dir apply; the other
    /// options are the run's.
    #[arg(long, value_name = "RUN_DIR", conflicts_with = "task")]
    resume: Option<PathBuf>,
    /// Maximum number of epochs [default: mnist 10 (cnn 15), wages 30, titanic 10, shots 10,
    /// bank 30, drug 30].
    #[arg(long)]
    epochs: Option<usize>,
    /// mnist: the network, dense (the course's digit net, --hidden wide) or cnn (Keras's
    /// "Simple MNIST convnet": two 3×3 convolutions and poolings, dropout 0.5; 15 epochs,
    /// batch 128 and validation split 0.1 unless told otherwise).
    #[arg(long, value_enum)]
    model: Option<Network>,
    /// Examples per gradient step [default: 32; mnist --model cnn 128].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Optimizer: adam, sgd, adamw or rmsprop [default: sgd for titanic, adam otherwise].
    #[arg(long)]
    optimizer: Option<OptimizerKind>,
    /// Learning rate [default: 0.01 for sgd, 0.001 for the others].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Stop after this many epochs without a better --monitor value; the best epoch's weights
    /// are kept either way.
    #[arg(long)]
    patience: Option<usize>,
    /// What early stopping and the kept epoch follow (Keras's monitor=): val_loss, loss; for
    /// classifiers val_accuracy, accuracy, val_precision, val_recall, val_f1 (macro) and
    /// val_auc (two classes); for regressors val_mse, val_rmse, val_mae and val_r2.
    #[arg(long, default_value = "val_loss")]
    monitor: Monitor,
    /// Hidden layer widths, comma-separated [default: mnist 50,50, wages 50,32, titanic 32,
    /// shots 100,100,100, bank 100,100, drug 16,32].
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Activation of the hidden layers: relu, tanh, sigmoid or identity; one for every hidden
    /// layer, or one per layer, comma-separated (relu,tanh).
    #[arg(long, default_value = "relu", value_delimiter = ',')]
    activation: Vec<Activation>,
    /// How the weights start, by Keras's name: glorot_uniform, he_normal, he_uniform,
    /// lecun_normal or zeros.
    #[arg(long, default_value = "glorot_uniform")]
    initializer: WeightInit,
    /// Dropout rate after each hidden layer (cnn: before its dense layer), in [0, 1) (a remedy
    /// for overfitting) [default: 0; mnist --model cnn 0.5].
    #[arg(long, allow_hyphen_values = true)]
    dropout: Option<f64>,
    /// L2 weight regularization: this factor times the sum of squared weights joins the loss.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    l2: f64,
    /// L1 weight regularization: this factor times the sum of absolute weights joins the loss
    /// (pushes weights to exactly 0).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    l1: f64,
    /// Feature scaling for tables, fitted on the training rows: standard, minmax or none
    /// [default: minmax for drug, standard for shots, none otherwise].
    #[arg(long)]
    scale: Option<ScaleKind>,
    /// Training loop: auto (fused on CPU backends, burn's Learner on GPUs), fused or learner.
    #[arg(long, default_value = "auto")]
    engine: Engine,
    /// Record each layer's gradient norm and dead ReLU units per epoch (history.csv columns,
    /// gradient_norms.png, dead_relu.png).
    #[arg(long)]
    diagnostics: bool,
    #[command(flatten)]
    kit: KitArgs,
    #[command(flatten)]
    csv: CsvArgs,
    #[command(flatten)]
    split: SplitArgs,
    #[command(flatten)]
    io: IoArgs,
}

/// The MNIST network `--model` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Network {
    /// The course's digit net: dense layers.
    Dense,
    /// Keras's "Simple MNIST convnet".
    Cnn,
}

/// What `train` is asked to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// A task of the catalog.
    Task(Task),
    /// A CSV file of the user's own.
    Csv,
}

/// The parser of `train`'s first argument: a task's name, or `csv`.
fn what_parser() -> impl clap::builder::TypedValueParser<Value = What> {
    let values = Task::ALL
        .iter()
        .map(|task| clap::builder::PossibleValue::new(task.name()).help(task.description()))
        .chain(std::iter::once(
            clap::builder::PossibleValue::new(CSV_TASK)
                .help("a CSV file of your own: csv FILE --target COLUMN"),
        ));
    clap::builder::TypedValueParser::map(clap::builder::PossibleValuesParser::new(values), |name| {
        match name.parse::<Task>() {
            Ok(task) => What::Task(task),
            Err(_) => What::Csv,
        }
    })
}

/// Where a plan's rows come from.
enum Source {
    /// A task of the catalog.
    Task(Task),
    /// A CSV file of the user's own.
    Csv(CsvSource),
}

impl Source {
    /// The task's name, or `csv`.
    fn name(&self) -> &str {
        match self {
            Source::Task(task) => task.name(),
            Source::Csv(_) => CSV_TASK,
        }
    }
}

/// What one `train` command trains: from its flags, or from the run it resumes.
struct Plan {
    source: Source,
    options: FitOptions,
    layers: HiddenLayers,
    regularization: Regularization,
    /// The conv net to train instead of a dense stack (`mnist --model cnn`).
    conv: Option<ConvNetConfig>,
    scale: ScaleKind,
    data_dir: Option<PathBuf>,
    out: PathBuf,
}

/// Trains the task and reports where the run directory is.
pub fn run(args: TrainArgs) -> Result<()> {
    let quiet = args.io.quiet;
    let Plan {
        source,
        options,
        layers,
        regularization,
        conv,
        scale,
        data_dir,
        out,
    } = match &args.resume {
        Some(dir) => resumed(dir, &args)?,
        None => planned(args)?,
    };
    let data_dir = match &source {
        Source::Task(task) => fetch_data_dir(data_dir.as_deref(), task.dataset())?,
        Source::Csv(csv) => csv.file.clone(),
    };
    let verbosity = experiment_setup::verbosity(quiet);
    let device = backend::device();
    let setup = RunSetup {
        data_dir: &data_dir,
        out: &out,
        backend: backend::name(),
        device: &device,
        verbosity,
    };
    let (metrics, notes) = match &source {
        Source::Task(Task::Mnist) if let Some(conv) = &conv => {
            (train_mnist_conv(conv, &options, setup)?, vec![])
        }
        Source::Task(Task::Mnist) => {
            let model = Task::Mnist.model(DigitNetConfig::INPUTS, &layers);
            (
                train_mnist(&model, regularization, &options, setup)?,
                vec![],
            )
        }
        Source::Task(table) => {
            train_tabular(*table, &layers, regularization, scale, &options, setup)
                .with_context(|| format!("training {}", table.name()))?
        }
        Source::Csv(csv) => {
            let table = PreparedTable::from_csv(csv, scale, options.validation_split)
                .with_context(|| format!("training on {}", csv.file.display()))?;
            let metrics = train_prepared(&table, &layers, regularization, &options, setup)
                .with_context(|| format!("training on {}", csv.file.display()))?;
            (metrics, table.notes)
        }
    };
    for note in notes {
        eprintln!("note: {note}");
    }
    for warning in &metrics.warnings {
        eprintln!("warning: {warning}");
    }
    if !quiet {
        println!("{}", closing_line(&metrics));
        println!("Run directory: {}", out.display());
    }
    if metrics.status == RunStatus::Interrupted {
        return Err(crate::exit::Interrupted(format!(
            "interrupted after epoch {} of {}: {} holds the best of those epochs; `{}` continues it",
            metrics.epochs_run,
            options.epochs,
            out.display(),
            resume_command(&out)
        ))
        .into());
    }
    Ok(())
}

/// The plan the flags describe.
fn planned(args: TrainArgs) -> Result<Plan> {
    let source = match (args.task, args.file.clone()) {
        (None, _) => anyhow::bail!("give a task to train, or --resume RUN_DIR"),
        (Some(What::Csv), Some(file)) => Source::Csv(args.csv.source(file)?),
        (Some(What::Csv), None) => {
            anyhow::bail!("train csv needs the file: csv FILE --target COLUMN")
        }
        (Some(What::Task(task)), file) => {
            if let Some(file) = file {
                anyhow::bail!(
                    "{}: a file goes with `train csv` only; {} reads its own data (--data-dir)",
                    file.display(),
                    task.name()
                );
            }
            if args.csv.any() {
                anyhow::bail!(
                    "--target, --features, --exclude, --kind and --impute apply to `train csv FILE` only; {} has its own columns",
                    task.name()
                );
            }
            Source::Task(task)
        }
    };
    let conv = match (args.model, &source) {
        (Some(Network::Cnn), Source::Task(Task::Mnist)) => {
            let given = [
                ("--hidden", args.hidden.is_some()),
                ("--activation", args.activation != [Activation::Relu]),
                (
                    "--initializer",
                    args.initializer != WeightInit::GlorotUniform,
                ),
                ("--l2", args.l2 != 0.0),
                ("--l1", args.l1 != 0.0),
                ("--diagnostics", args.diagnostics),
            ];
            if let Some((flag, _)) = given.iter().find(|(_, given)| *given) {
                anyhow::bail!(
                    "{flag} shapes the dense digit net; --model cnn is Keras's convnet as it is (its --dropout applies)"
                );
            }
            let conv = ConvNetConfig::mnist().with_dropout(args.dropout.unwrap_or(CNN_DROPOUT));
            conv.validate().context("invalid --dropout")?;
            Some(conv)
        }
        (Some(Network::Cnn), _) => {
            anyhow::bail!(
                "--model cnn is a network for MNIST's images; train it with `train mnist --model cnn`"
            )
        }
        (Some(Network::Dense) | None, _) => None,
    };
    // A CSV file of the user's own trains with Keras's defaults (Adam), 30 epochs and two
    // hidden layers (32 and 16 units), its inputs standardised.
    let defaults = match &source {
        Source::Task(task) => task.fit_options(
            args.epochs.or(conv.as_ref().map(|_| CNN_EPOCHS)),
            args.optimizer,
            args.lr,
        ),
        Source::Csv(_) => fit_options(
            args.epochs.unwrap_or(CSV_EPOCHS),
            args.optimizer.unwrap_or(OptimizerKind::Adam),
            args.lr,
        ),
    };
    let cnn = conv.is_some();
    let options = FitOptions {
        batch_size: args
            .batch_size
            .unwrap_or(if cnn { CNN_BATCH_SIZE } else { BATCH_SIZE }),
        validation_split: args.split.validation_split.unwrap_or(if cnn {
            CNN_VALIDATION_SPLIT
        } else {
            VALIDATION_SPLIT
        }),
        patience: args.patience,
        monitor: args.monitor,
        seed: args.split.seed,
        engine: args.engine,
        diagnostics: args.diagnostics,
        ..args.kit.apply(defaults)
    };
    options.validate()?;
    let hidden = args.hidden.unwrap_or_else(|| match source {
        Source::Csv(_) => CSV_HIDDEN.to_vec(),
        Source::Task(task) => task.default_hidden(),
    });
    check_widths("--hidden", &hidden)?;
    let scale = args.scale.unwrap_or_else(|| match source {
        Source::Csv(_) => ScaleKind::Standard,
        Source::Task(task) => task.default_scale(),
    });
    if matches!(source, Source::Task(Task::Mnist)) && scale != ScaleKind::None {
        anyhow::bail!("--scale applies to tables; MNIST pixels are already scaled to [0, 1]");
    }
    let regularization = Regularization {
        dropout: if cnn {
            0.0
        } else {
            args.dropout.unwrap_or(0.0)
        },
        l2: args.l2,
        l1: args.l1,
    };
    let stack = DenseStackConfig::uniform(1, &hidden, Activation::Relu, 1)
        .with_hidden_activations(&args.activation);
    stack.validate().context("invalid --activation")?;
    regularization
        .apply(stack)
        .validate()
        .context("invalid --dropout, --l2 or --l1")?;
    let out = out_dir(args.io.out, source.name());
    Ok(Plan {
        source,
        options,
        layers: HiddenLayers {
            widths: hidden,
            activations: args.activation,
            initializer: args.initializer,
        },
        regularization,
        conv,
        scale,
        data_dir: args.io.data_dir,
        out,
    })
}

/// Examples per step unless told otherwise.
const BATCH_SIZE: usize = 32;
/// Keras's "Simple MNIST convnet" example: 15 epochs of batch 128, 10% validation, dropout 0.5.
const CNN_EPOCHS: usize = 15;
/// See [`CNN_EPOCHS`].
const CNN_BATCH_SIZE: usize = 128;
/// See [`CNN_EPOCHS`].
const CNN_VALIDATION_SPLIT: f64 = 0.1;
/// See [`CNN_EPOCHS`].
const CNN_DROPOUT: f64 = 0.5;

/// The plan of the run in `dir`, continued to `--epochs` (else the epochs it was started with).
fn resumed(dir: &std::path::Path, args: &TrainArgs) -> Result<Plan> {
    let config = kindling_train::recipe::read_config(dir)?;
    let source = match (config.task.parse::<Task>(), &config.encoding) {
        (Ok(task), _) => Source::Task(task),
        // A CSV file of the user's own: the same file, columns and encoding.
        (Err(_), Some(encoding)) if config.task == CSV_TASK => Source::Csv(CsvSource {
            file: config.data_dir.clone(),
            target: config.target.clone(),
            features: Some(encoding.columns.iter().map(|c| c.name.clone()).collect()),
            exclude: Vec::new(),
            kind: Some(config.kind),
            impute: encoding.impute,
        }),
        _ => anyhow::bail!(
            "{}: the run's task `{}` is not one `train` knows, so it cannot be resumed; train a new run",
            dir.join("config.json").display(),
            config.task
        ),
    };
    let conv = config.model.conv().cloned();
    let dense = match &config.model {
        kindling_models::NetworkConfig::Dense(dense) => dense.clone(),
        // Unused: a conv net's run trains `conv`.
        kindling_models::NetworkConfig::Conv(_) => {
            DenseStackConfig::uniform(1, &[], Activation::Relu, 1)
        }
    };
    let model = &dense;
    let options = FitOptions {
        epochs: args.epochs.unwrap_or(config.fit.epochs),
        resume: true,
        ..config.fit.clone()
    };
    options.validate()?;
    Ok(Plan {
        source,
        options,
        layers: HiddenLayers {
            widths: model.hidden.clone(),
            activations: model.activations.clone(),
            initializer: model.initializer,
        },
        regularization: Regularization {
            dropout: model.dropout,
            l2: model.l2,
            l1: model.l1,
        },
        conv,
        scale: config
            .scaler
            .as_ref()
            .map_or(ScaleKind::None, |scaler| scaler.kind),
        data_dir: args.io.data_dir.clone().or(Some(config.data_dir.clone())),
        out: dir.to_path_buf(),
    })
}

/// "Best epoch 7/10: val_loss 0.1733, val_accuracy 0.9530; test accuracy 0.9544 (flex backend)"
fn closing_line(metrics: &RunMetrics) -> String {
    let mut line = format!(
        "Best epoch {}/{}: val_loss {:.4}",
        metrics.best_epoch, metrics.epochs_run, metrics.val_loss
    );
    if let Some(accuracy) = metrics.val_accuracy {
        line.push_str(&format!(", val_accuracy {accuracy:.4}"));
    }
    if let Some(accuracy) = metrics.test_accuracy {
        line.push_str(&format!("; test accuracy {accuracy:.4}"));
    }
    line.push_str(&format!(
        " ({} backend, {} engine)",
        metrics.backend, metrics.engine
    ));
    line
}

/// The command that continues the run in `dir`.
pub fn resume_command(dir: &std::path::Path) -> String {
    format!("kindling train --resume {}", dir.display())
}

/// Says so on standard error when the run in `dir` was interrupted (its `metrics.json`
/// records it), with the command that continues it; says nothing for any other directory.
pub fn note_if_interrupted(dir: &std::path::Path) {
    if let Ok(metrics) = kindling_train::recipe::read_metrics(dir)
        && metrics.status == RunStatus::Interrupted
    {
        eprintln!(
            "note: this run was interrupted after epoch {}; its model is the best of those epochs (`{}` continues it)",
            metrics.epochs_run,
            resume_command(dir)
        );
    }
}
