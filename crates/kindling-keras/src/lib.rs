//! A Keras-flavoured API: the course's `Sequential` / `compile` / `fit` / `predict` code,
//! line for line, in Rust.
//!
//! It is a thin layer over `kindling-train`: the layers become a
//! [`DenseStackConfig`](kindling_models::DenseStackConfig), `fit` is
//! [`fit_classifier`](kindling_train::fit_classifier) or [`fit_regressor`](kindling_train::fit_regressor)
//! (Kindling's epoch loop on the fused engine or Burn's `Learner`, with Keras's validation
//! split and early stopping), `evaluate` is [`evaluate_classifier`](kindling_train::evaluate_classifier) /
//! [`evaluate_regressor`](kindling_train::evaluate_regressor), `summary` is
//! [`summary_table`](kindling_train::summary::summary_table), and `save` writes the same run
//! directory as `kindling train` (so `kindling predict DIR --input F.csv` reads it).
//!
//! | Keras | Kindling |
//! |---|---|
//! | `Sequential()` | [`Sequential::new()`] |
//! | `model.add(Dense(50, activation='relu', input_shape=(n_cols,)))` | `model.add(Dense::new(50).activation(Relu).input_shape(n_cols))?` |
//! | `model.compile(optimizer='sgd', loss='categorical_crossentropy', metrics=['accuracy'])` | `model.compile(Optimizer::sgd(), Loss::CategoricalCrossentropy, &[Metric::Accuracy], &device)?` |
//! | `EarlyStopping(patience=2)` | [`EarlyStopping::new(2)`](EarlyStopping::new) |
//! | `model.fit(predictors, target, validation_split=0.3, epochs=20, callbacks=[...])` | `model.fit(predictors, &target, &FitArgs::new().validation_split(0.3).epochs(20).early_stopping(...))?` |
//! | `model.evaluate(x, y)` | [`model.evaluate(x, &y)?`](Model::evaluate) |
//! | `predictions = model.predict(pred_data)`; `predictions[:, 1]` | `model.predict(pred_data)?`; [`predictions.column(1)?`](Predictions::column) |
//! | `model.save('model_file.h5')`; `load_model('model_file.h5')` | [`model.save(dir)?`](Model::save); [`load_model(dir, &device)?`](load_model) |
//! | `model.summary()` | [`model.summary()`](Model::summary) (a `String`) |
//! | `df = pd.read_csv(file)`; `pd.get_dummies(df)`; `df.fillna(df.median())` | [`read_csv(&CsvSource { file, target, impute: Some(Impute::Median), .. }, 0.3)?`](read_csv), then [`model.with_encoding(&data)?`](Model::with_encoding) and [`model.predict_csv(file)?`](Model::predict_csv) |
//!
//! The course's first model, a regressor, on the synthetic bank data (children and accounts → transactions next year):
//!
//! ```
//! use burn::prelude::*;
//! use kindling_data::synthetic;
//! use kindling_keras::{
//!     Activation::Relu, Dense, Features, FitArgs, Loss, Optimizer, Sequential, Targets,
//! };
//!
//! let device = Device::flex();
//! let data = synthetic::bank(0);
//! let predictors = Features::from(&data.rows);
//! let target = Targets::from(&data.rows);
//!
//! // n_cols = predictors.shape[1]
//! let n_cols = predictors.width();
//! // model = Sequential()
//! let mut model = Sequential::new();
//! // model.add(Dense(50, activation='relu', input_shape=(n_cols,)))
//! model.add(Dense::new(50).activation(Relu).input_shape(n_cols))?;
//! // model.add(Dense(32, activation='relu'))
//! model.add(Dense::new(32).activation(Relu))?;
//! // model.add(Dense(1))
//! model.add(Dense::new(1))?;
//! // model.compile(optimizer='adam', loss='mean_squared_error')
//! let mut model = model.compile(Optimizer::adam(), Loss::MeanSquaredError, &[], &device)?;
//! // model.fit(predictors, target, epochs=30)
//! let history = model.fit(predictors, target, &FitArgs::new().epochs(30))?;
//! assert!(history.epochs[29].val_loss < history.epochs[0].val_loss);
//!
//! // model.evaluate(predictors, target): predicting the mean would score an MSE of 56, and
//! // the noise in the targets alone is about 4.
//! let mse = model.evaluate(predictors, target)?.loss;
//! assert!(mse < 10.0, "{mse}");
//!
//! // model.summary()
//! let summary = model.summary();
//! assert!(summary.contains("Total params: 1,815"), "{summary}"); // 150 + 1,632 + 33
//! # Ok::<(), kindling_keras::KerasError>(())
//! ```
//!
//! Every step returns a [`KerasError`] instead of raising: a layer of zero
//! units or a first layer without `input_shape` at `add`; a loss that does not fit the
//! output layer at `compile`; features, targets and arguments that disagree with the model
//! at `fit`, before any training. A [`Sequential`] has no `fit`, so a model cannot be
//! fitted before it is compiled:
//!
//! ```compile_fail,E0599
//! use kindling_keras::{Features, FitArgs, Sequential};
//! let model = Sequential::new();
//! model.fit(Features::new(&[1.0], 1), &[0.0f32][..], &FitArgs::new()); // no method `fit`
//! ```
//!
//! Where Kindling differs from Keras: `fit` always holds out a validation split (default
//! 0.3) and keeps the weights of the epoch with the lowest validation loss; the first `fit` of
//! a freshly compiled model starts from weights drawn from its seed (later fits, and fits of a
//! loaded model, continue from the current weights, as Keras's do); an output layer is softmax
//! (classes) or has no activation (values); a classifier's history always records accuracy.
//!
//! The course's classifier, on the synthetic drug trial (age → side effects), with one-hot
//! targets, min-max scaling, early stopping, saving, loading and `predictions[:, 1]`:
//!
//! ```
//! use burn::prelude::*;
//! use kindling_data::scale::{ScaleKind, Scaler};
//! use kindling_data::synthetic;
//! use kindling_keras::{
//!     Activation::{Relu, Softmax}, Dense, EarlyStopping, Features, FitArgs, Loss, Metric,
//!     Optimizer, Sequential, Targets, load_model, to_categorical,
//! };
//!
//! let device = Device::flex();
//! let data = synthetic::drug_trial(0); // ages 13 to 100, side effects 0 or 1
//! let predictors = Features::from(&data.rows);
//! // target = to_categorical(df.side_effects)
//! let target = to_categorical(data.rows.labels().unwrap_or_default(), 2)?;
//! // n_cols = predictors.shape[1]
//! let n_cols = predictors.width();
//! // scaler = MinMaxScaler().fit(predictors): the model applies it to all it is given
//! let scaler = Scaler::fit(ScaleKind::Minmax, &data.rows, 0..data.rows.len());
//!
//! // model = Sequential(name='drug')
//! let mut model = Sequential::named("drug");
//! // model.add(Dense(32, activation='relu', input_shape=(n_cols,)))
//! model.add(Dense::new(32).activation(Relu).input_shape(n_cols))?;
//! // model.add(Dense(2, activation='softmax'))
//! model.add(Dense::new(2).activation(Softmax))?;
//! // model.compile(optimizer='sgd', loss='categorical_crossentropy', metrics=['accuracy'])
//! let mut model = model
//!     .compile(Optimizer::sgd(), Loss::CategoricalCrossentropy, &[Metric::Accuracy], &device)?
//!     .with_scaler(scaler)?;
//! // early_stopping_monitor = EarlyStopping(patience=2)
//! let early_stopping_monitor = EarlyStopping::new(2);
//! // model.fit(predictors, target, validation_split=0.3, epochs=20,
//! //           callbacks=[early_stopping_monitor])
//! let history = model.fit(
//!     predictors,
//!     Targets::OneHot(&target),
//!     &FitArgs::new().validation_split(0.3).epochs(20).early_stopping(early_stopping_monitor),
//! )?;
//! assert!(history.epochs.last().unwrap().loss < history.epochs[0].loss);
//!
//! let dir = tempfile::tempdir()?;
//! let model_file = dir.path().join("model_file");
//! // model.save('model_file.h5')
//! model.save(&model_file)?;
//! // my_model = load_model('model_file.h5')
//! let my_model = load_model(&model_file, &device)?;
//! // predictions = my_model.predict(pred_data)
//! let pred_data = Features::new(&[20.0, 45.0, 70.0, 95.0], n_cols); // ages
//! let predictions = my_model.predict(pred_data)?;
//! // probability_true = predictions[:, 1]
//! let probability_true = predictions.column(1)?;
//! assert_eq!(predictions, model.predict(pred_data)?); // reloaded: exactly the same
//! assert!(probability_true[0] < 0.5 && probability_true[3] > 0.5, "{probability_true:?}");
//! // my_model.summary()
//! print!("{}", my_model.summary());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The directory `model_file` is a run directory like those of `kindling train`:
//! `kindling predict model_file --input ages.csv` prints the same probabilities, and, since
//! the model is named after the `drug` task and trained on its data, `kindling evaluate
//! model_file` scores it again on the validation split.

mod compile;
mod csv_data;
mod data;
mod error;
mod fit_args;
mod model;
mod persist;
mod predictions;
mod sequential;

pub use compile::{Loss, Metric, Optimizer};
pub use csv_data::{CsvData, read_csv};
pub use data::{Features, Targets, to_categorical};
pub use error::KerasError;
pub use fit_args::{EarlyStopping, FitArgs};
pub use kindling_data::encoding::Impute;
pub use kindling_train::Evaluation;
pub use kindling_train::History;
pub use kindling_train::Verbosity;
pub use kindling_train::csv_source::CsvSource;
pub use kindling_train::schedule::{LrSchedule, Plateau, ScheduleKind};
pub use model::Model;
pub use persist::load_model;
pub use predictions::Predictions;
pub use sequential::{Activation, Dense, Sequential};
