//! The course's two synthetic data sets, generated from a seed.

use crate::rows::Rows;
use crate::tabular::Tabular;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// Bank transactions: from a customer's number of children (0–4) and number of existing
/// accounts (1–5), the number of transactions next year: `5 + 3·children + 4·accounts`, plus
/// Gaussian-like noise (σ ≈ 2), never below 0. 1,000 customers.
pub fn bank(seed: u64) -> Tabular {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = 1000;
    let mut features = Vec::with_capacity(n * 2);
    let mut targets = Vec::with_capacity(n);
    for _ in 0..n {
        let children = rng.random_range(0..5) as f32;
        let accounts = rng.random_range(1..6) as f32;
        // Sum of 12 uniforms minus 6: mean 0, standard deviation 1.
        let noise: f32 = (0..12).map(|_| rng.random::<f32>()).sum::<f32>() - 6.0;
        let transactions = (5.0 + 3.0 * children + 4.0 * accounts + 2.0 * noise)
            .round()
            .max(0.0);
        features.extend_from_slice(&[children, accounts]);
        targets.push(transactions);
    }
    Tabular {
        feature_names: vec!["children".into(), "accounts".into()],
        target: "transactions".into(),
        rows: Rows::regression(features, 2, targets, 1),
        notes: Vec::new(),
        fill_values: BTreeMap::new(),
    }
}

/// A drug trial: 2,100 participants aged 13 to 100. Of those under 65, 1,000 had no side
/// effects and 50 had some; of those 65 and over, 1,000 had side effects and 50 had none (about
/// 5% exceptions each way). Shuffled, since the validation split takes the last rows.
pub fn drug_trial(seed: u64) -> Tabular {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut people: Vec<(f32, u32)> = Vec::with_capacity(2100);
    for (count, young_effect, old_effect) in [(50, 1, 0), (1000, 0, 1)] {
        for _ in 0..count {
            people.push((rng.random_range(13..65) as f32, young_effect));
            people.push((rng.random_range(65..=100) as f32, old_effect));
        }
    }
    people.shuffle(&mut rng);
    let (ages, labels): (Vec<f32>, Vec<u32>) = people.into_iter().unzip();
    Tabular {
        feature_names: vec!["age".into()],
        target: "side_effects".into(),
        rows: Rows::classified(ages, 1, labels, 2),
        notes: Vec::new(),
        fill_values: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_is_seeded_and_follows_its_formula() {
        let a = bank(0);
        assert_eq!(a.rows, bank(0).rows);
        assert_ne!(a.rows, bank(1).rows);
        assert_eq!(a.rows.len(), 1000);
        let (targets, _) = a.rows.values().unwrap();
        let mean_error: f32 = (0..1000)
            .map(|i| {
                let x = a.rows.features(i);
                (targets[i] - (5.0 + 3.0 * x[0] + 4.0 * x[1])).abs()
            })
            .sum::<f32>()
            / 1000.0;
        assert!(mean_error < 2.5, "{mean_error}");
    }

    #[test]
    fn drug_trial_has_five_percent_exceptions_each_way() {
        let t = drug_trial(0);
        assert_eq!(t.rows.len(), 2100);
        let labels = t.rows.labels().unwrap();
        let count = |old: bool, effect: u32| {
            (0..2100)
                .filter(|&i| (t.rows.features(i)[0] >= 65.0) == old && labels[i] == effect)
                .count()
        };
        assert_eq!((count(false, 0), count(false, 1)), (1000, 50));
        assert_eq!((count(true, 1), count(true, 0)), (1000, 50));
        let ages = t.rows.all_features();
        assert!(ages.iter().all(|&a| (13.0..=100.0).contains(&a)));
        // Shuffled: the last 30% is not all one group.
        let tail = &labels[1470..];
        assert!(tail.iter().filter(|&&l| l == 1).count() > 200);
    }
}
