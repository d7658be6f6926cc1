//! Property tests of the readers: whatever bytes they are given, they return a table or an
//! error naming the file, never panic, and never hold more than the input's size (plus the
//! IDX reader's documented cap). A bounded number of cases runs in every `cargo test`.

use crate::csv_table::{CsvTable, MAX_LINE_BYTES};
use crate::idx::read_idx;
use proptest::prelude::*;
use std::path::Path;

/// Cases per property: enough to reach the readers' odd corners, few enough for CI.
const CASES: u32 = 256;

/// CSV-like text: numbers, words, separators, quotes and line breaks of every kind.
fn csv_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\"".to_string()),
        Just("\u{feff}".to_string()),
        Just("true".to_string()),
        Just("NaN".to_string()),
        Just(" ".to_string()),
        "-?[0-9]{1,4}(\\.[0-9]{1,3})?".prop_map(|s| s),
        "[a-z_]{1,6}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn csv_text_parses_or_names_the_file(text in csv_like()) {
        match CsvTable::parse(&text, Path::new("fuzz.csv")) {
            Ok(table) => {
                prop_assert!(!table.columns.is_empty());
                prop_assert_eq!(table.values.len() % table.columns.len(), 0);
                prop_assert!(table.values.iter().all(|v| v.is_finite()));
            }
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.csv")),
        }
    }

    #[test]
    fn csv_bytes_parse_or_name_the_file(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let result = CsvTable::read_from(bytes.as_slice(), Path::new("fuzz.csv"));
        if let Err(e) = result {
            prop_assert!(e.to_string().starts_with("fuzz.csv"), "{}", e);
        }
    }

    #[test]
    fn idx_bytes_load_or_name_the_file(
        dims in proptest::collection::vec(0u32..40, 1..4),
        data in proptest::collection::vec(any::<u8>(), 0..200),
        gzip in any::<bool>(),
        magic in prop_oneof![Just(None), any::<u32>().prop_map(Some)],
    ) {
        let mut bytes = match magic {
            Some(m) => m.to_be_bytes().to_vec(),
            None => vec![0, 0, 0x08, dims.len() as u8],
        };
        for d in &dims {
            bytes.extend_from_slice(&d.to_be_bytes());
        }
        bytes.extend_from_slice(&data);
        if gzip {
            use std::io::Write;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(&bytes).unwrap();
            bytes = encoder.finish().unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.idx");
        std::fs::write(&path, &bytes).unwrap();
        match read_idx(&path, dims.len() as u8) {
            Ok(array) => {
                prop_assert_eq!(array.dims.len(), dims.len());
                let size: usize = array.dims.iter().product();
                prop_assert_eq!(array.data.len(), size);
            }
            Err(e) => prop_assert!(e.to_string().contains("fuzz.idx"), "{}", e),
        }
    }
}

#[test]
fn the_line_cap_is_what_the_reader_documents() {
    // A line of the cap's length is read; one byte more is refused.
    let header = "a\n";
    let long = format!("1{}", " ".repeat(MAX_LINE_BYTES - 1));
    let text = format!("{header}{long}\n");
    assert!(CsvTable::parse(&text, Path::new("t.csv")).is_ok());
    let text = format!("{header}{long} \n");
    let err = CsvTable::parse(&text, Path::new("t.csv"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("longer than"), "{err}");
}
