//! Published limits from HEPData tables: the YAML data file of one table (as downloaded from a
//! HEPData record, or written by `darksens export hepdata`), with the mediator mass as its first
//! independent variable (units in its header) and the limit on eps as a dependent variable.
//!
//! A table may hold several dependent variables (observed, expected, bands): one is chosen by
//! its position (`"1"` for the first) or by its name (exactly, or a unique part of it, ignoring
//! case). Where a value is missing (`"-"`) the curve has no value: it stops at the point before
//! and starts again at the point after, excluding nothing between. A bin (`low`, `high`) stands
//! at its centre. The curve is one-sided (above it is excluded), as for a limit.

use crate::error::InputError;
use crate::published::PublishedLimit;
use crate::published::curve::{MISSING_VALUE, Row, Shape, read_curve_file};
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

/// A limit read from a HEPData table, with what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct HepDataCurve {
    /// The curve, masses in GeV.
    pub limit: PublishedLimit,
    /// The chosen dependent variable's name, as plain text ([`plain_name`]).
    pub dependent: String,
    /// Its qualifiers `(name, value)` (e.g. `("CL", "90%")`).
    pub qualifiers: Vec<(String, String)>,
    /// The table file as given, for messages about its content.
    pub file: String,
}

impl HepDataCurve {
    /// The confidence level its CL qualifier gives (`CL` or `Confidence level`, any case):
    /// `90%`, `90 %`, `95% CL`, `0.9` and `90` all read as a fraction. `None` without such a
    /// qualifier.
    ///
    /// # Errors
    /// [`InputError::Content`] naming the table file, for a qualifier whose value is not a
    /// confidence level (a number in (0, 1) or a percentage in (0, 100)), quoted.
    pub fn confidence_level(&self) -> Result<Option<f64>, InputError> {
        let names_cl = |name: &str| {
            let name = name.trim().to_lowercase().replace('.', "");
            name == "cl" || name == "confidence level" || name == "confidence_level"
        };
        let Some((name, value)) = self.qualifiers.iter().find(|(name, _)| names_cl(name)) else {
            return Ok(None);
        };
        let text = value.trim();
        let text = text
            .strip_suffix("C.L.")
            .or_else(|| text.strip_suffix("CL"))
            .unwrap_or(text)
            .trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(number) => (number.trim(), true),
            None => (text, false),
        };
        let cl = number
            .parse::<f64>()
            .ok()
            .map(|x| if percent || x > 1.0 { x / 100.0 } else { x });
        match cl {
            Some(cl) if cl > 0.0 && cl < 1.0 => Ok(Some(cl)),
            _ => Err(InputError::Content {
                file: self.file.clone(),
                message: format!(
                    "the qualifier {name}: '{value}' is not a confidence level (write it as 90% or 0.9)"
                ),
            }),
        }
    }

    /// Whether the chosen variable is an expected (projected) limit rather than an observed
    /// one ([`names_an_expected_limit`]).
    #[must_use]
    pub fn is_expected(&self) -> bool {
        names_an_expected_limit(&self.dependent)
    }

    /// The mediator its `mediator` qualifier names (`dark-photon` or `scalar`, as darksens's
    /// export writes it); `None` without one, or for another value.
    #[must_use]
    pub fn mediator(&self) -> Option<crate::published::library::ConstrainedModel> {
        use crate::published::library::ConstrainedModel;
        let (_, value) = self
            .qualifiers
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("mediator"))?;
        [ConstrainedModel::DarkPhoton, ConstrainedModel::Scalar]
            .into_iter()
            .find(|m| value.trim().eq_ignore_ascii_case(m.name()))
    }

    /// The dark coupling its `$\alpha_D$` qualifier gives (as darksens's export writes it);
    /// `None` without one, or for a value that is not a positive number.
    #[must_use]
    pub fn alpha_d(&self) -> Option<f64> {
        let (_, value) = self
            .qualifiers
            .iter()
            .find(|(name, _)| name.trim() == ALPHA_D_QUALIFIER)?;
        value.trim().parse::<f64>().ok().filter(|a| *a > 0.0)
    }
}

/// The name darksens's export gives the dark coupling's qualifier.
pub const ALPHA_D_QUALIFIER: &str = "$\\alpha_D$";

/// Whether `path` names a HEPData table's data file (`.yaml` or `.yml`).
#[must_use]
pub fn is_table_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Whether a variable's name says it is an expected limit, a projection or a sensitivity
/// ("Expected limit", "ε (expected upper limit)", "projected reach", "median sensitivity"),
/// and not the observed one: drawn as a line, not as an excluded region.
#[must_use]
pub fn names_an_expected_limit(name: &str) -> bool {
    let text = name.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let said = |list: &[&str]| words.iter().any(|w| list.contains(w));
    said(&[
        "expected",
        "exp",
        "projected",
        "projection",
        "sensitivity",
        "reach",
        "future",
    ]) && !said(&["observed", "obs"])
}

/// The chosen variable must be a plain eps (no units: `10^{-3}` would mean values in
/// thousandths, read a thousandfold off) against the mediator's mass (a table against the dark
/// matter's mass would be drawn at the wrong mass).
fn limit_against_mediator_mass(
    independent: &Yaml,
    dependent: &Yaml,
    name: &str,
) -> Result<(), String> {
    let value_units = dependent["header"]["units"]
        .as_str()
        .unwrap_or_default()
        .trim();
    if !value_units.is_empty() && value_units != "1" {
        return Err(format!(
            "the variable '{name}' has units '{value_units}': darksens reads eps as a plain number; write the values without a scale (or remove the units if they mean none)"
        ));
    }
    let mass_name = independent["header"]["name"].as_str().unwrap_or_default();
    if names_a_dark_matter_mass(mass_name) {
        return Err(format!(
            "the independent variable '{mass_name}' is the dark matter's mass; darksens reads tables against the mediator's mass (put a curve against m_chi in the limit library with mass = \"dark-matter\" and its m_chi/m_med)"
        ));
    }
    Ok(())
}

/// Whether a mass variable's name says it is the dark matter's (`$m_{\chi}$`, `m_chi`, "dark
/// matter mass"), not the mediator's.
fn names_a_dark_matter_mass(name: &str) -> bool {
    let text = name.to_lowercase();
    text.contains("chi") || text.contains("χ") || text.contains("dark matter")
}

/// A HEPData name as plain text for a legend: the TeX of the usual symbols as Unicode
/// (`$\\epsilon$` as `ε`), without the `$` delimiters.
#[must_use]
pub fn plain_name(name: &str) -> String {
    let mut text = name.replace('$', "");
    for (tex, unicode) in [
        ("\\epsilon", "ε"),
        ("\\varepsilon", "ε"),
        ("\\alpha", "α"),
        ("\\chi", "χ"),
        ("\\phi", "φ"),
        ("\\sigma", "σ"),
        ("\\gamma", "γ"),
    ] {
        text = text.replace(tex, unicode);
    }
    text
}

/// Reads the table at `path`, choosing the dependent variable with `dependent` (needed when the
/// table has more than one).
///
/// # Errors
/// As [`parse_table`], naming the file.
pub fn read_table(path: &Path, dependent: Option<&str>) -> Result<HepDataCurve, InputError> {
    let text = read_curve_file(path)?;
    parse_table(&text, &path.display().to_string(), dependent)
}

/// GeV per unit of a mass written in `units` (`GeV`, `MeV`, `keV`, `TeV`; `eV` in any case).
/// The prefix keeps its case where it decides: `M` is mega, but `m` is milli (`meV`, a factor
/// 1e9 away, is refused, not read as MeV); `G`, `k` and `T` are read in either case, and so is
/// an all-capitals `MEV`.
fn gev_per(units: &str) -> Option<f64> {
    // As plain text: `GeV/$c^2$`, `GeV/c^{2}`, `GeV/c²` and `GeV/c2` are all GeV.
    let plain: String = units
        .trim()
        .replace('²', "2")
        .chars()
        .filter(|c| !matches!(c, '$' | '{' | '}' | '^' | ' '))
        .collect();
    let unit = plain
        .strip_suffix("/c2")
        .or_else(|| plain.strip_suffix("/C2"))
        .unwrap_or(&plain);
    let mut chars = unit.chars();
    let prefix = chars.next()?;
    if !chars.as_str().eq_ignore_ascii_case("ev") {
        return None;
    }
    match prefix {
        'G' | 'g' => Some(1.0),
        'M' => Some(1e-3),
        'k' | 'K' => Some(1e-6),
        'T' | 't' => Some(1e3),
        _ => None,
    }
}

/// The quantity a counting word of a variable's name stands for (`cross`: a cross section).
fn counted_quantity(word: &str) -> &'static str {
    match word {
        "cross" => "a cross section",
        "events" => "a number of events",
        "yield" | "yields" => "a yield",
        "signal" => "a signal",
        "acceptance" => "an acceptance",
        _ => "an efficiency",
    }
}

/// Why the independent variable `name` with `units` is not a mass this import reads.
fn not_a_mass(name: &str, units: &str) -> String {
    let milli = if units.trim().starts_with("meV") || units.trim().starts_with("mev") {
        " (a lower-case m is milli: meV is 1e-12 GeV; write MeV if the masses are in MeV)"
    } else {
        ""
    };
    format!(
        "the independent variable '{name}' must be a mass with its units (GeV, MeV, keV or TeV) in its header, got units '{units}'{milli}"
    )
}

/// A YAML scalar as text (numbers as written).
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::Real(text) | Yaml::String(text) => Some(text.clone()),
        Yaml::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The number of a point: its `value`, or the centre of its bin `low`-`high`; `None` for a
/// missing value (`"-"`).
fn point_value(point: &Yaml) -> Option<String> {
    if let Some(value) = scalar(&point["value"]) {
        return (value.trim() != MISSING_VALUE).then_some(value);
    }
    let low: f64 = scalar(&point["low"])?.parse().ok()?;
    let high: f64 = scalar(&point["high"])?.parse().ok()?;
    Some(format!("{:e}", 0.5 * (low + high)))
}

/// Parses the text of a HEPData table (`source` names it in messages).
///
/// # Errors
/// A message naming the file for text that is not a HEPData table, a mass without units (or
/// in units that are not a mass), a dependent variable that is ambiguous or not there (the
/// message lists them), or points that do not make a limit curve (non-positive values, masses
/// that do not increase; the message gives the point's position).
pub fn parse_table(
    text: &str,
    source: &str,
    dependent: Option<&str>,
) -> Result<HepDataCurve, InputError> {
    let content = |message: String| InputError::Content {
        file: source.to_string(),
        message,
    };
    let docs = YamlLoader::load_from_str(text).map_err(|e| content(format!("not YAML: {e}")))?;
    let table = docs.first().ok_or_else(|| content("empty file".into()))?;
    let independent = &table["independent_variables"][0];
    let dependents = table["dependent_variables"]
        .as_vec()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            content(
                "not a HEPData table: no independent_variables and dependent_variables (give the YAML data file of one table of the record, such as Table1.yaml, not submission.yaml or a CSV)".into(),
            )
        })?;
    let units = independent["header"]["units"].as_str().unwrap_or_default();
    let scale = gev_per(units).ok_or_else(|| {
        content(not_a_mass(
            independent["header"]["name"].as_str().unwrap_or_default(),
            units,
        ))
    })?;
    let names: Vec<String> = dependents
        .iter()
        .map(|d| d["header"]["name"].as_str().unwrap_or_default().to_string())
        .collect();
    let chosen = choose(&names, dependent).map_err(content)?;
    let masses = independent["values"].as_vec().cloned().unwrap_or_default();
    let values = dependents[chosen]["values"]
        .as_vec()
        .cloned()
        .unwrap_or_default();
    if masses.len() != values.len() {
        return Err(content(format!(
            "{} masses but {} values of '{}'",
            masses.len(),
            values.len(),
            names[chosen]
        )));
    }
    let quantity = Quantity::of(&names[chosen]).map_err(content)?;
    limit_against_mediator_mass(independent, &dependents[chosen], &names[chosen])
        .map_err(content)?;
    let mut rows = Vec::new();
    for (k, (mass, value)) in masses.iter().zip(&values).enumerate() {
        let Some(mass) = point_value(mass) else {
            continue;
        };
        let Some(value) = point_value(value) else {
            rows.push(Row {
                line: k + 1,
                fields: vec![mass, MISSING_VALUE.to_string()],
            });
            continue;
        };
        let mass: f64 = mass
            .parse()
            .map_err(|_| content(format!("point {}: mass '{mass}' is not a number", k + 1)))?;
        let value = match quantity {
            Quantity::Epsilon => value,
            // A value that is not a number is refused by the curve's own check below.
            Quantity::EpsilonSquared => value
                .trim()
                .parse::<f64>()
                .map_or(value, |v| format!("{:e}", v.sqrt())),
        };
        // Divided by the units per GeV where there are several (`6.5 MeV` is 0.0065 GeV, not
        // the 0.006500000000000001 a product by 1e-3 gives).
        let mass_gev = if scale < 1.0 {
            mass / scale.recip().round()
        } else {
            mass * scale
        };
        rows.push(Row {
            line: k + 1,
            fields: vec![format!("{mass_gev:e}"), value],
        });
    }
    let limit =
        PublishedLimit::from_rows(&rows, source, Shape::FromColumns).map_err(|e| match e {
            InputError::Line { line, message, .. } => content(format!("point {line}: {message}")),
            other => other,
        })?;
    let qualifiers = dependents[chosen]["qualifiers"]
        .as_vec()
        .map(|q| {
            q.iter()
                .filter_map(|q| Some((scalar(&q["name"])?, scalar(&q["value"])?)))
                .collect()
        })
        .unwrap_or_default();
    let mut dependent = plain_name(&names[chosen]);
    if quantity == Quantity::EpsilonSquared {
        dependent.push_str(", square root taken");
    }
    Ok(HepDataCurve {
        limit,
        dependent,
        qualifiers,
        file: source.to_string(),
    })
}

/// What a dependent variable's values are, from its name: darksens draws limits on eps, so a
/// table of `eps^2` is read through its square root, and a table of another coupling (`y`,
/// `g`, `alpha`) is refused rather than drawn as if it were eps. A name that says neither
/// ("Upper limit", "Expected") is taken as eps; one that names a count, a yield or a cross
/// section (and not eps) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quantity {
    Epsilon,
    EpsilonSquared,
}

impl Quantity {
    fn of(name: &str) -> Result<Self, String> {
        // Lower case, TeX symbols as Unicode and without braces: `$\epsilon^{2}$` -> `ε^2`;
        // spaces kept, so that `ε (2 sigma)` is not read as `ε2`.
        let text: String = plain_name(name)
            .to_lowercase()
            .replace(['{', '}', '\\'], "")
            .replace("varε", "ε")
            .replace("epsilon", "ε")
            .replace('²', "^2")
            .replace("**2", "^2");
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '^' || c == '\''))
            .filter(|w| !w.is_empty())
            .collect();
        let is_eps = |w: &str| w == "ε" || w == "eps";
        let squared = words
            .iter()
            .any(|w| matches!(*w, "ε^2" | "eps^2" | "ε2" | "eps2"))
            || words
                .windows(2)
                .any(|p| is_eps(p[0]) && (p[1] == "squared" || p[1] == "^2"));
        // A name that starts with another symbol (`y = eps^2 alpha_D ...`) is that symbol.
        let first = words.first().copied().unwrap_or_default();
        let symbol_of = |w: &str| -> Option<&'static str> {
            match w {
                "y" => Some("y"),
                "g" | "g_e" | "g_ve" | "g_ee" | "e" => Some("g"),
                "α" | "alpha" | "α_d" | "alpha_d" | "α'" => Some("alpha_D"),
                _ => None,
            }
        };
        let mentions_eps = words
            .iter()
            .any(|w| is_eps(w) || w.starts_with("ε_") || w.starts_with("ε^"))
            || text.contains("kinetic mixing");
        let other = symbol_of(first)
            .filter(|_| !squared || first == "y")
            .or_else(|| {
                // `Upper limit on y`, `g_ve`: another coupling named and eps not.
                (!mentions_eps)
                    .then(|| {
                        words
                            .iter()
                            .find_map(|w| symbol_of(w).filter(|_| *w != "e"))
                    })
                    .flatten()
            });
        // A count, a yield or a cross section (a line shape's table: "signal per particle on
        // target", "signal yield at eps = 1") is no limit on a coupling at all, unless the name
        // says it is a limit or names eps as its quantity (not as a parameter, `ε = 1e-4`).
        let counted = [
            "signal",
            "events",
            "yield",
            "yields",
            "cross",
            "acceptance",
            "efficiency",
        ]
        .iter()
        .find(|w| words.contains(w));
        let limit_word = words.iter().any(|w| {
            matches!(
                *w,
                "limit"
                    | "limits"
                    | "excluded"
                    | "exclusion"
                    | "sensitivity"
                    | "reach"
                    | "cl"
                    | "bound"
            )
        });
        let eps_as_parameter = text.contains("ε =") || text.contains("ε=");
        // A scale or a logarithm in the name (`ε × 10^{-4}`, `log_10 ε`): the values are not
        // eps itself, and reading them as eps would be orders of magnitude off.
        let scaled = !eps_as_parameter
            && (text.contains("10^") || text.contains("×") || words.contains(&"times"));
        let logarithm = words
            .iter()
            .any(|w| w.starts_with("log") || *w == "lg" || *w == "ln");
        if scaled || logarithm {
            return Err(format!(
                "the dependent variable '{}' names {}: darksens reads the values as eps itself; convert the table to plain eps first",
                plain_name(name),
                if logarithm { "a logarithm" } else { "a scale" },
            ));
        }
        if let (Some(word), false) = (counted, limit_word || (mentions_eps && !eps_as_parameter)) {
            return Err(format!(
                "the dependent variable '{}' is {}, not a limit on eps (its name says no limit): darksens reads limits on eps (or eps^2); choose another variable with --dependent if the table has one, or convert the table first",
                plain_name(name),
                counted_quantity(word),
            ));
        }
        match (other, squared) {
            (Some(symbol), _) => Err(format!(
                "the dependent variable '{}' is a limit on {symbol}, not on eps: darksens reads limits on eps (or eps^2, whose square root it takes); convert the table to eps first, or add it to the library with a metadata file (`axis = \"y\"` with alpha_d and mchi_over_mmed, docs/scenario.md)",
                plain_name(name),
            )),
            (None, true) => Ok(Self::EpsilonSquared),
            (None, false) => Ok(Self::Epsilon),
        }
    }
}

/// The position of the dependent variable `wanted` names among `names`: a position counted
/// from 1, the exact name, or a unique part of a name (any case); with none given, the only one.
fn choose(names: &[String], wanted: Option<&str>) -> Result<usize, String> {
    let listing = || {
        names
            .iter()
            .enumerate()
            .map(|(k, n)| format!("{}: '{n}'", k + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(wanted) = wanted else {
        return if names.len() == 1 {
            Ok(0)
        } else {
            Err(format!(
                "the table has {} dependent variables ({}): choose one with `--dependent` (darksens plot: `FILE#N`; a scenario: `dependent = N`), its position or name",
                names.len(),
                listing()
            ))
        };
    };
    if let Ok(position) = wanted.trim().parse::<usize>() {
        return if (1..=names.len()).contains(&position) {
            Ok(position - 1)
        } else {
            Err(format!(
                "dependent variable {position} is not there; the table has {} ({})",
                names.len(),
                listing()
            ))
        };
    }
    if let Some(k) = names.iter().position(|n| n == wanted) {
        return Ok(k);
    }
    let lower = wanted.to_lowercase();
    let matches: Vec<usize> = (0..names.len())
        .filter(|&k| names[k].to_lowercase().contains(&lower))
        .collect();
    // Several matches where one is a limit and the rest its bands (darksens's own export:
    // "expected upper limit" and "expected, -2 sigma", ...): the limit.
    let names_a_band = |k: &usize| {
        let name = names[*k].to_lowercase();
        ["sigma", "σ", "band", "±"].iter().any(|b| name.contains(b))
    };
    let not_bands: Vec<usize> = matches
        .iter()
        .copied()
        .filter(|k| !names_a_band(k))
        .collect();
    if let ([_, _, ..], [k]) = (matches.as_slice(), not_bands.as_slice()) {
        return Ok(*k);
    }
    match matches.as_slice() {
        [k] => Ok(*k),
        [] => Err(format!(
            "no dependent variable is named like '{wanted}'; the table has {}",
            listing()
        )),
        _ => Err(format!(
            "'{wanted}' matches several of the table's dependent variables ({}): give more of the name or its position",
            listing()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_limits_are_told_from_observed_ones_by_name() {
        for name in [
            "Expected limit",
            "$\\epsilon$ (expected upper limit)",
            "$\\epsilon$ (expected, -2 sigma)",
            "Projected reach, 50 ab$^{-1}$",
            "median sensitivity",
        ] {
            assert!(names_an_expected_limit(name), "{name}");
        }
        for name in [
            "Observed limit",
            "Upper limit",
            "Expected and observed limit",
            "$\\epsilon$",
            "expectedly",
        ] {
            assert!(!names_an_expected_limit(name), "{name}");
        }
    }

    /// A part of a name that matches a limit and its bands picks the limit; one that matches
    /// two limits, or only bands, is still refused.
    #[test]
    fn a_name_matching_a_limit_and_its_bands_picks_the_limit() {
        let names: Vec<String> = [
            "$\\epsilon$ (expected upper limit)",
            "$\\epsilon$ (expected, -2 sigma)",
            "$\\epsilon$ (expected, -1 sigma)",
            "$\\epsilon$ (expected, +1 sigma)",
            "$\\epsilon$ (expected, +2 sigma)",
            "$\\epsilon$ (observed upper limit)",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(choose(&names, Some("expected")), Ok(0));
        assert_eq!(choose(&names, Some("+1 sigma")), Ok(3));
        assert!(choose(&names, Some("upper limit")).is_err());
        assert!(choose(&names, Some("sigma")).is_err());
    }

    const TABLE: &str = "independent_variables:
- header: {name: \"M(A')\", units: MEV}
  values:
  - {value: 10}
  - {low: 15, high: 25}
  - {value: 40.0}
dependent_variables:
- header: {name: Observed limit}
  qualifiers:
  - {name: CL, value: 90%}
  values:
  - {value: 1.0e-4}
  - {value: '-'}
  - {value: 3.0e-4}
- header: {name: Expected limit}
  values:
  - {value: 2.0e-4}
  - {value: 2.5e-4}
  - {value: 4.0e-4}
";

    /// A limit given with a scale in its units, or against the dark matter's mass, is refused:
    /// read as eps against the mediator's mass it would be a thousandfold off, or at the wrong
    /// mass.
    #[test]
    fn a_scaled_limit_or_a_dark_matter_mass_is_refused() {
        let scaled = TABLE.replace(
            "- header: {name: Observed limit}",
            "- header: {name: Observed limit, units: '10^{-3}'}",
        );
        let error = parse_table(&scaled, "t.yaml", Some("1")).expect_err("refused");
        assert!(error.to_string().contains("has units '10^{-3}'"), "{error}");
        let chi = TABLE.replace("name: \"M(A')\"", "name: '$m_{\\chi}$'");
        let error = parse_table(&chi, "t.yaml", Some("1")).expect_err("refused");
        assert!(error.to_string().contains("dark matter's mass"), "{error}");
        assert!(parse_table(TABLE, "t.yaml", Some("1")).is_ok());
        // The same scale, or a logarithm, written in the variable's name.
        for (name, what) in [
            ("'$\\epsilon \\times 10^{-4}$'", "a scale"),
            ("'ε × 1e-4'", "a scale"),
            ("'$\\log_{10}\\epsilon$'", "a logarithm"),
            ("'log10(eps)'", "a logarithm"),
        ] {
            let named = TABLE.replace(
                "- header: {name: Observed limit}",
                &format!("- header: {{name: {name}}}"),
            );
            let error = parse_table(&named, "t.yaml", Some("1")).expect_err(name);
            assert!(error.to_string().contains(what), "{name}: {error}");
        }
    }

    /// The CL qualifier reads as a fraction however it is written, and one that is not a
    /// confidence level is refused rather than read as a percentage or replaced by 90%.
    #[test]
    fn the_confidence_level_reads_in_every_usual_spelling() {
        let with = |name: &str, value: &str| {
            let table = TABLE.replace(
                "  - {name: CL, value: 90%}",
                &format!("  - {{name: {name}, value: {value}}}"),
            );
            parse_table(&table, "t.yaml", Some("1"))
                .expect("a table")
                .confidence_level()
        };
        for (name, value, cl) in [
            ("CL", "90%", 0.9),
            ("CL", "'90 %'", 0.9),
            ("CL", "0.95", 0.95),
            ("CL", "'0.9'", 0.9),
            ("CL", "95", 0.95),
            ("Confidence level", "95%", 0.95),
            ("confidence level", "'95% CL'", 0.95),
            ("C.L.", "'68 %'", 0.68),
        ] {
            let read = with(name, value).expect("a CL").expect("given");
            assert!((read - cl).abs() < 1e-12, "{name}: {value} read as {read}");
        }
        for value in ["'high'", "0", "150%", "1.0"] {
            let error = with("CL", value).expect_err(value).to_string();
            assert!(
                error.starts_with("t.yaml: the qualifier CL")
                    && error.contains("is not a confidence level"),
                "{error}"
            );
        }
        let without = TABLE.replace("  - {name: CL, value: 90%}\n", "");
        let curve = parse_table(&without, "t.yaml", Some("1")).expect("a table");
        assert_eq!(curve.confidence_level(), Ok(None));
    }

    /// Masses in MeV become GeV, bins stand at their centre, missing values are left out,
    /// and the dependent variable is chosen by position or by a part of its name.
    #[test]
    fn reads_a_table_and_chooses_its_variable() {
        // The mass's units in the spellings tables use; a unit that is no mass is none.
        for (units, per) in [
            ("GeV", 1.0),
            ("GeV/$c^2$", 1.0),
            ("MeV/c^{2}", 1e-3),
            ("keV/c²", 1e-6),
            ("TeV/c2", 1e3),
        ] {
            assert_eq!(gev_per(units), Some(per), "{units}");
        }
        assert_eq!(gev_per("cm"), None);
        assert_eq!(gev_per("GeV/c"), None);
        // Either case where the prefix is unambiguous; milli-electronvolts are no MeV.
        assert_eq!(gev_per("gev"), Some(1.0));
        assert_eq!(gev_per("MEV"), Some(1e-3));
        assert_eq!(gev_per("KeV"), Some(1e-6));
        assert_eq!(gev_per("meV"), None);
        assert_eq!(gev_per("mev/c^2"), None);
        assert_eq!(gev_per("eV"), None);
        let observed = parse_table(TABLE, "t.yaml", Some("1")).expect("reads");
        assert_eq!(observed.limit.outline().0, vec![(0.01, 1e-4), (0.04, 3e-4)]);
        // The missing value at 20 MeV is a gap: nothing excluded between 10 and 40 MeV.
        assert_eq!(
            observed.limit.pieces().0,
            vec![vec![(0.01, 1e-4)], vec![(0.04, 3e-4)]]
        );
        assert_eq!(observed.limit.eps_at(0.02), None);
        assert_eq!(observed.limit.eps_at(0.04), Some(3e-4));
        assert_eq!(observed.mediator(), None);
        let scalar = TABLE.replace(
            "  - {name: CL, value: 90%}",
            "  - {name: CL, value: 90%}\n  - {name: mediator, value: scalar}",
        );
        let scalar = parse_table(&scalar, "t.yaml", Some("1")).expect("reads");
        assert_eq!(
            scalar.mediator(),
            Some(crate::published::library::ConstrainedModel::Scalar)
        );
        assert_eq!(observed.qualifiers, vec![("CL".into(), "90%".into())]);
        let expected = parse_table(TABLE, "t.yaml", Some("expected")).expect("reads");
        assert_eq!(expected.dependent, "Expected limit");
        assert_eq!(
            plain_name("$\\epsilon$ (expected, -2 sigma)"),
            "ε (expected, -2 sigma)"
        );
        assert_eq!(
            expected.limit.outline().0,
            vec![(0.01, 2e-4), (0.02, 2.5e-4), (0.04, 4e-4)]
        );
        for (choice, message) in [
            (
                None,
                "has 2 dependent variables (1: 'Observed limit', 2: 'Expected limit')",
            ),
            (Some("3"), "dependent variable 3 is not there"),
            (Some("limit"), "matches several"),
            (
                Some("median"),
                "no dependent variable is named like 'median'",
            ),
        ] {
            let error = parse_table(TABLE, "t.yaml", choice)
                .expect_err("refused")
                .to_string();
            assert!(error.contains(message), "{error}");
        }
        let unitless = TABLE.replace(", units: MEV", "");
        let error = parse_table(&unitless, "t.yaml", Some("1"))
            .expect_err("refused")
            .to_string();
        assert!(error.contains("must be a mass with its units"), "{error}");
        let decreasing = TABLE.replace("{value: 40.0}", "{value: 5.0}");
        let error = parse_table(&decreasing, "t.yaml", Some("2"))
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains("t.yaml: point 3: masses must increase"),
            "{error}"
        );
        let submission = "---\ncomment: x\n---\nname: Table 1\ndata_file: t.yaml\n";
        let error = parse_table(submission, "s.yaml", None)
            .expect_err("refused")
            .to_string();
        assert!(error.contains("not a HEPData table"), "{error}");
    }

    /// A table of `eps^2` is read through its square root and says so; a table of another
    /// coupling is refused; the names darksens itself writes, and plain ones, are eps.
    #[test]
    fn the_quantity_is_read_from_the_variable_name() {
        for name in [
            "Upper limit on epsilon^2",
            "$\\epsilon^{2}$",
            "$\\varepsilon^2$",
            "eps2",
            "ε²",
            "Epsilon squared (90% CL)",
            "Upper limit on $\\varepsilon^2$",
        ] {
            assert_eq!(Quantity::of(name), Ok(Quantity::EpsilonSquared), "{name}");
        }
        for name in [
            "$\\epsilon$",
            "$\\epsilon$ (expected, -2 sigma)",
            "Observed limit",
            "Expected limit",
            "Upper limit on the kinetic mixing",
            "eps",
            // Near misses: a digit after eps that is no square.
            "$\\epsilon$ (2 sigma)",
            "Epsilon 2 sigma band",
            "$\\varepsilon$ 2018",
            "eps 2",
            "Expected limit (-1 sigma)",
            "90% CL upper limit",
            "Kinetic mixing coupling",
            "Coupling",
            "$\\epsilon_{e}$",
        ] {
            assert_eq!(Quantity::of(name), Ok(Quantity::Epsilon), "{name}");
        }
        for name in [
            "y = eps^2 alpha_D (m_chi/m_A')^4",
            "$y$",
            "g_ve",
            "$g_{e}$",
            "$\\alpha_D$",
            "Upper limit on y",
            "$g_{ve}$",
            "Upper limit on $g_e$",
        ] {
            let error = Quantity::of(name).expect_err(name);
            assert!(error.contains("not on eps"), "{name}: {error}");
        }
        for name in [
            "signal per particle on target",
            "Expected signal events",
            "Yield",
            "Cross section [pb]",
            "Expected signal events for $\\epsilon = 10^{-4}$",
            "Signal yield, $\\epsilon=1$",
        ] {
            let error = Quantity::of(name).expect_err(name);
            assert!(error.contains("not a limit on eps"), "{name}: {error}");
        }
        // The error says what the variable is, in words.
        let error = Quantity::of("Cross section [pb]").expect_err("a cross section");
        assert!(error.contains("is a cross section, not a limit"), "{error}");
        // Limits that mention a count, a selection or a check are limits.
        for name in [
            "Expected limit (signal region)",
            "Observed upper limit (2.3 signal events)",
            "Upper limit, efficiency corrected",
            "Expected limit, cross-check",
            "$\\epsilon$ for 2.3 signal events",
        ] {
            assert_eq!(Quantity::of(name), Ok(Quantity::Epsilon), "{name}");
        }
        // A mass in MeV is the nearest double to its value in GeV.
        let odd = TABLE
            .replace("{value: 40.0}", "{value: 6.5e1}")
            .replace("{value: 10}", "{value: 6.5}");
        let curve = parse_table(&odd, "t.yaml", Some("1")).expect("reads");
        assert_eq!(curve.limit.outline().0[0].0, 0.0065);
        assert_eq!(curve.limit.outline().0[1].0, 0.065);
        let squared = TABLE.replace("Expected limit", "Upper limit on epsilon^2");
        let curve = parse_table(&squared, "t.yaml", Some("2")).expect("reads");
        assert_eq!(
            curve.dependent,
            "Upper limit on epsilon^2, square root taken"
        );
        let eps: Vec<f64> = curve.limit.outline().0.iter().map(|p| p.1).collect();
        let expected = [2e-4f64.sqrt(), 2.5e-4f64.sqrt(), 4e-4f64.sqrt()];
        for (a, b) in eps.iter().zip(expected) {
            assert!((a / b - 1.0).abs() < 1e-15, "{a} against {b}");
        }
    }
}
