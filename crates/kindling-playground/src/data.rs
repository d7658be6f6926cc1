//! The TensorFlow Playground's data sets: four classification and two regression problems on
//! the plane, points in `[-6, 6]²`, generated from a seed.
//!
//! The formulas are the Playground's (`dataset.ts`): its noise is a percentage (0 to 50) of
//! each set's spread, its class labels ±1 become classes 0 and 1 here, its regression targets
//! stay in `[-1, 1]`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// One of the Playground's data sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataset {
    /// A disc of one class inside a ring of the other.
    Circle,
    /// Exclusive or: the class is the sign of x₁·x₂.
    Xor,
    /// Two Gaussian clouds.
    Gauss,
    /// Two interleaved spirals.
    Spiral,
    /// Regression: a tilted plane, the target growing with x₁ + x₂.
    Plane,
    /// Regression: six Gaussian bumps of alternating sign.
    #[serde(rename = "multigauss")]
    MultiGauss,
}

impl Dataset {
    /// Every data set, classification first.
    pub const ALL: [Dataset; 6] = [
        Dataset::Circle,
        Dataset::Xor,
        Dataset::Gauss,
        Dataset::Spiral,
        Dataset::Plane,
        Dataset::MultiGauss,
    ];

    /// The name used in URLs and the API.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Circle => "circle",
            Dataset::Xor => "xor",
            Dataset::Gauss => "gauss",
            Dataset::Spiral => "spiral",
            Dataset::Plane => "plane",
            Dataset::MultiGauss => "multigauss",
        }
    }

    /// Whether the targets are classes (else values).
    pub fn is_classification(self) -> bool {
        !matches!(self, Dataset::Plane | Dataset::MultiGauss)
    }

    /// `count` points with `noise` percent of noise (0 to 50), drawn from `seed`.
    pub fn generate(self, count: usize, noise: u32, seed: u64) -> Vec<Point> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let noise = f64::from(noise) / 100.0;
        let uniform = |rng: &mut ChaCha8Rng, a: f64, b: f64| rng.random_range(a..b);
        let class = |positive: bool| if positive { 1.0 } else { 0.0 };
        match self {
            Dataset::Circle => {
                let radius = 5.0;
                let inside = |x: f64, y: f64| class((x * x + y * y).sqrt() < radius * 0.5);
                let mut points = Vec::with_capacity(count);
                for (i, (low, high)) in [(0.0, 0.5), (0.7, 1.0)].into_iter().enumerate() {
                    for _ in 0..(count / 2 + (count % 2) * (1 - i)) {
                        let r = uniform(&mut rng, radius * low, radius * high);
                        let angle = uniform(&mut rng, 0.0, 2.0 * PI);
                        let (x, y) = (r * angle.sin(), r * angle.cos());
                        let nx = uniform(&mut rng, -radius, radius) * noise;
                        let ny = uniform(&mut rng, -radius, radius) * noise;
                        points.push(Point::new(x, y, inside(x + nx, y + ny)));
                    }
                }
                points
            }
            Dataset::Xor => (0..count)
                .map(|_| {
                    let pad = |v: f64| if v > 0.0 { v + 0.3 } else { v - 0.3 };
                    let x = pad(uniform(&mut rng, -5.0, 5.0));
                    let y = pad(uniform(&mut rng, -5.0, 5.0));
                    let nx = uniform(&mut rng, -5.0, 5.0) * noise;
                    let ny = uniform(&mut rng, -5.0, 5.0) * noise;
                    Point::new(x, y, class((x + nx) * (y + ny) >= 0.0))
                })
                .collect(),
            Dataset::Gauss => {
                let variance = 0.5 + (4.0 - 0.5) * noise * 2.0;
                let mut points = Vec::with_capacity(count);
                for (i, (centre, label)) in [(2.0, 1.0), (-2.0, 0.0)].into_iter().enumerate() {
                    for _ in 0..(count / 2 + (count % 2) * (1 - i)) {
                        let x = normal(&mut rng, centre, variance);
                        let y = normal(&mut rng, centre, variance);
                        points.push(Point::new(x, y, label));
                    }
                }
                points
            }
            Dataset::Spiral => {
                let mut points = Vec::with_capacity(count);
                let n = count / 2;
                for (i, (delta, label)) in [(0.0, 1.0), (PI, 0.0)].into_iter().enumerate() {
                    let arm = n + (count % 2) * (1 - i);
                    for k in 0..arm {
                        let r = k as f64 / arm as f64 * 5.0;
                        let t = 1.75 * k as f64 / arm as f64 * 2.0 * PI + delta;
                        let x = r * t.sin() + uniform(&mut rng, -1.0, 1.0) * noise;
                        let y = r * t.cos() + uniform(&mut rng, -1.0, 1.0) * noise;
                        points.push(Point::new(x, y, label));
                    }
                }
                points
            }
            Dataset::Plane => (0..count)
                .map(|_| {
                    let x = uniform(&mut rng, -6.0, 6.0);
                    let y = uniform(&mut rng, -6.0, 6.0);
                    let nx = uniform(&mut rng, -6.0, 6.0) * noise;
                    let ny = uniform(&mut rng, -6.0, 6.0) * noise;
                    Point::new(x, y, ((x + nx + y + ny) / 10.0).clamp(-1.0, 1.0))
                })
                .collect(),
            Dataset::MultiGauss => {
                let bumps = [
                    (-4.0, 2.5, 1.0),
                    (0.0, 2.5, -1.0),
                    (4.0, 2.5, 1.0),
                    (-4.0, -2.5, -1.0),
                    (0.0, -2.5, 1.0),
                    (4.0, -2.5, -1.0),
                ];
                (0..count)
                    .map(|_| {
                        let x = uniform(&mut rng, -6.0, 6.0);
                        let y = uniform(&mut rng, -6.0, 6.0);
                        let nx = uniform(&mut rng, -6.0, 6.0) * noise;
                        let ny = uniform(&mut rng, -6.0, 6.0) * noise;
                        let mut label: f64 = 0.0;
                        for (cx, cy, sign) in bumps {
                            let distance = ((x + nx - cx).powi(2) + (y + ny - cy).powi(2)).sqrt();
                            let value = sign * (1.0 - distance / 2.0).clamp(0.0, 1.0);
                            if value.abs() > label.abs() {
                                label = value;
                            }
                        }
                        Point::new(x, y, label)
                    })
                    .collect()
            }
        }
    }
}

impl std::str::FromStr for Dataset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dataset::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Dataset::ALL.iter().map(|d| d.name()).collect();
                format!(
                    "unknown data set `{s}`; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// A normal draw (Box–Muller) of mean `mean` and variance `variance`.
fn normal(rng: &mut ChaCha8Rng, mean: f64, variance: f64) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    mean + variance.sqrt() * (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
}

/// A point of a data set: where it is and its target (class 0 or 1, or a value in `[-1, 1]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// x₁.
    pub x: f32,
    /// x₂.
    pub y: f32,
    /// The class (0 or 1) or the value.
    pub label: f32,
}

impl Point {
    fn new(x: f64, y: f64, label: f64) -> Self {
        Point {
            x: x as f32,
            y: y as f32,
            label: label as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_has_its_points_in_the_plane_and_its_labels() {
        for dataset in Dataset::ALL {
            let points = dataset.generate(501, 0, 7);
            assert_eq!(points.len(), 501, "{dataset:?}");
            assert!(points.iter().all(|p| p.x.abs() < 7.0 && p.y.abs() < 7.0));
            if dataset.is_classification() {
                let ones = points.iter().filter(|p| p.label == 1.0).count();
                let zeros = points.iter().filter(|p| p.label == 0.0).count();
                assert_eq!(ones + zeros, 501, "{dataset:?}");
                assert!(ones > 150 && zeros > 150, "{dataset:?}: {ones} {zeros}");
            } else {
                assert!(points.iter().all(|p| (-1.0..=1.0).contains(&p.label)));
            }
        }
        // Without noise, exclusive or is the sign of the product, and the circle's inner
        // disc is one class.
        for p in Dataset::Xor.generate(200, 0, 1) {
            assert_eq!(p.label, if p.x * p.y >= 0.0 { 1.0 } else { 0.0 });
        }
        for p in Dataset::Circle.generate(200, 0, 1) {
            assert_eq!(p.label == 1.0, (p.x * p.x + p.y * p.y).sqrt() < 2.5);
        }
        assert_eq!(
            Dataset::Spiral.generate(10, 20, 3),
            Dataset::Spiral.generate(10, 20, 3)
        );
        assert_ne!(
            Dataset::Spiral.generate(10, 20, 3),
            Dataset::Spiral.generate(10, 20, 4)
        );
        assert!(
            "moons"
                .parse::<Dataset>()
                .unwrap_err()
                .contains("circle, xor")
        );
    }
}
