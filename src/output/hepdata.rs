//! HEPData submissions: a `submission.yaml` and one data table per curve, in the format of
//! the HEPData submission documentation (<https://hepdata-submission.readthedocs.io>), so that
//! a scan's expected limits can be handed to a journal or to HEPData as they are.
//!
//! The YAML is written directly: strings are double-quoted with JSON escapes (valid YAML), and
//! numbers always carry a decimal point and a signed exponent, which YAML 1.1 readers (PyYAML,
//! used by the HEPData validator) need to read them as numbers. Values keep every digit of the
//! CSV (the shortest representation that reads back to the same `f64`).

use std::fmt::Write as _;

/// One dependent variable of a table: a name, its qualifiers and one value per point.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependent {
    /// Header name, e.g. `"EPSILON"`.
    pub name: String,
    /// Units (empty for none).
    pub units: String,
    /// `(name, value)` qualifiers: confidence level, method, model parameters.
    pub qualifiers: Vec<(String, String)>,
    /// Its values, one per point of the independent variable; NaN for a point without one
    /// (written `'-'`, as HEPData marks it).
    pub values: Vec<f64>,
}

/// One independent variable of a table: a name, its units and one value per point (a table
/// with two independent variables is a grid: point `i` is at the `i`-th value of each).
#[derive(Debug, Clone, PartialEq)]
pub struct Independent {
    /// Header name, e.g. `"$m_{A'}$"`.
    pub name: String,
    /// Units (empty for none).
    pub units: String,
    /// Its values, one per point.
    pub values: Vec<f64>,
}

/// One table: the scanned quantities and the limits (or signal) on them.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Table name (unique in the submission).
    pub name: String,
    /// Description.
    pub description: String,
    /// The data file's name in the submission directory.
    pub data_file: String,
    /// Independent variables (one for a curve, two for a grid).
    pub independents: Vec<Independent>,
    /// The limits.
    pub dependents: Vec<Dependent>,
    /// Keywords `(name, values)`, e.g. `("observables", ["EPSILON"])`.
    pub keywords: Vec<(String, Vec<String>)>,
}

/// A YAML double-quoted scalar (a JSON string is one).
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A YAML float that every YAML reader takes for a number: the shortest representation of
/// `value` with a decimal point and a signed exponent (`1.0e-05` style: `1.2e-5`, `5.0e+3`).
///
/// # Panics
/// Never for finite values; callers pass only finite ones.
#[must_use]
pub fn number(value: f64) -> String {
    let text = format!("{value:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with('-') {
        exponent.to_string()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

/// The text of `submission.yaml`: a first document with the comment, then one per table.
#[must_use]
pub fn submission_yaml(comment: &str, tables: &[Table]) -> String {
    let mut out = format!("---\ncomment: {}\n", quoted(comment));
    for table in tables {
        let _ = write!(
            out,
            "---\nname: {}\ndescription: {}\nkeywords:\n",
            quoted(&table.name),
            quoted(&table.description)
        );
        for (name, values) in &table.keywords {
            let values: Vec<String> = values.iter().map(|v| quoted(v)).collect();
            let _ = writeln!(
                out,
                "- name: {}\n  values: [{}]",
                quoted(name),
                values.join(", ")
            );
        }
        let _ = writeln!(out, "data_file: {}", quoted(&table.data_file));
    }
    out
}

/// The text of a table's data file.
#[must_use]
pub fn table_yaml(table: &Table) -> String {
    let mut out = "independent_variables:\n".to_string();
    for independent in &table.independents {
        let _ = write!(out, "- header: {{name: {}", quoted(&independent.name));
        if !independent.units.is_empty() {
            let _ = write!(out, ", units: {}", quoted(&independent.units));
        }
        out.push_str("}\n  values:\n");
        for x in &independent.values {
            let _ = writeln!(out, "  - {{value: {}}}", number(*x));
        }
    }
    out.push_str("dependent_variables:\n");
    for dependent in &table.dependents {
        let _ = write!(out, "- header: {{name: {}", quoted(&dependent.name));
        if !dependent.units.is_empty() {
            let _ = write!(out, ", units: {}", quoted(&dependent.units));
        }
        out.push_str("}\n");
        if !dependent.qualifiers.is_empty() {
            out.push_str("  qualifiers:\n");
            for (name, value) in &dependent.qualifiers {
                let _ = writeln!(
                    out,
                    "  - {{name: {}, value: {}}}",
                    quoted(name),
                    quoted(value)
                );
            }
        }
        out.push_str("  values:\n");
        for value in &dependent.values {
            // HEPData's mark of a point without a value.
            let text = if value.is_nan() {
                "'-'".to_string()
            } else {
                number(*value)
            };
            let _ = writeln!(out, "  - {{value: {text}}}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers keep every digit and carry the point and signed exponent YAML 1.1 needs.
    #[test]
    fn numbers_read_back_exactly() {
        for (value, text) in [
            (1e-5, "1.0e-5"),
            (5000.0, "5.0e+3"),
            (1.234_567_890_123_456_8e-5, "1.2345678901234568e-5"),
            (66.721, "6.6721e+1"),
            (1.0, "1.0e+0"),
        ] {
            assert_eq!(number(value), text);
            assert_eq!(number(value).parse::<f64>().ok(), Some(value));
        }
    }

    /// Strings with quotes, primes and Greek letters stay one scalar.
    #[test]
    fn strings_are_quoted() {
        assert_eq!(quoted("m_A' \"x\" α_D"), "\"m_A' \\\"x\\\" α_D\"");
    }
}
