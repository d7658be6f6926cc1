//! The basketball shot log end to end, on a file the tests write in the real `shot_logs.csv`'s
//! format (the real file cannot be fetched here): train, the notes about filled shot clocks,
//! evaluate, predict in a new process, summary, and the errors for a missing or broken file.

mod common;

use common::{assert_clean_failure, kindling, read_json, stderr, stdout};
use std::path::Path;

const HEADER: &str = "GAME_ID,MATCHUP,LOCATION,W,FINAL_MARGIN,SHOT_NUMBER,PERIOD,GAME_CLOCK,SHOT_CLOCK,DRIBBLES,TOUCH_TIME,SHOT_DIST,PTS_TYPE,SHOT_RESULT,CLOSEST_DEFENDER,CLOSEST_DEFENDER_PLAYER_ID,CLOSE_DEF_DIST,FGM,PTS,player_name,player_id";

/// A shot log written by the test, and what the test knows about it.
struct Fixture {
    text: String,
    /// 1 for made, 0 for missed, per row.
    labels: Vec<usize>,
    /// Blank shot clocks with at most 24 s on the game clock.
    blank_in_last_24: usize,
    /// Other blank shot clocks.
    blank_otherwise: usize,
    /// The median of the known shot clocks.
    median: f32,
}

/// `rows` shots: made exactly when SHOT_DIST is under 10 feet (a rule a network learns in a
/// few epochs); every ninth shot clock blank, half of them in the period's last 24 seconds.
fn fixture(rows: usize) -> Fixture {
    // A fixed linear congruential generator: the same file every time.
    let mut state: u64 = 0x2014_2015;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut text = format!("{HEADER}\n");
    let (mut labels, mut known) = (Vec::new(), Vec::new());
    let (mut blank_in_last_24, mut blank_otherwise) = (0, 0);
    for i in 0..rows {
        let distance = next(300) as f32 / 10.0;
        let made = distance < 10.0;
        let blank = i % 9 == 0;
        let game_clock = if blank && i % 18 == 0 {
            blank_in_last_24 += 1;
            next(25)
        } else if blank {
            blank_otherwise += 1;
            25 + next(696)
        } else {
            next(721)
        };
        let shot_clock = if blank {
            String::new()
        } else {
            let value = format!("{:.1}", next(241) as f32 / 10.0);
            known.push(value.parse::<f32>().unwrap());
            value
        };
        let location = if i % 2 == 0 { "H" } else { "A" };
        text.push_str(&format!(
            "2140{i:04},\"MAR 04, 2015 - CHA @ BKN\",{location},W,24,{},{},{}:{:02},{shot_clock},{},{:.1},{distance:.1},{},{},\"Anderson, Alan\",101187,{:.1},{},{},brian roberts,203148\n",
            1 + next(15),
            1 + next(4),
            game_clock / 60,
            game_clock % 60,
            next(8),
            next(100) as f32 / 10.0,
            if distance > 23.7 { 3 } else { 2 },
            if made { "made" } else { "missed" },
            next(100) as f32 / 10.0,
            made as u8,
            if made { 2 } else { 0 },
        ));
        labels.push(made as usize);
    }
    known.sort_by(f32::total_cmp);
    let middle = known.len() / 2;
    let median = if known.len() % 2 == 1 {
        known[middle]
    } else {
        (known[middle - 1] + known[middle]) / 2.0
    };
    Fixture {
        text,
        labels,
        blank_in_last_24,
        blank_otherwise,
        median,
    }
}

/// A data directory holding `text` as its shot log.
fn data_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tabular")).unwrap();
    std::fs::write(dir.path().join("tabular/shot_logs.csv"), text).unwrap();
    dir
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn shots_learn_a_rule_and_predict_reproduces_the_validation_scores() {
    let rows = 400;
    let data = fixture(rows);
    let dir = data_dir(&data.text);
    let out = dir.path().join("run");
    let output = common::train_task("shots", dir.path(), &out, &["--epochs", "5", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));

    // The loader says how it filled the blank shot clocks, even with --quiet.
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "note: {}: {} blank SHOT_CLOCK cells filled: {} with the game clock",
            dir.path().join("tabular/shot_logs.csv").display(),
            data.blank_in_last_24 + data.blank_otherwise,
            data.blank_in_last_24
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{} with the file's median shot clock {:.1} s",
            data.blank_otherwise, data.median
        )),
        "{err}"
    );

    // Well above always guessing the validation rows' majority class.
    let metrics = read_json(&out.join("metrics.json"));
    let valid = (rows * 7 / 10)..rows;
    let made = valid.clone().filter(|&i| data.labels[i] == 1).count();
    let majority = made.max(valid.len() - made) as f64 / valid.len() as f64;
    let val_accuracy = metrics["val_accuracy"].as_f64().unwrap();
    assert!(
        val_accuracy >= majority + 0.15,
        "validation accuracy {val_accuracy}, majority class {majority}"
    );
    assert_eq!(metrics["epochs_run"], 5);

    let config = read_json(&out.join("config.json"));
    assert_eq!(config["task"], "shots");
    assert_eq!(config["target"], "SHOT_RESULT");
    assert_eq!(config["scaler"]["kind"], "standard");
    assert_eq!(
        config["model"]["hidden"],
        serde_json::json!([100, 100, 100])
    );
    assert_eq!(
        config["features"],
        serde_json::json!(kindling_data::shot_log::FEATURES)
    );
    let fill = config["fill_values"]["SHOT_CLOCK"].as_f64().unwrap();
    assert!((fill - data.median as f64).abs() < 1e-5, "{fill}");

    // Predict the fixture itself, in a new process: the validation rows' probabilities give
    // back the training's validation loss and accuracy.
    let input = dir.path().join("tabular/shot_logs.csv");
    let output = kindling(&["predict", path_str(&out), "--input", path_str(&input)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("with the training file's median shot clock"),
        "{}",
        stderr(&output)
    );
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("probability_0,probability_1,class"));
    let predictions: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(predictions.len(), rows);
    let loss = valid
        .clone()
        .map(|i| -predictions[i][data.labels[i]].ln())
        .sum::<f64>()
        / valid.len() as f64;
    let right = valid
        .clone()
        .filter(|&i| predictions[i][2] as usize == data.labels[i])
        .count();
    let val_loss = metrics["val_loss"].as_f64().unwrap();
    assert!(
        (loss - val_loss).abs() < 1e-4,
        "predict gives {loss}, training {val_loss}"
    );
    assert!((right as f64 / valid.len() as f64 - val_accuracy).abs() < 1e-9);

    let output = kindling(&["evaluate", path_str(&out)]);
    assert!(
        stdout(&output).contains(&format!(
            "validation: {} examples - loss: {val_loss:.4}",
            valid.len()
        )),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );

    // 10 inputs -> 100 -> 100 -> 100 -> 2.
    let params = (10 * 100 + 100) + 2 * (100 * 100 + 100) + (100 * 2 + 2);
    let expected = format!("Total params: {},{:03}", params / 1000, params % 1000);
    // The task's input width is read from its data.
    let data = path_str(dir.path());
    for args in [
        vec!["summary", path_str(&out)],
        vec!["summary", "shots", "--data-dir", data],
    ] {
        let output = kindling(&args);
        assert!(stdout(&output).contains(&expected), "{}", stdout(&output));
    }
}

#[test]
fn a_missing_shot_log_says_where_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = common::train_task("shots", dir.path(), &out, &["--quiet"]);
    assert_clean_failure(
        &output,
        "https://www.kaggle.com/datasets/dansbecker/nba-shot-logs",
    );
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{} not found",
            dir.path().join("tabular/shot_logs.csv").display()
        )),
        "{err}"
    );
    assert!(!out.join("model.bpk").exists());

    // `download shots` prints the steps instead of fetching, and succeeds.
    let output = kindling(&["download", "shots", "--data-dir", path_str(dir.path())]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("https://www.kaggle.com/datasets/dansbecker/nba-shot-logs"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "save it as {}",
            dir.path().join("tabular/shot_logs.csv").display()
        )),
        "{text}"
    );
    assert!(!dir.path().join("tabular/shot_logs.csv").exists());
}

#[test]
fn a_malformed_game_clock_is_one_error_line_naming_where_it_is() {
    let data = fixture(20);
    let mut lines: Vec<String> = data.text.lines().map(str::to_string).collect();
    // Line 7 of the file (the sixth shot): a clock with one digit of seconds.
    let cells: Vec<&str> = lines[6].split(',').collect();
    let clock = cells[8]; // MATCHUP's quoted comma shifts GAME_CLOCK by one
    assert!(clock.contains(':'), "{clock}");
    lines[6] = lines[6].replacen(&format!(",{clock},"), ",7:5,", 1);
    let dir = data_dir(&(lines.join("\n") + "\n"));
    let output = common::train_task("shots", dir.path(), &dir.path().join("run"), &["--quiet"]);
    assert_clean_failure(
        &output,
        "shot_logs.csv line 7, column `GAME_CLOCK`: `7:5` is not a game clock",
    );
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}
