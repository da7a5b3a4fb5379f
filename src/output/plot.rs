//! The limit plot: eps against mediator mass on log-log axes, one line per curve.
//!
//! Rendered with plotters into a memory buffer using the DejaVu Sans font embedded in the
//! binary (no system fonts needed), then encoded as PNG.

use crate::error::Error;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::sync::Once;

/// One line of the plot.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// `(mass_mev, epsilon)` points in mass order.
    pub points: Vec<(f64, f64)>,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct LimitPlot {
    /// Title (the scenario's).
    pub title: String,
    /// A line of model parameters shown inside the frame.
    pub annotation: String,
    /// The curves.
    pub series: Vec<Series>,
}

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 800;
const PALETTE: [RGBColor; 4] = [
    RGBColor(31, 88, 180),
    RGBColor(200, 60, 40),
    RGBColor(30, 140, 60),
    RGBColor(120, 60, 160),
];

static FONTS: Once = Once::new();

fn register_fonts() {
    FONTS.call_once(|| {
        // The font bytes are compiled in; registration fails only for corrupt bytes.
        let _ = register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// `10^n` with Unicode superscripts, e.g. `10⁻⁵`.
fn decade_label(value: f64) -> String {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "decades of plotted values are small integers"
    )]
    let n = value.log10().round() as i32;
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

/// Decade-aligned range covering `values` (at least one decade).
fn decade_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (1e-6, 1.0);
    }
    let lo = 10f64.powf(lo.log10().floor());
    let mut hi = 10f64.powf(hi.log10().ceil());
    if hi <= lo {
        hi = lo * 10.0;
    }
    (lo, hi)
}

/// Renders the plot to PNG bytes.
///
/// # Errors
/// [`Error::Output`] if drawing or encoding fails.
pub fn render_png(plot: &LimitPlot) -> Result<Vec<u8>, Error> {
    register_fonts();
    let mut buffer = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    draw(plot, &mut buffer).map_err(|message| Error::Output {
        path: "<png>".into(),
        message,
    })?;
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

fn draw(plot: &LimitPlot, buffer: &mut [u8]) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let root = BitMapBackend::with_buffer(buffer, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (x0, x1) = decade_range(
        plot.series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0)),
    );
    let (y0, y1) = decade_range(
        plot.series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1)),
    );
    // Widen by 1e-9 so the end decades keep their labels (plotters computes the first label as
    // 10^ceil(log10(lo)), and log10(1e-6) rounds to -5.999999999999999).
    let pad = 1.0 + 1e-9;
    let mut chart = ChartBuilder::on(&root)
        .caption(&plot.title, ("sans-serif", 26, FontStyle::Bold))
        .margin(25)
        .margin_right(40)
        .x_label_area_size(80)
        .y_label_area_size(110)
        .build_cartesian_2d(
            (x0 / pad..x1 * pad).log_scale(),
            (y0 / pad..y1 * pad).log_scale(),
        )
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .y_desc("ε  (expected 90% CL upper limit)")
        .axis_desc_style(("sans-serif", 26))
        .label_style(("sans-serif", 24))
        .x_label_formatter(&|v| decade_label(*v))
        .y_label_formatter(&|v| decade_label(*v))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(BLACK.mix(0.05))
        .set_all_tick_mark_size(10)
        .y_label_offset(5)
        .axis_style(BLACK.stroke_width(2))
        .draw()
        .map_err(|e| err(&e))?;

    for (k, series) in plot.series.iter().enumerate() {
        let style = ShapeStyle::from(PALETTE[k % PALETTE.len()]).stroke_width(3);
        let points = series.points.clone();
        if k % 2 == 0 {
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(|e| err(&e))?
                .label(series.label.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 52, y)], style));
        } else {
            chart
                .draw_series(DashedLineSeries::new(points, 14, 8, style))
                .map_err(|e| err(&e))?
                .label(series.label.clone())
                .legend(move |(x, y)| DashedPathElement::new([(x, y), (x + 52, y)], 14, 8, style));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(15)
        .legend_area_size(65)
        .label_font(("sans-serif", 22))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;

    // Frame, minor ticks (2..9 per decade) on all sides, and the x-axis title with a subscript.
    let frame = BLACK.stroke_width(2);
    let (left, top) = chart.backend_coord(&(x0, y1));
    let (right, bottom) = chart.backend_coord(&(x1, y0));
    root.draw(&Rectangle::new([(left, top), (right, bottom)], frame))
        .map_err(|e| err(&e))?;
    let ticks = |lo: f64, hi: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "plotted decades are small integers"
        )]
        let (d0, d1) = (lo.log10().round() as i32, hi.log10().round() as i32);
        (d0..d1)
            .flat_map(|d| {
                (1..10).map(move |k| (f64::from(k) * 10f64.powi(d), if k == 1 { 10 } else { 5 }))
            })
            .chain(std::iter::once((hi, 10)))
            .collect::<Vec<_>>()
    };
    for (x, length) in ticks(x0, x1) {
        let (px, _) = chart.backend_coord(&(x, y0));
        root.draw(&PathElement::new([(px, bottom), (px, bottom + 5)], frame))
            .map_err(|e| err(&e))?;
        root.draw(&PathElement::new([(px, top), (px, top + length)], frame))
            .map_err(|e| err(&e))?;
    }
    for (y, length) in ticks(y0, y1) {
        let (_, py) = chart.backend_coord(&(x0, y));
        root.draw(&PathElement::new([(left - 5, py), (left, py)], frame))
            .map_err(|e| err(&e))?;
        root.draw(&PathElement::new(
            [(right - length, py), (right, py)],
            frame,
        ))
        .map_err(|e| err(&e))?;
    }
    let big = TextStyle::from(("sans-serif", 26).into_font());
    let small = TextStyle::from(("sans-serif", 18).into_font());
    let parts = [("m", &big, 0), ("A′", &small, 9), ("  [MeV]", &big, 0)];
    let widths: Vec<u32> = parts
        .iter()
        .map(|(s, f, _)| root.estimate_text_size(s, f).map(|(w, _)| w))
        .collect::<Result<_, _>>()
        .map_err(|e| err(&e))?;
    #[expect(
        clippy::cast_possible_wrap,
        reason = "text widths are a few hundred pixels"
    )]
    let mut cursor = (left + right) / 2 - widths.iter().sum::<u32>() as i32 / 2;
    for ((text, font, dy), w) in parts.iter().zip(widths) {
        root.draw(&Text::new(
            *text,
            (cursor, bottom + 50 + dy),
            (*font).clone(),
        ))
        .map_err(|e| err(&e))?;
        #[expect(
            clippy::cast_possible_wrap,
            reason = "text widths are a few hundred pixels"
        )]
        let w = w as i32;
        cursor += w;
    }
    if !plot.annotation.is_empty() {
        root.draw(&Text::new(
            plot.annotation.clone(),
            (left + 15, top + 15),
            ("sans-serif", 22).into_font(),
        ))
        .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decade_labels_use_superscripts() {
        assert_eq!(decade_label(1e-5), "10⁻⁵");
        assert_eq!(decade_label(100.0), "10²");
    }

    #[test]
    fn renders_a_png() {
        let plot = LimitPlot {
            title: "test".into(),
            annotation: "α_D = 0.001".into(),
            series: vec![Series {
                label: "a".into(),
                points: vec![(1.0, 1e-4), (10.0, 2e-5), (1000.0, 1e-2)],
            }],
        };
        let bytes = render_png(&plot).expect("renders");
        assert_eq!(&bytes[1..4], b"PNG");
    }
}
