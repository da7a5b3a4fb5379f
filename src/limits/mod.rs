//! Limit criteria and statistics: how many signal events an expected 90% CL exclusion needs.
//!
//! Yields are computed per `eps^2`, so the limit is `eps = sqrt(n_required / yield_per_eps2)`.

pub mod statistics;

/// A counting criterion for the expected limit (or discovery reach).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LimitCriterion {
    /// `N_s / sqrt(N_b) = sqrt(delta_chi2)` (`delta_chi2 = 2.71` for 90% CL, [DPT Sec. 4]); a
    /// relative background uncertainty `r` adds `(r N_b)^2` to `N_b` in quadrature.
    SqrtBackground {
        /// `Delta chi^2` of one parameter (2.71: the paper's 90% CL, a two-sided 90% interval,
        /// `z = 1.645`).
        delta_chi2: f64,
    },
    /// A fixed number of signal events (2.3 for zero background at 90% CL, 3 in [DPT App. F]).
    Fixed {
        /// Required signal events.
        n_signal: f64,
    },
    /// Expected CLs upper limit with exact Poisson probabilities ([`statistics`]).
    PoissonCls {
        /// Confidence level (0.90).
        cl: f64,
        /// Also compute the limits at the -2, -1, +1, +2 sigma background quantiles.
        bands: bool,
    },
    /// Signal for a median discovery significance `z` ([`statistics`]).
    Discovery {
        /// Significance in standard deviations (5 or 3).
        z: f64,
        /// Asimov formula or exact Poisson probabilities.
        statistic: DiscoveryStatistic,
    },
}

/// How the discovery significance is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscoveryStatistic {
    /// `Z = sqrt(2((s + b) ln(1 + s/b) - s))` (needs `b > 0`).
    Asimov,
    /// Exact Poisson p-values of the median count (any `b`, also 0).
    Poisson,
}

impl LimitCriterion {
    /// Scenario names of the methods, for error messages and `darksens list`.
    pub const NAMES: [&'static str; 4] = ["sqrt-nb", "fixed", "poisson-cls", "discovery"];

    /// Whether the criterion takes exact Poisson probabilities (trusted up to
    /// [`statistics::POISSON_MAX_BACKGROUND`] background events).
    #[must_use]
    pub fn uses_poisson_probabilities(&self) -> bool {
        matches!(
            self,
            Self::PoissonCls { .. }
                | Self::Discovery {
                    statistic: DiscoveryStatistic::Poisson,
                    ..
                }
        )
    }

    /// Signal events needed given the counting experiment (background and its uncertainty);
    /// NaN for a Poisson criterion above [`statistics::Counting::poisson_max_background`].
    #[must_use]
    pub fn n_required_for(&self, counting: &statistics::Counting) -> f64 {
        let b = counting.background;
        if self.uses_poisson_probabilities() && b > counting.poisson_max_background() {
            return f64::NAN;
        }
        match *self {
            Self::SqrtBackground { delta_chi2 } => {
                (delta_chi2 * (b + (counting.relative_uncertainty * b).powi(2))).sqrt()
            }
            Self::Fixed { n_signal } => n_signal,
            Self::PoissonCls { cl, .. } => counting.expected_upper_limit(cl),
            Self::Discovery {
                z,
                statistic: DiscoveryStatistic::Asimov,
            } => counting.discovery_asimov(z),
            Self::Discovery {
                z,
                statistic: DiscoveryStatistic::Poisson,
            } => counting.discovery_exact(z),
        }
    }

    /// Signal events needed with `n_background` expected events and no uncertainty.
    #[must_use]
    pub fn n_required(&self, n_background: f64) -> f64 {
        self.n_required_for(&statistics::Counting {
            background: n_background,
            relative_uncertainty: 0.0,
        })
    }

    /// The confidence level of a limit, `None` for a discovery reach or a fixed number of
    /// events. For `sqrt-nb` it is the probability that one parameter's `chi^2` stays within
    /// `delta_chi2`: `P(chi^2_1 <= delta_chi2) = erf(sqrt(delta_chi2 / 2))` (0.900 for the
    /// paper's 2.71 [DPT Sec. 4]).
    #[must_use]
    pub fn confidence_level(&self) -> Option<f64> {
        match *self {
            Self::SqrtBackground { delta_chi2 } => {
                Some(statrs::function::erf::erf((0.5 * delta_chi2).sqrt()))
            }
            Self::PoissonCls { cl, .. } => Some(cl),
            Self::Fixed { .. } | Self::Discovery { .. } => None,
        }
    }

    /// The confidence level of excluding `n_signal` expected events when no event is seen and
    /// none is expected from background: `1 - e^-n` (90% for 2.3, 95% for 3).
    #[must_use]
    pub fn background_free_level(n_signal: f64) -> f64 {
        -(-n_signal).exp_m1()
    }

    /// [`LimitCriterion::background_free_level`] of `n_signal` events in per cent, as
    /// [`LimitCriterion::percent`] writes it (`90` for 2.3).
    #[must_use]
    pub fn background_free_percent(n_signal: f64) -> String {
        Self::percent(Self::background_free_level(n_signal))
    }

    /// A confidence level `cl` in per cent for a label: three significant figures, more where
    /// three would round a level below 1 up to 100 (`99.96` for 0.9996).
    #[must_use]
    pub fn percent(cl: f64) -> String {
        let mut digits = 3;
        let mut text = crate::units::format_significant(100.0 * cl, digits);
        while cl < 1.0 && digits < 15 && text.parse::<f64>().is_ok_and(|p| p >= 100.0) {
            digits += 1;
            text = crate::units::format_significant(100.0 * cl, digits);
        }
        text
    }

    /// What the criterion gives, in words for a summary: `expected 90% CL upper limit,
    /// N_s = sqrt(2.71 N_b) (90% = P(chi^2_1 <= 2.71), two-sided)`, with the background's
    /// relative uncertainty `r` where it is not zero (in the formula for `sqrt-nb`, log-normal
    /// for Poisson probabilities, Cowan's `sigma_b = r b` for the Asimov significance;
    /// [`statistics`]). Levels as [`LimitCriterion::percent`] writes them.
    #[must_use]
    pub fn description(&self, relative_uncertainty: f64) -> String {
        let cl = Self::percent;
        let r = crate::units::format_significant(relative_uncertainty, 3);
        let uncertain = relative_uncertainty > 0.0;
        let background = |how: &str| {
            if uncertain {
                format!(", background uncertain by a fraction {r} ({how})")
            } else {
                String::new()
            }
        };
        match *self {
            // The level is the two-sided one of the paper's convention (read one-sided, 2.71
            // is 95%): the words say so.
            Self::SqrtBackground { delta_chi2 } => {
                let level = cl(self.confidence_level().unwrap_or(0.0));
                let chi2 = crate::units::format_number(delta_chi2);
                format!(
                    "expected {level}% CL upper limit, N_s = sqrt({chi2} {}) ({level}% = P(chi^2_1 <= {chi2}), two-sided)",
                    if uncertain {
                        format!("(N_b + ({r} N_b)^2)")
                    } else {
                        "N_b".to_string()
                    }
                )
            }
            Self::Fixed { n_signal } => format!(
                "expected limit at N_s = {} signal events ({}% CL for a count without background)",
                crate::units::format_number(n_signal),
                Self::background_free_percent(n_signal)
            ),
            Self::PoissonCls { cl: level, bands } => format!(
                "expected {}% CL upper limit, CLs with Poisson probabilities{}{}",
                cl(level),
                if bands { " and its bands" } else { "" },
                background("log-normal")
            ),
            Self::Discovery { z, statistic } => format!(
                "median {} sigma discovery reach, {}",
                crate::units::format_number(z),
                match statistic {
                    DiscoveryStatistic::Asimov =>
                        "Asimov significance".to_string() + &background("sigma_b = r N_b"),
                    DiscoveryStatistic::Poisson =>
                        "Poisson probabilities".to_string() + &background("log-normal"),
                }
            ),
        }
    }

    /// The -2, -1, +1, +2 sigma expected limits, for `poisson-cls` with bands.
    #[must_use]
    pub fn n_required_bands(&self, counting: &statistics::Counting) -> Option<[f64; 4]> {
        match *self {
            Self::PoissonCls { bands: true, .. }
                if counting.background > counting.poisson_max_background() =>
            {
                Some([f64::NAN; 4])
            }
            Self::PoissonCls { cl, bands: true } => Some(counting.expected_bands(cl)),
            _ => None,
        }
    }
}

/// What a computed limit on `eps` says (`status` in the scan CSV and `darksens explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum LimitStatus {
    /// A limit below 1 with every number within its tolerance.
    #[serde(rename = "ok")]
    Ok,
    /// A number missed its tolerance: the limit is approximate.
    #[serde(rename = "unconverged")]
    Unconverged,
    /// The limit is `eps >= 1`: no constraint, since the kinetic mixing cannot exceed 1 (the
    /// number is kept for diagnosis).
    #[serde(rename = "eps-above-1")]
    EpsAbove1,
    /// No signal is possible (the mass is beyond the source's reach): there is no limit.
    #[serde(rename = "closed")]
    Closed,
}

impl LimitStatus {
    /// Every status, as written.
    pub const NAMES: [&'static str; 4] = ["ok", "unconverged", "eps-above-1", "closed"];

    /// The status of a limit `epsilon_limit` whose numbers did (`converged`) or did not meet
    /// their tolerances: closed when no signal is possible (an infinite limit), else a missed
    /// tolerance is reported first.
    #[must_use]
    pub fn of(epsilon_limit: f64, converged: bool) -> Self {
        if epsilon_limit == f64::INFINITY {
            Self::Closed
        } else if !converged {
            Self::Unconverged
        } else if epsilon_limit >= 1.0 {
            Self::EpsAbove1
        } else {
            Self::Ok
        }
    }
}

impl LimitStatus {
    /// The name written in the CSV.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Unconverged => "unconverged",
            Self::EpsAbove1 => "eps-above-1",
            Self::Closed => "closed",
        }
    }
}

/// `eps` at which `eps^2 yield_per_eps2 = n_required`.
#[must_use]
pub fn epsilon_limit(n_required: f64, yield_per_eps2: f64) -> f64 {
    (n_required / yield_per_eps2).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn a_criterion_says_its_confidence_level() {
        // One parameter's chi^2 within 2.71 is the two-sided 90% interval (z = 1.645), within
        // 1 the one-sigma interval (68.27%), within 3.84 the 95% interval.
        let sqrt_nb = |delta_chi2| LimitCriterion::SqrtBackground { delta_chi2 };
        for (delta_chi2, cl) in [(2.7055, 0.90), (1.0, 0.682_689_5), (3.8415, 0.95)] {
            let level = sqrt_nb(delta_chi2).confidence_level().expect("a level");
            assert_relative_eq!(level, cl, epsilon = 2e-5);
        }
        assert_eq!(
            sqrt_nb(2.71).description(0.0),
            "expected 90% CL upper limit, N_s = sqrt(2.71 N_b) (90% = P(chi^2_1 <= 2.71), two-sided)"
        );
        assert!(
            sqrt_nb(1.0)
                .description(0.0)
                .starts_with("expected 68.3% CL upper limit, N_s = sqrt(1 N_b)")
        );
        // A level near 1 keeps the digits that tell it from 100%.
        assert_eq!(LimitCriterion::percent(0.9996), "99.96");
        let high = LimitCriterion::percent(sqrt_nb(30.0).confidence_level().expect("a level"));
        assert!(
            high.starts_with("99.99999") && high.parse::<f64>().is_ok_and(|p| p < 100.0),
            "{high}"
        );
        assert_eq!(LimitCriterion::percent(0.9), "90");
        assert_eq!(LimitCriterion::background_free_percent(2.3), "90");
        assert_eq!(LimitCriterion::background_free_percent(3.0), "95");
        let cls = LimitCriterion::PoissonCls {
            cl: 0.95,
            bands: false,
        };
        assert_eq!(cls.confidence_level(), Some(0.95));
        assert!(
            cls.description(0.0)
                .starts_with("expected 95% CL upper limit, CLs")
        );
        assert!(
            cls.description(0.2)
                .ends_with("uncertain by a fraction 0.2 (log-normal)")
        );
        assert!(
            sqrt_nb(2.71)
                .description(0.23)
                .starts_with("expected 90% CL upper limit, N_s = sqrt(2.71 (N_b + (0.23 N_b)^2))")
        );
        let fixed = LimitCriterion::Fixed { n_signal: 2.3 };
        assert_eq!(fixed.confidence_level(), None);
        assert_eq!(
            fixed.description(0.0),
            "expected limit at N_s = 2.3 signal events (90% CL for a count without background)"
        );
        // -ln(0.05) = 2.996: three events are the background-free 95% CL.
        assert_relative_eq!(
            LimitCriterion::background_free_level(-(0.05_f64.ln())),
            0.95,
            epsilon = 1e-15
        );
        let discovery = LimitCriterion::Discovery {
            z: 5.0,
            statistic: DiscoveryStatistic::Asimov,
        };
        assert_eq!(discovery.confidence_level(), None);
        assert!(
            discovery
                .description(0.0)
                .starts_with("median 5 sigma discovery")
        );
    }

    #[test]
    fn a_limit_says_what_it_is() {
        assert_eq!(LimitStatus::of(1.2e-5, true), LimitStatus::Ok);
        assert_eq!(LimitStatus::of(1.0, true), LimitStatus::EpsAbove1);
        assert_eq!(LimitStatus::of(271.0, true), LimitStatus::EpsAbove1);
        assert_eq!(LimitStatus::of(271.0, false), LimitStatus::Unconverged);
        assert_eq!(LimitStatus::of(f64::INFINITY, false), LimitStatus::Closed);
        for (status, name) in [
            LimitStatus::Ok,
            LimitStatus::Unconverged,
            LimitStatus::EpsAbove1,
            LimitStatus::Closed,
        ]
        .iter()
        .zip(LimitStatus::NAMES)
        {
            assert_eq!(status.name(), name);
        }
        assert_eq!(
            serde_json::to_string(&LimitStatus::EpsAbove1).expect("json"),
            "\"eps-above-1\""
        );
    }

    /// [DPT Sec. 4]: the limit scales as N_b^(1/4), so N_b = 1000 vs 94 weakens eps by
    /// (1000/94)^(1/4) = 1.806, the paper's "about 1.8".
    #[test]
    fn background_scaling_matches_paper_factor() {
        let criterion = LimitCriterion::SqrtBackground { delta_chi2: 2.71 };
        let ratio = epsilon_limit(criterion.n_required(1000.0), 1e10)
            / epsilon_limit(criterion.n_required(94.0), 1e10);
        assert_relative_eq!(
            ratio,
            (1000.0f64 / 94.0).powf(0.25),
            max_relative = 1e-14,
            epsilon = 0.0
        );
        assert_relative_eq!(ratio, 1.8, max_relative = 0.01, epsilon = 0.0);
    }

    #[test]
    fn fixed_criterion_ignores_background() {
        let criterion = LimitCriterion::Fixed { n_signal: 2.3 };
        assert_eq!(criterion.n_required(94.0), 2.3);
        assert_relative_eq!(
            epsilon_limit(2.3, 2.3e8),
            1e-4,
            max_relative = 1e-14,
            epsilon = 0.0
        );
    }

    /// The criteria compared at one background (docs/validation.md): CLs lies above the
    /// sqrt-nb rule for large b and all equal the closed forms where they exist.
    #[test]
    fn criteria_agree_in_their_limits() {
        let cls = LimitCriterion::PoissonCls {
            cl: 0.9,
            bands: false,
        };
        let sqrt_nb = LimitCriterion::SqrtBackground { delta_chi2: 2.71 };
        assert_relative_eq!(
            cls.n_required(0.0),
            std::f64::consts::LN_10,
            max_relative = 1e-10,
            epsilon = 0.0
        );
        assert!(cls.n_required(94.0) > sqrt_nb.n_required(94.0));
        let discovery = LimitCriterion::Discovery {
            z: 5.0,
            statistic: DiscoveryStatistic::Poisson,
        };
        // Zero background: one event is a discovery; its median is reached at mu = ln 2.
        assert_relative_eq!(
            discovery.n_required(0.0),
            std::f64::consts::LN_2,
            max_relative = 1e-10,
            epsilon = 0.0
        );
    }
}
