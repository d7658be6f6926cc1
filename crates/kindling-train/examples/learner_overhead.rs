//! What burn-train's per-batch machinery would cost the fused engine, measured.
//!
//! A `SupervisedLearningStrategy` installed into burn-train's Learner receives its batches from
//! the Learner's data loader and must hand every batch's output back as a `TrainingItem` for
//! the Learner's metrics. This example runs exactly that machinery with the training step
//! left out: per batch of the MNIST digit net's data it takes the loader's batch, reads its
//! features back to host memory (the fused kernels work on host buffers), builds the output,
//! target and loss tensors the metrics need and processes them through the Learner's event
//! processor with the accuracy and loss metrics `kindling train` uses. It then times the fused
//! engine's own training step on the same rows and batch size, and prints both.
//!
//! ```text
//! cargo run --release -p kindling-train --example learner_overhead -- ../shared/data [BATCH]
//! ```

use burn::data::dataloader::DataLoaderBuilder;
use burn::prelude::*;
use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{AccuracyMetric, LossMetric, MetricDefinition};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};
use burn::train::{
    ClassificationOutput, Learner, LearnerSummary, SupervisedLearningStrategy, SupervisedTraining,
    SupervisedTrainingEventProcessor, TrainLoader, TrainingComponents, TrainingStrategy,
    ValidLoader,
};
use burn::train::{EventProcessorTraining, LearnerEvent, TrainingItem};
use kindling_data::RowRange;
use kindling_data::mnist::{self, MnistSet};
use kindling_models::{DenseStack, DigitNetConfig};
use kindling_train::{ClassificationBatcher, Engine, FitOptions, Verbosity, fit_classifier};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The Learner's per-batch work without a training step; records seconds per batch.
struct MachineryOnly {
    seconds_per_batch: Arc<Mutex<f64>>,
}

impl SupervisedLearningStrategy<DenseStack> for MachineryOnly {
    fn fit(
        &self,
        components: TrainingComponents<DenseStack>,
        learner: Learner<DenseStack>,
        train: TrainLoader<DenseStack>,
        _valid: ValidLoader<DenseStack>,
        _starting_epoch: usize,
    ) -> (DenseStack, SupervisedTrainingEventProcessor<DenseStack>) {
        let mut processor = components.event_processor;
        let interrupter = components.interrupter;
        let start = Instant::now();
        let total = train.num_items();
        interrupter.fail_on_error(processor.process_train(LearnerEvent::StartSplit {
            epoch_number: 1,
            total_items: total,
        }));
        let mut iterator = train.iter();
        let mut batches = 0;
        while let Some(Ok(batch)) = iterator.next() {
            let progress = iterator.progress();
            batches += 1;
            let [rows, _] = batch.inputs.dims();
            // The fused kernels read host buffers.
            let host = batch.inputs.into_data();
            std::hint::black_box(&host);
            // The step's outputs, as the tensors the metrics take.
            let device = batch.targets.device();
            let logits = vec![0.1f32; rows * 10];
            let output = ClassificationOutput {
                loss: Tensor::from_data(TensorData::new(vec![2.3f32], [1]), &device),
                output: Tensor::from_data(TensorData::new(logits, [rows, 10]), &device),
                targets: batch.targets,
            };
            let item =
                TrainingItem::new(output, progress, Some(batches), Some(learner.lr_current()));
            interrupter.fail_on_error(processor.process_train(LearnerEvent::ProcessedItem(item)));
        }
        interrupter.fail_on_error(processor.process_train(LearnerEvent::EndSplit(1)));
        interrupter.fail_on_error(processor.process_train(LearnerEvent::EndEpoch(1)));
        // The metrics run on the processor's thread: wait for them.
        interrupter.fail_on_error(processor.flush());
        *self.seconds_per_batch.lock().unwrap() =
            start.elapsed().as_secs_f64() / batches.max(1) as f64;
        (learner.model(), processor)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data_dir = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data".into()));
    let batch_size: usize = args.next().map_or(Ok(32), |b| b.parse())?;
    let rows = Arc::new(mnist::load(&data_dir, MnistSet::Train)?);
    let device = Device::flex();
    let config = DigitNetConfig::new().stack();
    let options = FitOptions {
        epochs: 2,
        batch_size,
        engine: Engine::Fused,
        ..Default::default()
    };
    let train_rows = (rows.len() as f64 * (1.0 - options.validation_split)) as usize;
    let dir = tempfile::tempdir()?;

    // The Learner's machinery alone, best of three epochs.
    let mut machinery = f64::INFINITY;
    for _ in 0..3 {
        let seconds = Arc::new(Mutex::new(0.0));
        let autodiff = device.clone().autodiff();
        let batcher = ClassificationBatcher::new(rows.clone());
        let train = DataLoaderBuilder::new(batcher.clone())
            .batch_size(batch_size)
            .shuffle(1)
            .set_device(autodiff.clone())
            .build(RowRange::new(0..train_rows));
        let valid = DataLoaderBuilder::new(batcher)
            .batch_size(1024)
            .build(RowRange::new(train_rows..rows.len()));
        let model = config.init(&autodiff);
        let learner = Learner::new(model, burn::optim::SgdConfig::new().init(), 1e-2);
        let strategy = MachineryOnly {
            seconds_per_batch: seconds.clone(),
        };
        let result = SupervisedTraining::new(dir.path(), train, valid)
            .metrics((AccuracyMetric::new(), LossMetric::new()))
            .with_application_logger(None)
            .renderer(Box::new(Silent))
            .with_training_strategy(TrainingStrategy::Custom(Arc::new(strategy)))
            .launch(learner);
        drop(result);
        machinery = machinery.min(*seconds.lock().unwrap());
    }

    // The fused engine's training step on the same rows (its second epoch, warmed up).
    let fit = fit_classifier(
        &config,
        rows,
        &options,
        &device,
        dir.path(),
        Verbosity::Quiet,
    )?;
    let epoch = &fit.history.epochs[1];
    let batches = train_rows.div_ceil(batch_size) as f64;
    let step = epoch.train_seconds / batches;
    println!("batch size {batch_size}, {train_rows} training rows, {batches} batches per epoch");
    println!(
        "fused training step:            {:>7.1} µs per batch",
        step * 1e6
    );
    println!(
        "burn-train per-batch machinery: {:>7.1} µs per batch",
        machinery * 1e6
    );
    println!(
        "machinery / step:               {:>7.1} %",
        100.0 * machinery / step
    );
    Ok(())
}

/// A renderer that shows nothing (the measurement prints its own lines).
struct Silent;

impl MetricsRendererTraining for Silent {
    fn update_train(&mut self, _: MetricState) {}
    fn update_valid(&mut self, _: MetricState) {}
    fn on_train_end(
        &mut self,
        _: Option<LearnerSummary>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }
}

impl MetricsRendererEvaluation for Silent {
    fn update_test(&mut self, _: EvaluationName, _: MetricState) {}
    fn on_test_end(&mut self, _: Option<LearnerSummary>) -> Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }
}

impl TrainingProgressLogger for Silent {
    fn start(&mut self, _: usize, _: usize, _: Option<usize>, _: Option<&str>) {}
    fn update_epoch(&mut self, _: usize) {}
    fn start_split(&mut self, _: &str, _: usize) {}
    fn update_split(&mut self, _: usize) {}
    fn end_split(&mut self) {}
    fn end(&mut self) {}
    fn log_event_training(&mut self, _: String) {}
}

impl EvaluationProgressLogger for Silent {
    fn start_global_progress(&mut self, _: usize) {}
    fn start_test(&mut self, _: &str, _: usize) {}
    fn update_test_progress(&mut self, _: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _: String) {}
}

impl MetricsRenderer for Silent {
    fn manual_close(&mut self) {}
    fn register_metric(&mut self, _: MetricDefinition) {}
}
