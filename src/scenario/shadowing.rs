//! `--set`s that do not do what they seem to: one that a curve's own `set` replaces (the curve
//! keeps its value, silently), and one that changes a value a curve's label names (the CSV and
//! the legend would carry a label that is no longer true).

use super::Override;
use crate::units::format_number;

/// Warnings (each a line starting `warning: `) about `overrides` applied to the scenario file's
/// own table `file` (before any override).
#[must_use]
pub fn override_warnings(file: &toml::Table, overrides: &[Override]) -> Vec<String> {
    let Some(curves) = file.get("curve").and_then(toml::Value::as_array) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for o in overrides {
        for (index, curve) in curves.iter().enumerate() {
            let label = curve
                .get("label")
                .and_then(toml::Value::as_str)
                .unwrap_or_default();
            let own = curve
                .get("set")
                .and_then(toml::Value::as_table)
                .and_then(|set| set.iter().find(|(key, _)| overlaps(key, &o.key)));
            if let Some((key, value)) = own {
                if *key == o.key && same_value(value, &o.value) {
                    // The curve's own value is the one asked for: nothing is lost.
                    continue;
                }
                warnings.push(format!(
                    "warning: --set {} does not reach curve {} \"{label}\": its own set gives {key} = {value}, which wins (each curve is the scenario with its own set applied last)",
                    o.text,
                    index + 1,
                ));
            } else if let Some(old) = value_at(file, &o.key).filter(|old| **old != o.value)
                && let Some(named) = named_in(label, old)
                && !set_by_the_curve(curve, label, &named)
            {
                warnings.push(format!(
                    "warning: curve {} \"{label}\" names {named} in its label, but --set {} changes {} from {named}: the CSV and the legend keep the label; give the curve its own set (or a new label) in a copy of the scenario",
                    index + 1,
                    o.text,
                    o.key,
                ));
            }
        }
    }
    warnings
}

/// Whether two values are the same, numbers compared as numbers (`0` and `0.0`).
fn same_value(a: &toml::Value, b: &toml::Value) -> bool {
    let number = |v: &toml::Value| match v {
        toml::Value::Integer(n) => {
            #[expect(clippy::cast_precision_loss, reason = "compared, not computed with")]
            let x = *n as f64;
            Some(x)
        }
        toml::Value::Float(x) => Some(*x),
        _ => None,
    };
    a == b || matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

/// Keys that only some limit methods read, with the methods that read them (`limit.bands`
/// without `poisson-cls` is named by the scan itself, file or `--set`).
const KEYS_OF_SOME_METHODS: &[(&str, &[&str])] = &[
    ("limit.delta_chi2", &["sqrt-nb"]),
    ("limit.n_signal", &["fixed"]),
    ("limit.cl", &["poisson-cls"]),
    ("limit.z", &["discovery"]),
    ("limit.statistic", &["discovery"]),
    (
        "background.relative_uncertainty",
        &["sqrt-nb", "poisson-cls", "discovery"],
    ),
    ("background.total", &["sqrt-nb", "poisson-cls", "discovery"]),
];

/// Warnings about `--set`s of a key that no curve's limit method reads (`limit.cl` with
/// `limit.method = "sqrt-nb"`): the run goes on, but the value changes no limit. (A file may
/// keep another method's keys; a key typed on the command line is meant to act.)
#[must_use]
pub fn unread_override_warnings(file: &toml::Table, overrides: &[Override]) -> Vec<String> {
    let methods = curve_methods(file, overrides);
    let mut used: Vec<&str> = Vec::new();
    for (_, method) in &methods {
        if !used.contains(&method.as_str()) {
            used.push(method);
        }
    }
    overrides
        .iter()
        .filter_map(|o| {
            let (_, readers) = KEYS_OF_SOME_METHODS.iter().find(|(k, _)| *k == o.key)?;
            (!used.is_empty() && used.iter().all(|m| !readers.contains(m))).then(|| {
                format!(
                    "warning: --set {} changes no limit: no curve's limit method reads {} (limit.method = {}); it is read by {}",
                    o.text,
                    o.key,
                    quoted_list(&used),
                    quoted_list(readers),
                )
            })
        })
        .collect()
}

/// Warnings about a key given by several `--set`s: the last one is used, the others change
/// nothing (a slip when a long command line is edited).
#[must_use]
pub fn repeated_override_warnings(overrides: &[Override]) -> Vec<String> {
    let mut warnings = Vec::new();
    for (k, o) in overrides.iter().enumerate() {
        let same: Vec<&Override> = overrides.iter().filter(|p| p.key == o.key).collect();
        let first = overrides.iter().position(|p| p.key == o.key);
        if same.len() > 1 && first == Some(k) {
            let texts: Vec<String> = same.iter().map(|p| format!("--set {}", p.text)).collect();
            warnings.push(format!(
                "warning: {} is set {} times ({}): the last is used",
                o.key,
                same.len(),
                texts.join(", "),
            ));
        }
    }
    warnings
}

/// Warnings about curves whose limit method does not read the key the scan varies
/// (`background.total` with `limit.method = "fixed"`): every point of such a curve gives the
/// same limit, and its best point is a tie.
#[must_use]
pub fn unread_scan_warnings(file: &toml::Table, overrides: &[Override]) -> Vec<String> {
    let parameter = base_string(file, overrides, "scan.parameter");
    let Some((parameter, readers)) = parameter.and_then(|p| {
        KEYS_OF_SOME_METHODS
            .iter()
            .find(|(k, _)| *k == p)
            .map(|(_, readers)| (p, *readers))
    }) else {
        return Vec::new();
    };
    curve_methods(file, overrides)
        .into_iter()
        .filter(|(_, method)| !readers.contains(&method.as_str()))
        .map(|(label, method)| {
            let curve = label.map_or_else(String::new, |l| format!("curve \"{l}\": "));
            format!(
                "warning: {curve}the scan varies {parameter}, which limit.method = \"{method}\" does not read: every point gives the same limit (it is read by {})",
                quoted_list(readers),
            )
        })
        .collect()
}

/// The base scenario's string at the dotted `key`: the last `--set` of it, else the file's.
fn base_string(file: &toml::Table, overrides: &[Override], key: &str) -> Option<String> {
    overrides
        .iter()
        .rev()
        .find(|o| o.key == key)
        .map(|o| &o.value)
        .or_else(|| value_at(file, key))
        .and_then(toml::Value::as_str)
        .map(str::to_string)
}

/// Each curve's label (`None` for a file without curves) and limit method: its `set`'s, else
/// the base's (the last `--set limit.method`, else the file's). Curves without a method are
/// left out (the scenario's own check refuses them).
fn curve_methods(file: &toml::Table, overrides: &[Override]) -> Vec<(Option<String>, String)> {
    let method_in = |table: &toml::Table| {
        table
            .get("limit.method")
            .or_else(|| table.get("limit").and_then(|l| l.get("method")))
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    let base = base_string(file, overrides, "limit.method");
    match file.get("curve").and_then(toml::Value::as_array) {
        Some(curves) if !curves.is_empty() => curves
            .iter()
            .filter_map(|c| {
                let method = c
                    .get("set")
                    .and_then(toml::Value::as_table)
                    .and_then(method_in)
                    .or_else(|| base.clone())?;
                let label = c.get("label").and_then(toml::Value::as_str);
                Some((label.map(str::to_string), method))
            })
            .collect(),
        _ => base.into_iter().map(|m| (None, m)).collect(),
    }
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// Whether two dotted keys set the same value: equal, or one a table holding the other.
fn overlaps(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.'))
    };
    a == b || within(a, b) || within(b, a)
}

/// Whether a value the curve's own `set` gives is what `label` names as `named` (`"α_D = 0.5"`
/// with `set = { "model.alpha_d" = 0.5 }`): the label then speaks of that key, not of another
/// key that happens to hold the same number.
fn set_by_the_curve(curve: &toml::Value, label: &str, named: &str) -> bool {
    fn any_value(value: &toml::Value, found: &dyn Fn(&toml::Value) -> bool) -> bool {
        match value {
            toml::Value::Table(t) => t.values().any(|v| any_value(v, found)),
            v => found(v),
        }
    }
    curve
        .get("set")
        .is_some_and(|set| any_value(set, &|v| named_in(label, v).is_some_and(|n| n == named)))
}

/// The value at a dotted key of a table.
fn value_at<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let mut segments = key.split('.');
    let first = table.get(segments.next()?)?;
    segments.try_fold(first, |value, segment| value.get(segment))
}

/// The text by which `label` names `value`, if it does: the number as written in the file or
/// in its shortest form, standing alone (not part of a longer number), or a string value.
fn named_in(label: &str, value: &toml::Value) -> Option<String> {
    let forms: Vec<String> = match value {
        toml::Value::Float(v) => vec![format_number(*v), v.to_string(), format!("{v:e}")],
        #[expect(clippy::cast_precision_loss, reason = "a label's number")]
        toml::Value::Integer(v) => vec![v.to_string(), format_number(*v as f64)],
        toml::Value::String(s) if !s.is_empty() => vec![s.clone()],
        _ => return None,
    };
    forms.into_iter().find(|form| stands_alone(label, form))
}

/// Whether `needle` occurs in `text` not as part of a longer number or word (a full stop
/// after it ends a sentence; one followed by a digit continues the number).
fn stands_alone(text: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(needle).any(|(at, _)| {
        let mut before = text[..at].chars().rev();
        let mut after = text[at + needle.len()..].chars();
        let joined_before = match before.next() {
            Some('.') => before.next().is_some_and(|c| c.is_ascii_digit()),
            c => c.is_some_and(word),
        };
        let joined_after = match after.next() {
            Some('.') => after.next().is_some_and(|c| c.is_ascii_digit()),
            c => c.is_some_and(word),
        };
        !joined_before && !joined_after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(texts: &[&str]) -> Vec<Override> {
        texts
            .iter()
            .map(|t| Override::parse(t).expect("an override"))
            .collect()
    }

    const FILE: &str = r#"
        [model]
        alpha_d = 0.1
        [background]
        total = 1000.0
        [[curve]]
        label = "α_D = 0.1"
        [[curve]]
        label = "α_D = 0.5"
        set = { "model.alpha_d" = 0.5 }
        [[curve]]
        label = "α_D = 0.15, N_b = 10"
        set = { "model.alpha_d" = 0.15, "background" = { total = 10.0 } }
    "#;

    #[test]
    fn a_set_a_curve_replaces_and_a_label_it_falsifies_are_named() {
        let file: toml::Table = toml::from_str(FILE).expect("toml");
        let warnings = override_warnings(&file, &overrides(&["model.alpha_d=0.3"]));
        assert_eq!(warnings.len(), 3, "{warnings:#?}");
        assert!(warnings[0].contains("curve 1 \"α_D = 0.1\" names 0.1"));
        assert!(warnings[1].contains("does not reach curve 2"));
        assert!(warnings[1].contains("model.alpha_d = 0.5"));
        assert!(warnings[2].contains("does not reach curve 3"));
        // A table in a curve's set holds the key set from the command line.
        let background = override_warnings(&file, &overrides(&["background.total=5.0"]));
        assert_eq!(background.len(), 1, "{background:#?}");
        assert!(background[0].contains("background = "));
        // The value a curve sets itself (0.5 as 0.5, or a number as 1/2 of another type) is
        // no override lost: only the label of curve 1 is named.
        for text in ["model.alpha_d=0.5", "model.alpha_d=5e-1"] {
            let same = override_warnings(&file, &overrides(&[text]));
            assert_eq!(same.len(), 2, "{same:#?}");
            assert!(same[0].contains("curve 1"), "{same:#?}");
            assert!(same[1].contains("does not reach curve 3"), "{same:#?}");
        }
        let zero: toml::Table = toml::from_str(
            "[[curve]]\nlabel = \"head-on\"\nset = { \"source.crossing_angle_mrad\" = 0.0 }\n",
        )
        .expect("toml");
        assert!(override_warnings(&zero, &overrides(&["source.crossing_angle_mrad=0"])).is_empty());
    }

    #[test]
    fn a_number_the_curve_sets_itself_is_not_taken_for_another_key() {
        let file: toml::Table = toml::from_str(
            "[source]\nefficiency = 0.5\n[[curve]]\nlabel = \"α_D = 0.5\"\nset = { \"model.alpha_d\" = 0.5 }\n[[curve]]\nlabel = \"efficiency 0.5\"\n",
        )
        .expect("toml");
        let warnings = override_warnings(&file, &overrides(&["source.efficiency=1.0"]));
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert!(
            warnings[0].contains("curve 2 \"efficiency 0.5\""),
            "{warnings:#?}"
        );
    }

    #[test]
    fn a_set_no_limit_method_reads_is_named() {
        let file: toml::Table = toml::from_str(
            "[limit]\nmethod = \"sqrt-nb\"\n[[curve]]\nlabel = \"a\"\n[[curve]]\nlabel = \"b\"\nset = { \"limit.method\" = \"fixed\" }\n",
        )
        .expect("toml");
        let unread = unread_override_warnings(&file, &overrides(&["limit.cl=0.95"]));
        assert_eq!(unread.len(), 1, "{unread:#?}");
        assert!(
            unread[0].contains(
                "(limit.method = \"sqrt-nb\" or \"fixed\"); it is read by \"poisson-cls\""
            ),
            "{unread:#?}"
        );
        // Read by one of the curves' methods, or made read by a --set of the method: nothing.
        for read in [
            vec!["limit.n_signal=3"],
            vec!["background.relative_uncertainty=0.2"],
            vec!["limit.method=poisson-cls", "limit.cl=0.95"],
        ] {
            assert!(
                unread_override_warnings(&file, &overrides(&read)).is_empty(),
                "{read:?}"
            );
        }
        let fixed: toml::Table = toml::from_str("[limit]\nmethod = \"fixed\"\n").expect("toml");
        let unread =
            unread_override_warnings(&fixed, &overrides(&["background.relative_uncertainty=0.5"]));
        assert_eq!(unread.len(), 1, "{unread:#?}");
        assert!(unread[0].contains("it is read by \"sqrt-nb\", \"poisson-cls\" or \"discovery\""));
    }

    /// A key set twice on the command line is named once, with both; keys set once are not.
    #[test]
    fn a_key_set_twice_is_named() {
        let twice = repeated_override_warnings(&overrides(&[
            "model.alpha_d=0.1",
            "limit.cl=0.95",
            "model.alpha_d=0.5",
        ]));
        assert_eq!(
            twice,
            vec![
                "warning: model.alpha_d is set 2 times (--set model.alpha_d=0.1, --set model.alpha_d=0.5): the last is used"
            ]
        );
        assert!(repeated_override_warnings(&overrides(&["model.alpha_d=0.1"])).is_empty());
    }

    /// A scan of a key that a curve's limit method does not read names that curve; a curve
    /// whose method reads it, or a scan of another key, says nothing.
    #[test]
    fn a_scan_of_a_key_a_curve_does_not_read_is_named() {
        let file: toml::Table = toml::from_str(
            "[limit]\nmethod = \"sqrt-nb\"\n[scan]\nparameter = \"background.total\"\n[[curve]]\nlabel = \"a\"\n[[curve]]\nlabel = \"b\"\nset = { \"limit.method\" = \"fixed\" }\n",
        )
        .expect("toml");
        let unread = unread_scan_warnings(&file, &[]);
        assert_eq!(unread.len(), 1, "{unread:#?}");
        assert!(
            unread[0].starts_with("warning: curve \"b\": the scan varies background.total, which limit.method = \"fixed\" does not read"),
            "{unread:#?}"
        );
        assert!(
            unread_scan_warnings(&file, &overrides(&["scan.parameter=model.alpha_d"])).is_empty()
        );
        let all = unread_scan_warnings(&file, &overrides(&["limit.method=fixed"]));
        assert_eq!(all.len(), 2, "{all:#?}");
    }

    #[test]
    fn sets_that_change_nothing_named_say_nothing() {
        let file: toml::Table = toml::from_str(FILE).expect("toml");
        // The same value, and a key no label names ("0.15" is not "0.1" standing alone).
        assert!(override_warnings(&file, &overrides(&["model.alpha_d=0.1"])).len() == 2);
        let unrelated = override_warnings(&file, &overrides(&["source.luminosity_ab=1.0"]));
        assert!(unrelated.is_empty(), "{unrelated:#?}");
        assert!(stands_alone("N_b = 1000 (x)", "1000"));
        assert!(!stands_alone("N_b = 10000", "1000"));
        assert!(!stands_alone("α_D = 0.15", "0.1"));
        assert!(stands_alone("α_D = 0.1.", "0.1"));
    }
}
