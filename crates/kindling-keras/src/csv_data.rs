//! `pd.read_csv(file)` for the Keras API: a CSV file of the user's own, its target column
//! picked, text columns one-hot encoded (`pd.get_dummies`) and empty cells filled, as
//! `kindling train csv` reads it.

use crate::data::{Features, Targets};
use crate::error::KerasError;
use crate::model::Model;
use crate::predictions::Predictions;
use kindling_data::Rows;
use kindling_data::csv_table::TextTable;
use kindling_data::encoding::Encoding;
use kindling_train::csv_source::CsvSource;
use kindling_train::recipe::ModelKind;
use std::path::Path;

/// A CSV file read for training: the encoded feature rows with their targets, and the
/// encoding, which a model carries (see [`Model::with_encoding`]) so that `save` records it
/// and [`Model::predict_csv`] encodes new rows the same way.
#[derive(Debug, Clone)]
pub struct CsvData {
    rows: Rows,
    encoding: Encoding,
    kind: ModelKind,
    target: String,
    notes: Vec<String>,
}

/// Reads `source.file` as `kindling train csv` does: the columns `source` picks (all but the
/// target, unless `features` or `exclude` say otherwise), text columns one-hot encoded, empty
/// cells filled by `source.impute` from the rows before the validation split
/// `validation_split` (pass the split `fit` will use), and the target read as classes
/// (integers 0 to k-1, k at most 20) or values unless `source.kind` says which.
pub fn read_csv(source: &CsvSource, validation_split: f64) -> Result<CsvData, KerasError> {
    let loaded = source.load(validation_split)?;
    Ok(CsvData {
        rows: loaded.rows,
        encoding: loaded.encoding,
        kind: loaded.kind,
        target: source.target.clone(),
        notes: loaded.notes,
    })
}

impl CsvData {
    /// The encoded inputs (`predictors`), unscaled.
    pub fn features(&self) -> Features<'_> {
        Features::from(&self.rows)
    }

    /// The target column (`to_categorical(df.target)` for a classifier, the values for a
    /// regressor).
    pub fn targets(&self) -> Targets<'_> {
        Targets::from(&self.rows)
    }

    /// The names of the inputs (`colour=red` for a one-hot category), in order.
    pub fn feature_names(&self) -> Vec<String> {
        self.encoding.feature_names()
    }

    /// Whether the target reads as classes or values.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The number of classes (a classifier's), for the output layer's width.
    pub fn classes(&self) -> Option<usize> {
        self.rows.classes()
    }

    /// What was inferred or left out (text columns encoded, the target's kind, rows dropped).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The encoding of the columns.
    pub fn encoding(&self) -> &Encoding {
        &self.encoding
    }
}

impl Model {
    /// Carries `data`'s encoding and column names: `save` records them (so that
    /// `kindling predict DIR --input F.csv` encodes a CSV file as in training) and
    /// [`Model::predict_csv`] applies them. The encoded width must match the input shape.
    pub fn with_encoding(self, data: &CsvData) -> Result<Self, KerasError> {
        let names = data.feature_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut model = self.with_columns(&names, &data.target)?;
        model.encoding = Some(data.encoding.clone());
        Ok(model)
    }

    /// `model.predict(pd.read_csv(file))` for a model with an encoding (see
    /// [`Model::with_encoding`]): the file's columns by name, in any order, encoded as in
    /// training; a text category it never saw is an error naming it.
    pub fn predict_csv(&self, file: impl AsRef<Path>) -> Result<Predictions, KerasError> {
        let file = file.as_ref();
        let Some(encoding) = &self.encoding else {
            return Err(KerasError::Shape {
                what: "CSV file",
                reason: "the model has no encoding of CSV columns; give it one with with_encoding(&read_csv(...)?) before fitting".into(),
            });
        };
        let table = TextTable::read(file).map_err(kindling_train::TrainError::from)?;
        let encoded = encoding
            .encode(&table, false)
            .map_err(|e| kindling_train::TrainError::from(kindling_data::DataError::from(e)))?;
        self.predict(Features::new(&encoded.features, encoding.width()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Activation::{Relu, Softmax},
        Dense, FitArgs, Loss, Metric, Optimizer, Sequential,
    };
    use burn::prelude::*;

    #[test]
    fn a_csv_file_trains_saves_and_predicts_with_its_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pets.csv");
        let mut csv = String::from("size,colour,kind\n");
        for i in 0..120 {
            let (colour, kind) = [("red", 0), ("green", 1), ("blue", 2)][i % 3];
            let size = if i % 10 == 0 {
                String::new()
            } else {
                (i % 7).to_string()
            };
            csv.push_str(&format!("{size},{colour},{kind}\n"));
        }
        std::fs::write(&file, csv).unwrap();
        let source = CsvSource {
            file: file.clone(),
            target: "kind".into(),
            features: None,
            exclude: Vec::new(),
            kind: None,
            impute: Some(kindling_data::encoding::Impute::Median),
        };
        let data = read_csv(&source, 0.3).unwrap();
        assert_eq!(data.kind(), ModelKind::Classifier);
        assert_eq!(
            data.feature_names(),
            ["size", "colour=blue", "colour=green", "colour=red"]
        );
        let device = Device::flex();
        let mut model = Sequential::new();
        model
            .add(
                Dense::new(8)
                    .activation(Relu)
                    .input_shape(data.features().width()),
            )
            .unwrap();
        model.add(Dense::new(3).activation(Softmax)).unwrap();
        let mut model = model
            .compile(
                Optimizer::adam().with_learning_rate(0.02),
                Loss::CategoricalCrossentropy,
                &[Metric::Accuracy],
                &device,
            )
            .unwrap()
            .with_encoding(&data)
            .unwrap();
        let args = FitArgs::new()
            .epochs(40)
            .validation_split(0.3)
            .verbose(crate::Verbosity::Quiet);
        model.fit(data.features(), data.targets(), &args).unwrap();

        // New rows, columns in another order: the colour alone decides the kind.
        let new = dir.path().join("new.csv");
        std::fs::write(&new, "colour,size\nblue,3\nred,\n").unwrap();
        let predicted = model.predict_csv(&new).unwrap();
        assert_eq!(predicted.classes(), [2, 0]);
        std::fs::write(&new, "colour,size\npurple,3\n").unwrap();
        let err = model.predict_csv(&new).unwrap_err().to_string();
        assert!(err.contains("purple"), "{err}");

        // Saved, the run carries the encoding: loaded again, it predicts the same.
        let run = dir.path().join("run");
        model.save(&run).unwrap();
        let loaded = crate::load_model(&run, &device).unwrap();
        std::fs::write(&new, "colour,size\nblue,3\nred,\n").unwrap();
        assert_eq!(loaded.predict_csv(&new).unwrap().classes(), [2, 0]);
    }
}
