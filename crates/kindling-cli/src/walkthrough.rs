//! `kindling walkthrough`: the from-scratch chapter, printed step by step.

use anyhow::Result;
use clap::Args;
use kindling_scratch::Topic;
use kindling_train::plot::{Series, line_chart};
use std::path::PathBuf;

/// Arguments of `kindling walkthrough`.
#[derive(Debug, Args)]
pub struct WalkthroughArgs {
    /// One topic, by name or number: forward, activations, many-rows, two-hidden-layers, error,
    /// gradient-descent, backprop, sgd, perceptron, pathologies [default: all]
    topic: Option<Topic>,
    /// Where to write the figures.
    #[arg(long, default_value = "runs/walkthrough")]
    out: PathBuf,
}

/// Prints the chosen topics and writes their figures.
pub fn run(args: WalkthroughArgs) -> Result<()> {
    let topics = match args.topic {
        Some(topic) => vec![topic],
        None => Topic::ALL.to_vec(),
    };
    for topic in topics {
        let section = topic.run();
        println!("== {}. {} ==", topic.number(), topic.title());
        print!("{}", section.text);
        for figure in &section.figures {
            let path = args.out.join(&figure.file_name);
            let series: Vec<Series> = figure
                .curves
                .iter()
                .map(|c| Series {
                    label: &c.label,
                    points: c.points.clone(),
                })
                .collect();
            line_chart(
                &path,
                &figure.title,
                &figure.x_label,
                &figure.y_label,
                &series,
            )?;
            println!("  figure: {}", path.display());
        }
        println!();
    }
    Ok(())
}
