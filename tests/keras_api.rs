//! The Keras-flavoured Rust API and the CLI share one run-directory format: a model saved with
//! `kindling_keras` is predicted, evaluated and summarised by `kindling`, and a run of
//! `kindling train` loads with `keras::load_model`.

#![cfg(feature = "flex")]

mod common;

use burn::prelude::*;
use common::{kindling, stderr, stdout};
use kindling_data::scale::{ScaleKind, Scaler};
use kindling_data::synthetic;
use kindling_keras::Activation::{Relu, Softmax};
use kindling_keras::{
    Dense, EarlyStopping, Features, FitArgs, Loss, Metric, Model, Optimizer, Sequential, Targets,
    Verbosity, load_model,
};
use std::path::Path;

/// Ages to predict for, unscaled, and the CSV file `predict` reads them from.
const AGES: [f32; 5] = [13.0, 40.0, 64.0, 66.0, 100.0];

fn ages_csv(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("id,age\n");
    for (i, age) in AGES.iter().enumerate() {
        csv.push_str(&format!("{i},{age}\n"));
    }
    let path = dir.join("ages.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

/// `kindling predict DIR --input ages.csv`, as rows of class probabilities.
fn cli_probabilities(run: &Path, input: &Path) -> Vec<Vec<f32>> {
    let output = kindling(&[
        "predict",
        run.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("probability_0,probability_1,class"));
    lines
        .map(|line| {
            let cells: Vec<f32> = line.split(',').map(|c| c.parse().unwrap()).collect();
            cells[..2].to_vec()
        })
        .collect()
}

fn model_probabilities(model: &Model) -> Vec<Vec<f32>> {
    let predictions = model.predict(Features::new(&AGES, 1)).unwrap();
    predictions.rows().map(<[f32]>::to_vec).collect()
}

/// The course's drug-trial classifier (16 ReLU units, softmax), compiled with Adam and
/// `scaler`.
fn drug_classifier(scaler: Scaler, device: &Device) -> Model {
    let mut layers = Sequential::named("drug");
    layers
        .add(Dense::new(16).activation(Relu).input_shape(1))
        .unwrap()
        .add(Dense::new(2).activation(Softmax))
        .unwrap();
    layers
        .compile(
            Optimizer::adam(),
            Loss::CategoricalCrossentropy,
            &[Metric::Accuracy],
            device,
        )
        .unwrap()
        .with_scaler(scaler)
        .unwrap()
}

#[test]
fn a_model_saved_from_rust_is_predicted_and_evaluated_by_the_cli() {
    let device = Device::flex();
    let data = synthetic::drug_trial(0);
    let scaler = Scaler::fit(ScaleKind::Minmax, &data.rows, 0..data.rows.len());
    let mut model = drug_classifier(scaler, &device)
        .with_columns(&["age"], "side_effects")
        .unwrap();
    let args = FitArgs::new()
        .epochs(10)
        .early_stopping(EarlyStopping::new(2))
        .verbose(Verbosity::Quiet);
    model
        .fit(Features::from(&data.rows), Targets::from(&data.rows), &args)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("drug");
    let metrics = model.save(&run).unwrap();

    // Predict in a new process, from unscaled ages: the same probabilities, to the bit.
    let input = ages_csv(dir.path());
    assert_eq!(cli_probabilities(&run, &input), model_probabilities(&model));

    // Evaluate in a new process: the validation split the fit held out, scored the same.
    let output = kindling(&["evaluate", run.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let n = data.rows.len();
    let valid = kindling_data::split::validation_split(n, 0.3)
        .unwrap()
        .valid;
    let labels = &data.rows.labels().unwrap()[valid.clone()];
    let score = model
        .evaluate(Features::new(data.rows.feature_block(valid), 1), labels)
        .unwrap();
    let expected = format!(
        "validation: 630 examples - loss: {:.4} - accuracy: {:.4}",
        score.loss,
        score.accuracy.unwrap()
    );
    let text = stdout(&output);
    assert_eq!(text.lines().next(), Some(expected.as_str()));
    // Then precision, recall and F1, AUROC for two classes, a line per class, the matrix.
    assert!(text.contains("auroc: "), "{text}");
    assert!(text.contains("class 1 ("), "{text}");
    assert!(
        text.contains("confusion matrix (rows: true class, columns: predicted):"),
        "{text}"
    );
    assert!(
        (score.loss - metrics.val_loss).abs() < 1e-4,
        "{score:?} {metrics:?}"
    );

    let output = kindling(&["summary", run.to_str().unwrap()]);
    assert_eq!(stdout(&output), model.summary());
}

#[test]
fn a_run_of_kindling_train_loads_into_the_rust_api() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("drug");
    let output = kindling(&[
        "train",
        "drug",
        "--epochs",
        "3",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let model = load_model(&run, &Device::flex()).unwrap();
    assert_eq!(
        (model.name(), model.loss()),
        ("drug", Loss::CategoricalCrossentropy)
    );
    assert_eq!(model.optimizer().learning_rate(), 1e-3);
    // The run's min-max scaler comes with it: unscaled ages give what the CLI gives.
    let input = ages_csv(dir.path());
    assert_eq!(cli_probabilities(&run, &input), model_probabilities(&model));
}

#[test]
fn a_loaded_model_continues_training_from_its_weights_as_keras_fit_does() {
    let device = Device::flex();
    let data = synthetic::drug_trial(0);
    let scaler = Scaler::fit(ScaleKind::Minmax, &data.rows, 0..data.rows.len());
    let compiled = || drug_classifier(scaler.clone(), &device);
    let (x, y) = (Features::from(&data.rows), Targets::from(&data.rows));
    let quiet = |epochs| FitArgs::new().epochs(epochs).verbose(Verbosity::Quiet);

    let mut trained = compiled();
    let long = trained.fit(x, y, &quiet(30)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("drug");
    trained.save(&run).unwrap();
    let mut fresh = compiled();
    let first_fresh = fresh.fit(x, y, &quiet(1)).unwrap().epochs[0].loss;

    let mut loaded = load_model(&run, &device).unwrap();
    let before = loaded.evaluate(x, y).unwrap().loss;
    let continued = loaded.fit(x, y, &quiet(1)).unwrap().epochs[0].loss;
    // The first epoch after loading starts where the saved model was, not from scratch.
    let last_trained = long.epochs.last().unwrap().loss;
    assert!(
        continued < first_fresh - 0.5 * (first_fresh - last_trained),
        "continued {continued}, fresh {first_fresh}, trained {last_trained}"
    );
    assert!(
        (continued - before).abs() < 0.25 * (first_fresh - last_trained),
        "continued {continued}, loaded {before}"
    );
    // A second fit continues too, and the continued model saves over the run it came from.
    let again = loaded.fit(x, y, &quiet(1)).unwrap().epochs[0].loss;
    assert!(again < first_fresh, "{again} {first_fresh}");
    loaded.save(&run).unwrap();
    let output = kindling(&["evaluate", run.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn the_optimizers_settings_schedules_and_plateau_reach_the_run_and_come_back_with_it() {
    let device = Device::flex();
    let data = synthetic::drug_trial(0);
    let scaler = Scaler::fit(ScaleKind::Minmax, &data.rows, 0..data.rows.len());
    let optimizer = Optimizer::sgd()
        .with_momentum(0.9)
        .with_nesterov(true)
        .with_clip_norm(1.0)
        .with_schedule(kindling_keras::LrSchedule {
            kind: kindling_keras::ScheduleKind::Cosine,
            ..Default::default()
        });
    let mut layers = Sequential::named("drug");
    layers
        .add(Dense::new(8).activation(Relu).input_shape(1))
        .unwrap()
        .add(Dense::new(2).activation(Softmax))
        .unwrap();
    let mut model = layers
        .compile(
            optimizer,
            Loss::CategoricalCrossentropy,
            &[Metric::Accuracy],
            &device,
        )
        .unwrap()
        .with_scaler(scaler)
        .unwrap();
    let args = FitArgs::new().epochs(3).verbose(Verbosity::Quiet);
    let (x, y) = (Features::from(&data.rows), Targets::from(&data.rows));
    // As in Keras, ReduceLROnPlateau does not go with a schedule.
    let plateau = args.reduce_lr_on_plateau(kindling_keras::Plateau::default());
    let err = model.fit(x, y, &plateau).unwrap_err().to_string();
    assert!(err.contains("cannot follow a schedule"), "{err}");
    model.fit(x, y, &args).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("drug");
    let metrics = model.save(&run).unwrap();
    assert_eq!(
        metrics.engine, "learner",
        "momentum and clipping run on the learner"
    );
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["fit"]["momentum"].as_f64(), Some(0.9));
    assert_eq!(config["fit"]["lr_schedule"]["kind"], "cosine");
    assert_eq!(load_model(&run, &device).unwrap().optimizer(), optimizer);

    // The plateau with a constant rate is recorded with the run.
    let mut plain = layers_with(Optimizer::adam(), &device).unwrap();
    plain.fit(x, y, &plateau).unwrap();
    let again = dir.path().join("plateau");
    plain.save(&again).unwrap();
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["fit"]["reduce_lr_on_plateau"]["patience"], 10);

    // A bad setting is named by Keras's argument.
    let bad = layers_with(Optimizer::adam().with_clip_norm(-1.0), &device);
    let err = bad
        .unwrap()
        .fit(x, y, &FitArgs::new().verbose(Verbosity::Quiet))
        .unwrap_err()
        .to_string();
    assert!(err.contains("clipnorm"), "{err}");
}

/// The drug classifier compiled with `optimizer`.
fn layers_with(optimizer: Optimizer, device: &Device) -> Result<Model, kindling_keras::KerasError> {
    let mut layers = Sequential::named("drug");
    layers
        .add(Dense::new(8).activation(Relu).input_shape(1))?
        .add(Dense::new(2).activation(Softmax))?;
    layers.compile(
        optimizer,
        Loss::CategoricalCrossentropy,
        &[Metric::Accuracy],
        device,
    )
}
