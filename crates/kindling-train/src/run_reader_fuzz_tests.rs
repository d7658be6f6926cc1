//! Property tests of the run-directory reader: a run whose files were damaged in any way
//! (replaced by arbitrary bytes, a byte changed, cut short, grown, deleted) is either refused
//! with an error naming a file, or loads a model that predicts exactly as the intact run does.
//! It never panics. A bounded number of cases runs in every `cargo test`.

use crate::fit::fit_classifier;
use crate::options::FitOptions;
use crate::publish::RunDraft;
use crate::recipe::{ModelKind, RunConfig, write_run};
use crate::reporter::Verbosity;
use crate::run_dir::RUN_FILES;
use crate::trained::load_run;
use burn::prelude::*;
use kindling_data::input_range::InputRange;
use kindling_data::scale::{ScaleKind, Scaler};
use kindling_models::{Activation, DenseStackConfig};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Cases per property: enough to reach the reader's odd corners, few enough for CI.
const CASES: u32 = 256;

/// The inputs every loaded model is asked about.
const AGES: [f32; 4] = [10.0, 35.0, 65.0, 90.0];

/// A small, intact run (written once per test process) and what it predicts for [`AGES`].
fn pristine() -> &'static (tempfile::TempDir, PathBuf, Vec<Vec<f32>>) {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf, Vec<Vec<f32>>)> = OnceLock::new();
    RUN.get_or_init(|| {
        let device = Device::flex();
        let data = kindling_data::synthetic::drug_trial(0);
        let n = data.rows.len();
        let scaler = Scaler::fit(ScaleKind::Minmax, &data.rows, 0..n);
        let mut rows = data.rows.clone();
        scaler.apply(rows.all_features_mut());
        let model = DenseStackConfig::uniform(1, &[4], Activation::Relu, 2);
        let options = FitOptions {
            epochs: 1,
            ..FitOptions::default()
        };
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run");
        let draft = RunDraft::begin(&dir, false).unwrap();
        let fit = fit_classifier(
            &model,
            Arc::new(rows),
            &options,
            &device,
            draft.dir(),
            Verbosity::Quiet,
        )
        .unwrap();
        let config = RunConfig {
            task: "drug".into(),
            kind: ModelKind::Classifier,
            model: model.clone().into(),
            fit: options,
            data_dir: PathBuf::new(),
            backend: "flex".into(),
            features: vec!["age".into()],
            target: "side_effects".into(),
            scaler: Some(scaler),
            input_range: Some(InputRange::fit(&data.rows, 0..n)),
            fill_values: Default::default(),
            encoding: None,
        };
        write_run(&draft, &config, &fit, None, None, &device).unwrap();
        draft.publish().unwrap();
        let expected = load_run(&dir, &device)
            .unwrap()
            .predict(AGES.to_vec(), &device);
        (root, dir, expected)
    })
}

/// What is done to one file of the run.
#[derive(Debug, Clone)]
enum Damage {
    /// Its bytes replaced by these.
    Replace(Vec<u8>),
    /// The byte at this fraction of its length set to this value.
    Set(f64, u8),
    /// Cut at this fraction of its length.
    Truncate(f64),
    /// These bytes inserted at this fraction of its length.
    Insert(f64, Vec<u8>),
    /// The file removed.
    Delete,
}

fn damage() -> impl Strategy<Value = Damage> {
    let bytes = proptest::collection::vec(any::<u8>(), 0..64);
    prop_oneof![
        bytes.clone().prop_map(Damage::Replace),
        (0.0..1.0f64, any::<u8>()).prop_map(|(at, b)| Damage::Set(at, b)),
        (0.0..1.0f64).prop_map(Damage::Truncate),
        (0.0..1.0f64, bytes).prop_map(|(at, b)| Damage::Insert(at, b)),
        Just(Damage::Delete),
    ]
}

/// Copies the run in `from` to `to`, with `damage` done to its file `name`.
fn damaged_copy(from: &Path, to: &Path, name: &str, damage: &Damage) {
    std::fs::create_dir_all(to).unwrap();
    for file in RUN_FILES {
        let mut bytes = std::fs::read(from.join(file)).unwrap();
        if file == name {
            let at = |fraction: f64| ((bytes.len() as f64 * fraction) as usize).min(bytes.len());
            match damage {
                Damage::Replace(new) => bytes = new.clone(),
                Damage::Set(fraction, value) => {
                    let i = at(*fraction).min(bytes.len().saturating_sub(1));
                    if let Some(b) = bytes.get_mut(i) {
                        *b = *value;
                    }
                }
                Damage::Truncate(fraction) => bytes.truncate(at(*fraction)),
                Damage::Insert(fraction, new) => {
                    let i = at(*fraction);
                    bytes.splice(i..i, new.iter().copied());
                }
                Damage::Delete => continue,
            }
        }
        std::fs::write(to.join(file), bytes).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn a_damaged_run_is_refused_by_name_or_predicts_as_the_intact_one(
        file in 0..RUN_FILES.len(),
        damage in damage(),
    ) {
        let (_, intact, expected) = pristine();
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("run");
        damaged_copy(intact, &dir, RUN_FILES[file], &damage);
        let device = Device::flex();
        match load_run(&dir, &device) {
            Ok(run) => {
                prop_assert_eq!(&run.predict(AGES.to_vec(), &device), expected);
                prop_assert_eq!(&run.config.features, &["age".to_string()]);
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(
                    RUN_FILES.iter().any(|f| text.contains(f)) || text.contains("run"),
                    "names no file: {}", text
                );
            }
        }
    }
}
