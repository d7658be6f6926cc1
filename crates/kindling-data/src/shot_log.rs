//! The NBA shot log of the 2014-15 season (`shot_logs.csv`, 128,069 shots): whether a shot went
//! in, from what was known when it was taken.
//!
//! The file is the Kaggle data set "NBA shot logs"
//! (<https://www.kaggle.com/datasets/dansbecker/nba-shot-logs>). Kaggle gives it no stable
//! public address, so it is saved by hand as `<data-dir>/tabular/shot_logs.csv`.
//!
//! The features, in this order ([`FEATURES`]): SHOT_NUMBER, PERIOD, GAME_CLOCK (seconds left in
//! the period, read from `M:SS` or `MM:SS`), SHOT_CLOCK, DRIBBLES, TOUCH_TIME, SHOT_DIST,
//! PTS_TYPE, CLOSE_DEF_DIST, and `home` (1 where LOCATION is `H`, 0 where it is `A`). The target
//! is SHOT_RESULT, `made` → 1 and `missed` → 0, checked against FGM where the file has that
//! column. FGM and PTS are never features: they restate the target. The other columns (game,
//! matchup, players, final margin) are ignored; MATCHUP and CLOSEST_DEFENDER hold commas inside
//! quotes, so the file is read with a real CSV parser.
//!
//! Some SHOT_CLOCK cells are blank. The shot clock is switched off when 24 s or fewer remain in
//! the period, so a blank with at most 24 s on the game clock is filled with the game clock;
//! any other blank is filled with the median of the file's known shot clocks. How many cells
//! each rule filled goes to [`Tabular::notes`], and the median to [`Tabular::fill_values`] so
//! that prediction fills blanks with the same value. Every other defect is a [`CsvError`]
//! naming the file, the line and the column.

use crate::csv_table::{CsvDefect, CsvError, parse_cell};
use crate::error::DataError;
use crate::rows::Rows;
use crate::tabular::Tabular;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's name, under `<data-dir>/tabular/`.
pub const FILE_NAME: &str = "shot_logs.csv";

/// Where to get the file, for error messages.
pub const SOURCE: &str = "the Kaggle data set \"NBA shot logs\" (https://www.kaggle.com/datasets/dansbecker/nba-shot-logs)";

/// The target column: `made` or `missed`.
pub const TARGET: &str = "SHOT_RESULT";

/// The column whose blanks are filled.
pub const SHOT_CLOCK: &str = "SHOT_CLOCK";

/// The feature columns, in the order the model reads them.
pub const FEATURES: [&str; 10] = [
    "SHOT_NUMBER",
    "PERIOD",
    "GAME_CLOCK",
    SHOT_CLOCK,
    "DRIBBLES",
    "TOUCH_TIME",
    "SHOT_DIST",
    "PTS_TYPE",
    "CLOSE_DEF_DIST",
    "home",
];

/// The file's column each feature is read from (`home` comes from LOCATION).
const SOURCE_COLUMNS: [&str; 10] = [
    "SHOT_NUMBER",
    "PERIOD",
    "GAME_CLOCK",
    SHOT_CLOCK,
    "DRIBBLES",
    "TOUCH_TIME",
    "SHOT_DIST",
    "PTS_TYPE",
    "CLOSE_DEF_DIST",
    "LOCATION",
];

const GAME_CLOCK_FEATURE: usize = 2;
const SHOT_CLOCK_FEATURE: usize = 3;
const HOME_FEATURE: usize = 9;

/// Seconds on a full shot clock; with this little or less left in the period, it is off.
pub const SHOT_CLOCK_SECONDS: f32 = 24.0;

/// The longest period, 12 minutes, in seconds.
const PERIOD_SECONDS: u32 = 12 * 60;

/// Where the shot log lives under `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("tabular").join(FILE_NAME)
}

/// Loads `<data_dir>/tabular/shot_logs.csv`: the ten [`FEATURES`], target [`TARGET`] as class
/// 1 (made) or 0 (missed), blank shot clocks filled as the module documentation says.
pub fn shot_log(data_dir: &Path) -> Result<Tabular, DataError> {
    let path = path(data_dir);
    let reader = crate::stdio::open_input(&path).map_err(|e| {
        DataError::reading(
            &path,
            e,
            format!(
                "download {FILE_NAME} from {SOURCE} and save it there; Kaggle asks you to sign in, so Kindling cannot fetch it for you"
            ),
        )
    })?;
    let log = parse(reader, &path, Purpose::Training)?;
    let labels = log.labels.unwrap_or_default();
    let mut fill_values = BTreeMap::new();
    if let Some(median) = log.median {
        fill_values.insert(SHOT_CLOCK.to_string(), median);
    }
    Ok(Tabular {
        feature_names: FEATURES.iter().map(|f| f.to_string()).collect(),
        target: TARGET.to_string(),
        rows: Rows::classified(log.features, FEATURES.len(), labels, 2),
        notes: log.notes,
        fill_values,
    })
}

/// The features of a file in the shot log's format, for prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct ShotInputs {
    /// The [`FEATURES`] of every row, row-major.
    pub features: Vec<f32>,
    /// How blank shot clocks were filled.
    pub notes: Vec<String>,
}

/// Reads the [`FEATURES`] of every row of `path`, a file with the shot log's columns (the
/// target and the ignored columns may be absent); `-` reads standard input. Blank shot clocks with more than 24 s on the
/// game clock take `shot_clock_fill` (the training file's median), else this file's median.
pub fn read_inputs(path: &Path, shot_clock_fill: Option<f32>) -> Result<ShotInputs, DataError> {
    let name = crate::stdio::input_name(path);
    let reader = crate::stdio::open_input(path)
        .map_err(|e| DataError::reading(&name, e, "check the path"))?;
    let log = parse(reader, &name, Purpose::Prediction(shot_clock_fill))?;
    Ok(ShotInputs {
        features: log.features,
        notes: log.notes,
    })
}

/// Seconds left in the period from a game clock `M:SS` or `MM:SS` (at most `12:00`), or `None`
/// when the text is not such a clock.
pub fn parse_game_clock(text: &str) -> Option<f32> {
    let (minutes, seconds) = text.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(minutes) || minutes.len() > 2 || !digits(seconds) || seconds.len() != 2 {
        return None;
    }
    let minutes: u32 = minutes.parse().ok()?;
    let seconds: u32 = seconds.parse().ok()?;
    let total = minutes * 60 + seconds;
    (seconds < 60 && total <= PERIOD_SECONDS).then_some(total as f32)
}

/// Why the file is read: training needs the target; prediction may bring the training file's
/// median shot clock.
#[derive(Debug, Clone, Copy)]
enum Purpose {
    Training,
    Prediction(Option<f32>),
}

/// A parsed shot log.
struct ParsedLog {
    features: Vec<f32>,
    labels: Option<Vec<u32>>,
    /// The median shot clock used (or that would be used) for blanks outside the last 24 s.
    median: Option<f32>,
    notes: Vec<String>,
}

/// Where the columns the loader reads sit in the header.
struct Layout {
    width: usize,
    sources: [usize; 10],
    result: Option<usize>,
    fgm: Option<usize>,
}

/// Parses the log from `reader` a record at a time, no line longer than
/// [`MAX_LINE_BYTES`](crate::csv_table::MAX_LINE_BYTES): memory holds the parsed values, not
/// the file.
fn parse(reader: impl std::io::Read, path: &Path, purpose: Purpose) -> Result<ParsedLog, CsvError> {
    let error = |line: Option<usize>, column: Option<&str>, defect| CsvError {
        path: path.to_path_buf(),
        line,
        column: column.map(str::to_string),
        defect,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(crate::stdio::LineCapped::new(
            reader,
            crate::csv_table::MAX_LINE_BYTES,
        ));
    let malformed = |e: csv::Error| {
        let line = e.position().map(|p| p.line() as usize);
        error(
            line,
            None,
            CsvDefect::Malformed {
                reason: e.to_string(),
            },
        )
    };
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(malformed)?
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = text(name);
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                &name
            };
            name.trim().to_string()
        })
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(error(None, None, CsvDefect::EmptyFile));
    }
    let layout = layout(&header, purpose, |defect| error(Some(1), None, defect))?;

    let mut features = Vec::new();
    let mut labels = layout.result.map(|_| Vec::new());
    let mut known_shot_clocks = Vec::new();
    // (row, line) of every blank shot clock.
    let mut blanks = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0;
    while reader.read_byte_record(&mut record).map_err(malformed)? {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != layout.width {
            return Err(error(
                Some(line),
                None,
                CsvDefect::Ragged {
                    found: record.len(),
                    expected: layout.width,
                },
            ));
        }
        let cell = |column: usize| text(&record[column]);
        for (feature, &column) in layout.sources.iter().enumerate() {
            let raw = cell(column);
            let raw = raw.trim();
            let at = |defect| error(Some(line), Some(SOURCE_COLUMNS[feature]), defect);
            let value = match feature {
                GAME_CLOCK_FEATURE => parse_game_clock(raw).ok_or_else(|| {
                    at(CsvDefect::Invalid {
                        cell: raw.to_string(),
                        reason: "is not a game clock: expected the minutes and seconds left in the period, M:SS or MM:SS, at most 12:00".into(),
                    })
                })?,
                SHOT_CLOCK_FEATURE if raw.is_empty() => {
                    blanks.push((rows, line));
                    f32::NAN
                }
                HOME_FEATURE => match raw {
                    "H" | "h" => 1.0,
                    "A" | "a" => 0.0,
                    _ => {
                        return Err(at(CsvDefect::Invalid {
                            cell: raw.to_string(),
                            reason: "is not a location: expected `H` (home) or `A` (away)".into(),
                        }));
                    }
                },
                _ => parse_cell(raw).map_err(at)?,
            };
            if feature == SHOT_CLOCK_FEATURE && !raw.is_empty() {
                known_shot_clocks.push(value);
            }
            features.push(value);
        }
        if let (Some(labels), Some(column)) = (labels.as_mut(), layout.result) {
            let result = cell(column);
            let label = shot_result(result.trim()).ok_or_else(|| {
                error(
                    Some(line),
                    Some(TARGET),
                    CsvDefect::Invalid {
                        cell: result.trim().to_string(),
                        reason: "is not a shot result: expected `made` or `missed`".into(),
                    },
                )
            })?;
            if let Some(fgm) = layout.fgm {
                check_fgm(cell(fgm).trim(), label)
                    .map_err(|defect| error(Some(line), Some("FGM"), defect))?;
            }
            labels.push(label);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(error(None, None, CsvDefect::NoRows));
    }

    let median = match purpose {
        Purpose::Prediction(Some(median)) => Some(median),
        _ => median(&mut known_shot_clocks),
    };
    let width = FEATURES.len();
    let (mut by_game_clock, mut by_median) = (0, 0);
    for &(row, line) in &blanks {
        let game_clock = features[row * width + GAME_CLOCK_FEATURE];
        let fill = if game_clock <= SHOT_CLOCK_SECONDS {
            by_game_clock += 1;
            game_clock
        } else {
            by_median += 1;
            median.ok_or_else(|| error(Some(line), Some(SHOT_CLOCK), CsvDefect::EmptyCell))?
        };
        features[row * width + SHOT_CLOCK_FEATURE] = fill;
    }
    let mut notes = Vec::new();
    if !blanks.is_empty() {
        let whose = match purpose {
            Purpose::Prediction(Some(_)) => "the training file's",
            _ => "the file's",
        };
        let median_text = median.map_or_else(String::new, |m| format!("{m:.1} s"));
        notes.push(format!(
            "{}: {} blank {SHOT_CLOCK} cells filled: {by_game_clock} with the game clock (the shot clock is off when {SHOT_CLOCK_SECONDS} s or less remain in the period), {by_median} with {whose} median shot clock {median_text}",
            path.display(),
            blanks.len(),
        ));
    }
    Ok(ParsedLog {
        features,
        labels,
        median,
        notes,
    })
}

/// Finds the columns in the header; `error` places a defect on the header line.
fn layout(
    header: &[String],
    purpose: Purpose,
    error: impl Fn(CsvDefect) -> CsvError,
) -> Result<Layout, CsvError> {
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(error(CsvDefect::DuplicateColumn { name: name.clone() }));
        }
    }
    let find = |name: &str| header.iter().position(|c| c == name);
    let require = |name: &str| {
        find(name).ok_or_else(|| {
            error(CsvDefect::MissingColumn {
                name: name.to_string(),
                present: header.to_vec(),
            })
        })
    };
    let mut sources = [0; 10];
    for (source, name) in sources.iter_mut().zip(SOURCE_COLUMNS) {
        *source = require(name)?;
    }
    let result = match purpose {
        Purpose::Training => Some(require(TARGET)?),
        Purpose::Prediction(_) => None,
    };
    Ok(Layout {
        width: header.len(),
        sources,
        result,
        fgm: find("FGM"),
    })
}

/// `made` → 1, `missed` → 0 (any case).
fn shot_result(text: &str) -> Option<u32> {
    if text.eq_ignore_ascii_case("made") {
        Some(1)
    } else if text.eq_ignore_ascii_case("missed") {
        Some(0)
    } else {
        None
    }
}

/// FGM must be the label as a number: 1 for a made shot, 0 for a missed one.
fn check_fgm(text: &str, label: u32) -> Result<(), CsvDefect> {
    let value = parse_cell(text)?;
    if value == label as f32 {
        return Ok(());
    }
    let result = if label == 1 { "made" } else { "missed" };
    Err(CsvDefect::Invalid {
        cell: text.to_string(),
        reason: format!(
            "disagrees with {TARGET} `{result}` on the same line (FGM is 1 for a made shot, 0 for a missed one); fix one of the two"
        ),
    })
}

/// The median of `values` (the mean of the middle two for an even count), or `None` when empty.
fn median(values: &mut [f32]) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f32::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

/// A cell's bytes as text (invalid UTF-8 replaced, so an error can still show the cell).
fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "GAME_ID,MATCHUP,LOCATION,W,FINAL_MARGIN,SHOT_NUMBER,PERIOD,GAME_CLOCK,SHOT_CLOCK,DRIBBLES,TOUCH_TIME,SHOT_DIST,PTS_TYPE,SHOT_RESULT,CLOSEST_DEFENDER,CLOSEST_DEFENDER_PLAYER_ID,CLOSE_DEF_DIST,FGM,PTS,player_name,player_id";

    /// A row of the real file's shape.
    fn row(location: &str, clock: &str, shot_clock: &str, result: &str, fgm: u8) -> String {
        format!(
            "21400899,\"MAR 04, 2015 - CHA @ BKN\",{location},W,24,1,1,{clock},{shot_clock},2,1.9,7.7,2,{result},\"Anderson, Alan\",101187,1.3,{fgm},{},brian roberts,203148",
            2 * fgm
        )
    }

    /// Writes `text` as the shot log of a fresh data directory.
    fn data_dir(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tabular")).unwrap();
        std::fs::write(path(dir.path()), text).unwrap();
        dir
    }

    fn load(text: &str) -> Result<Tabular, DataError> {
        let dir = data_dir(text);
        shot_log(dir.path())
    }

    fn load_err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn game_clocks_read_as_seconds() {
        assert_eq!(parse_game_clock("1:09"), Some(69.0));
        assert_eq!(parse_game_clock("11:47"), Some(707.0));
        assert_eq!(parse_game_clock("0:00"), Some(0.0));
        assert_eq!(parse_game_clock("12:00"), Some(720.0));
        for bad in [
            "", "1:9", "1:60", "123:00", "12:01", "1:2x", ":09", "1.09", "-1:09", "1:09:00", "69",
        ] {
            assert_eq!(parse_game_clock(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn reads_features_in_order_through_quoted_commas() {
        let text = format!(
            "{HEADER}\n{}\n{}\n",
            row("A", "1:09", "10.8", "made", 1),
            row("H", "11:47", "3.4", "missed", 0)
        );
        let table = load(&text).unwrap();
        assert_eq!(table.feature_names, FEATURES.to_vec());
        assert_eq!(table.target, "SHOT_RESULT");
        assert_eq!(
            table.rows.features(0),
            &[1.0, 1.0, 69.0, 10.8, 2.0, 1.9, 7.7, 2.0, 1.3, 0.0]
        );
        assert_eq!(table.rows.features(1)[2..4], [707.0, 3.4]);
        assert_eq!(table.rows.features(1)[9], 1.0);
        assert_eq!(table.rows.labels(), Some(&[1, 0][..]));
        assert!(table.notes.is_empty(), "{:?}", table.notes);
        // The median of 10.8 and 3.4, kept for prediction.
        let median = table.fill_values[SHOT_CLOCK];
        assert!((median - 7.1).abs() < 1e-6, "{median}");
    }

    #[test]
    fn fgm_is_checked_only_where_the_file_has_it() {
        let header = "LOCATION,SHOT_NUMBER,PERIOD,GAME_CLOCK,SHOT_CLOCK,DRIBBLES,TOUCH_TIME,SHOT_DIST,PTS_TYPE,SHOT_RESULT,CLOSE_DEF_DIST";
        let table = load(&format!(
            "{header}\nA,1,1,1:09,10.8,2,1.9,7.7,2,Missed,1.3\n"
        ))
        .unwrap();
        assert_eq!(table.rows.labels(), Some(&[0][..]));
        assert_eq!(table.rows.features(0)[6], 7.7);
    }

    #[test]
    fn blank_shot_clocks_are_filled_and_counted() {
        let rows = [
            row("A", "0:14", "", "made", 1),   // game clock 14 s: filled with 14
            row("A", "0:24", "", "missed", 0), // 24 s: still off, filled with 24
            row("H", "5:00", "", "made", 1),   // median of 10, 20, 6 = 10
            row("H", "3:00", "10", "missed", 0), //
            row("H", "3:00", "20", "missed", 0), //
            row("A", "0:30", "6", "made", 1),  //
        ];
        let table = load(&format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"))).unwrap();
        let shot_clocks: Vec<f32> = (0..6).map(|i| table.rows.features(i)[3]).collect();
        assert_eq!(shot_clocks, vec![14.0, 24.0, 10.0, 10.0, 20.0, 6.0]);
        assert_eq!(table.notes.len(), 1);
        let note = &table.notes[0];
        assert!(
            note.contains("shot_logs.csv: 3 blank SHOT_CLOCK cells filled: 2 with the game clock"),
            "{note}"
        );
        assert!(
            note.contains("1 with the file's median shot clock 10.0 s"),
            "{note}"
        );
        assert_eq!(table.fill_values.get(SHOT_CLOCK), Some(&10.0));
    }

    #[test]
    fn prediction_fills_with_the_training_median_and_needs_no_target() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("shots.csv");
        std::fs::write(
            &input,
            "SHOT_NUMBER,PERIOD,GAME_CLOCK,SHOT_CLOCK,DRIBBLES,TOUCH_TIME,SHOT_DIST,PTS_TYPE,CLOSE_DEF_DIST,LOCATION\n\
             3,2,7:30,,0,0.5,22.1,3,4.0,H\n",
        )
        .unwrap();
        let inputs = read_inputs(&input, Some(12.5)).unwrap();
        assert_eq!(
            inputs.features,
            vec![3.0, 2.0, 450.0, 12.5, 0.0, 0.5, 22.1, 3.0, 4.0, 1.0]
        );
        assert!(
            inputs.notes[0].contains("1 with the training file's median shot clock 12.5 s"),
            "{:?}",
            inputs.notes
        );
        // Without a training median and no known shot clock, the blank cannot be filled.
        let err = read_inputs(&input, None).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "shots.csv line 2, column `SHOT_CLOCK`: empty cell; fill it in or remove the row"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_bad_shot_result_or_fgm_names_line_and_column() {
        let err = load_err(&format!(
            "{HEADER}\n{}\n{}\n",
            row("A", "1:09", "10.8", "made", 1),
            row("A", "1:09", "10.8", "blocked", 0)
        ));
        assert!(
            err.ends_with("shot_logs.csv line 3, column `SHOT_RESULT`: `blocked` is not a shot result: expected `made` or `missed`"),
            "{err}"
        );
        let err = load_err(&format!(
            "{HEADER}\n{}\n",
            row("A", "1:09", "10.8", "made", 0)
        ));
        assert!(
            err.contains("line 2, column `FGM`: `0` disagrees with SHOT_RESULT `made`"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_clock_names_file_line_column_and_value() {
        let err = load_err(&format!(
            "{HEADER}\n{}\n{}\n{}\n",
            row("A", "1:09", "10.8", "made", 1),
            row("A", "2:10", "10.8", "made", 1),
            row("A", "1:7", "10.8", "made", 1)
        ));
        assert!(
            err.contains("shot_logs.csv line 4, column `GAME_CLOCK`: `1:7` is not a game clock"),
            "{err}"
        );
    }

    #[test]
    fn every_other_defect_names_where_it_is() {
        let good = row("A", "1:09", "10.8", "made", 1);
        let cases = [
            (
                String::new(),
                "shot_logs.csv: the file is empty".to_string(),
            ),
            (
                format!("{HEADER}\n"),
                "shot_logs.csv: a header but no data rows".into(),
            ),
            (
                format!("{}\n{good}\n", HEADER.replace(",SHOT_DIST", ",DIST")),
                "shot_logs.csv line 1: no column `SHOT_DIST`; the header has: GAME_ID".into(),
            ),
            (
                format!("{}\n{good}\n", HEADER.replace(",SHOT_RESULT", ",RESULT")),
                "shot_logs.csv line 1: no column `SHOT_RESULT`".into(),
            ),
            (
                format!("{HEADER},PERIOD\n{good},1\n"),
                "shot_logs.csv line 1: the header names column `PERIOD` twice".into(),
            ),
            (
                format!("{HEADER}\n{good}\n{good},extra\n"),
                "shot_logs.csv line 3: 22 cells, but the header has 21 columns".into(),
            ),
            (
                format!("{HEADER}\n{}\n", good.replace(",7.7,", ",far,")),
                "shot_logs.csv line 2, column `SHOT_DIST`: `far` is not a number".into(),
            ),
            (
                format!("{HEADER}\n{}\n", good.replace(",1.3,", ",NaN,")),
                "shot_logs.csv line 2, column `CLOSE_DEF_DIST`: `NaN` is not a finite number"
                    .into(),
            ),
            (
                format!("{HEADER}\n{}\n", good.replace(",7.7,", ",,")),
                "shot_logs.csv line 2, column `SHOT_DIST`: empty cell".into(),
            ),
            (
                format!("{HEADER}\n{}\n", row("N", "1:09", "10.8", "made", 1)),
                "shot_logs.csv line 2, column `LOCATION`: `N` is not a location".into(),
            ),
        ];
        for (text, expected) in cases {
            let err = load_err(&text);
            assert!(err.contains(&expected), "{text:?}:\n{err}");
        }
    }

    #[test]
    fn a_missing_file_says_where_to_get_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = shot_log(dir.path()).unwrap_err();
        assert!(matches!(err, DataError::Missing { .. }), "{err}");
        let err = err.to_string();
        assert!(
            err.contains("https://www.kaggle.com/datasets/dansbecker/nba-shot-logs"),
            "{err}"
        );
        assert!(
            err.contains(&path(dir.path()).display().to_string()),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1);
    }

    /// 128,069 rows, the real file's size, with quoted commas and blank shot clocks.
    #[test]
    fn loads_a_full_size_file_quickly() {
        let mut text = String::with_capacity(128_069 * 130);
        text.push_str(HEADER);
        text.push('\n');
        for i in 0..128_069u32 {
            let made = i % 3 == 0;
            let clock = format!("{}:{:02}", i % 12, i % 60);
            let shot_clock = if i % 23 == 0 {
                String::new()
            } else {
                format!("{}", (i % 240) as f32 / 10.0)
            };
            let location = if i % 2 == 0 { "H" } else { "A" };
            text.push_str(&row(
                location,
                &clock,
                &shot_clock,
                if made { "made" } else { "missed" },
                made as u8,
            ));
            text.push('\n');
        }
        let dir = data_dir(&text);
        let start = std::time::Instant::now();
        let table = shot_log(dir.path()).unwrap();
        let elapsed = start.elapsed();
        eprintln!(
            "loaded {} rows ({:.1} MB) in {:.1} ms",
            table.rows.len(),
            text.len() as f64 / 1e6,
            elapsed.as_secs_f64() * 1e3
        );
        assert_eq!(table.rows.len(), 128_069);
        assert_eq!(table.notes.len(), 1);
        assert!(table.rows.all_features().iter().all(|v| v.is_finite()));
        // Generous for a loaded two-core machine; it takes well under a second.
        assert!(elapsed.as_secs_f64() < 3.0, "took {elapsed:?}");
    }
}
