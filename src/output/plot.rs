//! The limit plot: eps against the scanned key (mediator mass by default), one line per curve.
//!
//! Rendered with plotters into a memory buffer using the DejaVu Sans font embedded in the binary
//! (no system fonts needed), then encoded as PNG. Logarithmic axes are drawn as log10 of the
//! value on a linear axis, with decade labels, minor ticks and grid lines placed here: one code
//! path for log and linear x axes, and none of plotters' log-axis label quirks.

use crate::error::Error;
use crate::units::format_number;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, FontTransform, register_font};
use std::sync::Once;

/// One line of the plot.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// `(x, epsilon)` points in scan order.
    pub points: Vec<(f64, f64)>,
    /// Expected bands `(x, [-2, -1, +1, +2 sigma])`, drawn yellow (2 sigma) and green (1 sigma)
    /// behind the line; empty for none.
    pub bands: Vec<(f64, [f64; 4])>,
}

/// The horizontal axis.
#[derive(Debug, Clone, PartialEq)]
pub enum XAxis {
    /// Mediator mass in MeV, logarithmic (`m_A' [MeV]` with a real subscript: `A′` or `φ`).
    MassMev {
        /// The mediator's symbol, set as the subscript of `m`.
        symbol: String,
    },
    /// Any other scanned key.
    Key {
        /// Axis title.
        title: String,
        /// Logarithmic axis.
        logarithmic: bool,
    },
}

/// A published curve drawn behind the results.
#[derive(Debug, Clone)]
pub struct OverlaySeries {
    /// Legend label.
    pub label: String,
    /// Shade the excluded region (`true`) or draw a dashed line.
    pub excluded: bool,
    /// `(mass_mev, epsilon)`: the lower edge of a region that goes up to the top of the plot,
    /// in pieces where the curve has no value in between (nothing excluded there), or, when
    /// `closed`, one closed outline (a band between two edges, or a contour).
    pub pieces: Vec<Vec<(f64, f64)>>,
    /// The outline is a closed polygon.
    pub closed: bool,
}

impl OverlaySeries {
    /// A published limit drawn against the mass in MeV.
    #[must_use]
    pub fn from_limit(
        label: String,
        excluded: bool,
        limit: &crate::published::PublishedLimit,
    ) -> Self {
        let (pieces, closed) = limit.pieces();
        Self {
            label,
            excluded,
            pieces: pieces
                .iter()
                .map(|piece| {
                    piece
                        .iter()
                        .map(|&(m, e)| (m / crate::units::GEV_PER_MEV, e))
                        .collect()
                })
                .collect(),
            closed,
        }
    }

    /// Every point of the outline, in order.
    fn points(&self) -> impl Iterator<Item = &(f64, f64)> {
        self.pieces.iter().flatten()
    }
}

/// A filled region (e.g. the excluded region of a two-parameter scan), drawn above the published
/// curves and below the lines.
#[derive(Debug, Clone)]
pub struct Region {
    /// Legend label.
    pub label: String,
    /// The closed outline `(x, y)`.
    pub outline: Vec<(f64, f64)>,
    /// Grey, as a published exclusion, instead of a result colour.
    pub published: bool,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct LimitPlot {
    /// Filled regions.
    pub regions: Vec<Region>,
    /// Stretches of the regions' outlines that are the edge of the scanned range, not a
    /// boundary found by the physics (the region goes on beyond them): drawn dashed.
    pub scan_edges: Vec<Vec<(f64, f64)>>,
    /// Values the axes must cover besides the data `(x, y)` (e.g. the corners of a scan).
    pub extent: Vec<(f64, f64)>,
    /// Published curves, drawn first (mass scans only).
    pub overlays: Vec<OverlaySeries>,
    /// Title (the scenario's).
    pub title: String,
    /// A line of model parameters shown inside the frame.
    pub annotation: String,
    /// The horizontal axis.
    pub x_axis: XAxis,
    /// Title of the vertical axis.
    pub y_title: String,
    /// Vertical windows `(lo, hi, label)` in x, shaded lightly (e.g. the annihilation resonance).
    pub windows: Vec<(f64, f64, String)>,
    /// Vertical windows `(lo, hi, label)` in x where nothing can be made (kinematically
    /// closed), shaded grey and hatched.
    pub closed_windows: Vec<(f64, f64, String)>,
    /// The curves.
    pub series: Vec<Series>,
    /// Largest value drawn: curves and bands stop where they cross it, and the vertical axis
    /// ends there (an `eps` limit at or above 1 is no constraint; the CSV keeps the number).
    /// `None` draws every value.
    pub y_cap: Option<f64>,
    /// Axes that end at the extent and the data (a grid scan's plot) instead of whole decades.
    pub tight: bool,
}

/// The image's size in pixels.
const WIDTH: u32 = 1200;
const HEIGHT: u32 = 800;
/// The SVG is drawn on a canvas this many times larger in each direction and keeps the
/// image's size with a `viewBox` of the canvas, so that its coordinates (whole numbers in the
/// plotting library) fall on quarter pixels: curves snapped to whole pixels showed one-pixel
/// staircases. The PNG is drawn at the image's size, its curves anti-aliased at sub-pixel
/// precision by [`draw_smooth_line`].
const SVG_SCALE: u32 = 4;

/// Canvas pixels per image pixel; every size in the drawing code is given in image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scale(u32);

impl Scale {
    /// The scale of a canvas: its width over the image's.
    fn of<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>) -> Self {
        Self((root.dim_in_pixel().0 / WIDTH).max(1))
    }

    /// `n` image pixels on the canvas.
    const fn px(self, n: u32) -> u32 {
        n * self.0
    }

    /// `n` image pixels on the canvas, as a coordinate offset.
    #[expect(clippy::cast_possible_wrap, reason = "the scale is a small number")]
    const fn pxi(self, n: i32) -> i32 {
        n * self.0 as i32
    }
}

/// Curve colours in turn: blue, red, purple and a dark green as always (the expected bands are
/// green and yellow, so green comes fourth), then cyan, orange, magenta and brown. All eight
/// are saturated and at least 35 apart in CIELAB (ΔE76), so eight curves have eight colours
/// that stay apart from the pale, greyish published overlays ([`OVERLAY_SHADES`]).
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 88, 180),
    RGBColor(200, 60, 40),
    RGBColor(130, 50, 170),
    RGBColor(30, 110, 50),
    RGBColor(0, 155, 195),
    RGBColor(235, 145, 0),
    RGBColor(215, 70, 160),
    RGBColor(120, 75, 30),
];

/// Published overlays' edge colours in turn, their excluded regions filled with them at
/// [`OVERLAY_FILL`]: grey, sand, rose, sage, slate blue and a dark grey. The fills on white are
/// at least 12 apart in CIELAB (ΔE76) from each other, and the edges at least 25 from every
/// curve colour, so neither reads as a result. Slate blue comes late: it is the hue of the
/// light blue window where annihilation dominates ([`PHYSICS_WINDOW`]), and a region shaded
/// in it read as that window.
const OVERLAY_SHADES: [RGBColor; 6] = [
    RGBColor(140, 140, 140),
    RGBColor(215, 170, 95),
    RGBColor(210, 125, 135),
    RGBColor(140, 185, 110),
    RGBColor(120, 150, 215),
    RGBColor(60, 60, 60),
];

/// The opacity of an overlay's fill.
const OVERLAY_FILL: f64 = 0.45;

static FONTS: Once = Once::new();

fn register_fonts() {
    FONTS.call_once(|| {
        // The font bytes are compiled in; registration fails only for corrupt bytes.
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// `10^n` with Unicode superscripts, e.g. `10⁻⁵`.
fn decade_label(n: i32) -> String {
    let superscript: String = n
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                [d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect();
    format!("10{superscript}")
}

/// `value` as a physicist writes it, rounded to `significant` digits with trailing zeros
/// dropped: a plain decimal from 0.001 to 10⁴ (`16`, `0.05`), else a mantissa times a power of
/// ten with a superscript exponent (`2.84×10¹¹`, `8.23×10⁻⁴`, `10¹⁰` for a mantissa of 1).
#[must_use]
pub fn physics_number(value: f64, significant: usize) -> String {
    if value == 0.0 || !value.is_finite() {
        return format_number(value);
    }
    let rounded = crate::units::rounded(value, significant);
    if plain_decimal(rounded) {
        return format_number(rounded);
    }
    power_of_ten(value, significant)
}

/// Whether [`physics_number`] writes `value` as a plain decimal: 0.001 to 10⁴ in magnitude.
fn plain_decimal(value: f64) -> bool {
    (1e-3 * (1.0 - 1e-9)..=1e4 * (1.0 + 1e-9)).contains(&value.abs())
}

/// `value` rounded to `significant` digits as a mantissa times a power of ten, whatever its
/// size (`2×10¹`, `10⁻⁵`, `1.5×10⁻⁵`); zero and non-finite values as plain numbers.
fn power_of_ten(value: f64, significant: usize) -> String {
    if value == 0.0 || !value.is_finite() {
        return format_number(value);
    }
    let text = format!("{:.*e}", significant.max(1) - 1, value);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let power = decade_label(exponent.parse().unwrap_or(0));
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    match mantissa {
        "1" => power,
        "-1" => format!("-{power}"),
        m => format!("{m}×{power}"),
    }
}

/// An axis in plot coordinates: log10 of the value for a logarithmic axis.
#[derive(Debug, Clone, Copy)]
struct Axis {
    logarithmic: bool,
    lo: f64,
    hi: f64,
}

/// The smallest and largest of `values` an axis can show (finite, and positive on a log axis);
/// infinite when there is none.
fn value_range(values: impl Iterator<Item = f64>, logarithmic: bool) -> (f64, f64) {
    values
        .filter(|v| v.is_finite() && (!logarithmic || *v > 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
}

/// How a covering axis ([`Axis::covering`]) meets its values on a log scale.
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// Values spanning fewer decades than this get an axis that ends a margin beyond them;
    /// wider ones an axis of whole decades.
    hug_decades: f64,
    /// The margin beyond the values, as a share of their span in decades.
    margin: f64,
    /// On a whole-decade axis, the smallest value stays at least this share of the axis's
    /// span above the bottom (the axis then starts below the decade): a dip does not touch the
    /// frame.
    clearance: f64,
    /// Whole decades only while they add at most this share of the axis beyond the values; a
    /// range they would pad more (1-15 MeV on 1-100 MeV) is hugged with the margin instead.
    max_padding: f64,
}

/// The horizontal axis: whole decades from one decade of values up when they add at most a
/// third of the axis, else the scanned range and 3% of it either side.
const X_FIT: Fit = Fit {
    hug_decades: 1.0,
    margin: 0.03,
    clearance: 0.0,
    max_padding: 1.0 / 3.0,
};

/// The vertical axis: whole decades from 1.5 decades of values up, else the values and 5% of
/// their span either side; the smallest value at least 5% of the axis above its bottom.
const Y_FIT: Fit = Fit {
    hug_decades: 1.5,
    margin: 0.05,
    clearance: 0.05,
    max_padding: 1.0,
};

/// Whole decades only (the fallback of a degenerate tight axis).
const DECADES: Fit = Fit {
    hug_decades: 0.0,
    margin: 0.0,
    clearance: 0.0,
    max_padding: 1.0,
};

impl Axis {
    /// A log axis covering `values` as `fit` says (whole decades, or a margin beyond a short
    /// range), or a linear axis padded by 2%.
    fn covering(values: impl Iterator<Item = f64>, logarithmic: bool, fit: Fit) -> Self {
        let (min, max) = value_range(values, logarithmic);
        if !min.is_finite() {
            return Self {
                logarithmic,
                lo: 0.0,
                hi: 1.0,
            };
        }
        if logarithmic {
            let (low, high) = (min.log10(), max.log10());
            let span = high - low;
            // The whole decades around the values, and how much of them the values leave.
            let padding = |lo: f64, hi: f64| ((low - lo) + (hi - high)) / (hi - lo);
            let decades = ((low + 1e-9).floor(), (high - 1e-9).ceil());
            let padded = decades.1 > decades.0 && padding(decades.0, decades.1) > fit.max_padding;
            if span > 1e-9 && (span < fit.hug_decades || padded) {
                // Short ranges: a margin beyond the values (at least a few hundredths of a
                // decade, so that an almost flat range still gets a readable axis).
                let margin = fit.margin * span.max(0.05);
                return Self {
                    logarithmic,
                    lo: low - margin,
                    hi: high + margin,
                };
            }
            // A value a rounding error from a decade (0.1 written as 0.10000000000000006 by a
            // log-spaced scan) belongs to it, not to the next decade.
            let lo = (low + 1e-9).floor();
            let hi = (high - 1e-9).ceil().max(lo + 1.0);
            // Keep the smallest value off the bottom of the frame.
            let lo = if low - lo < fit.clearance * (hi - lo) {
                low - fit.clearance * (hi - low) / (1.0 - fit.clearance)
            } else {
                lo
            };
            Self {
                logarithmic,
                lo,
                hi,
            }
        } else {
            let span = if max > min {
                max - min
            } else {
                min.abs().max(1.0)
            };
            Self {
                logarithmic,
                lo: min - 0.02 * span,
                hi: max + 0.02 * span,
            }
        }
    }

    /// The axis from the smallest to the largest of `values` exactly (log10 for a log axis).
    fn tight(values: impl Iterator<Item = f64>, logarithmic: bool) -> Self {
        let (min, max) = value_range(values, logarithmic);
        if !(min.is_finite() && max > min) {
            return Self::covering([min, max].into_iter(), logarithmic, DECADES);
        }
        let map = |v: f64| if logarithmic { v.log10() } else { v };
        Self {
            logarithmic,
            lo: map(min),
            hi: map(max),
        }
    }

    fn map(&self, value: f64) -> f64 {
        if self.logarithmic {
            value.log10()
        } else {
            value
        }
    }

    /// Major ticks `(position, label)` and minor tick positions, in plot coordinates.
    fn ticks(&self) -> (Vec<(f64, String)>, Vec<f64>) {
        if !self.logarithmic {
            self.linear_ticks()
        } else if self.hi - self.lo < 1.0 {
            self.sub_decade_ticks()
        } else {
            self.decade_ticks()
        }
    }

    /// The ticks of a log axis of a decade or more: decades, and 2 and 5 times each on a
    /// short one.
    fn decade_ticks(&self) -> (Vec<(f64, String)>, Vec<f64>) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "plotted decades are small integers"
        )]
        let (d0, d1) = (
            (self.lo + 1e-9).floor() as i32,
            (self.hi - 1e-9).ceil() as i32,
        );
        // Past 12 decades the labels would run into each other: every `step`-th decade
        // is labelled, the others are minor ticks.
        let step = [1, 2, 5, 10, 20, 50, 100]
            .into_iter()
            .find(|s| (d1 - d0) / s <= 12)
            .unwrap_or(200);
        let labelled = |d: i32| d.rem_euclid(step) == 0;
        let mut majors: Vec<f64> = (d0..=d1).filter(|&d| labelled(d)).map(f64::from).collect();
        let mut minors: Vec<f64> = (d0..=d1).filter(|&d| !labelled(d)).map(f64::from).collect();
        for d in (d0..d1).filter(|_| step == 1) {
            for k in 2..10 {
                let position = f64::from(d) + f64::from(k).log10();
                // Short axes (two decades or less) also label 2 and 5 times each decade.
                if self.hi - self.lo <= 2.0 + 1e-9 && (k == 2 || k == 5) {
                    majors.push(position);
                } else {
                    minors.push(position);
                }
            }
        }
        majors.sort_by(f64::total_cmp);
        // A tight axis may start or end inside a decade.
        let inside = |p: f64| p >= self.lo - 1e-9 && p <= self.hi + 1e-9;
        majors.retain(|&m| inside(m));
        minors.retain(|&m| inside(m));
        (log_labels(&majors), minors)
    }

    /// The ticks of a log axis shorter than a decade (a narrow scan): round values at the
    /// largest of the steps 1, 2, 2.5 and 5 times a power of ten that puts at least four
    /// inside (15, 20, 25, 30 MeV), minor ticks between them.
    fn sub_decade_ticks(&self) -> (Vec<(f64, String)>, Vec<f64>) {
        let (lo, hi) = (10f64.powf(self.lo), 10f64.powf(self.hi));
        let multiples = |step: f64| {
            let first = (lo / step - 1e-9).ceil();
            let last = (hi / step + 1e-9).floor();
            (first, last)
        };
        let mut magnitude = 10f64.powf((hi - lo).log10().ceil());
        let mut chosen = (magnitude, 5.0);
        'search: for _ in 0..30 {
            for (factor, minor) in [(1.0, 5.0), (0.5, 5.0), (0.25, 5.0), (0.2, 4.0)] {
                let step = magnitude * factor;
                let (first, last) = multiples(step);
                if last - first >= 3.0 {
                    chosen = (step, minor);
                    break 'search;
                }
            }
            magnitude /= 10.0;
        }
        let (step, per_major) = chosen;
        let positions = |step: f64| -> Vec<f64> {
            let (first, last) = multiples(step);
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a few tens of ticks at most"
            )]
            let (first, last) = (first as i64, last as i64);
            #[expect(clippy::cast_precision_loss, reason = "small tick counts")]
            (first..=last).map(|i| (i as f64 * step).log10()).collect()
        };
        let mut majors = positions(step);
        // An end of the axis more than a fifth of it from the nearest label gets one more, half
        // a step beyond (1.5e-5 below 2e-5), so that a curve's extreme there can be read.
        let far = 0.2 * (self.hi - self.lo);
        if let Some(&first) = majors.first() {
            let extra = 10f64.powf(first) - 0.5 * step;
            if first - self.lo > far && extra > 0.0 && extra.log10() >= self.lo {
                majors.insert(0, extra.log10());
            }
        }
        if let Some(&last) = majors.last() {
            let extra = (10f64.powf(last) + 0.5 * step).log10();
            if self.hi - last > far && extra <= self.hi {
                majors.push(extra);
            }
        }
        let minors: Vec<f64> = positions(step / per_major)
            .into_iter()
            .filter(|m| majors.iter().all(|p| (p - m).abs() > 1e-9))
            .collect();
        (log_labels(&majors), minors)
    }

    /// The ticks of a linear axis: round steps, some six of them.
    fn linear_ticks(&self) -> (Vec<(f64, String)>, Vec<f64>) {
        let span = self.hi - self.lo;
        let raw = span / 6.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(magnitude * 10.0);
        let first = (self.lo / step).ceil();
        let count = ((self.hi / step).floor() - first).max(0.0);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a handful of ticks"
        )]
        let majors = (0..=count as usize)
            .map(|i| {
                let v = (first + i as f64) * step;
                (v, crate::output::format_number((v / step).round() * step))
            })
            .collect();
        (majors, Vec::new())
    }
}

/// Labels of major ticks at `positions` (log10 of the values) on a log axis: plain decimals
/// (`1`, `20`, `500`, `0.01`) when every labelled value lies between 0.001 and 10⁴, as a
/// physicist writes a mass axis; else every one a power of ten (`10⁻⁵`, `2×10⁻⁵`), so that
/// no axis mixes the two.
fn log_labels(positions: &[f64]) -> Vec<(f64, String)> {
    let values: Vec<f64> = positions.iter().map(|p| 10f64.powf(*p)).collect();
    let plain = values.iter().all(|v| plain_decimal(*v));
    positions
        .iter()
        .zip(values)
        .map(|(&p, v)| {
            let label = if plain {
                physics_number(v, 3)
            } else {
                power_of_ten(v, 3)
            };
            (p, label)
        })
        .collect()
}

/// Renders the plot to PNG bytes.
///
/// # Errors
/// [`Error::Output`] if drawing or encoding fails.
pub fn render_png(plot: &LimitPlot) -> Result<Vec<u8>, Error> {
    register_fonts();
    let mut buffer = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        draw(plot, &root).map_err(|e| Error::Output {
            path: "<png>".into(),
            message: e.to_string(),
        })?;
        root.present().map_err(|e| Error::Output {
            path: "<png>".into(),
            message: e.to_string(),
        })?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let fail = |e: png::EncodingError| Error::Output {
            path: "<png>".into(),
            message: e.to_string(),
        };
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(&buffer).map_err(fail)?;
    }
    Ok(png_bytes)
}

/// Renders the plot as SVG text (vector output; text is set in the viewer's DejaVu Sans, or its
/// sans-serif font without it).
///
/// # Errors
/// [`Error::Output`] if drawing fails.
pub fn render_svg(plot: &LimitPlot) -> Result<Vec<u8>, Error> {
    register_fonts();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (WIDTH * SVG_SCALE, HEIGHT * SVG_SCALE))
            .into_drawing_area();
        draw(plot, &root).map_err(|e| Error::Output {
            path: "<svg>".into(),
            message: e.to_string(),
        })?;
        root.present().map_err(|e| Error::Output {
            path: "<svg>".into(),
            message: e.to_string(),
        })?;
    }
    // The image's size, the canvas as the coordinate system.
    let canvas = format!(
        r#"<svg width="{}" height="{}" "#,
        WIDTH * SVG_SCALE,
        HEIGHT * SVG_SCALE
    );
    // Spaces are kept as drawn: labels are set in runs (subscripts) placed by their measured
    // widths, and a viewer that collapses spaces would shift the runs after them.
    let image = format!(
        r#"<svg width="{WIDTH}" height="{HEIGHT}" xml:space="preserve" style="white-space:pre" "#
    );
    if !text.starts_with(&canvas) || !text.contains(r#" viewBox="0 0 "#) {
        return Err(Error::Output {
            path: "<svg>".into(),
            message: "unexpected SVG header from the plotting library".into(),
        });
    }
    // The labels were measured in DejaVu Sans (embedded): ask the viewer for it first.
    Ok(text
        .replacen(&canvas, &image, 1)
        .replace(
            r#"font-family="sans-serif""#,
            r#"font-family="DejaVu Sans, sans-serif""#,
        )
        .into_bytes())
}

/// A drawing that failed (a backend error, with its message).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct DrawError(String);

/// A backend's error as a [`DrawError`].
fn failed<E: std::fmt::Display>(e: E) -> DrawError {
    DrawError(e.to_string())
}

/// The chart every part is drawn into: mapped coordinates on both axes.
/// The plotted ranges: they cover the curves, their expected bands, regions and extent (never
/// the overlays), the vertical one up to the cap.
fn axes(plot: &LimitPlot) -> (Axis, Axis) {
    let x_log = match &plot.x_axis {
        XAxis::MassMev { .. } => true,
        XAxis::Key { logarithmic, .. } => *logarithmic,
    };
    // The expected bands count too: the axis must not clip the -2 sigma band.
    let bands = || {
        banded(plot).into_iter().flat_map(|s| {
            s.bands
                .iter()
                .flat_map(|(x, band)| band.iter().map(move |v| (*x, *v)))
        })
    };
    let data = || {
        plot.series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .chain(bands())
            .chain(plot.regions.iter().flat_map(|r| r.outline.iter().copied()))
            .chain(plot.extent.iter().copied())
    };
    let cap = plot.y_cap.unwrap_or(f64::INFINITY);
    let axis = |values: Vec<f64>, logarithmic: bool, fit: Fit| {
        if plot.tight {
            Axis::tight(values.into_iter(), logarithmic)
        } else {
            Axis::covering(values.into_iter(), logarithmic, fit)
        }
    };
    let mut y = axis(data().map(|p| p.1.min(cap)).collect(), true, Y_FIT);
    // The margin above the values stops at the cap: nothing is drawn beyond it.
    if cap > 0.0 && cap.log10() > y.lo {
        y.hi = y.hi.min(cap.log10());
    }
    (axis(data().map(|p| p.0).collect(), x_log, X_FIT), y)
}

/// What the plot cannot show of its overlays, one warning per overlay that names it: points
/// that are not finite positive numbers (a published limit rescaled to infinity, say) are left
/// out, and an overlay with no stretch inside the plotted range is not drawn at all.
#[must_use]
pub fn overlay_warnings(plot: &LimitPlot) -> Vec<String> {
    let (x, y) = axes(plot);
    let shown = |v: f64| if x.logarithmic { 10f64.powf(v) } else { v };
    let unit = match plot.x_axis {
        XAxis::MassMev { .. } => " MeV",
        XAxis::Key { .. } => "",
    };
    let mut warnings = Vec::new();
    for overlay in &plot.overlays {
        let usable_piece = |piece: &[(f64, f64)]| -> Vec<(f64, f64)> {
            piece
                .iter()
                .copied()
                .filter(|&(m, e)| m.is_finite() && e.is_finite() && m > 0.0 && e > 0.0)
                .collect()
        };
        let usable: Vec<Vec<(f64, f64)>> = overlay.pieces.iter().map(|p| usable_piece(p)).collect();
        let all_points = overlay.points().count();
        let left_out = all_points - usable.iter().map(Vec::len).sum::<usize>();
        if left_out > 0 {
            warnings.push(format!(
                "warning: overlay \"{}\": {left_out} of {all_points} point(s) are not finite positive numbers (a rescaling to infinity?) and are left out",
                unescaped(&overlay.label),
            ));
        }
        let mapped: Vec<Vec<(f64, f64)>> = usable
            .iter()
            .map(|piece| piece.iter().map(|&(m, e)| (x.map(m), e)).collect())
            .collect();
        let in_frame: Vec<(f64, f64)> = mapped
            .iter()
            .filter_map(|piece| {
                let clipped = clip_x(piece, x.lo, x.hi);
                (clipped.len() >= 2).then_some(clipped)
            })
            .flatten()
            .collect();
        let hidden = if overlay.closed {
            let (lo, hi) = value_range(mapped.iter().flatten().map(|p| p.0), false);
            !(lo < x.hi && hi > x.lo)
        } else {
            in_frame.is_empty()
        };
        let above =
            !overlay.closed && !hidden && in_frame.iter().all(|p| y.map(p.1) >= y.hi - 1e-12);
        let usable: Vec<(f64, f64)> = usable.into_iter().flatten().collect();
        if above {
            warnings.push(format!(
                "warning: overlay \"{}\" lies wholly above the plot's vertical range (up to {}) and is not drawn",
                unescaped(&overlay.label),
                physics_number(if y.logarithmic { 10f64.powf(y.hi) } else { y.hi }, 3)
            ));
        }
        if hidden {
            let range = usable.iter().fold((f64::INFINITY, 0.0_f64), |(a, b), p| {
                (a.min(p.0), b.max(p.0))
            });
            let extent = if usable.is_empty() {
                "no usable point".to_string()
            } else {
                format!(
                    "{}-{}{unit}",
                    format_number(range.0),
                    format_number(range.1)
                )
            };
            warnings.push(format!(
                "warning: overlay \"{}\" ({extent}) lies outside the plotted range ({}-{}{unit}) and is not drawn",
                unescaped(&overlay.label),
                crate::output::five_digits(shown(x.lo)),
                crate::output::five_digits(shown(x.hi))
            ));
        }
    }
    warnings
}

type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn draw<DB: DrawingBackend>(
    plot: &LimitPlot,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), DrawError> {
    root.fill(&WHITE).map_err(failed)?;
    let scale = Scale::of(root);
    let (x, y) = axes(plot);
    let title_size = fitting_font_size(root, &plot.title, (16, 26), true)?;
    // The title (drawn by draw_title, with its subscripts) sits in the top margin.
    let mut chart = ChartBuilder::on(root)
        .margin(scale.px(25))
        .margin_top(scale.px(25) + title_size * 5 / 4)
        .margin_right(scale.px(40))
        .set_label_area_size(
            LabelAreaPosition::Top,
            scale.px(if plot.annotation.is_empty() { 20 } else { 44 }),
        )
        .x_label_area_size(scale.px(80))
        .y_label_area_size(scale.px(150))
        .build_cartesian_2d(x.lo..x.hi, y.lo..y.hi)
        .map_err(failed)?;
    let mut legend = Vec::new();
    // The published regions' opaque fills, the grid over them, then their edges.
    let overlays = shown_overlays(plot, &x, &y);
    fill_overlays(&mut chart, root, plot, &overlays, (&x, &y))?;
    draw_grid(&mut chart, &x, &y, scale)?;
    draw_overlay_edges(&mut chart, root, plot, overlays, (&x, &y), &mut legend)?;
    draw_windows(&mut chart, root, plot, &x, &y)?;
    draw_regions(&mut chart, root, plot, (&x, &y), &mut legend)?;
    if !scan_edge_lines(plot, (&x, &y)).is_empty() {
        legend.push(LegendEntry::new(
            "edge of the scan: the region goes on",
            SCAN_EDGE.swatch(root),
        ));
    }
    draw_bands(&mut chart, root, plot, (&x, &y), &mut legend)?;
    draw_curves(&mut chart, root, plot, (&x, &y), &mut legend)?;
    draw_legend(&chart, root, &legend, legend_corner(plot, &x, &y), (&x, &y))?;

    draw_frame(&chart, root, &x, &y)?;
    draw_scan_edges(&mut chart, root, plot, (&x, &y))?;
    draw_axis_titles(&chart, root, plot, &x, &y)?;
    #[expect(
        clippy::cast_possible_wrap,
        reason = "the image is a few thousand pixels wide"
    )]
    let middle = root.dim_in_pixel().0 as i32 / 2;
    draw_scripted(
        root,
        &plot.title,
        (middle, scale.pxi(20)),
        (title_size, true),
        Anchor::Centre,
    )
}

/// The font size, between `smallest` and `largest` image pixels, at which `text` (set with its
/// subscripts, bold or not) fits the image's width with its margins: the largest that fits.
fn fitting_font_size<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    (smallest, largest): (u32, u32),
    bold: bool,
) -> Result<u32, DrawError> {
    let scale = Scale::of(root);
    let available = root.dim_in_pixel().0.saturating_sub(scale.px(60));
    for size in (smallest..=largest).rev() {
        let width = scripted_width(root, text, scale.px(size), bold)?;
        if u32::try_from(width).unwrap_or(u32::MAX) <= available {
            return Ok(scale.px(size));
        }
    }
    Ok(scale.px(smallest))
}

/// Light lines at the major ticks, lighter at the minor ones.
fn draw_grid<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    x: &Axis,
    y: &Axis,
    scale: Scale,
) -> Result<(), DrawError> {
    let (x_major, x_minor) = x.ticks();
    let (y_major, y_minor) = y.ticks();
    let grid = |v: f64, vertical: bool, alpha: f64| {
        let line = if vertical {
            [(v, y.lo), (v, y.hi)]
        } else {
            [(x.lo, v), (x.hi, v)]
        };
        PathElement::new(line, BLACK.mix(alpha).stroke_width(scale.px(1)))
    };
    for &v in &x_minor {
        chart
            .draw_series(std::iter::once(grid(v, true, 0.05)))
            .map_err(failed)?;
    }
    for &v in &y_minor {
        chart
            .draw_series(std::iter::once(grid(v, false, 0.05)))
            .map_err(failed)?;
    }
    for (v, _) in &x_major {
        chart
            .draw_series(std::iter::once(grid(*v, true, 0.15)))
            .map_err(failed)?;
    }
    for (v, _) in &y_major {
        chart
            .draw_series(std::iter::once(grid(*v, false, 0.15)))
            .map_err(failed)?;
    }

    Ok(())
}

/// The published curves the frame shows, with their index among the overlays and their shape
/// in plot coordinates (x interpolated linearly at the frame's edges). An open curve wholly
/// above the frame (clamped to its top) shows nothing: no fill, no line along the frame, no
/// legend entry.
fn shown_overlays(plot: &LimitPlot, x: &Axis, y: &Axis) -> Vec<(usize, Vec<OverlayShape>)> {
    plot.overlays
        .iter()
        .enumerate()
        .filter_map(|(k, overlay)| {
            let shapes = OverlayShape::of(overlay, x, y);
            let above = !overlay.closed
                && shapes
                    .iter()
                    .flat_map(|shape| &shape.edge)
                    .all(|p| p.1 >= y.hi - 1e-12);
            (!shapes.is_empty() && !above).then_some((k, shapes))
        })
        .collect()
}

/// The excluded regions of the published curves, filled opaquely (each shade as it would look
/// at [`OVERLAY_FILL`] over white) and all before any edge ([`draw_overlay_edges`]): where two
/// regions overlap the later one's colour shows, not a darker mixture of both. The largest
/// region (in the plot) is filled first, so that a smaller one shows over it: a region inside
/// another is seen in its own colour, not only as its edge.
fn fill_overlays<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    shown: &[(usize, Vec<OverlayShape>)],
    (x, y): (&Axis, &Axis),
) -> Result<(), DrawError> {
    let mut excluded: Vec<&(usize, Vec<OverlayShape>)> = shown
        .iter()
        .filter(|(k, _)| plot.overlays[*k].excluded)
        .collect();
    excluded.sort_by(|a, b| region_area(&b.1).total_cmp(&region_area(&a.1)));
    for (k, shapes) in excluded {
        for shape in shapes {
            fill_polygon(chart, root, (x, y), &shape.polygon, overlay_fill(*k))?;
        }
    }
    Ok(())
}

/// The area an overlay's pieces cover in plot coordinates (the shoelace formula), to order the
/// fills.
fn region_area(shapes: &[OverlayShape]) -> f64 {
    shapes
        .iter()
        .map(|shape| {
            let p = &shape.polygon;
            let twice: f64 = (0..p.len())
                .map(|i| {
                    let (a, b) = (p[i], p[(i + 1) % p.len()]);
                    a.0.mul_add(b.1, -(b.0 * a.1))
                })
                .sum();
            0.5 * twice.abs()
        })
        .sum()
}

/// The published curves' lines, over every fill: an excluded region's edge in its shade, a
/// projection dashed; each with its legend entry.
fn draw_overlay_edges<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    shown: Vec<(usize, Vec<OverlayShape>)>,
    (x, y): (&Axis, &Axis),
    legend: &mut Vec<LegendEntry>,
) -> Result<(), DrawError> {
    for (k, shapes) in shown {
        let overlay = &plot.overlays[k];
        let line = if overlay.excluded {
            legend.push(LegendEntry::new(
                &overlay.label,
                Swatch::Fill(overlay_fill(k)),
            ));
            Line::solid(overlay_shade(k), 2)
        } else {
            let line = projection_line(k);
            legend.push(LegendEntry::new(&overlay.label, line.swatch(root)));
            line
        };
        for OverlayShape { edge, .. } in shapes {
            stroke(chart, root, (x, y), edge, line)?;
        }
    }
    Ok(())
}

/// How the `k`-th overlay is drawn when it is a projection (an expected limit, not a region):
/// dashed, in its shade darkened so that the line reads over the fills, and with the dashes of
/// its place, so that two projections differ also in grey print.
fn projection_line(k: usize) -> Line {
    let RGBColor(r, g, b) = overlay_shade(k);
    let dark = |c: u8| u8::try_from(u16::from(c) * 11 / 20).unwrap_or(c);
    let dashes = [(8, 6), (3, 5), (16, 5)][k % 3];
    Line::dashed(RGBColor(dark(r), dark(g), dark(b)), 2, dashes)
}

/// The edge colour of the `k`-th overlay.
fn overlay_shade(k: usize) -> RGBColor {
    OVERLAY_SHADES[k % OVERLAY_SHADES.len()]
}

/// The opaque fill of the `k`-th overlay: its shade at [`OVERLAY_FILL`] over white.
fn overlay_fill(k: usize) -> RGBAColor {
    on_white(overlay_shade(k), OVERLAY_FILL).to_rgba()
}

/// `c` at opacity `alpha` over white.
fn on_white(c: RGBColor, alpha: f64) -> RGBColor {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a channel in [0, 255]"
    )]
    let blend = |v: u8| alpha.mul_add(f64::from(v), (1.0 - alpha) * 255.0).round() as u8;
    RGBColor(blend(c.0), blend(c.1), blend(c.2))
}

/// A piece of an overlay in plot coordinates, clipped to the frame.
struct OverlayShape {
    /// The region to fill (an open curve closed along the frame's top).
    polygon: Vec<(f64, f64)>,
    /// The line to stroke.
    edge: Vec<(f64, f64)>,
}

impl OverlayShape {
    /// The pieces of `overlay` the frame shows (at least two points of line each).
    fn of(overlay: &OverlaySeries, x: &Axis, y: &Axis) -> Vec<Self> {
        overlay
            .pieces
            .iter()
            .map(|piece| Self::of_piece(piece, overlay.closed, x, y))
            .filter(|shape| shape.edge.len() >= 2)
            .collect()
    }

    fn of_piece(piece: &[(f64, f64)], closed: bool, x: &Axis, y: &Axis) -> Self {
        let usable = piece
            .iter()
            .filter(|p| p.0 > 0.0 && p.1 > 0.0 && p.0.is_finite() && p.1.is_finite());
        if closed {
            let mapped: Vec<(f64, f64)> = usable.map(|&(m, e)| (x.map(m), y.map(e))).collect();
            let polygon = clip_polygon(&mapped, (x.lo, x.hi), (y.lo, y.hi));
            let mut edge = polygon.clone();
            edge.extend(polygon.first().copied());
            Self { polygon, edge }
        } else {
            let mapped: Vec<(f64, f64)> = usable
                .map(|&(m, e)| (x.map(m), y.map(e).clamp(y.lo, y.hi)))
                .collect();
            let edge = clip_x(&mapped, x.lo, x.hi);
            let mut polygon = edge.clone();
            if let (Some(first), Some(last)) = (edge.first(), edge.last()) {
                polygon.push((last.0, y.hi));
                polygon.push((first.0, y.hi));
            }
            Self { polygon, edge }
        }
    }
}

/// How far below the frame's top a window's label starts, in image pixels: clear of the
/// major ticks (10 pixels inward) that ran through it.
const WINDOW_LABEL_DROP: i32 = 16;

/// How a kind of vertical window is drawn: its shade, its label's colour, hatched or not.
#[derive(Debug, Clone, Copy)]
struct WindowStyle {
    shade: RGBAColor,
    text: RGBColor,
    hatched: bool,
}

/// A window of the physics (where annihilation dominates): light blue.
const PHYSICS_WINDOW: WindowStyle = WindowStyle {
    shade: RGBAColor(70, 130, 220, 0.15),
    text: RGBColor(20, 60, 140),
    hatched: false,
};

/// A stretch where nothing can be made (kinematically closed): grey and hatched, unlike the
/// light blue of an excluded region.
const CLOSED_WINDOW: WindowStyle = WindowStyle {
    shade: RGBAColor(120, 120, 120, 0.18),
    text: RGBColor(60, 60, 60),
    hatched: true,
};

/// Vertical windows, lightest of all, with their label at the top inside the frame: the
/// physics windows light blue, the closed ones grey and hatched.
fn draw_windows<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    x: &Axis,
    y: &Axis,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    // Data units per pixel, so that a window narrower than a few pixels stays visible.
    let (left, _) = chart.backend_coord(&(x.lo, y.hi));
    let (right, _) = chart.backend_coord(&(x.hi, y.hi));
    let per_pixel = (x.hi - x.lo) / f64::from((right - left).max(1));
    let shown: Vec<(f64, f64, &String, WindowStyle)> = [
        (&plot.windows, PHYSICS_WINDOW),
        (&plot.closed_windows, CLOSED_WINDOW),
    ]
    .into_iter()
    .flat_map(|(windows, style)| {
        windows.iter().map(move |(lo, hi, label)| {
            let (a, b) = (x.map(*lo), x.map(*hi));
            let widen = 0.5 * (f64::from(scale.px(4)) * per_pixel - (b - a)).max(0.0);
            ((a - widen).max(x.lo), (b + widen).min(x.hi), label, style)
        })
    })
    .filter(|(a, b, _, _)| b > a)
    .collect();
    // Every shade first, then the labels over them.
    for &(a, b, _, style) in &shown {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, y.lo), (b, y.hi)],
                style.shade.filled(),
            )))
            .map_err(failed)?;
        if style.hatched {
            hatch(chart, root, (a, b), y)?;
        }
    }
    // Where labels went: a window whose label would cover another's is drawn without one
    // (several results' windows overlap; one label says what the shade means).
    let mut labelled: Vec<(i32, i32)> = Vec::new();
    for (a, b, label, style) in shown {
        draw_window_label(chart, root, (a, b, label), style, (x, y), &mut labelled)?;
    }
    Ok(())
}

/// Grey diagonal lines across the window from `a` to `b` (plotted x), 14 image pixels apart.
fn hatch<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    (a, b): (f64, f64),
    y: &Axis,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    let (left, top) = chart.backend_coord(&(a, y.hi));
    let (right, bottom) = chart.backend_coord(&(b, y.lo));
    let height = bottom - top;
    if height <= 0 || right <= left {
        return Ok(());
    }
    let style = RGBColor(120, 120, 120).mix(0.45).stroke_width(scale.px(1));
    let h = f64::from(height);
    let mut k = left - height;
    while k < right {
        // The line from (k, bottom) to (k + height, top), cut to the window's columns.
        let t0 = (f64::from(left - k) / h).max(0.0);
        let t1 = (f64::from(right - k) / h).min(1.0);
        if t0 < t1 {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "pixel positions inside a frame of a few thousand pixels"
            )]
            let at = |t: f64| (k + (t * h).round() as i32, bottom - (t * h).round() as i32);
            root.draw(&PathElement::new(vec![at(t0), at(t1)], style))
                .map_err(failed)?;
        }
        k += scale.pxi(14);
    }
    Ok(())
}

/// A window's label at the top of the frame, on a light box: inside the window when it fits,
/// else right of it, or centred on it when that would leave the frame, or left of it when both
/// would; not drawn when it would cover a label already in `labelled` (their spans in pixels),
/// else added there.
fn draw_window_label<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    (a, b, label): (f64, f64, &String),
    style: WindowStyle,
    (x, y): (&Axis, &Axis),
    labelled: &mut Vec<(i32, i32)>,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    let (right, _) = chart.backend_coord(&(x.hi, y.hi));
    let (end, top) = chart.backend_coord(&(b, y.hi));
    let font = ("sans-serif", scale.px(18))
        .into_font()
        .color(&style.text)
        .pos(Pos::new(HPos::Left, VPos::Top));
    // On a light box, so that it reads over shaded overlays too.
    let (w, h) = root.estimate_text_size(label, &font).map_err(failed)?;
    #[expect(
        clippy::cast_possible_wrap,
        reason = "text sizes are a few hundred pixels"
    )]
    let (w, h) = (w as i32, h as i32);
    let (start, _) = chart.backend_coord(&(a, y.hi));
    let below = top + scale.pxi(WINDOW_LABEL_DROP);
    let (left, _) = chart.backend_coord(&(x.lo, y.hi));
    let centred = (start + end - w) / 2;
    let corner = if end - start >= w + scale.pxi(16) {
        (centred, below)
    } else if end + scale.pxi(10) + w <= right {
        (end + scale.pxi(4), below)
    } else if centred - scale.pxi(3) >= left && centred + w + scale.pxi(6) <= right {
        // Over the window and beyond it on both sides: left of it, a label next to a band at
        // the right end of the axis went far from its band (and under the legend).
        (centred, below)
    } else {
        (start - scale.pxi(10) - w, below)
    };
    let far = (corner.0 + w + scale.pxi(6), corner.1 + h + scale.pxi(4));
    let span = (corner.0 - scale.pxi(3), far.0);
    if labelled.iter().any(|&(l, r)| span.0 < r && l < span.1) {
        return Ok(());
    }
    labelled.push(span);
    root.draw(&Rectangle::new(
        [(corner.0 - scale.pxi(3), corner.1 - scale.pxi(2)), far],
        WHITE.mix(0.8).filled(),
    ))
    .map_err(failed)?;
    root.draw(&Text::new(label.clone(), corner, font))
        .map_err(failed)
}

/// Filled regions, with their outline.
fn draw_regions<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    (x, y): (&Axis, &Axis),
    legend: &mut Vec<LegendEntry>,
) -> Result<(), DrawError> {
    // A region without a label is a further piece of the one before it (a region the grid's
    // closed columns cut in two): it keeps that one's colour.
    let mut colour_index = 0;
    for (k, region) in plot.regions.iter().enumerate() {
        if k > 0 && !region.label.is_empty() {
            colour_index += 1;
        }
        let colour = if region.published {
            RGBColor(150, 150, 150)
        } else {
            PALETTE[colour_index % PALETTE.len()]
        };
        let outline: Vec<(f64, f64)> = region
            .outline
            .iter()
            .filter(|(px, py)| px.is_finite() && *py > 0.0 && (!x.logarithmic || *px > 0.0))
            .map(|&(px, py)| (x.map(px), y.map(py)))
            .collect();
        if outline.len() < 3 {
            continue;
        }
        fill_polygon(chart, root, (x, y), &outline, colour.mix(0.3))?;
        legend.push(LegendEntry::new(
            &region.label,
            Swatch::Fill(colour.mix(0.3)),
        ));
        let mut closed = outline;
        closed.push(closed[0]);
        stroke(chart, root, (x, y), closed, Line::solid(colour, 2))?;
    }

    Ok(())
}

/// The scan's edges where a region meets them, in plot coordinates.
fn scan_edge_lines(plot: &LimitPlot, (x, y): (&Axis, &Axis)) -> Vec<Vec<(f64, f64)>> {
    plot.scan_edges
        .iter()
        .map(|edge| {
            edge.iter()
                .filter(|(px, py)| *py > 0.0 && (!x.logarithmic || *px > 0.0))
                .map(|&(px, py)| (x.map(px), y.map(py)))
                .collect::<Vec<_>>()
        })
        .filter(|mapped| mapped.len() >= 2)
        .collect()
}

/// How the scan's edges are drawn: orange dashes, visible also where an edge lies on the
/// black frame (they are drawn after it).
const SCAN_EDGE: Line = Line::dashed(RGBColor(235, 130, 0), 6, (10, 7));

/// The scan's edges over the outline and the frame. An edge on the frame is moved inside by
/// half the line's width: the plot area clips what lies beyond the frame, which left half of
/// each dash, a thin orange tick on the black frame.
fn draw_scan_edges<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    (x, y): (&Axis, &Axis),
) -> Result<(), DrawError> {
    let frame = Frame::of(chart, x, y);
    let half_width = f64::from(Scale::of(root).px(SCAN_EDGE.width)) / 2.0;
    for mapped in scan_edge_lines(plot, (x, y)) {
        let moved = mapped
            .into_iter()
            .map(|(px, py)| {
                (
                    inside_frame(px, frame.x, f64::from(frame.size.0), half_width),
                    inside_frame(
                        py,
                        (frame.y.1, frame.y.0),
                        f64::from(frame.size.1),
                        half_width,
                    ),
                )
            })
            .collect();
        stroke(chart, root, (x, y), moved, SCAN_EDGE)?;
    }
    Ok(())
}

/// A plotted coordinate on the frame's edge `lo` or `hi` (`lo < hi`, to a rounding error)
/// moved `pixels` inside, on an axis `length` pixels long; any other is unchanged (beyond the
/// frame it is clipped as before).
fn inside_frame(value: f64, (lo, hi): (f64, f64), length: f64, pixels: f64) -> f64 {
    debug_assert!(lo < hi, "an axis runs from lo to hi");
    let step = pixels * (hi - lo) / length.max(1.0);
    let on = |edge: f64| (value - edge).abs() <= 1e-9 * (hi - lo);
    if on(lo) {
        lo + step
    } else if on(hi) {
        hi - step
    } else {
        value
    }
}

/// The curve whose expected bands the plot draws: the first whose bands have a width
/// somewhere. Bands of several curves would overlap into stripes and hide the lines; the
/// others' bands stay in the CSV.
fn banded(plot: &LimitPlot) -> Option<&Series> {
    plot.series
        .iter()
        .find(|s| band_has_width(s, BAND_2_SIGMA) || band_has_width(s, BAND_1_SIGMA))
}

/// The edges `(lower, upper)` of the +-2 sigma band among a band's four values.
const BAND_2_SIGMA: (usize, usize) = (0, 3);
/// The edges `(lower, upper)` of the +-1 sigma band.
const BAND_1_SIGMA: (usize, usize) = (1, 2);

/// Whether the band with edges `(lower, upper)` of `series` has a width at some point: its
/// upper edge above the lower by more than a rounding error (with no background the
/// quantiles coincide and the band draws nothing, so it gets no legend entry).
fn band_has_width(series: &Series, (lower, upper): (usize, usize)) -> bool {
    series.bands.iter().any(|(_, b)| {
        let (lo, hi) = (b[lower], b[upper]);
        lo.is_finite() && hi.is_finite() && hi - lo > 1e-9 * hi.abs().max(lo.abs())
    })
}

/// Expected bands behind the lines, of one curve ([`banded`]): yellow +-2 sigma, green +-1
/// sigma.
fn draw_bands<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    (x, y): (&Axis, &Axis),
    legend: &mut Vec<LegendEntry>,
) -> Result<(), DrawError> {
    let Some(series) = banded(plot) else {
        return Ok(());
    };
    // With several curves the entries say whose band it is.
    let whose = if plot.series.len() > 1 {
        format!(" ({})", series.label)
    } else {
        String::new()
    };
    // Only a band with a width is listed: one of no width draws nothing.
    if band_has_width(series, BAND_1_SIGMA) {
        legend.push(LegendEntry::new(
            &format!("expected ±1σ{whose}"),
            Swatch::Fill(RGBColor(0, 175, 80).mix(0.6)),
        ));
    }
    if band_has_width(series, BAND_2_SIGMA) {
        legend.push(LegendEntry::new(
            &format!("expected ±2σ{whose}"),
            Swatch::Fill(RGBColor(255, 204, 0).mix(0.6)),
        ));
    }
    let usable = |px: f64| px.is_finite() && (!x.logarithmic || px > 0.0);
    let cap = plot.y_cap.unwrap_or(f64::INFINITY);
    {
        for ((outer, inner), colour) in [
            (BAND_2_SIGMA, RGBColor(255, 204, 0)),
            (BAND_1_SIGMA, RGBColor(0, 175, 80)),
        ] {
            let lower = series
                .bands
                .iter()
                .filter(|b| usable(b.0) && b.1[outer] > 0.0)
                .map(|b| (x.map(b.0), y.map(b.1[outer].min(cap))));
            let upper: Vec<(f64, f64)> = series
                .bands
                .iter()
                .filter(|b| usable(b.0) && b.1[inner] > 0.0)
                .map(|b| (x.map(b.0), y.map(b.1[inner].min(cap))))
                .collect();
            let polygon: Vec<(f64, f64)> = lower.chain(upper.into_iter().rev()).collect();
            if polygon.len() >= 3 {
                fill_polygon(chart, root, (x, y), &polygon, colour.mix(0.6))?;
            }
        }
    }

    Ok(())
}

/// The runs of a polyline (in plotted coordinates) at or below `cap`, each ended where it
/// crosses the cap (linear interpolation in the plotted coordinates); the whole line when there
/// is no cap, and one empty run when nothing is below it.
fn below_cap(points: &[(f64, f64)], cap: Option<f64>) -> Vec<Vec<(f64, f64)>> {
    let Some(cap) = cap else {
        return vec![points.to_vec()];
    };
    let crossing =
        |(x0, y0): (f64, f64), (x1, y1): (f64, f64)| (x0 + (x1 - x0) * (cap - y0) / (y1 - y0), cap);
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        let previous = i.checked_sub(1).map(|j| points[j]);
        match (p.1 <= cap, previous) {
            (true, Some(q)) if q.1 > cap => {
                current.push(crossing(q, p));
                current.push(p);
            }
            (true, _) => current.push(p),
            (false, Some(q)) if q.1 <= cap => {
                current.push(crossing(q, p));
                pieces.push(std::mem::take(&mut current));
            }
            (false, _) => {}
        }
    }
    if !current.is_empty() || pieces.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// How curve `k` is drawn: the colours in turn, every other curve solid and the others dashed
/// and dotted in turn (two curves that nearly coincide, such as the second and the fourth,
/// still show both); from the ninth on the patterns shift by one of three (solid, dashed,
/// dotted) per round of colours, so the first twenty-four curves all differ.
fn curve_line(k: usize) -> Line {
    let colour = PALETTE[k % PALETTE.len()];
    let pattern = if k.is_multiple_of(2) {
        0
    } else {
        1 + (k / 2) % 2
    };
    match (pattern + k / PALETTE.len()) % 3 {
        0 => Line::solid(colour, 3),
        1 => Line::dashed(colour, 3, (14, 8)),
        _ => Line::dashed(colour, 3, (3, 7)),
    }
}

/// The curves, each in its own style ([`curve_line`]).
fn draw_curves<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    (x, y): (&Axis, &Axis),
    legend: &mut Vec<LegendEntry>,
) -> Result<(), DrawError> {
    for (k, series) in plot.series.iter().enumerate() {
        let line = curve_line(k);
        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .filter(|(px, py)| px.is_finite() && *py > 0.0 && (!x.logarithmic || *px > 0.0))
            .map(|&(px, py)| (x.map(px), y.map(py)))
            .collect();
        // Every curve has its legend entry, even when nothing of it is below the cap.
        legend.push(LegendEntry::new(&series.label, line.swatch(root)));
        for piece in below_cap(&points, plot.y_cap.map(|c| y.map(c))) {
            if let [point] = piece[..] {
                mark(chart, root, point, line)?;
            } else {
                stroke(chart, root, (x, y), piece, line)?;
            }
        }
    }
    Ok(())
}

/// A point with no neighbour to join (a scan of one mass, or a single mass below the cap): a
/// dot in the line's colour, three line widths across, so that it is seen.
fn mark<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    point: (f64, f64),
    line: Line,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    let radius = scale.px(3 * line.width / 2);
    chart
        .draw_series(std::iter::once(Circle::new(
            point,
            radius,
            ShapeStyle::from(line.colour).filled(),
        )))
        .map_err(failed)?;
    Ok(())
}

/// How a line is drawn: colour, width and dashes `(dash, gap)`, in image pixels.
#[derive(Debug, Clone, Copy)]
struct Line {
    colour: RGBColor,
    width: u32,
    dashes: Option<(u32, u32)>,
}

impl Line {
    const fn solid(colour: RGBColor, width: u32) -> Self {
        Self {
            colour,
            width,
            dashes: None,
        }
    }

    const fn dashed(colour: RGBColor, width: u32, dashes: (u32, u32)) -> Self {
        Self {
            colour,
            width,
            dashes: Some(dashes),
        }
    }

    /// The canvas's style for the line.
    fn style(self, scale: Scale) -> ShapeStyle {
        ShapeStyle::from(self.colour).stroke_width(scale.px(self.width))
    }

    /// Its legend sample on `root`.
    fn swatch<DB: DrawingBackend>(self, root: &DrawingArea<DB, Shift>) -> Swatch {
        let scale = Scale::of(root);
        match self.dashes {
            None => Swatch::Line(self.style(scale)),
            Some((dash, gap)) => Swatch::Dashed(self.style(scale), scale.px(dash), scale.px(gap)),
        }
    }
}

/// Draws the polyline `points` (plotted coordinates) inside the frame: on a bitmap (drawn at
/// the image's size) anti-aliased at sub-pixel precision ([`draw_smooth_line`]), on a vector
/// canvas (drawn [`SVG_SCALE`] times larger) as a path.
fn stroke<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    (x, y): (&Axis, &Axis),
    points: Vec<(f64, f64)>,
    line: Line,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    if scale == Scale(1) {
        return draw_smooth_line(root, &Frame::of(chart, x, y), &points, line);
    }
    let style = line.style(scale);
    match line.dashes {
        None => chart.draw_series(LineSeries::new(points, style)),
        Some((dash, gap)) => chart.draw_series(DashedLineSeries::new(
            points,
            scale.px(dash),
            scale.px(gap),
            style,
        )),
    }
    .map_err(failed)?;
    Ok(())
}

/// Where the frame is on the canvas, and the plotted values at its edges.
struct Frame {
    /// Upper left corner, pixels.
    corner: (i32, i32),
    /// Width and height, pixels.
    size: (i32, i32),
    /// Plotted x at the left and right edges.
    x: (f64, f64),
    /// Plotted y at the top and bottom edges.
    y: (f64, f64),
}

impl Frame {
    /// The chart's frame.
    fn of<DB: DrawingBackend>(chart: &Chart<'_, DB>, x: &Axis, y: &Axis) -> Self {
        let (left, top) = chart.backend_coord(&(x.lo, y.hi));
        let (right, bottom) = chart.backend_coord(&(x.hi, y.lo));
        Self {
            corner: (left, top),
            size: (right - left, bottom - top),
            x: (x.lo, x.hi),
            y: (y.hi, y.lo),
        }
    }

    /// A point in plotted coordinates on the canvas, in fractional pixels (whole numbers are
    /// pixel centres).
    fn position(&self, (px, py): (f64, f64)) -> (f64, f64) {
        (
            f64::from(self.corner.0)
                + (px - self.x.0) / (self.x.1 - self.x.0) * f64::from(self.size.0),
            f64::from(self.corner.1)
                + (py - self.y.0) / (self.y.1 - self.y.0) * f64::from(self.size.1),
        )
    }
}

/// Fills the polygon `points` (plotted coordinates, closed implicitly) with `colour`. On a
/// bitmap each pixel of the frame is blended with the share of its area that the polygon covers
/// (exact, from the signed-area accumulation of `ab_glyph_rasterizer`), each fully covered run of
/// a row as one rectangle; on a vector canvas it is a polygon.
fn fill_polygon<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    (x, y): (&Axis, &Axis),
    points: &[(f64, f64)],
    colour: RGBAColor,
) -> Result<(), DrawError> {
    if Scale::of(root) != Scale(1) {
        chart
            .draw_series(std::iter::once(Polygon::new(
                points.to_vec(),
                colour.filled(),
            )))
            .map_err(failed)?;
        return Ok(());
    }
    let frame = Frame::of(chart, x, y);
    // Canvas positions with pixel (i, j) covering [i, i + 1] x [j, j + 1], kept inside the
    // frame's pixels (the polygons are clipped to the axes already: this only removes round-off).
    let (x0, y0) = (f64::from(frame.corner.0), f64::from(frame.corner.1));
    let (x1, y1) = (
        x0 + f64::from(frame.size.0) + 1.0,
        y0 + f64::from(frame.size.1) + 1.0,
    );
    let mapped: Vec<(f64, f64)> = points
        .iter()
        .map(|&p| {
            let (px, py) = frame.position(p);
            ((px + 0.5).clamp(x0, x1), (py + 0.5).clamp(y0, y1))
        })
        .collect();
    let low = mapped
        .iter()
        .fold((x1, y1), |m, p| (m.0.min(p.0), m.1.min(p.1)));
    let high = mapped
        .iter()
        .fold((x0, y0), |m, p| (m.0.max(p.0), m.1.max(p.1)));
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "pixel positions inside a frame of a few thousand pixels"
    )]
    let (left, top, width, height) = (
        low.0.floor() as i32,
        low.1.floor() as i32,
        (high.0.ceil() - low.0.floor()) as usize,
        (high.1.ceil() - low.1.floor()) as usize,
    );
    if mapped.len() < 3 || width == 0 || height == 0 {
        return Ok(());
    }
    // One rasterizer per thread, kept between polygons (a fresh grid per polygon costs more in
    // page faults than filling it).
    thread_local! {
        static RASTER: std::cell::RefCell<ab_glyph_rasterizer::Rasterizer> =
            std::cell::RefCell::new(ab_glyph_rasterizer::Rasterizer::new(0, 0));
    }
    #[expect(clippy::cast_possible_truncation, reason = "pixel positions")]
    let point = |(px, py): (f64, f64)| {
        ab_glyph_rasterizer::point((px - f64::from(left)) as f32, (py - f64::from(top)) as f32)
    };
    // Coverage below 1/512 changes no pixel level; above 1 - 1/512 it is whole.
    let (faint, whole) = (1.0 / 512.0, 1.0 - 1.0 / 512.0);
    // Fully covered runs (row, first column, end column) and partly covered pixels.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let mut edges: Vec<(usize, usize, f32)> = Vec::new();
    RASTER.with_borrow_mut(|raster| {
        raster.reset(width, height);
        for (a, b) in mapped.iter().zip(mapped.iter().cycle().skip(1)) {
            raster.draw_line(point(*a), point(*b));
        }
        let (mut column, mut row, mut start) = (0, 0, None);
        raster.for_each_pixel(|_, cover| {
            if cover >= whole {
                start.get_or_insert(column);
            } else {
                if let Some(first) = start.take() {
                    runs.push((row, first, column));
                }
                if cover >= faint {
                    edges.push((column, row, cover.min(1.0)));
                }
            }
            column += 1;
            if column == width {
                if let Some(first) = start.take() {
                    runs.push((row, first, column));
                }
                (column, row) = (0, row + 1);
            }
        });
    });
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        reason = "pixel indices inside a frame of a few thousand pixels"
    )]
    let at = |column: usize, row: usize| (left + column as i32, top + row as i32);
    for (row, first, end) in runs {
        root.draw(&Rectangle::new(
            [at(first, row), at(end, row + 1)],
            colour.filled(),
        ))
        .map_err(failed)?;
    }
    for (column, row, cover) in edges {
        root.draw_pixel(at(column, row), &colour.mix(f64::from(cover)))
            .map_err(failed)?;
    }
    Ok(())
}

/// Draws the polyline `points` (plotted coordinates) on a bitmap with sub-pixel precision:
/// each pixel of the frame is covered by `width` pixels of line, anti-aliased over one pixel,
/// with round ends; dashes `(dash, gap)` in pixels follow the length along the line. Each pixel
/// is blended once with the largest coverage of any segment, so joints are not darker.
fn draw_smooth_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    points: &[(f64, f64)],
    line: Line,
) -> Result<(), DrawError> {
    let (columns, rows) = (frame.size.0 + 1, frame.size.1 + 1);
    if points.len() < 2 || columns <= 0 || rows <= 0 {
        return Ok(());
    }
    let mapped: Vec<(f64, f64)> = points.iter().map(|&p| frame.position(p)).collect();
    let index =
        |column: i32, row: i32| -> usize { usize::try_from(row * columns + column).unwrap_or(0) };
    // One coverage buffer per thread, kept between lines (zeroed again where a line touched
    // it): a fresh one per line costs more in page faults than drawing the line.
    thread_local! {
        static COVERAGE: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    COVERAGE.with_borrow_mut(|coverage| {
        let cells = index(columns - 1, rows - 1) + 1;
        if coverage.len() < cells {
            coverage.resize(cells, 0.0);
        }
        smooth_line_pixels(root, frame, &mapped, line, coverage)
    })
}

/// The pixels of [`draw_smooth_line`] for the polyline `mapped` (canvas positions), with a
/// zeroed coverage buffer of at least the frame's pixels, left zeroed.
fn smooth_line_pixels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    frame: &Frame,
    mapped: &[(f64, f64)],
    line: Line,
    coverage: &mut [f32],
) -> Result<(), DrawError> {
    let (colour, width) = (line.colour, f64::from(line.width));
    let dashes = line
        .dashes
        .map(|(dash, gap)| (f64::from(dash), f64::from(gap)));
    let (x0, y0) = frame.corner;
    let (columns, rows) = (frame.size.0 + 1, frame.size.1 + 1);
    let reach = 0.5 * width + 0.5;
    let index =
        |column: i32, row: i32| -> usize { usize::try_from(row * columns + column).unwrap_or(0) };
    // The pixels the line reaches, each once: only they are drawn (the frame has some 1e6).
    let mut touched: Vec<(i32, i32)> = Vec::new();
    let mut along = 0.0;
    for pair in mapped.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length_squared = dx * dx + dy * dy;
        let length = length_squared.sqrt();
        #[expect(
            clippy::cast_possible_truncation,
            reason = "pixel positions inside a frame of a few thousand pixels"
        )]
        let bound = |lo: f64, hi: f64, origin: i32, count: i32| {
            let first = ((lo - reach).floor() as i32 - origin).max(0);
            let last = ((hi + reach).ceil() as i32 - origin).min(count - 1);
            (first, last)
        };
        let (c0, c1) = bound(a.0.min(b.0), a.0.max(b.0), x0, columns);
        let (r0, r1) = bound(a.1.min(b.1), a.1.max(b.1), y0, rows);
        for row in r0..=r1 {
            for column in c0..=c1 {
                let c = (f64::from(x0 + column), f64::from(y0 + row));
                let t = if length_squared > 0.0 {
                    (((c.0 - a.0) * dx + (c.1 - a.1) * dy) / length_squared).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                if let Some((dash, gap)) = dashes
                    && (along + t * length) % (dash + gap) >= dash
                {
                    continue;
                }
                let (ex, ey) = (c.0 - a.0 - t * dx, c.1 - a.1 - t * dy);
                let distance = ex.mul_add(ex, ey * ey).sqrt();
                #[expect(clippy::cast_possible_truncation, reason = "a coverage in [0, 1]")]
                let cover = (reach - distance).clamp(0.0, 1.0) as f32;
                let cell = &mut coverage[index(column, row)];
                if *cell == 0.0 && cover > 0.0 {
                    touched.push((column, row));
                }
                *cell = cell.max(cover);
            }
        }
        along += length;
    }
    let mut drawn = Ok(());
    for (column, row) in touched {
        let cell = &mut coverage[index(column, row)];
        let cover = std::mem::take(cell);
        if drawn.is_ok() {
            drawn = root
                .draw_pixel((x0 + column, y0 + row), &colour.mix(f64::from(cover)))
                .map_err(failed);
        }
    }
    drawn
}

/// Frame, ticks on all sides (major 10 px, minor 5 px), tick labels.
fn draw_frame<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    x: &Axis,
    y: &Axis,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    let (left, top) = chart.backend_coord(&(x.lo, y.hi));
    let (right, bottom) = chart.backend_coord(&(x.hi, y.lo));
    let (x_major, x_minor) = x.ticks();
    let (y_major, y_minor) = y.ticks();
    let frame = BLACK.stroke_width(scale.px(2));
    root.draw(&outline_box((left, top), (right, bottom), frame))
        .map_err(failed)?;
    let label_font = ("sans-serif", scale.px(24)).into_font();
    // A tick inward from each side of the frame: `bottom_or_left` on the labelled side,
    // `top_or_right` on the other, in image pixels.
    let tick = |at: i32, vertical_axis: bool, (near, far): (i32, i32)| -> Result<(), DrawError> {
        let pieces = if vertical_axis {
            [
                [(left - scale.pxi(near), at), (left, at)],
                [(right - scale.pxi(far), at), (right, at)],
            ]
        } else {
            [
                [(at, bottom), (at, bottom + scale.pxi(near))],
                [(at, top), (at, top + scale.pxi(far))],
            ]
        };
        for piece in pieces {
            root.draw(&PathElement::new(piece, frame)).map_err(failed)?;
        }
        Ok(())
    };
    for (v, text) in &x_major {
        let (px, _) = chart.backend_coord(&(*v, y.lo));
        tick(px, false, (8, 10))?;
        let style = TextStyle::from(label_font.clone()).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(
            text.clone(),
            (px, bottom + scale.pxi(12)),
            style,
        ))
        .map_err(failed)?;
    }
    for v in &x_minor {
        let (px, _) = chart.backend_coord(&(*v, y.lo));
        tick(px, false, (4, 5))?;
    }
    for (v, text) in &y_major {
        let (_, py) = chart.backend_coord(&(x.lo, *v));
        tick(py, true, (8, 10))?;
        let style = TextStyle::from(label_font.clone()).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(text.clone(), (left - scale.pxi(12), py), style))
            .map_err(failed)?;
    }
    for v in &y_minor {
        let (_, py) = chart.backend_coord(&(x.lo, *v));
        tick(py, true, (4, 5))?;
    }

    Ok(())
}

/// The outline of the box between two corners, as a closed path: the SVG backend writes a
/// rectangle without its stroke width, a path with it.
fn outline_box(
    (left, top): (i32, i32),
    (right, bottom): (i32, i32),
    style: ShapeStyle,
) -> PathElement<(i32, i32)> {
    PathElement::new(
        vec![
            (left, top),
            (right, top),
            (right, bottom),
            (left, bottom),
            (left, top),
        ],
        style,
    )
}

/// Axis titles (y rotated; x with a real subscript for the mass) and the annotation.
fn draw_axis_titles<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    plot: &LimitPlot,
    x: &Axis,
    y: &Axis,
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    let (left, top) = chart.backend_coord(&(x.lo, y.hi));
    let (right, bottom) = chart.backend_coord(&(x.hi, y.lo));
    let (y_major, _) = y.ticks();
    let label_font = ("sans-serif", scale.px(24)).into_font();
    let widest = y_major
        .iter()
        .map(|(_, t)| {
            root.estimate_text_size(t, &TextStyle::from(label_font.clone()))
                .map(|(w, _)| w)
        })
        .collect::<Result<Vec<u32>, _>>()
        .map_err(failed)?
        .into_iter()
        .max()
        .unwrap_or(scale.px(60));
    #[expect(
        clippy::cast_possible_wrap,
        reason = "label widths are a few hundred pixels"
    )]
    let title_x = left - scale.pxi(12) - widest as i32 - scale.pxi(28);
    draw_with_scripts(
        root,
        &plot.y_title,
        (title_x, i32::midpoint(top, bottom)),
        scale.px(26),
        true,
    )?;
    let x_title = match &plot.x_axis {
        XAxis::MassMev { symbol } => format!("m_{symbol}  [MeV]"),
        XAxis::Key { title, .. } => title.clone(),
    };
    draw_with_scripts(
        root,
        &x_title,
        (i32::midpoint(left, right), bottom + scale.pxi(48)),
        scale.px(26),
        false,
    )?;
    if !plot.annotation.is_empty() {
        // A subtitle between title and frame: it never meets the legend or the curves.
        // Centred on the frame, or on the image when that is what lets it fit.
        let size = fitting_font_size(root, &plot.annotation, (13, 21), false)?;
        let width = scripted_width(root, &plot.annotation, size, false)?;
        #[expect(
            clippy::cast_possible_wrap,
            reason = "the image is a few thousand pixels wide"
        )]
        let image_width = root.dim_in_pixel().0 as i32;
        let centre = i32::midpoint(left, right)
            .min(image_width - scale.pxi(30) - width / 2)
            .max(scale.pxi(30) + width / 2);
        draw_with_scripts(
            root,
            &plot.annotation,
            (centre, top - scale.pxi(32)),
            size,
            false,
        )?;
    }
    Ok(())
}

/// The words added to an overlay's label when it was computed at a dark coupling `theirs`
/// that none of the plot's curves has (`ours`, their `alpha_D`): near the resonance the limit
/// depends on it (NA64's thick-target limits differ by up to a third between 0.1 and 0.5), so the label says
/// which it is (`", α_D = 0.001"`). `None` when the overlay does not say, or a curve shares it.
#[must_use]
pub fn alpha_d_caveat(theirs: Option<f64>, ours: &[f64]) -> Option<String> {
    let theirs = theirs?;
    let shared = ours
        .iter()
        .any(|a| (a - theirs).abs() <= 1e-9 * theirs.abs());
    (!shared).then(|| format!(", α_D = {}", physics_number(theirs, 4)))
}

/// `text` with its underscores and carets escaped, so that a label taken from a file or curve
/// name (such as `darkcast/NA64_NA642019imj`) is drawn as written, not with a subscript.
#[must_use]
pub fn literal_label(text: &str) -> String {
    text.replace('_', "\\_").replace('^', "\\^")
}

/// A label as text (for messages): its escaped underscores and carets ([`literal_label`]) as
/// written.
fn unescaped(label: &str) -> String {
    label.replace("\\_", "_").replace("\\^", "^")
}

/// How a run of a label is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// On the line, full size.
    Base,
    /// Smaller and lowered (after `_`).
    Sub,
    /// Smaller and raised (after `^`).
    Super,
}

impl Script {
    /// The font size of the run for a label of `size`: subscripts and superscripts at 70%.
    const fn size(self, size: u32) -> u32 {
        match self {
            Self::Base => size,
            Self::Sub | Self::Super => size * 7 / 10,
        }
    }

    /// How far the run's top sits below the label's top, in pixels, for a label of `size`.
    #[expect(
        clippy::cast_possible_wrap,
        reason = "font sizes are a few tens of pixels"
    )]
    const fn drop(self, size: u32) -> i32 {
        match self {
            Self::Base => 0,
            Self::Sub => (size * 9 / 26) as i32,
            Self::Super => -((size * 3 / 20) as i32),
        }
    }
}

/// `text` split into runs of normal text, subscripts and superscripts: `_` starts a subscript
/// and `^` a superscript, each running to the next space or one of `=/()[],` (`m_A′`, `α_D`,
/// `N_sig`, `ab^-1`, `ε^2`), the convention of every label the plots draw. `\_` and `\^` are
/// the characters themselves.
fn script_runs(text: &str) -> Vec<(String, Script)> {
    let mut runs: Vec<(String, Script)> = Vec::new();
    let mut current = String::new();
    let mut script = Script::Base;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if c == '\\' && matches!(next, Some('_' | '^')) {
            // An escaped underscore or caret (`literal_label`): printed as written.
            current.extend(next);
            chars.next();
        } else if let Some(digit) = subscript_digit(c) {
            // A Unicode subscript digit (`X₀`, `m₁`), which the font sets small at mid-height:
            // set as the digit in a subscript run, as `X_0` would be.
            if script == Script::Sub {
                current.push(digit);
            } else {
                runs.push((std::mem::take(&mut current), script));
                let mut digits = String::from(digit);
                while let Some(d) = chars.peek().copied().and_then(subscript_digit) {
                    digits.push(d);
                    chars.next();
                }
                runs.push((digits, Script::Sub));
            }
        } else if (c == '_' || c == '^') && script == Script::Base {
            runs.push((std::mem::take(&mut current), script));
            script = if c == '_' { Script::Sub } else { Script::Super };
        } else if script != Script::Base && (c.is_whitespace() || "=/()[],".contains(c)) {
            runs.push((std::mem::take(&mut current), script));
            script = Script::Base;
            current.push(c);
        } else {
            current.push(c);
        }
    }
    runs.push((current, script));
    runs.retain(|(t, _)| !t.is_empty());
    runs
}

/// The digit a Unicode subscript digit (`₀` to `₉`) stands for.
fn subscript_digit(c: char) -> Option<char> {
    let offset = u32::from(c).checked_sub(u32::from('₀'))?;
    (offset < 10)
        .then(|| char::from_digit(offset, 10))
        .flatten()
}

/// Where a text run starts from its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// Centred on it, reading across.
    Centre,
    /// Centred on it, reading upwards (rotated).
    Vertical,
    /// Starting at it, reading across.
    Left,
}

/// The widths of `text`'s runs (`script_runs`) at `size`.
fn run_widths<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[(String, Script)],
    size: u32,
    bold: bool,
) -> Result<Vec<i32>, DrawError> {
    runs.iter()
        .map(|(t, script)| {
            let plain =
                TextStyle::from(("sans-serif", script.size(size), weight(bold)).into_font());
            root.estimate_text_size(t, &plain).map(|(w, _)| {
                #[expect(
                    clippy::cast_possible_wrap,
                    reason = "text widths are a few hundred pixels"
                )]
                let w = w as i32;
                w
            })
        })
        .collect::<Result<_, _>>()
        .map_err(failed)
}

/// The width of `text` set with its subscripts, in pixels.
fn scripted_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    size: u32,
    bold: bool,
) -> Result<i32, DrawError> {
    Ok(run_widths(root, &script_runs(text), size, bold)?
        .iter()
        .sum())
}

/// The font style of bold or normal text.
const fn weight(bold: bool) -> FontStyle {
    if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    }
}

/// Draws `text` at `at` (the top of the text), its subscripts and superscripts (`script_runs`)
/// smaller, lowered and raised.
fn draw_scripted<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    (size, bold): (u32, bool),
    anchor: Anchor,
) -> Result<(), DrawError> {
    let vertical = anchor == Anchor::Vertical;
    let style = |px: u32| {
        let font = ("sans-serif", px, weight(bold)).into_font();
        if vertical {
            TextStyle::from(font.transform(FontTransform::Rotate270))
        } else {
            TextStyle::from(font)
        }
    };
    let runs = script_runs(text);
    let widths = run_widths(root, &runs, size, bold)?;
    let total: i32 = widths.iter().sum();
    #[expect(
        clippy::cast_possible_wrap,
        reason = "font sizes are a few tens of pixels"
    )]
    let size_px = size as i32;
    let mut along = if anchor == Anchor::Left {
        0
    } else {
        -total / 2
    };
    for ((t, script), w) in runs.iter().zip(widths) {
        let lowered = script.drop(size);
        let position = if vertical {
            // Rotated text reads upwards: "along" runs up the page, "lowered" to the left.
            (at.0 - size_px / 2 + lowered, at.1 - along)
        } else {
            (at.0 + along, at.1 + lowered)
        };
        root.draw(&Text::new(t.clone(), position, style(script.size(size))))
            .map_err(failed)?;
        along += w;
    }
    Ok(())
}

/// Draws `text` centred on `centre` (the top of the text; reading upwards when `vertical`),
/// its subscripts and superscripts smaller, lowered and raised.
fn draw_with_scripts<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    centre: (i32, i32),
    size: u32,
    vertical: bool,
) -> Result<(), DrawError> {
    let anchor = if vertical {
        Anchor::Vertical
    } else {
        Anchor::Centre
    };
    draw_scripted(root, text, centre, (size, false), anchor)
}

/// A corner of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corner {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
}

/// How a legend entry's sample is drawn.
#[derive(Debug, Clone, Copy)]
enum Swatch {
    /// A filled box (regions, shaded overlays, bands).
    Fill(RGBAColor),
    /// A line in the curve's style.
    Line(ShapeStyle),
    /// A dashed line: style, dash and gap in pixels.
    Dashed(ShapeStyle, u32, u32),
}

/// One legend entry.
#[derive(Debug, Clone)]
struct LegendEntry {
    label: String,
    swatch: Swatch,
}

impl LegendEntry {
    fn new(label: &str, swatch: Swatch) -> Self {
        Self {
            label: label.to_string(),
            swatch,
        }
    }
}

/// The legend box in `corner` of the frame: a sample and a label per entry (entries without a
/// label are skipped), the labels set with real subscripts like every other text of the plot.
fn draw_legend<DB: DrawingBackend>(
    chart: &Chart<'_, DB>,
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    corner: Corner,
    (x, y): (&Axis, &Axis),
) -> Result<(), DrawError> {
    let scale = Scale::of(root);
    let (size, row, pad) = (scale.px(22), scale.pxi(32), scale.pxi(12));
    let (sample, margin) = (scale.pxi(52), scale.pxi(15));
    let entries: Vec<&LegendEntry> = entries.iter().filter(|e| !e.label.is_empty()).collect();
    if entries.is_empty() {
        return Ok(());
    }
    let widest = entries
        .iter()
        .map(|e| scripted_width(root, &e.label, size, false))
        .collect::<Result<Vec<i32>, _>>()?
        .into_iter()
        .max()
        .unwrap_or(0);
    let rows = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    let (width, height) = (
        pad + sample + pad + widest + pad,
        pad + rows * row + pad / 2,
    );
    let (left, top) = chart.backend_coord(&(x.lo, y.hi));
    let (right, bottom) = chart.backend_coord(&(x.hi, y.lo));
    let x0 = match corner {
        Corner::UpperLeft | Corner::LowerLeft => left + margin,
        _ => right - margin - width,
    };
    let y0 = match corner {
        Corner::UpperLeft | Corner::UpperRight => top + margin,
        _ => bottom - margin - height,
    };
    root.draw(&Rectangle::new(
        [(x0, y0), (x0 + width, y0 + height)],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(failed)?;
    root.draw(&outline_box(
        (x0, y0),
        (x0 + width, y0 + height),
        BLACK.stroke_width(scale.px(1)),
    ))
    .map_err(failed)?;
    for (i, entry) in (0..).zip(&entries) {
        let middle = y0 + pad + i * row + row / 2 - scale.pxi(2);
        let (sx, ex) = (x0 + pad, x0 + pad + sample);
        match entry.swatch {
            Swatch::Fill(colour) => root.draw(&Rectangle::new(
                [(sx, middle - scale.pxi(8)), (ex, middle + scale.pxi(8))],
                colour.filled(),
            )),
            Swatch::Line(style) => {
                root.draw(&PathElement::new([(sx, middle), (ex, middle)], style))
            }
            Swatch::Dashed(style, dash, gap) => root.draw(&DashedPathElement::new(
                [(sx, middle), (ex, middle)],
                dash,
                gap,
                style,
            )),
        }
        .map_err(failed)?;
        #[expect(
            clippy::cast_possible_wrap,
            reason = "a font size of a few tens of pixels"
        )]
        let half = size as i32 / 2;
        draw_scripted(
            root,
            &entry.label,
            (ex + pad, middle - half),
            (size, false),
            Anchor::Left,
        )?;
    }
    Ok(())
}

/// The corner whose legend box (about 42% of the width, 6.5% of the height per entry) covers the
/// fewest curve points, so the legend never hides the results; lower right on a tie.
fn legend_corner(plot: &LimitPlot, x: &Axis, y: &Axis) -> Corner {
    let entries = plot.series.len() + plot.overlays.len() + plot.regions.len();
    #[expect(clippy::cast_precision_loss, reason = "a handful of legend entries")]
    let height = (0.065 * entries as f64 + 0.04).min(0.9);
    let width = 0.42;
    let normalised: Vec<(f64, f64)> = plot
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .chain(plot.overlays.iter().flat_map(OverlaySeries::points))
        .chain(plot.regions.iter().flat_map(|r| r.outline.iter()))
        .filter(|p| p.0 > 0.0 && p.1 > 0.0)
        .map(|&(px, py)| {
            (
                (x.map(px) - x.lo) / (x.hi - x.lo),
                (y.map(py) - y.lo) / (y.hi - y.lo),
            )
        })
        .filter(|(u, v)| (0.0..=1.0).contains(u) && (0.0..=1.0).contains(v))
        .collect();
    let corners = [
        (Corner::LowerRight, (1.0 - width, 1.0), (0.0, height)),
        (Corner::UpperLeft, (0.0, width), (1.0 - height, 1.0)),
        (Corner::LowerLeft, (0.0, width), (0.0, height)),
        (Corner::UpperRight, (1.0 - width, 1.0), (1.0 - height, 1.0)),
    ];
    corners
        .into_iter()
        .map(|(position, (u0, u1), (v0, v1))| {
            let covered = normalised
                .iter()
                .filter(|(u, v)| *u >= u0 && *u <= u1 && *v >= v0 && *v <= v1)
                .count();
            (covered, position)
        })
        .min_by_key(|(covered, _)| *covered)
        .map_or(Corner::LowerRight, |(_, position)| position)
}

/// The part of a polyline (ascending in x) inside `[lo, hi]`, with points interpolated at the
/// edges.
fn clip_x(points: &[(f64, f64)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let at =
        |a: (f64, f64), b: (f64, f64), x: f64| (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0));
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b.0 < lo || a.0 > hi || b.0 <= a.0 {
            continue;
        }
        let start = if a.0 < lo { at(a, b, lo) } else { a };
        let end = if b.0 > hi { at(a, b, hi) } else { b };
        if out.last() != Some(&start) {
            out.push(start);
        }
        out.push(end);
    }
    out
}

/// The closed polygon `vertices` cut to the rectangle `[x_lo, x_hi] x [y_lo, y_hi]`
/// (Sutherland-Hodgman: one half-plane after the other); empty when nothing is inside.
fn clip_polygon(
    vertices: &[(f64, f64)],
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
) -> Vec<(f64, f64)> {
    // Each edge of the rectangle: the coordinate it bounds (0 = x, 1 = y), its value, and
    // whether inside is above it.
    let edges = [
        (0, x_lo, true),
        (0, x_hi, false),
        (1, y_lo, true),
        (1, y_hi, false),
    ];
    let mut polygon = vertices.to_vec();
    for (axis, bound, above) in edges {
        let coordinate = |p: (f64, f64)| if axis == 0 { p.0 } else { p.1 };
        let inside = |p: (f64, f64)| {
            if above {
                coordinate(p) >= bound
            } else {
                coordinate(p) <= bound
            }
        };
        let crossing = |a: (f64, f64), b: (f64, f64)| {
            let t = (bound - coordinate(a)) / (coordinate(b) - coordinate(a));
            let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if axis == 0 {
                (bound, p.1)
            } else {
                (p.0, bound)
            }
        };
        let mut kept = Vec::with_capacity(polygon.len() + 4);
        for k in 0..polygon.len() {
            let (a, b) = (polygon[k], polygon[(k + 1) % polygon.len()]);
            match (inside(a), inside(b)) {
                (true, true) => kept.push(b),
                (true, false) => kept.push(crossing(a, b)),
                (false, true) => {
                    kept.push(crossing(a, b));
                    kept.push(b);
                }
                (false, false) => {}
            }
        }
        polygon = kept;
        if polygon.is_empty() {
            break;
        }
    }
    polygon
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels split at their subscripts and superscripts as the plots draw them.
    #[test]
    fn scripts_run_to_a_space_or_a_sign() {
        use Script::{Base, Sub, Super};
        let runs = |t: &str| -> Vec<(String, Script)> { script_runs(t) };
        let expect = |v: &[(&str, Script)]| -> Vec<(String, Script)> {
            v.iter().map(|&(t, s)| (t.to_string(), s)).collect()
        };
        assert_eq!(
            runs("α_D = 0.001   m_χ = 0.333 m_A′"),
            expect(&[
                ("α", Base),
                ("D", Sub),
                (" = 0.001   m", Base),
                ("χ", Sub),
                (" = 0.333 m", Base),
                ("A′", Sub),
            ])
        );
        assert_eq!(
            runs("m_A′ [GeV]"),
            expect(&[("m", Base), ("A′", Sub), (" [GeV]", Base)])
        );
        assert_eq!(runs("ε"), expect(&[("ε", Base)]));
        // Unicode subscript digits, as `_` would set them.
        assert_eq!(
            runs("16 X₀ CsI, (m₁ − m₂)/m₂₀"),
            expect(&[
                ("16 X", Base),
                ("0", Sub),
                (" CsI, (m", Base),
                ("1", Sub),
                (" − m", Base),
                ("2", Sub),
                (")/m", Base),
                ("20", Sub),
            ])
        );
        // Superscripts: a power, and one next to a subscript.
        assert_eq!(
            runs("50 ab^-1 (ε^2 = 10^-8)"),
            expect(&[
                ("50 ab", Base),
                ("-1", Super),
                (" (ε", Base),
                ("2", Super),
                (" = 10", Base),
                ("-8", Super),
                (")", Base),
            ])
        );
        assert_eq!(
            runs("N_b = 10^3"),
            expect(&[("N", Base), ("b", Sub), (" = 10", Base), ("3", Super)])
        );
        // A file or curve name keeps its underscores and carets.
        assert_eq!(
            runs(&literal_label("darkcast/NA64_NA642019imj")),
            expect(&[("darkcast/NA64_NA642019imj", Base)])
        );
        assert_eq!(
            runs(&literal_label("fit^2_v1")),
            expect(&[("fit^2_v1", Base)])
        );
        assert_eq!(unescaped(&literal_label("fit^2_v1")), "fit^2_v1");
        assert_eq!(
            runs(&format!("{}: N_b", literal_label("belle2_dp"))),
            expect(&[("belle2_dp: N", Base), ("b", Sub)])
        );
    }

    #[test]
    fn clipping_interpolates_at_the_edges() {
        let clipped = clip_x(&[(0.0, 0.0), (2.0, 2.0), (4.0, 0.0)], 1.0, 3.0);
        assert_eq!(clipped, vec![(1.0, 1.0), (2.0, 2.0), (3.0, 1.0)]);
    }

    /// Numbers in subtitles and on axes are written as a physicist writes them.
    #[test]
    fn numbers_are_written_with_powers_of_ten() {
        assert_eq!(physics_number(2.84e11, 4), "2.84×10¹¹");
        assert_eq!(physics_number(1.01e10, 4), "1.01×10¹⁰");
        assert_eq!(physics_number(7.1e9, 4), "7.1×10⁹");
        assert_eq!(physics_number(1e10, 4), "10¹⁰");
        assert_eq!(physics_number(8.234e-4, 3), "8.23×10⁻⁴");
        assert_eq!(physics_number(-2.5e-5, 3), "-2.5×10⁻⁵");
        assert_eq!(physics_number(16.0, 3), "16");
        assert_eq!(physics_number(0.05, 3), "0.05");
        assert_eq!(physics_number(1000.0, 3), "1000");
        assert_eq!(physics_number(0.0, 3), "0");
    }

    #[test]
    fn decade_labels_use_superscripts() {
        assert_eq!(decade_label(-5), "10⁻⁵");
        assert_eq!(decade_label(2), "10²");
    }

    #[test]
    fn log_axis_covers_whole_decades() {
        let axis = Axis::covering([1.2e-5, 0.11].into_iter(), true, X_FIT);
        assert_eq!((axis.lo, axis.hi), (-5.0, 0.0));
        let (majors, minors) = axis.ticks();
        assert_eq!(majors.len(), 6);
        assert_eq!(minors.len(), 5 * 8);
        // A short axis labels 2 and 5 times each decade too.
        let (majors, minors) = Axis::covering([1.2e-5, 5e-5].into_iter(), true, DECADES).ticks();
        assert_eq!(
            majors.iter().map(|m| m.1.as_str()).collect::<Vec<_>>(),
            ["10⁻⁵", "2×10⁻⁵", "5×10⁻⁵", "10⁻⁴"]
        );
        assert_eq!(minors.len(), 6);
        // A log-spaced scan's last value a rounding error above a decade ends there.
        let axis = Axis::covering([1e-6, 0.100_000_000_000_000_06].into_iter(), true, X_FIT);
        assert_eq!((axis.lo, axis.hi), (-6.0, -1.0));
        let axis = Axis::covering([1e-6 * (1.0 - f64::EPSILON), 0.1].into_iter(), true, X_FIT);
        assert_eq!((axis.lo, axis.hi), (-6.0, -1.0));
    }

    /// A mass axis of whole decades is labelled as a physicist writes it (1, 20, 500), not
    /// `2×10¹`; an axis reaching beyond 0.001 to 10⁴ keeps powers of ten for every label.
    #[test]
    fn mass_axis_labels_are_plain_decimals() {
        let labels = |lo: f64, hi: f64| -> Vec<String> {
            Axis::covering([lo, hi].into_iter(), true, X_FIT)
                .ticks()
                .0
                .into_iter()
                .map(|m| m.1)
                .collect()
        };
        assert_eq!(
            labels(10.0, 1000.0),
            ["10", "20", "50", "100", "200", "500", "1000"]
        );
        assert_eq!(labels(1.0, 1000.0), ["1", "10", "100", "1000"]);
        assert_eq!(
            labels(0.02, 0.9),
            ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]
        );
        assert_eq!(
            labels(1e-6, 0.5),
            ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"]
        );
        assert_eq!(
            labels(2e3, 5e4),
            ["10³", "2×10³", "5×10³", "10⁴", "2×10⁴", "5×10⁴", "10⁵"]
        );
    }

    /// A narrow scan (15-30 MeV) is drawn on an axis that hugs it, labelled 15, 20, 25, 30,
    /// not on 10-100 MeV; a scan of less than a decade of another key likewise. Values over
    /// less than 1.5 decades get a vertical axis 5% of their span beyond them; over more, whole
    /// decades with the smallest value at least 5% of the axis above the bottom.
    #[test]
    fn narrow_ranges_are_not_padded_to_decades() {
        let x = Axis::covering([15.0, 22.0, 30.0].into_iter(), true, X_FIT);
        let (lo, hi) = (10f64.powf(x.lo), 10f64.powf(x.hi));
        assert!(
            (14.0..15.0).contains(&lo) && (30.0..31.0).contains(&hi),
            "{lo}-{hi}"
        );
        let (majors, minors) = x.ticks();
        let labels: Vec<&str> = majors.iter().map(|m| m.1.as_str()).collect();
        assert_eq!(labels, ["15", "20", "25", "30"]);
        assert!(!minors.is_empty());
        let key = Axis::covering([8.6e-6, 3e-5].into_iter(), true, X_FIT);
        assert!(
            key.lo > (8e-6f64).log10() && key.hi < (3.3e-5f64).log10(),
            "{key:?}"
        );
        let labels: Vec<String> = key.ticks().0.into_iter().map(|m| m.1).collect();
        assert_eq!(labels, ["10⁻⁵", "1.5×10⁻⁵", "2×10⁻⁵", "2.5×10⁻⁵", "3×10⁻⁵"]);
        // Limits from 1.45e-5 to 5.7e-5 (the alpha_D scan): labels every 1e-5 from 2e-5 would
        // leave the lowest quarter of the axis, where the curve's minimum is, unlabelled.
        let y = Axis::covering([1.45e-5, 5.7e-5].into_iter(), true, Y_FIT);
        let labels: Vec<String> = y.ticks().0.into_iter().map(|m| m.1).collect();
        assert_eq!(
            labels,
            ["1.5×10⁻⁵", "2×10⁻⁵", "3×10⁻⁵", "4×10⁻⁵", "5×10⁻⁵", "6×10⁻⁵"]
        );
        // A wide scan keeps whole decades; one they would pad by more than a third of the
        // axis (1-15 MeV on 1-100 MeV) is hugged.
        let wide = Axis::covering([1.0, 1000.0].into_iter(), true, X_FIT);
        assert_eq!((wide.lo, wide.hi), (0.0, 3.0));
        let short = Axis::covering([1.0, 15.0].into_iter(), true, X_FIT);
        let (lo, hi) = (10f64.powf(short.lo), 10f64.powf(short.hi));
        assert!(
            (0.9..1.0).contains(&lo) && (15.0..17.0).contains(&hi),
            "{lo}-{hi}"
        );
        let labels: Vec<String> = short.ticks().0.into_iter().map(|m| m.1).collect();
        assert_eq!(labels, ["1", "2", "5", "10"]);
        // Vertical: a narrow range hugged with a margin, a dip kept off the frame.
        let y = Axis::covering([1e-4, 3e-4].into_iter(), true, Y_FIT);
        let span = 3f64.log10();
        assert!((y.lo - (-4.0 - 0.05 * span)).abs() < 1e-12, "{y:?}");
        let y = Axis::covering([1.2e-5, 1.0].into_iter(), true, Y_FIT);
        assert_eq!(y.hi, 0.0);
        assert!(
            (1.2e-5f64).log10() - y.lo >= 0.05 * (y.hi - y.lo) - 1e-12,
            "{y:?}"
        );
        assert!(y.lo > -6.0, "not a whole decade further: {y:?}");
        let labels: Vec<String> = y.ticks().0.into_iter().map(|m| m.1).collect();
        assert_eq!(labels.first().map(String::as_str), Some("10⁻⁵"));
    }

    /// An axis over 82 decades labels every tenth (10⁻⁸⁰ ... 10⁰), the other decades as minor
    /// ticks, so the labels never run into each other.
    #[test]
    fn a_long_log_axis_labels_every_few_decades() {
        let axis = Axis::covering([3.9e-81, 0.5].into_iter(), true, X_FIT);
        let (majors, minors) = axis.ticks();
        let labels: Vec<&str> = majors.iter().map(|m| m.1.as_str()).collect();
        assert_eq!(labels.len(), 9, "{labels:?}");
        assert_eq!((labels[0], labels[8]), ("10⁻⁸⁰", "10⁰"));
        // Decades 10⁻⁸¹ to 10⁰: 82 in all.
        assert_eq!(minors.len(), 82 - 9);
    }

    /// An overlay's alpha_D is named only when it is known and no curve shares it.
    #[test]
    fn an_overlay_names_an_alpha_d_no_curve_has() {
        assert_eq!(
            alpha_d_caveat(Some(1e-3), &[0.1, 0.5]).as_deref(),
            Some(", α_D = 0.001")
        );
        assert_eq!(alpha_d_caveat(Some(0.1), &[0.1, 0.5]), None);
        assert_eq!(alpha_d_caveat(None, &[0.1]), None);
    }

    /// The first twenty-four curves are drawn in twenty-four different styles; the first four
    /// solid, dashed, solid, dotted (the second and fourth differ in pattern as well as colour).
    #[test]
    fn twenty_four_curves_have_twenty_four_styles() {
        let styles: Vec<String> = (0..24).map(|k| format!("{:?}", curve_line(k))).collect();
        let mut distinct = styles.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 24);
        let dashes: Vec<Option<(u32, u32)>> = (0..4).map(|k| curve_line(k).dashes).collect();
        assert_eq!(dashes, [None, Some((14, 8)), None, Some((3, 7))]);
    }

    /// CIELAB of an sRGB colour (D65 white).
    fn lab(c: RGBColor) -> [f64; 3] {
        let linear = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.040_45 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (linear(c.0), linear(c.1), linear(c.2));
        let f = |t: f64| {
            if t > 0.008_856 {
                t.cbrt()
            } else {
                7.787f64.mul_add(t, 16.0 / 116.0)
            }
        };
        let x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.950_47);
        let y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
        let z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.088_83);
        [116.0 * y - 16.0, 500.0 * (x - y), 200.0 * (y - z)]
    }

    /// The CIELAB distance (ΔE76) of two colours.
    fn delta_e(a: RGBColor, b: RGBColor) -> f64 {
        let (a, b) = (lab(a), lab(b));
        (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt()
    }

    /// Eight curves have eight colours, well apart; the overlays' fills are apart from each
    /// other and their edges from every curve colour (a lilac overlay read as the purple
    /// curve, a teal-grey one as the grey one).
    #[test]
    fn eight_curves_have_eight_colours_apart_from_the_overlays() {
        let colours: Vec<RGBColor> = (0..8).map(|k| curve_line(k).colour).collect();
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert!(delta_e(*a, *b) >= 35.0, "{a:?} and {b:?} too alike");
            }
        }
        let fills: Vec<RGBColor> = OVERLAY_SHADES
            .iter()
            .map(|&c| on_white(c, OVERLAY_FILL))
            .collect();
        for (i, a) in fills.iter().enumerate() {
            for b in &fills[i + 1..] {
                assert!(delta_e(*a, *b) >= 12.0, "fills {a:?} and {b:?} too alike");
            }
        }
        for shade in OVERLAY_SHADES {
            for curve in PALETTE {
                assert!(
                    delta_e(shade, curve) >= 25.0,
                    "overlay {shade:?} reads as curve {curve:?}"
                );
                assert!(delta_e(on_white(shade, OVERLAY_FILL), curve) >= 30.0);
            }
        }
    }

    /// The hue of a colour in CIELAB, degrees, and its chroma.
    fn hue_and_chroma(c: RGBColor) -> (f64, f64) {
        let [_, a, b] = lab(c);
        (b.atan2(a).to_degrees(), a.hypot(b))
    }

    /// The overlays a plot usually has (up to four) are not shaded in the hue of the window
    /// where annihilation dominates: a slate-blue excluded region read as that window.
    #[test]
    fn the_first_overlays_are_not_in_the_annihilation_windows_hue() {
        let RGBAColor(r, g, b, alpha) = PHYSICS_WINDOW.shade;
        let (window_hue, _) = hue_and_chroma(on_white(RGBColor(r, g, b), alpha));
        for &shade in &OVERLAY_SHADES[..4] {
            let (hue, chroma) = hue_and_chroma(on_white(shade, OVERLAY_FILL));
            let apart = (hue - window_hue).rem_euclid(360.0);
            assert!(
                chroma < 5.0 || apart.min(360.0 - apart) > 60.0,
                "overlay {shade:?} (hue {hue:.0}) reads as the window (hue {window_hue:.0})"
            );
        }
        let (slate_blue, _) = hue_and_chroma(on_white(RGBColor(120, 150, 215), OVERLAY_FILL));
        let apart = (slate_blue - window_hue).rem_euclid(360.0);
        assert!(
            apart.min(360.0 - apart) < 60.0,
            "the test tells slate blue apart"
        );
    }

    /// A tight log axis starts and ends inside decades, with the ticks inside it; a short one
    /// labels 2 and 5 times each decade.
    #[test]
    fn tight_axis_ends_at_the_data() {
        let axis = Axis::tight([0.01, 0.2].into_iter(), true);
        assert!((axis.lo + 2.0).abs() < 1e-12 && (axis.hi - 0.2_f64.log10()).abs() < 1e-12);
        let labels: Vec<String> = axis.ticks().0.into_iter().map(|m| m.1).collect();
        assert_eq!(labels, ["0.01", "0.02", "0.05", "0.1", "0.2"]);
    }

    #[test]
    fn linear_axis_has_round_ticks() {
        let axis = Axis::covering([0.0, 10.0].into_iter(), false, X_FIT);
        let (majors, _) = axis.ticks();
        assert!(majors.iter().any(|(v, t)| *v == 0.0 && t == "0"));
        assert!(majors.iter().any(|(v, t)| *v == 10.0 && t == "10"));
    }

    /// A line that rises above the cap and comes back is drawn in two runs, each ended on
    /// the cap at the crossing (closed form: linear interpolation); a line wholly above it is
    /// one empty run (its legend entry stays).
    #[test]
    fn curves_stop_at_the_cap() {
        let line = [(0.0, 0.0), (1.0, 2.0), (2.0, 4.0), (3.0, 0.0)];
        let pieces = below_cap(&line, Some(1.0));
        assert_eq!(
            pieces,
            vec![vec![(0.0, 0.0), (0.5, 1.0)], vec![(2.75, 1.0), (3.0, 0.0)]]
        );
        assert_eq!(below_cap(&line, None), vec![line.to_vec()]);
        assert_eq!(
            below_cap(&[(0.0, 3.0), (1.0, 4.0)], Some(1.0)),
            vec![Vec::new()]
        );
    }

    /// The shoelace area of a unit square and of a right triangle, in two pieces.
    #[test]
    fn region_area_is_the_polygons_area() {
        let shape = |polygon: Vec<(f64, f64)>| OverlayShape {
            edge: polygon.clone(),
            polygon,
        };
        let square = shape(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        let triangle = shape(vec![(2.0, 0.0), (2.0, 3.0), (4.0, 0.0)]);
        assert!((region_area(&[square]) - 1.0).abs() < 1e-15);
        let square = shape(vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]);
        assert!((region_area(&[square, triangle]) - 4.0).abs() < 1e-15);
    }

    /// A published region inside another, listed after it or before it, is filled after it:
    /// its own colour shows, not only its edge.
    #[test]
    fn a_region_inside_another_is_filled_over_it() {
        let overlay = |label: &str, eps: f64| OverlaySeries {
            label: label.into(),
            excluded: true,
            pieces: vec![vec![(0.5, eps), (2000.0, eps)]],
            closed: false,
        };
        for (overlays, inner) in [
            (vec![overlay("large", 1e-5), overlay("small", 1e-2)], 1),
            (vec![overlay("small", 1e-2), overlay("large", 1e-5)], 0),
        ] {
            let plot = LimitPlot {
                overlays,
                extent: vec![(0.5, 1e-6), (2000.0, 1.0)],
                y_cap: Some(1.0),
                ..mass_plot("test", Vec::new())
            };
            let svg = String::from_utf8(render_svg(&plot).expect("renders")).expect("utf8");
            let colour = |k: usize| {
                let RGBAColor(r, g, b, _) = overlay_fill(k);
                format!("#{r:02X}{g:02X}{b:02X}")
            };
            let at = |k: usize| svg.find(&colour(k)).expect("the region is filled");
            assert!(at(inner) > at(1 - inner), "{}", colour(inner));
        }
    }

    #[test]
    fn renders_a_png() {
        let plot = LimitPlot {
            regions: vec![Region {
                label: "r".into(),
                outline: vec![(2.0, 1e-4), (20.0, 1e-4), (20.0, 1e-3)],
                published: false,
            }],
            scan_edges: vec![vec![(2.0, 1e-3), (20.0, 1e-3)]],
            extent: vec![(0.5, 1e-6)],
            title: "test".into(),
            annotation: "α_D = 0.001".into(),
            x_axis: XAxis::MassMev {
                symbol: "A′".into(),
            },
            y_title: "ε".into(),
            windows: vec![(60.0, 80.0, "resonance".into())],
            closed_windows: Vec::new(),
            overlays: vec![OverlaySeries {
                label: "o".into(),
                excluded: true,
                pieces: vec![vec![(0.5, 1e-3), (2000.0, 1e-1)]],
                closed: false,
            }],
            series: vec![Series {
                label: "a".into(),
                points: vec![(1.0, 1e-4), (10.0, 2e-5), (1000.0, 1e-2)],
                bands: vec![
                    (1.0, [5e-5, 7e-5, 1.5e-4, 2e-4]),
                    (1000.0, [5e-3, 7e-3, 1.5e-2, 2e-2]),
                ],
            }],
            y_cap: Some(1.0),
            tight: false,
        };
        let bytes = render_png(&plot).expect("renders");
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = String::from_utf8(render_svg(&plot).expect("renders")).expect("utf8");
        assert!(svg.starts_with("<svg") && svg.contains("polygon"));
    }

    /// An overlay is named when the plot cannot show it: points that are not finite (rescaled
    /// to infinity) are counted, and one beyond the plotted masses is reported as not drawn; one
    /// inside draws without a word.
    #[test]
    fn overlays_the_plot_cannot_show_are_named() {
        let overlay = |label: &str, points: Vec<(f64, f64)>| OverlaySeries {
            label: label.into(),
            excluded: true,
            pieces: vec![points],
            closed: false,
        };
        let plot = LimitPlot {
            overlays: vec![
                overlay("inside", vec![(2.0, 1e-3), (50.0, 1e-3)]),
                overlay("beyond", vec![(1e4, 1e-3), (9e4, 1e-3)]),
                overlay("above", vec![(2.0, 3.0), (50.0, 3.0)]),
                overlay(
                    "infinite",
                    vec![(2.0, f64::INFINITY), (50.0, f64::INFINITY)],
                ),
            ],
            y_cap: Some(1.0),
            ..mass_plot(
                "t",
                vec![Series {
                    label: "a".into(),
                    points: vec![(1.0, 1e-4), (1000.0, 1e-2)],
                    bands: Vec::new(),
                }],
            )
        };
        let warnings = overlay_warnings(&plot);
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        assert!(
            warnings[0].contains(
                "\"beyond\" (10000-90000 MeV) lies outside the plotted range (1-1000 MeV)"
            )
        );
        assert!(
            warnings[1]
                .contains("\"above\" lies wholly above the plot's vertical range (up to 0.01)"),
            "{warnings:?}"
        );
        assert!(warnings[2].contains("\"infinite\": 2 of 2 point(s) are not finite"));
        assert!(warnings[3].contains("\"infinite\" (no usable point) lies outside"));
        assert!(!warnings.iter().any(|w| w.contains("\"inside\"")));
    }

    /// A scan edge on the frame is moved inside by half its width (on an axis of 1000 pixels
    /// from 0 to 2, 3 pixels are 0.006); a point inside stays.
    #[test]
    fn a_scan_edge_on_the_frame_is_drawn_inside_it() {
        let on = |v: f64| inside_frame(v, (0.0, 2.0), 1000.0, 3.0);
        assert!((on(0.0) - 0.006).abs() < 1e-15);
        assert!((on(2.0) - 1.994).abs() < 1e-15);
        assert!(
            (on(2.5) - 2.5).abs() < 1e-15,
            "beyond the frame: clipped, not moved"
        );
        assert!((on(1.0) - 1.0).abs() < 1e-15);
    }

    /// A polygon cut to the frame keeps what is inside, with new vertices on the frame.
    #[test]
    fn polygons_are_clipped_to_the_frame() {
        // A square crossing the frame's right edge: half of it stays.
        let square = [(0.5, 0.2), (1.5, 0.2), (1.5, 0.8), (0.5, 0.8)];
        let clipped = clip_polygon(&square, (0.0, 1.0), (0.0, 1.0));
        let area = |p: &[(f64, f64)]| {
            0.5 * (0..p.len())
                .map(|k| {
                    let (a, b) = (p[k], p[(k + 1) % p.len()]);
                    a.0 * b.1 - b.0 * a.1
                })
                .sum::<f64>()
                .abs()
        };
        assert!((area(&clipped) - 0.3).abs() < 1e-12, "{clipped:?}");
        assert!(clipped.iter().all(|p| p.0 <= 1.0 && p.1 <= 1.0));
        assert!(clip_polygon(&square, (2.0, 3.0), (0.0, 1.0)).is_empty());
        // Wholly inside: unchanged area.
        assert!((area(&clip_polygon(&square, (0.0, 2.0), (0.0, 1.0))) - 0.6).abs() < 1e-12);
    }

    /// A mass-scan plot of `series` alone: no overlays, regions or windows.
    fn mass_plot(title: &str, series: Vec<Series>) -> LimitPlot {
        LimitPlot {
            regions: Vec::new(),
            scan_edges: Vec::new(),
            extent: Vec::new(),
            title: title.into(),
            annotation: String::new(),
            x_axis: XAxis::MassMev {
                symbol: "A′".into(),
            },
            y_title: "ε".into(),
            windows: Vec::new(),
            closed_windows: Vec::new(),
            overlays: Vec::new(),
            series,
            y_cap: None,
            tight: false,
        }
    }

    /// A straight line in the plot's coordinates (a power law on log-log axes) is drawn
    /// straight to a fraction of a pixel: curves are drawn with sub-pixel precision
    /// (supersampled), not snapped to whole pixels, which made one-pixel staircases.
    #[test]
    fn curves_are_drawn_with_sub_pixel_precision() {
        let points: Vec<(f64, f64)> = (0..=300)
            .map(|k| {
                let m = 10f64.powf(f64::from(k) / 100.0);
                (m, 1e-4 * m.powf(0.37))
            })
            .collect();
        let plot = mass_plot(
            "straight",
            vec![Series {
                label: "a power law".into(),
                points,
                bands: Vec::new(),
            }],
        );
        let bytes = render_png(&plot).expect("renders");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("png");
        let mut image = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut image).expect("frame");
        let (width, height) = (info.width as usize, info.height as usize);
        // The curve's centre in each column: the mean row weighted by blueness (grid and
        // frame are grey, so they weigh nothing).
        let centres: Vec<(f64, f64)> = (0..width)
            .filter_map(|column| {
                let (mut sum, mut weight) = (0.0, 0.0);
                for row in 0..height {
                    let p = &image[3 * (row * width + column)..3 * (row * width + column) + 3];
                    let w = (f64::from(p[2]) - f64::from(p[0])).max(0.0);
                    sum += w * row as f64;
                    weight += w;
                }
                (weight > 200.0).then(|| (column as f64, sum / weight))
            })
            .collect();
        // The middle of the curve: the legend (in a corner, 42% of the frame wide) is
        // away from it.
        let inner: Vec<(f64, f64)> =
            centres[centres.len() * 44 / 100..centres.len() * 56 / 100].to_vec();
        let n = inner.len() as f64;
        let (mx, my) = (
            inner.iter().map(|p| p.0).sum::<f64>() / n,
            inner.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let slope = inner.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
            / inner.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
        let worst = inner
            .iter()
            .map(|p| (p.1 - my - slope * (p.0 - mx)).abs())
            .fold(0.0, f64::max);
        assert!(worst < 0.2, "the line wanders {worst:.3} px from straight");
    }

    /// A point with no neighbour (a scan of one mass) is drawn as a dot in the curve's colour:
    /// against the same plot with the point above the cap, only the dot's pixels differ.
    #[test]
    fn a_lone_point_is_drawn_as_a_dot() {
        let image = |y: f64| {
            let mut plot = mass_plot(
                "one mass",
                vec![Series {
                    label: "one mass".into(),
                    points: vec![(31.6, y)],
                    bands: Vec::new(),
                }],
            );
            plot.extent = vec![(1.0, 1e-6), (1000.0, 1.0)];
            plot.y_cap = Some(1.0);
            let bytes = render_png(&plot).expect("renders");
            let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
            let mut reader = decoder.read_info().expect("png");
            let mut pixels = vec![0; reader.output_buffer_size()];
            reader.next_frame(&mut pixels).expect("frame");
            pixels
        };
        let (dot, none) = (image(1e-3), image(10.0));
        assert_eq!(dot.len(), none.len());
        let differing: Vec<(&[u8], &[u8])> = dot
            .chunks(3)
            .zip(none.chunks(3))
            .filter(|(a, b)| a != b)
            .collect();
        // A disc of radius 4.5 px: some 64 pixels, every one bluer than what it covers.
        assert!(
            (40..=120).contains(&differing.len()),
            "{} pixels differ",
            differing.len()
        );
        assert!(
            differing
                .iter()
                .all(|(a, b)| i32::from(a[2]) - i32::from(a[0]) > i32::from(b[2]) - i32::from(b[0])),
            "a pixel of the dot is not blue"
        );
    }

    /// A window wide enough for its label has the label inside it, centred; a second window
    /// over the first gets no second label; a narrow window near the right end has its label
    /// centred over it.
    #[test]
    fn a_wide_window_holds_its_label() {
        let image = |windows: Vec<(f64, f64, String)>| {
            let mut plot = mass_plot(
                "windows",
                vec![Series {
                    label: "a line".into(),
                    points: vec![(1.0, 1e-2), (1000.0, 1e-1)],
                    bands: Vec::new(),
                }],
            );
            plot.windows = windows;
            let bytes = render_png(&plot).expect("renders");
            let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
            let mut reader = decoder.read_info().expect("png");
            let mut pixels = vec![0; reader.output_buffer_size()];
            let info = reader.next_frame(&mut pixels).expect("frame");
            (pixels, info.width as usize, info.height as usize)
        };
        let label = "annihilation dominates".to_string();
        let (pixels, width, height) = image(vec![(10.0, 500.0, label.clone())]);
        let at = |row: usize, column: usize| {
            &pixels[3 * (row * width + column)..3 * (row * width + column) + 3]
        };
        // The window's columns: its tint (its blue at 0.15 over white), in the lowest row
        // that has it.
        let tint = |p: &[u8]| {
            p.iter()
                .zip([227.25, 236.25, 249.75])
                .all(|(&v, t): (&u8, f64)| (f64::from(v) - t).abs() < 2.0)
        };
        let tint_row = (0..height)
            .rev()
            .find(|&r| (0..width).filter(|&c| tint(at(r, c))).count() > 50)
            .expect("the window's tint");
        let tinted: Vec<usize> = (0..width).filter(|&c| tint(at(tint_row, c))).collect();
        let (first, last) = (tinted[0], tinted[tinted.len() - 1]);
        // The label's text: the dark blue of its glyphs (pixels they cover whole).
        let text: Vec<usize> = (0..height / 3)
            .flat_map(|r| (0..width).map(move |c| (r, c)))
            .filter(|&(r, c)| {
                let p = at(r, c);
                p == [20, 60, 140]
            })
            .map(|(_, c)| c)
            .collect();
        let (lo, hi) = (text.iter().min().copied(), text.iter().max().copied());
        let (lo, hi) = (lo.expect("label drawn"), hi.expect("label drawn"));
        assert!(
            first < lo && hi < last,
            "label {lo}-{hi} outside the window {first}-{last}"
        );
        let centre = 0.5 * (lo + hi) as f64;
        assert!(
            (centre - 0.5 * (first + last) as f64).abs() < 4.0,
            "label not centred"
        );
        // The label is inside the frame, below its ticks (10 pixels inward): the frame's top
        // is the first row that is mostly black.
        let dark = |p: &[u8]| p.iter().all(|&v| v < 60);
        let frame_top = (0..height)
            .find(|&r| (0..width).filter(|&c| dark(at(r, c))).count() > width / 2)
            .expect("the frame");
        let glyph_top = (0..height / 3)
            .find(|&r| (0..width).any(|c| at(r, c) == [20, 60, 140]))
            .expect("label drawn");
        assert!(
            glyph_top >= frame_top + 12,
            "label at row {glyph_top}, frame at {frame_top}: the ticks run through it"
        );
        // A second window just inside the first: one label, the first's (the same glyph
        // pixels; two labels a few pixels apart would cover each other's glyphs).
        let (twice, _, _) = image(vec![(10.0, 500.0, label.clone()), (11.0, 470.0, label)]);
        let glyphs = |p: &[u8]| {
            p.chunks(3)
                .take(width * height / 3)
                .filter(|q| *q == [20, 60, 140])
                .count()
        };
        assert_eq!(glyphs(&twice), glyphs(&pixels));
        // A narrow window near the right end, whose label fits neither inside nor right of
        // it: centred on it (left of it, it went far from its band and under the legend).
        let long = "annihilation dominates for some curves".to_string();
        let (narrow, _, _) = image(vec![(150.0, 300.0, long)]);
        let columns = |test: &dyn Fn(&[u8]) -> bool, rows: std::ops::Range<usize>| {
            let found: Vec<usize> = rows
                .flat_map(|r| (0..width).map(move |c| (r, c)))
                .filter(|&(r, c)| test(&narrow[3 * (r * width + c)..3 * (r * width + c) + 3]))
                .map(|(_, c)| c)
                .collect();
            (found.iter().min().copied(), found.iter().max().copied())
        };
        let (Some(first), Some(last)) = columns(&|p| tint(p), tint_row..tint_row + 1) else {
            panic!("the narrow window's tint");
        };
        let (Some(lo), Some(hi)) = columns(&|p| p == [20, 60, 140], 0..height / 3) else {
            panic!("the narrow window's label");
        };
        assert!(
            lo < first && last < hi,
            "label {lo}-{hi}, window {first}-{last}"
        );
    }

    /// A band of no width (no background: the quantiles coincide) draws nothing and gets no
    /// legend entry; a curve whose +-2 sigma band has a width but whose +-1 sigma band has
    /// none lists only the former.
    #[test]
    fn bands_of_no_width_have_no_legend_entry() {
        let series = |bands: Vec<(f64, [f64; 4])>| Series {
            label: "limit".into(),
            points: vec![(1.0, 1e-4), (100.0, 1e-4)],
            bands,
        };
        let flat = vec![(1.0, [1e-4; 4]), (100.0, [1e-4; 4])];
        let svg =
            |plot: &LimitPlot| String::from_utf8(render_svg(plot).expect("renders")).expect("utf8");
        let none = svg(&mass_plot("no width", vec![series(flat)]));
        assert!(!none.contains("expected ±"), "{none}");
        let outer = vec![
            (1.0, [5e-5, 1e-4, 1e-4, 2e-4]),
            (100.0, [1e-4, 1e-4, 1e-4, 1e-4]),
        ];
        let some = svg(&mass_plot("outer only", vec![series(outer)]));
        assert!(some.contains("expected ±2σ") && !some.contains("expected ±1σ"));
    }

    /// A kinematically closed stretch is shaded grey and hatched, not in the light blue of a
    /// physics window (an emulsion plot's closed columns looked like its excluded region).
    #[test]
    fn closed_windows_are_grey_and_hatched() {
        let mut plot = mass_plot(
            "closed",
            vec![Series {
                label: "a line".into(),
                points: vec![(1.0, 1e-2), (1000.0, 1e-1)],
                bands: Vec::new(),
            }],
        );
        plot.closed_windows = vec![(10.0, 100.0, "kinematically closed".into())];
        let svg = String::from_utf8(render_svg(&plot).expect("renders")).expect("utf8");
        assert!(!svg.contains("#4682DC"), "a blue window drawn");
        let grey = |tag: &str| {
            svg.match_indices(tag)
                .filter(|(k, _)| {
                    svg[*k..]
                        .split('>')
                        .next()
                        .is_some_and(|e| e.contains("#787878"))
                })
                .count()
        };
        assert_eq!(grey("<rect "), 1, "the grey shade");
        assert!(grey("<polyline ") >= 10, "hatching");
        assert!(svg.contains("kinematically closed"));
    }

    /// Bands of several curves would overlap into stripes: only the first curve with bands
    /// gets them, and the legend says whose they are; the axis covers that band.
    #[test]
    fn one_curve_has_bands_and_the_legend_names_it() {
        let band = |scale: f64| {
            vec![
                (1.0, [0.2 * scale, 0.5 * scale, 2.0 * scale, 5.0 * scale]),
                (100.0, [0.2 * scale, 0.5 * scale, 2.0 * scale, 5.0 * scale]),
            ]
        };
        let series = |label: &str, scale: f64| Series {
            label: label.into(),
            points: vec![(1.0, scale), (100.0, scale)],
            bands: band(scale),
        };
        let plot = mass_plot("bands", vec![series("first", 1e-4), series("second", 3e-4)]);
        let svg = String::from_utf8(render_svg(&plot).expect("renders")).expect("utf8");
        for fill in ["#FFCC00", "#00AF50"] {
            let count = svg
                .match_indices("<polygon ")
                .filter(|(k, _)| {
                    svg[*k..]
                        .split('>')
                        .next()
                        .is_some_and(|e| e.contains(fill))
                })
                .count();
            assert_eq!(count, 1, "{fill}");
        }
        assert!(svg.contains("expected ±1σ (first)"), "{svg}");
        assert!(!svg.contains("(second)"));
        // The -2 sigma edge of the first curve, 2e-5, is inside the axis (10^-5 and up).
        let (_, y) = axes(&plot);
        assert!(y.lo <= (2e-5f64).log10() && y.lo >= -5.0, "{y:?}");
    }
}
