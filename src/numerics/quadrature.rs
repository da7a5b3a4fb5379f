//! One-dimensional quadrature that always reports its error.
//!
//! * [`gauss_kronrod_15`]: one 7/15-point Gauss–Kronrod panel with the QUADPACK error estimate
//!   (Piessens et al., *QUADPACK*, Springer 1983, routine QK15); [`gauss_kronrod_15_nodes`] lists
//!   its nodes and weights.
//! * [`gauss_kronrod_21`]: the 10/21-point panel the adaptive routine uses (QK21).
//! * [`GaussLegendre`]: fixed 4- to 32-point rules, for smooth integrands of known shape, with
//!   the difference from another rule as the error.
//! * [`integrate`]: globally adaptive Gauss–Kronrod over a list of break points (QUADPACK QAG
//!   strategy: bisect the panel with the largest error until the total error meets the tolerance).
//! * [`integrate_to_cusp`] and [`integrate_peak`]: the two changes of variables the physics
//!   needs, for an integrable `1/ln` cusp at an end point and for a narrow Breit–Wigner peak.
//! * [`tanh_sinh`]: double-exponential quadrature (Takahasi & Mori 1974) with nodes kept as
//!   distances to the end points, used as the independent second method in tests.
//!
//! Why not the `quadrature` crate (0.1.x): measured, it reports convergence on `x^-0.9` over
//! (0, 1] while 4% off, and misses a narrow Breit–Wigner entirely, so the core does not use it.

use std::collections::BinaryHeap;

/// `error / scale`, zero for no error; infinite or NaN (so never accepted as converged) when the
/// scale is zero or not finite while there is an error. Used for an error relative to a value,
/// and for a sum of inner error bounds relative to the sum of the inner values of a nest of
/// integrals.
#[must_use]
pub fn relative_to(error: f64, scale: f64) -> f64 {
    if error == 0.0 { 0.0 } else { error / scale }
}

/// The result of a quadrature: value, error estimate, cost and whether the tolerance was met.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Estimated value of the integral.
    pub value: f64,
    /// Estimated absolute error (non-negative).
    pub error: f64,
    /// Number of integrand evaluations.
    pub evaluations: usize,
    /// Whether the requested tolerance was met and every integrand value was finite.
    pub converged: bool,
}

impl Estimate {
    /// An exactly known value (e.g. an empty integration range).
    #[must_use]
    pub fn exact(value: f64) -> Self {
        Self {
            value,
            error: 0.0,
            evaluations: 0,
            converged: true,
        }
    }

    /// Relative error estimate, `error / |value|` (infinite for a zero value with nonzero error).
    #[must_use]
    pub fn relative_error(&self) -> f64 {
        relative_to(self.error, self.value.abs())
    }

    /// An error bound that does not trust an unconverged estimate: the error estimate when the
    /// tolerance was met, otherwise at least the whole value (infinite after a non-finite
    /// value). A sum of such bounds judges a nest of integrals by what each inner integral
    /// contributes, so a negligible inner integral that missed its own tolerance cannot spoil
    /// the total, and a sizeable one still does.
    #[must_use]
    pub fn error_bound(&self) -> f64 {
        if self.converged {
            self.error
        } else if self.value.is_finite() && self.error.is_finite() {
            self.error.max(self.value.abs())
        } else {
            f64::INFINITY
        }
    }

    /// This estimate, computed on a table (or grid) of some step, checked against `coarse`, the
    /// same integral on one of twice the step: their difference is added to the error (where
    /// the table's error falls about as its step, the difference estimates this one's: not a
    /// strict bound), and it is flagged when that is above `tolerance` relative to its value.
    #[must_use]
    pub fn checked_against_coarser(self, coarse: Estimate, tolerance: f64) -> Self {
        let grid_error = (self.value - coarse.value).abs();
        Self {
            value: self.value,
            error: self.error + grid_error,
            evaluations: self.evaluations + coarse.evaluations,
            converged: self.converged
                && coarse.converged
                && grid_error <= tolerance * self.value.abs(),
        }
    }

    /// Multiplies value and error by a constant factor.
    #[must_use]
    pub fn scaled(self, factor: f64) -> Self {
        Self {
            value: self.value * factor,
            error: self.error * factor.abs(),
            ..self
        }
    }
}

impl std::ops::Add for Estimate {
    type Output = Estimate;
    fn add(self, rhs: Estimate) -> Estimate {
        Estimate {
            value: self.value + rhs.value,
            error: self.error + rhs.error,
            evaluations: self.evaluations + rhs.evaluations,
            converged: self.converged && rhs.converged,
        }
    }
}

impl std::iter::Sum for Estimate {
    fn sum<I: Iterator<Item = Estimate>>(iter: I) -> Estimate {
        iter.fold(Estimate::exact(0.0), |acc, e| acc + e)
    }
}

/// Requested accuracy: the integral is accepted when `error <= max(absolute, relative * |value|)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Relative tolerance.
    pub relative: f64,
    /// Absolute tolerance.
    pub absolute: f64,
    /// Maximum number of panels the adaptive routine may create by splitting, beyond one per
    /// interval between break points.
    pub max_panels: usize,
}

impl Tolerance {
    /// A purely relative tolerance with the default panel limit (500).
    #[must_use]
    pub const fn relative(relative: f64) -> Self {
        Self {
            relative,
            absolute: 0.0,
            max_panels: 500,
        }
    }

    fn accepts(&self, value: f64, error: f64) -> bool {
        error <= self.absolute.max(self.relative * value.abs())
    }
}

/// Kronrod abscissae of the 15-point rule on [-1, 1] (QUADPACK QK15, `xgk`); odd indices are the
/// 7-point Gauss abscissae.
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
const XGK: [f64; 8] = [
    0.991_455_371_120_812_639_206_854_697_526_329,
    0.949_107_912_342_758_524_526_189_684_047_851,
    0.864_864_423_359_769_072_789_712_788_640_926,
    0.741_531_185_599_394_439_863_864_773_280_788,
    0.586_087_235_467_691_130_294_144_845_693_013,
    0.405_845_151_377_397_166_906_606_412_076_961,
    0.207_784_955_007_898_467_600_689_403_773_245,
    0.0,
];
/// Kronrod weights (QUADPACK QK15, `wgk`).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
const WGK: [f64; 8] = [
    0.022_935_322_010_529_224_963_732_008_058_970,
    0.063_092_092_629_978_553_290_700_663_189_204,
    0.104_790_010_322_250_183_839_876_322_541_518,
    0.140_653_259_715_525_918_745_189_590_510_238,
    0.169_004_726_639_267_902_826_583_426_598_550,
    0.190_350_578_064_785_409_913_256_402_421_014,
    0.204_432_940_075_298_892_414_161_999_234_649,
    0.209_482_141_084_727_828_012_999_174_891_714,
];
/// 7-point Gauss weights for the abscissae `XGK[1], XGK[3], XGK[5], XGK[7]` (QUADPACK QK15, `wg`).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
const WG: [f64; 4] = [
    0.129_484_966_168_869_693_270_611_432_679_082,
    0.279_705_391_489_276_667_901_467_771_423_780,
    0.381_830_050_505_118_944_950_369_775_488_975,
    0.417_959_183_673_469_387_755_102_040_816_327,
];

/// A Gauss–Kronrod rule on [-1, 1]: Kronrod abscissae and weights with the centre last, and
/// the Gauss weights of the odd-indexed abscissae (and of the centre, when the Gauss rule has an
/// odd number of points).
struct KronrodRule {
    xgk: &'static [f64],
    wgk: &'static [f64],
    wg: &'static [f64],
    wg_centre: f64,
}

/// The 7/15-point rule (QUADPACK QK15).
const GK15: KronrodRule = KronrodRule {
    xgk: &XGK,
    wgk: &WGK,
    wg: &[WG[0], WG[1], WG[2]],
    wg_centre: WG[3],
};

/// One Gauss–Kronrod panel on `[a, b]` with QUADPACK's error estimate
/// `resasc * min(1, (200 |K - G| / resasc)^1.5)`.
///
/// The estimate is reliable for integrands that are smooth on the panel; `converged` is false
/// only if an integrand value was not finite.
fn gauss_kronrod<F: FnMut(f64) -> f64>(rule: &KronrodRule, f: &mut F, a: f64, b: f64) -> Estimate {
    let n = rule.xgk.len() - 1;
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let f_centre = f(centre);
    let mut kronrod = f_centre * rule.wgk[n];
    let mut gauss = if rule.wg_centre == 0.0 {
        0.0
    } else {
        f_centre * rule.wg_centre
    };
    let mut values = [(0.0, 0.0); 16];
    let mut finite = f_centre.is_finite();
    for (j, slot) in values.iter_mut().take(n).enumerate() {
        let dx = half * rule.xgk[j];
        let lo = f(centre - dx);
        let hi = f(centre + dx);
        finite &= lo.is_finite() && hi.is_finite();
        *slot = (lo, hi);
        kronrod += rule.wgk[j] * (lo + hi);
        if j % 2 == 1 {
            gauss += rule.wg[j / 2] * (lo + hi);
        }
    }
    let mean = 0.5 * kronrod;
    let mut resasc = rule.wgk[n] * (f_centre - mean).abs();
    for (j, &(lo, hi)) in values.iter().take(n).enumerate() {
        resasc += rule.wgk[j] * ((lo - mean).abs() + (hi - mean).abs());
    }
    finish_panel(
        kronrod * half,
        gauss * half,
        resasc * half.abs(),
        finite,
        2 * n + 1,
    )
}

/// One 15-point Gauss–Kronrod panel on `[a, b]` (QUADPACK QK15, 7-point Gauss companion).
pub fn gauss_kronrod_15<F: FnMut(f64) -> f64>(f: &mut F, a: f64, b: f64) -> Estimate {
    gauss_kronrod(&GK15, f, a, b)
}

/// The nodes and Kronrod weights of [`gauss_kronrod_15`] on `[a, b]`, in the order it visits
/// them (the centre, then the pairs from the outermost in): `sum w f(x)` is its value.
#[must_use]
pub fn gauss_kronrod_15_nodes(a: f64, b: f64) -> [(f64, f64); 15] {
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let mut nodes = [(centre, WGK[7] * half); 15];
    for j in 0..7 {
        let dx = half * XGK[j];
        nodes[1 + 2 * j] = (centre - dx, WGK[j] * half);
        nodes[2 + 2 * j] = (centre + dx, WGK[j] * half);
    }
    nodes
}

/// A fixed Gauss–Legendre rule with an even number of points: the positive abscissae on
/// [-1, 1] and their weights (Abramowitz & Stegun, *Handbook of Mathematical Functions*,
/// Table 25.4).
#[derive(Debug)]
pub struct GaussLegendre {
    x: &'static [f64],
    w: &'static [f64],
}

/// 4-point Gauss–Legendre (exact to degree 7).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
pub const GAUSS_LEGENDRE_4: GaussLegendre = GaussLegendre {
    x: &[0.339_981_043_584_856_264_803, 0.861_136_311_594_052_575_224],
    w: &[0.652_145_154_862_546_142_627, 0.347_854_845_137_453_857_373],
};

/// 8-point Gauss–Legendre (exact to degree 15).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
pub const GAUSS_LEGENDRE_8: GaussLegendre = GaussLegendre {
    x: &[
        0.183_434_642_495_649_804_939,
        0.525_532_409_916_328_985_818,
        0.796_666_477_413_626_739_592,
        0.960_289_856_497_536_231_684,
    ],
    w: &[
        0.362_683_783_378_361_982_965,
        0.313_706_645_877_887_287_338,
        0.222_381_034_453_374_470_544,
        0.101_228_536_290_376_259_153,
    ],
};

/// 16-point Gauss–Legendre (exact to degree 31).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
pub const GAUSS_LEGENDRE_16: GaussLegendre = GaussLegendre {
    x: &[
        0.095_012_509_837_637_440_185,
        0.281_603_550_779_258_913_230,
        0.458_016_777_657_227_386_342,
        0.617_876_244_402_643_748_447,
        0.755_404_408_355_003_033_895,
        0.865_631_202_387_831_743_880,
        0.944_575_023_073_232_576_078,
        0.989_400_934_991_649_932_596,
    ],
    w: &[
        0.189_450_610_455_068_496_285,
        0.182_603_415_044_923_588_867,
        0.169_156_519_395_002_538_189,
        0.149_595_988_816_576_732_081,
        0.124_628_971_255_533_872_052,
        0.095_158_511_682_492_784_810,
        0.062_253_523_938_647_892_863,
        0.027_152_459_411_754_094_852,
    ],
};

/// 32-point Gauss–Legendre (exact to degree 63; nodes from Newton's method on the Legendre
/// recurrence at 40 digits, as A&S Table 25.4).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
pub const GAUSS_LEGENDRE_32: GaussLegendre = GaussLegendre {
    x: &[
        0.048_307_665_687_738_316_234,
        0.144_471_961_582_796_493_485,
        0.239_287_362_252_137_074_544,
        0.331_868_602_282_127_649_779,
        0.421_351_276_130_635_345_364,
        0.506_899_908_932_229_390_023,
        0.587_715_757_240_762_329_040,
        0.663_044_266_930_215_200_975,
        0.732_182_118_740_289_680_387,
        0.794_483_795_967_942_406_963,
        0.849_367_613_732_569_970_133,
        0.896_321_155_766_052_123_965,
        0.934_906_075_937_739_689_170,
        0.964_762_255_587_506_430_773,
        0.985_611_511_545_268_335_400,
        0.997_263_861_849_481_563_544,
    ],
    w: &[
        0.096_540_088_514_727_800_566,
        0.095_638_720_079_274_859_419,
        0.093_844_399_080_804_565_639,
        0.091_173_878_695_763_884_712,
        0.087_652_093_004_403_811_142,
        0.083_311_924_226_946_755_222,
        0.078_193_895_787_070_306_471,
        0.072_345_794_108_848_506_225,
        0.065_822_222_776_361_846_837,
        0.058_684_093_478_535_547_145,
        0.050_998_059_262_376_176_196,
        0.042_835_898_022_226_680_656,
        0.034_273_862_913_021_433_102,
        0.025_392_065_309_262_059_455,
        0.016_274_394_730_905_670_605,
        0.007_018_610_009_470_096_600,
    ],
};

impl GaussLegendre {
    /// The rule's sum for `f` on `[a, b]`, without an error estimate: for integrands whose
    /// error the caller bounds itself (e.g. from the decay of their Taylor coefficients).
    pub fn sum<F: Fn(f64) -> f64>(&self, f: F, a: f64, b: f64) -> f64 {
        let (c, h) = (0.5 * (a + b), 0.5 * (b - a));
        self.x
            .iter()
            .zip(self.w)
            .map(|(&x, &w)| w * (f(c - h * x) + f(c + h * x)))
            .sum::<f64>()
            * h
    }

    /// The rule's sum for `f` on `[a, b]` with its difference from the `coarser` rule's as the
    /// error: for an integrand analytic on the interval the error falls geometrically with the
    /// number of points, so the difference is about the coarser rule's error and bounds this
    /// one's pessimistically. `converged` is false if a value was not finite.
    pub fn with_error<F: Fn(f64) -> f64>(
        &self,
        coarser: &GaussLegendre,
        f: F,
        a: f64,
        b: f64,
    ) -> Estimate {
        let value = self.sum(&f, a, b);
        let error = (value - coarser.sum(&f, a, b)).abs();
        Estimate {
            value,
            error,
            evaluations: 2 * (self.x.len() + coarser.x.len()),
            converged: value.is_finite() && error.is_finite(),
        }
    }
}

/// Kronrod abscissae of the 21-point rule on [-1, 1] (QUADPACK QK21, `xgk`); odd indices are the
/// 10-point Gauss abscissae.
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
const XGK21: [f64; 11] = [
    0.995_657_163_025_808_080_735_527_280_689_003,
    0.973_906_528_517_171_720_077_964_012_084_452,
    0.930_157_491_355_708_226_001_207_180_059_508,
    0.865_063_366_688_984_510_732_096_688_423_493,
    0.780_817_726_586_416_897_063_717_578_345_042,
    0.679_409_568_299_024_406_234_327_365_114_874,
    0.562_757_134_668_604_683_339_000_099_272_694,
    0.433_395_394_129_247_190_799_265_943_165_784,
    0.294_392_862_701_460_198_131_126_603_103_866,
    0.148_874_338_981_631_210_884_826_001_129_720,
    0.0,
];
/// Kronrod weights (QUADPACK QK21, `wgk`).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
const WGK21: [f64; 11] = [
    0.011_694_638_867_371_874_278_064_396_062_192,
    0.032_558_162_307_964_727_478_818_972_459_390,
    0.054_755_896_574_351_996_031_381_300_244_580,
    0.075_039_674_810_919_952_767_043_140_916_190,
    0.093_125_454_583_697_605_535_065_465_083_366,
    0.109_387_158_802_297_641_899_210_590_325_805,
    0.123_491_976_262_065_851_077_958_109_831_074,
    0.134_709_217_311_473_325_928_054_001_771_707,
    0.142_775_938_577_060_080_797_094_273_138_717,
    0.147_739_104_901_338_491_374_841_515_972_068,
    0.149_445_554_002_916_905_664_936_468_389_821,
];
/// 10-point Gauss weights for `XGK21[1], XGK21[3], ..., XGK21[9]` (QUADPACK QK21, `wg`).
#[expect(
    clippy::excessive_precision,
    reason = "tabulated to the published digits"
)]
const WG10: [f64; 5] = [
    0.066_671_344_308_688_137_593_568_809_893_332,
    0.149_451_349_150_580_593_145_776_339_657_697,
    0.219_086_362_515_982_043_995_534_934_228_163,
    0.269_266_719_309_996_355_091_226_921_569_469,
    0.295_524_224_714_752_870_173_892_994_651_338,
];

/// The 10/21-point rule (QUADPACK QK21): the 10-point Gauss rule has no centre node.
const GK21: KronrodRule = KronrodRule {
    xgk: &XGK21,
    wgk: &WGK21,
    wg: &WG10,
    wg_centre: 0.0,
};

/// One 21-point Gauss–Kronrod panel on `[a, b]` (QUADPACK QK21) with the same error estimate
/// as [`gauss_kronrod_15`]. The 10-point Gauss companion makes the estimate far less
/// pessimistic for smooth integrands; the adaptive routine uses this rule.
pub fn gauss_kronrod_21<F: FnMut(f64) -> f64>(f: &mut F, a: f64, b: f64) -> Estimate {
    gauss_kronrod(&GK21, f, a, b)
}

/// QUADPACK's error estimate `resasc * min(1, (200 |K - G| / resasc)^1.5)`, floored at 50 ulp.
fn finish_panel(value: f64, gauss: f64, resasc: f64, finite: bool, evaluations: usize) -> Estimate {
    if !finite {
        return Estimate {
            value: f64::NAN,
            error: f64::INFINITY,
            evaluations,
            converged: false,
        };
    }
    let difference = (value - gauss).abs();
    let mut error = difference;
    if resasc != 0.0 && difference != 0.0 {
        error = resasc * (200.0 * difference / resasc).powf(1.5).min(1.0);
    }
    error = error.max(50.0 * f64::EPSILON * value.abs());
    Estimate {
        value,
        error,
        evaluations,
        converged: true,
    }
}

#[derive(Debug, Clone, Copy)]
struct Panel {
    a: f64,
    b: f64,
    estimate: Estimate,
    order: usize,
}

impl PartialEq for Panel {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Panel {}
impl PartialOrd for Panel {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Panel {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Largest error first; ties broken by creation order so the result never depends on
        // anything but the integrand.
        self.estimate
            .error
            .total_cmp(&other.estimate.error)
            .then_with(|| other.order.cmp(&self.order))
    }
}

/// Globally adaptive Gauss–Kronrod integration of `f` over `[breaks[0], breaks[last]]`, with a
/// panel boundary at every break point (QUADPACK QAG strategy).
///
/// Break points belong wherever the integrand has a kink, a peak or an end-point singularity;
/// they must be sorted. An empty or single-point list gives zero.
///
/// # Panics
/// Never: the panel heap is popped only while it holds panels.
pub fn integrate<F: FnMut(f64) -> f64>(mut f: F, breaks: &[f64], tol: Tolerance) -> Estimate {
    if breaks.len() < 2 {
        return Estimate::exact(0.0);
    }
    let mut heap = BinaryHeap::new();
    let mut order = 0;
    let mut evaluations = 0;
    for pair in breaks.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b <= a {
            continue;
        }
        let estimate = gauss_kronrod_21(&mut f, a, b);
        evaluations += estimate.evaluations;
        if !estimate.converged {
            return Estimate {
                evaluations,
                ..estimate
            };
        }
        heap.push(Panel {
            a,
            b,
            estimate,
            order,
        });
        order += 1;
    }
    let max_panels = tol.max_panels + heap.len();
    loop {
        let (value, error) = totals(&heap);
        if tol.accepts(value, error) {
            return Estimate {
                value,
                error,
                evaluations,
                converged: true,
            };
        }
        if heap.len() >= max_panels {
            return Estimate {
                value,
                error,
                evaluations,
                converged: false,
            };
        }
        // UNWRAP: the heap holds at least one panel whenever the error is positive.
        let worst = heap.pop().expect("non-empty heap");
        let mid = 0.5 * (worst.a + worst.b);
        if mid <= worst.a || mid >= worst.b {
            // The panel cannot be split further in floating point.
            heap.push(worst);
            let (value, error) = totals(&heap);
            return Estimate {
                value,
                error,
                evaluations,
                converged: false,
            };
        }
        for (a, b) in [(worst.a, mid), (mid, worst.b)] {
            let estimate = gauss_kronrod_21(&mut f, a, b);
            evaluations += estimate.evaluations;
            if !estimate.converged {
                return Estimate {
                    evaluations,
                    ..estimate
                };
            }
            heap.push(Panel {
                a,
                b,
                estimate,
                order,
            });
            order += 1;
        }
    }
}

/// Sums panel values in a fixed order (by position) so that the total is reproducible.
fn totals(heap: &BinaryHeap<Panel>) -> (f64, f64) {
    let mut panels: Vec<&Panel> = heap.iter().collect();
    panels.sort_by(|p, q| p.a.total_cmp(&q.a));
    panels.iter().fold((0.0, 0.0), |(v, e), p| {
        (v + p.estimate.value, e + p.estimate.error)
    })
}

/// Integrates `g(d)` over the distance `d` in `(0, length]` from a point where `g` has an
/// integrable cusp such as `1/ln(1/d)` or `1/(d ln^2 d)`.
///
/// Change of variables `d = length * exp(1 - 1/y)`, `y` in `(0, 1]`, `dd = d / y^2 dy`: a cusp of
/// the `1/ln` family becomes a smooth function of `y` (for `g ~ 1/(b d ln^2 d)` the integrand
/// in `y` tends to the constant `1/b`), and anything smooth in `d` stays smooth. The integrand
/// receives the distance itself, so nothing is lost to cancellation near the cusp.
pub fn integrate_to_cusp<G: FnMut(f64) -> f64>(mut g: G, length: f64, tol: Tolerance) -> Estimate {
    if length <= 0.0 {
        return Estimate::exact(0.0);
    }
    integrate(
        |y: f64| {
            let d = length * (1.0 - 1.0 / y).exp();
            if d == 0.0 { 0.0 } else { g(d) * d / (y * y) }
        },
        &[0.0, 1.0],
        tol,
    )
}

/// Integrates `g(x)` over `[a, b]` across a peak of width `width` at `centre` (a Breit–Wigner or
/// any bump with power-law tails): `x = centre + width sinh(u)`, `dx = width cosh(u) du`.
///
/// A Lorentzian `1/((x - centre)^2 + width^2)` becomes `1/(width cosh u)`, smooth and
/// exponentially decaying in `u`, and the tails are sampled on a logarithmic scale
/// (`u ~ ln(2|x - centre|/width)`), so a peak of relative width 1e-8 costs a few panels. A
/// break point is placed at the peak when it lies inside. The integrand receives `x` and the
/// offset `x - centre`, computed without cancellation. A peak inside the range narrower than
/// 256 machine epsilons of its centre (5.7e-14 relative) is returned unconverged, its error the
/// whole value.
pub fn integrate_peak<G: FnMut(f64, f64) -> f64>(
    mut g: G,
    a: f64,
    b: f64,
    centre: f64,
    width: f64,
    tol: Tolerance,
) -> Estimate {
    if b <= a {
        return Estimate::exact(0.0);
    }
    let u_a = ((a - centre) / width).asinh();
    let u_b = ((b - centre) / width).asinh();
    let mut breaks = vec![u_a];
    if u_a < 0.0 && u_b > 0.0 {
        breaks.push(0.0);
    }
    breaks.push(u_b);
    let estimate = integrate(
        |u: f64| {
            let offset = width * u.sinh();
            let x = (centre + offset).clamp(a, b);
            g(x, offset) * width * u.cosh()
        },
        &breaks,
        tol,
    );
    // A peak inside the range but narrower than 256 steps of the floating-point grid at its
    // centre: an integrand that recomputes `x - centre` from `x` sees it as a staircase or, far
    // below, as a constant on which quadrature "converges" to a wrong value. Not accepted.
    let inside = a <= centre + width && centre - width <= b;
    if inside && width < UNRESOLVED_PEAK_ULPS * f64::EPSILON * centre.abs() {
        return Estimate {
            error: estimate.error.max(estimate.value.abs()),
            converged: false,
            ..estimate
        };
    }
    estimate
}

/// A peak whose width is below this many machine epsilons of its centre is not resolved by
/// [`integrate_peak`] (its value is returned unconverged).
const UNRESOLVED_PEAK_ULPS: f64 = 256.0;

/// How an integrand behaves at one end of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndPoint {
    /// Smooth up to the end.
    Regular,
    /// An integrable cusp of the `1/ln(1/d)` family (the track-length spike seen from outside).
    Cusp,
    /// A square-root onset `sqrt(d)` (a threshold).
    SquareRoot,
}

/// A point of a segment with its exact distances to both ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentPoint {
    /// The abscissa.
    pub x: f64,
    /// `x - lo`, exact near `lo`.
    pub from_lo: f64,
    /// `hi - x`, exact near `hi`.
    pub to_hi: f64,
}

/// Integrates over `[lo, hi]` an integrand with the given end-point behaviour and, optionally,
/// a peak `(centre, width)`.
///
/// Each special end gets a piece of its own, short enough that the peak factor is smooth on
/// it (at most half the distance to the peak or half the width), integrated with the matching
/// change of variables: [`integrate_to_cusp`] for a cusp, `x = lo + D s^2` for a square root.
/// The rest uses [`integrate_peak`] (or plain adaptive Gauss–Kronrod without a peak).
pub fn integrate_segment<G: FnMut(SegmentPoint) -> f64>(
    mut g: G,
    lo: f64,
    hi: f64,
    ends: (EndPoint, EndPoint),
    peak: Option<(f64, f64)>,
    tol: Tolerance,
) -> Estimate {
    let length = hi - lo;
    if length <= 0.0 {
        return Estimate::exact(0.0);
    }
    let special = |e: EndPoint| e != EndPoint::Regular;
    let cap = if special(ends.0) && special(ends.1) {
        0.5 * length
    } else {
        length
    };
    let piece = |end: f64| match peak {
        Some((centre, width)) => cap.min(0.5 * width.max((end - centre).abs())),
        None => cap,
    };
    let d_lo = if special(ends.0) { piece(lo) } else { 0.0 };
    let d_hi = if special(ends.1) { piece(hi) } else { 0.0 };
    let mut total = Estimate::exact(0.0);
    total = total
        + match ends.0 {
            EndPoint::Regular => Estimate::exact(0.0),
            EndPoint::Cusp => integrate_to_cusp(
                |d| {
                    g(SegmentPoint {
                        x: lo + d,
                        from_lo: d,
                        to_hi: length - d,
                    })
                },
                d_lo,
                tol,
            ),
            EndPoint::SquareRoot => integrate(
                |s: f64| {
                    let d = d_lo * s * s;
                    g(SegmentPoint {
                        x: lo + d,
                        from_lo: d,
                        to_hi: length - d,
                    }) * 2.0
                        * d_lo
                        * s
                },
                &[0.0, 1.0],
                tol,
            ),
        };
    total = total
        + match ends.1 {
            EndPoint::Regular => Estimate::exact(0.0),
            EndPoint::Cusp => integrate_to_cusp(
                |d| {
                    g(SegmentPoint {
                        x: hi - d,
                        from_lo: length - d,
                        to_hi: d,
                    })
                },
                d_hi,
                tol,
            ),
            EndPoint::SquareRoot => integrate(
                |s: f64| {
                    let d = d_hi * s * s;
                    g(SegmentPoint {
                        x: hi - d,
                        from_lo: length - d,
                        to_hi: d,
                    }) * 2.0
                        * d_hi
                        * s
                },
                &[0.0, 1.0],
                tol,
            ),
        };
    let (a, b) = (lo + d_lo, hi - d_hi);
    if b > a {
        let mut middle = |x: f64| {
            g(SegmentPoint {
                x,
                from_lo: x - lo,
                to_hi: hi - x,
            })
        };
        total = total
            + match peak {
                Some((centre, width)) => integrate_peak(|x, _| middle(x), a, b, centre, width, tol),
                None => integrate(middle, &[a, b], tol),
            };
    }
    total
}

/// Tanh-sinh (double-exponential) quadrature of `f(x, distance_to_a, distance_to_b)` on `[a, b]`.
///
/// Nodes `x = c + h tanh(pi/2 sinh t)` are stored as distances to the nearer end point,
/// `(b - a) / (1 + exp(pi sinh |t|))`, so end-point singularities are sampled without
/// cancellation (Bailey, "Tanh-sinh high-precision quadrature", 2006). The step is halved until
/// two successive levels agree to `rel_tol`; the error estimate is their difference.
pub fn tanh_sinh<F: FnMut(f64, f64, f64) -> f64>(
    mut f: F,
    a: f64,
    b: f64,
    rel_tol: f64,
) -> Estimate {
    use std::f64::consts::PI;
    if b <= a {
        return Estimate::exact(0.0);
    }
    let width = b - a;
    let t_max = 6.5_f64;
    let mut evaluations = 0;
    let node = |t: f64, f: &mut F| -> f64 {
        // Node t >= 0 and its mirror -t. With q = exp(-pi sinh t), the distance of the node to
        // the nearer end point is width q/(1+q) and the weight is width pi cosh(t) q/(1+q)^2.
        let q = (-std::f64::consts::PI * t.sinh()).exp();
        let distance = width * q / (1.0 + q);
        let weight = width * PI * t.cosh() * q / ((1.0 + q) * (1.0 + q));
        if distance == 0.0 || weight == 0.0 {
            return 0.0;
        }
        let left = f(a + distance, distance, width - distance);
        let right = if t == 0.0 {
            0.0
        } else {
            f(b - distance, width - distance, distance)
        };
        (left + right) * weight
    };
    let mut h = 0.5;
    let mut sum = node(0.0, &mut f);
    evaluations += 1;
    let mut k = 1;
    while f64::from(k) * h <= t_max {
        sum += node(f64::from(k) * h, &mut f);
        evaluations += 2;
        k += 1;
    }
    let mut previous = sum * h;
    for _level in 0..12 {
        h *= 0.5;
        let mut k = 1;
        while f64::from(k) * h <= t_max {
            sum += node(f64::from(k) * h, &mut f);
            evaluations += 2;
            k += 2;
        }
        let current = sum * h;
        let error = (current - previous).abs();
        if !current.is_finite() {
            return Estimate {
                value: f64::NAN,
                error: f64::INFINITY,
                evaluations,
                converged: false,
            };
        }
        if error <= rel_tol * current.abs() {
            return Estimate {
                value: current,
                error,
                evaluations,
                converged: true,
            };
        }
        previous = current;
    }
    Estimate {
        value: previous,
        error: f64::INFINITY,
        evaluations,
        converged: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// A first-order rule (the left Riemann sum of `e^x` on [0, 1], error `(e - 1)/(2n)`)
    /// checked against the same on twice the step: the difference is its error to first
    /// order, added to the bound, and judged against the tolerance.
    #[test]
    fn a_first_order_table_checked_against_a_coarser_one() {
        let left_sum = |n: u32| {
            let h = 1.0 / f64::from(n);
            Estimate {
                value: (0..n).map(|i| (f64::from(i) * h).exp() * h).sum(),
                error: 0.0,
                evaluations: n as usize,
                converged: true,
            }
        };
        let exact = std::f64::consts::E - 1.0;
        let (fine, coarse) = (left_sum(1000), left_sum(500));
        let checked = fine.checked_against_coarser(coarse, 1e-3);
        let true_error = (fine.value - exact).abs();
        assert_eq!(checked.value, fine.value);
        assert_eq!(checked.evaluations, 1500);
        assert!(
            (checked.error / true_error - 1.0).abs() < 1e-3,
            "{} against {true_error}",
            checked.error
        );
        assert!(checked.converged, "{checked:?}");
        assert!(!fine.checked_against_coarser(coarse, 1e-4).converged);
    }

    /// Each fixed Gauss–Legendre rule of n points integrates `x^k` on [0.3, 1.7] exactly for
    /// every k up to its degree 2n - 1 (and the 4- and 8-point rules not at 2n); `with_error`
    /// against a coarser rule reports that rule's true error there.
    #[test]
    fn gauss_legendre_rules_have_their_degree() {
        let (a, b) = (0.3_f64, 1.7_f64);
        let exact = |k: i32| (b.powi(k + 1) - a.powi(k + 1)) / f64::from(k + 1);
        for (rule, n) in [
            (&GAUSS_LEGENDRE_4, 4),
            (&GAUSS_LEGENDRE_8, 8),
            (&GAUSS_LEGENDRE_16, 16),
            (&GAUSS_LEGENDRE_32, 32),
        ] {
            for k in 0..2 * n {
                let value = rule.sum(|x| x.powi(k), a, b);
                assert_relative_eq!(value, exact(k), max_relative = 1e-13, epsilon = 0.0);
            }
            if n <= 8 {
                // (Beyond 8 points the first inexact power is exact to rounding on this interval.)
                let beyond = rule.sum(|x| x.powi(2 * n), a, b);
                assert!(
                    (beyond - exact(2 * n)).abs() > 1e-14 * exact(2 * n),
                    "{n} points"
                );
            }
        }
        let e = GAUSS_LEGENDRE_8.with_error(&GAUSS_LEGENDRE_4, |x| x.powi(8), a, b);
        let coarse_error = (GAUSS_LEGENDRE_4.sum(|x| x.powi(8), a, b) - exact(8)).abs();
        assert_relative_eq!(e.value, exact(8), max_relative = 1e-14, epsilon = 0.0);
        assert_relative_eq!(e.error, coarse_error, max_relative = 1e-9, epsilon = 0.0);
        assert_eq!(e.evaluations, 12);
    }

    #[test]
    fn an_unconverged_estimate_is_bounded_by_its_whole_value() {
        let missed = Estimate {
            value: -3.0,
            error: 0.5,
            evaluations: 10,
            converged: false,
        };
        assert_eq!(missed.error_bound(), 3.0);
        assert_eq!(
            Estimate {
                converged: true,
                ..missed
            }
            .error_bound(),
            0.5
        );
        let wild = Estimate {
            error: 4.0,
            ..missed
        };
        assert_eq!(wild.error_bound(), 4.0);
        let nan = Estimate {
            value: f64::NAN,
            ..missed
        };
        assert_eq!(nan.error_bound(), f64::INFINITY);
    }

    #[test]
    fn kronrod_is_exact_for_polynomials_to_degree_22() {
        // Closed form: integral of x^22 over [0, 2] is 2^23 / 23.
        let est = gauss_kronrod_15(&mut |x: f64| x.powi(22), 0.0, 2.0);
        assert_relative_eq!(
            est.value,
            2f64.powi(23) / 23.0,
            max_relative = 1e-13,
            epsilon = 0.0
        );
    }

    /// The listed nodes and weights give the panel's value, visited in the panel's order.
    #[test]
    fn kronrod_nodes_are_those_the_panel_visits() {
        let f = |x: f64| (1.3 * x).sin() + x.powi(5);
        let mut visited = Vec::new();
        let panel = gauss_kronrod_15(
            &mut |x| {
                visited.push(x);
                f(x)
            },
            0.2,
            1.7,
        );
        let nodes = gauss_kronrod_15_nodes(0.2, 1.7);
        assert_eq!(visited, nodes.map(|(x, _)| x));
        let sum: f64 = nodes.iter().map(|&(x, w)| w * f(x)).sum();
        assert_relative_eq!(sum, panel.value, max_relative = 1e-15, epsilon = 0.0);
    }

    #[test]
    fn gauss_subset_is_exact_to_degree_13_so_error_vanishes() {
        let est = gauss_kronrod_15(&mut |x: f64| 3.0 * x.powi(13) - x.powi(4), -1.0, 1.5);
        let exact = 3.0 * (1.5f64.powi(14) - 1.0) / 14.0 - (1.5f64.powi(5) + 1.0) / 5.0;
        assert_relative_eq!(est.value, exact, max_relative = 1e-13, epsilon = 0.0);
        assert!(est.error < 1e-12 * exact.abs());
    }

    #[test]
    fn adaptive_integrates_sqrt_singularity() {
        // Closed form: integral of 1/sqrt(x) over (0, 1] is 2.
        let est = integrate(
            |x: f64| 1.0 / x.sqrt(),
            &[0.0, 1.0],
            Tolerance::relative(1e-10),
        );
        assert!(est.converged);
        assert_relative_eq!(est.value, 2.0, max_relative = 1e-9, epsilon = 0.0);
    }

    #[test]
    fn tanh_sinh_handles_x_to_minus_0_9() {
        // The case the `quadrature` crate gets 4% wrong: integral of x^-0.9 on (0, 1] is 10.
        // The complement distance keeps the nodes near 0 exact.
        let est = tanh_sinh(|_x, d_a, _d_b| d_a.powf(-0.9), 0.0, 1.0, 1e-10);
        assert!(est.converged, "{est:?}");
        assert_relative_eq!(est.value, 10.0, max_relative = 1e-8, epsilon = 0.0);
    }

    #[test]
    fn peak_map_finds_a_narrow_lorentzian() {
        // Closed form: integral over [0, 10] of gamma/((x-5)^2 + gamma^2) * (1 + x) with
        // gamma = 1e-6 equals 6 * (atan(5/gamma) * 2) + 0 (odd part vanishes).
        let gamma = 1e-6;
        let est = integrate_peak(
            |x, offset| gamma / (offset * offset + gamma * gamma) * (1.0 + x),
            0.0,
            10.0,
            5.0,
            gamma,
            Tolerance::relative(1e-12),
        );
        let exact = 6.0 * 2.0 * (5.0 / gamma).atan();
        assert!(est.converged);
        assert_relative_eq!(est.value, exact, max_relative = 1e-11, epsilon = 0.0);
    }

    /// A Lorentzian of width 1e-13 of its centre (450 machine epsilons) is integrated exactly
    /// through the offset the map passes; one narrower than the floating-point grid (1e-20) is
    /// refused as unconverged: an integrand that recomputes `x - centre` from `x` is a constant
    /// there, on which quadrature "converged" 1e4-1e10 times too high.
    #[test]
    fn peak_map_refuses_a_peak_below_the_floating_point_grid() {
        let lorentzian = |gamma: f64, offset: f64| gamma / (offset * offset + gamma * gamma);
        let resolved = integrate_peak(
            |_, offset| lorentzian(4e-13, offset),
            3.0,
            5.0,
            4.0,
            4e-13,
            Tolerance::relative(1e-10),
        );
        assert!(resolved.converged, "{resolved:?}");
        assert_relative_eq!(
            resolved.value,
            std::f64::consts::PI,
            max_relative = 1e-9,
            epsilon = 0.0
        );
        let refused = integrate_peak(
            |x, _| lorentzian(4e-20, x - 4.0),
            3.0,
            5.0,
            4.0,
            4e-20,
            Tolerance::relative(1e-10),
        );
        assert!(!refused.converged && refused.error_bound() >= refused.value.abs());
    }

    #[test]
    fn cusp_map_integrates_log_spike() {
        // Closed form: integral over d in (0, 1/e] of 1/(d ln^2 d) = 1/|ln(1/e)| = 1: a spike
        // so slow that 10% of it lies below d = 1e-9 / e.
        let est = integrate_to_cusp(
            |d: f64| 1.0 / (d * d.ln().powi(2)),
            (-1.0f64).exp(),
            Tolerance::relative(1e-12),
        );
        assert!(est.converged);
        assert_relative_eq!(est.value, 1.0, max_relative = 1e-11, epsilon = 0.0);
        // And a 1/ln cusp with a smooth factor: integral over (0, 1/e] of -1/ln d has no
        // elementary form; compare with tanh-sinh on the same integrand.
        let cusp = integrate_to_cusp(
            |d: f64| -1.0 / d.ln(),
            (-1.0f64).exp(),
            Tolerance::relative(1e-12),
        );
        let second = tanh_sinh(|_x, d_a, _| -1.0 / d_a.ln(), 0.0, (-1.0f64).exp(), 1e-12);
        assert_relative_eq!(cusp.value, second.value, max_relative = 1e-9, epsilon = 0.0);
    }

    #[test]
    fn non_finite_integrand_is_reported() {
        let est = integrate(
            |x: f64| if x > 0.5 { f64::NAN } else { x },
            &[0.0, 1.0],
            Tolerance::relative(1e-8),
        );
        assert!(!est.converged);
    }

    #[test]
    fn segment_with_cusp_threshold_and_peak() {
        // sqrt(x) onset at 0, a 1/ln cusp at 1 and a narrow Lorentzian at 0.9: compare with the
        // sum of the three pieces integrated separately by tanh-sinh with break points.
        let gamma = 1e-5;
        let f = |x: f64, d_hi: f64| {
            x.sqrt() * (1.0 + 1.0 / (1.0 - d_hi.ln())) * gamma / ((x - 0.9).powi(2) + gamma * gamma)
        };
        let ours = integrate_segment(
            |p| f(p.x, p.to_hi),
            0.0,
            1.0,
            (EndPoint::SquareRoot, EndPoint::Cusp),
            Some((0.9, gamma)),
            Tolerance::relative(1e-10),
        );
        assert!(ours.converged);
        let mut reference = 0.0;
        let cuts = [
            0.0,
            0.5,
            0.9 - 1e-3,
            0.9 - 1e-5,
            0.9,
            0.9 + 1e-5,
            0.9 + 1e-3,
            0.95,
            1.0,
        ];
        for w in cuts.windows(2) {
            reference += tanh_sinh(|x, _, d_b| f(x, 1.0 - x + 0.0 * d_b), w[0], w[1], 1e-12).value;
        }
        // The last window needs the exact distance to 1 for the cusp.
        reference -= tanh_sinh(|x, _, _| f(x, 1.0 - x), 0.95, 1.0, 1e-12).value;
        reference += tanh_sinh(|_, _, d_b| f(1.0 - d_b, d_b), 0.95, 1.0, 1e-12).value;
        assert_relative_eq!(ours.value, reference, max_relative = 1e-8, epsilon = 0.0);
    }

    #[test]
    fn kronrod_21_is_exact_to_degree_31_and_gauss_10_to_19() {
        let est = gauss_kronrod_21(&mut |x: f64| x.powi(31) + x.powi(30), 0.0, 1.0);
        assert_relative_eq!(
            est.value,
            1.0 / 32.0 + 1.0 / 31.0,
            max_relative = 1e-14,
            epsilon = 0.0
        );
        let poly = gauss_kronrod_21(&mut |x: f64| 5.0 * x.powi(19) - x.powi(8), -1.0, 2.0);
        let exact = 5.0 * (2f64.powi(20) - 1.0) / 20.0 - (2f64.powi(9) + 1.0) / 9.0;
        assert_relative_eq!(poly.value, exact, max_relative = 1e-14, epsilon = 0.0);
        assert!(poly.error <= 1e-12 * exact.abs());
    }
}
