//! Inline SVG charts: worker loads against target and cap, a share against a threshold, and a
//! what-if curve. Every text from the model goes through [`super::esc`].

use super::{esc, num};
use std::fmt::Write;

/// One bar of the worker-load chart.
pub struct LoadBar<'a> {
    /// Worker id.
    pub id: &'a str,
    /// A short second label (role).
    pub label: &'a str,
    /// Load.
    pub load: f64,
    /// Target.
    pub target: f64,
    /// Cap.
    pub cap: f64,
    /// False for vacant and absent posts: drawn without a bar.
    pub active: bool,
    /// Status word shown for inactive posts.
    pub status: &'a str,
}

/// Horizontal bars: load (blue up to target, orange above it) over a pale band up to the cap,
/// with a dark tick at the target.
///
/// Drawn in HTML, not SVG: each row is a grid of the worker's name and role (text that wraps,
/// never cut), the bar (positioned in percent of the widest cap), and the figures (text that
/// wraps). So no label is clipped at any page width, however long a name or however many
/// decimals a part-time worker's target has.
pub fn load_chart(bars: &[LoadBar], title: &str) -> String {
    let scale_max = bars.iter().filter(|b| b.active).map(|b| b.cap.max(b.load)).fold(1.0_f64, f64::max);
    let pct = |v: f64| 100.0 * (v.max(0.0) / scale_max).min(1.0);
    let mut s = String::new();
    let _ = write!(s, r#"<div class="loads" role="group" aria-label="{}">"#, esc(title));
    for b in bars {
        let _ = write!(
            s,
            r#"<div class="lrow" title="{}: load {} of target {}, cap {}"><div class="who"><span class="wid">{}</span> <span class="role">{}</span></div>"#,
            esc(b.id),
            num(b.load),
            num(b.target),
            num(b.cap),
            esc(b.id),
            esc(b.label),
        );
        if !b.active {
            let _ = write!(
                s,
                r#"<div class="bar inactive"></div><div class="val">{} post</div></div>"#,
                esc(b.status)
            );
            continue;
        }
        let within = b.load.min(b.target);
        let _ = write!(
            s,
            r#"<div class="bar"><span class="room" style="width:{:.2}%"></span><span class="ok" style="width:{:.2}%"></span>"#,
            pct(b.cap),
            pct(within)
        );
        if b.load > b.target + crate::tolerance::EQUAL {
            let _ = write!(
                s,
                r#"<span class="over" style="left:{:.2}%;width:{:.2}%"></span>"#,
                pct(b.target),
                pct(b.load) - pct(b.target)
            );
        }
        let _ = write!(
            s,
            r#"<span class="tick" style="left:{:.2}%"></span></div><div class="val">{} <span class="of">(target {}, cap {})</span></div></div>"#,
            pct(b.target),
            num(b.load),
            num(b.target),
            num(b.cap)
        );
    }
    s.push_str(
        r#"<p class="legend"><span class="sw ok"></span> load within target <span class="sw over"></span> above target <span class="sw room"></span> room up to cap <span class="sw tick"></span> target <span class="sw inactive"></span> vacant or absent: nobody to hold cases</p></div>"#,
    );
    s
}

/// A single bar showing a share (0..1) against a threshold, such as looked-after children
/// unallocated against the 10% emergency threshold.
pub fn share_chart(share: f64, threshold: f64, title: &str) -> String {
    let share = if share.is_finite() { share.clamp(0.0, 1.0) } else { 0.0 };
    let top = (share.max(threshold) * 1.5).clamp(0.2, 1.0);
    let w = 900.0;
    let x = |v: f64| 10.0 + (w - 20.0) * v / top;
    let class = if share > threshold { "over" } else { "ok" };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart share" role="img" viewBox="0 0 {w} 60" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title)
    );
    let _ = write!(s, r#"<rect x="10" y="8" width="{:.1}" height="22" class="room"/>"#, w - 20.0);
    let _ = write!(s, r#"<rect x="10" y="8" width="{:.1}" height="22" class="{class}"/>"#, x(share) - 10.0);
    let tx = x(threshold);
    let _ = write!(s, r#"<line x1="{tx:.1}" x2="{tx:.1}" y1="2" y2="36" class="threshold"/>"#);
    let _ = write!(
        s,
        r#"<text x="{tx:.1}" y="52" text-anchor="middle" class="lbl">{}% threshold</text>"#,
        super::percent(threshold)
    );
    let _ = write!(
        s,
        r#"<text x="10" y="52" class="lbl">0%</text><text x="{:.1}" y="52" text-anchor="end" class="lbl">{}%</text></svg>"#,
        w - 10.0,
        super::percent(top)
    );
    s
}

/// A series of a what-if curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Name shown in the legend, e.g. "unallocated cases".
    pub name: String,
    /// Points (x, y); non-finite points are left out.
    pub points: Vec<(f64, f64)>,
}

/// Rounded tick values covering [lo, hi].
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(crate::tolerance::EQUAL);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| span / s <= 6.0).unwrap_or(10.0 * mag);
    let mut t = (lo / step).floor() * step;
    let mut out = Vec::new();
    while t <= hi + step * crate::tolerance::EQUAL && out.len() < 20 {
        out.push(t);
        t += step;
    }
    out
}

/// A line chart of one or more series against a shared x axis.
pub fn line_chart(
    series: &[Series],
    x_label: &str,
    y_label: &str,
    title: &str,
    marker_x: Option<f64>,
) -> String {
    let pts: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let (w, h, l, r, t, b) = (760.0, 320.0, 64.0, 20.0, 16.0, 52.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart whatif" role="img" viewBox="0 0 {w} {h}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title)
    );
    if pts.is_empty() {
        let _ = write!(s, r#"<text x="{l}" y="40" class="lbl">no points to show</text></svg>"#);
        return s;
    }
    let (mut x0, mut x1) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut y0, mut y1) = pts.iter().fold((0.0_f64, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if let Some(m) = marker_x.filter(|m| m.is_finite()) {
        x0 = x0.min(m);
        x1 = x1.max(m);
    }
    if x1 - x0 < crate::tolerance::EQUAL {
        x0 -= 1.0;
        x1 += 1.0;
    }
    if y1 - y0 < crate::tolerance::EQUAL {
        y1 = y0 + 1.0;
    }
    let yt = ticks(y0, y1);
    y1 = yt.last().copied().unwrap_or(y1).max(y1);
    y0 = yt.first().copied().unwrap_or(y0).min(y0);
    let px = |x: f64| l + (w - l - r) * (x - x0) / (x1 - x0);
    let py = |y: f64| h - b - (h - t - b) * (y - y0) / (y1 - y0);
    for v in &yt {
        let _ = write!(
            s,
            r#"<line x1="{l}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{y:.1}" text-anchor="end" dominant-baseline="middle" class="lbl">{}</text>"#,
            w - r,
            l - 6.0,
            num(*v),
            y = py(*v)
        );
    }
    for v in ticks(x0, x1)
        .into_iter()
        .filter(|v| *v >= x0 - crate::tolerance::EQUAL && *v <= x1 + crate::tolerance::EQUAL)
    {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="lbl">{}</text>"#,
            px(v),
            h - b + 16.0,
            num(v)
        );
    }
    let _ = write!(
        s,
        r#"<line x1="{l}" x2="{:.1}" y1="{:.1}" y2="{:.1}" class="axis"/><text x="{:.1}" y="{:.1}" text-anchor="middle" class="lbl">{}</text><text x="14" y="{:.1}" text-anchor="middle" transform="rotate(-90 14 {:.1})" class="lbl">{}</text>"#,
        w - r,
        h - b,
        h - b,
        (l + w - r) / 2.0,
        h - 12.0,
        esc(x_label),
        (t + h - b) / 2.0,
        (t + h - b) / 2.0,
        esc(y_label)
    );
    if let Some(m) = marker_x.filter(|m| m.is_finite()) {
        let mx = px(m);
        let _ = write!(
            s,
            r#"<line x1="{mx:.1}" x2="{mx:.1}" y1="{t}" y2="{:.1}" class="threshold"/><text x="{:.1}" y="{:.1}" class="lbl">today</text>"#,
            h - b,
            mx + 4.0,
            t + 10.0
        );
    }
    for (k, se) in series.iter().enumerate() {
        let mut p: Vec<(f64, f64)> =
            se.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        let path: Vec<String> = p.iter().map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y))).collect();
        let _ = write!(
            s,
            r#"<g class="series s{}"><title>{}</title><polyline points="{}"/>"#,
            k % 4,
            esc(&se.name),
            path.join(" ")
        );
        for (x, y) in &p {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5"><title>{}: {} at {}</title></circle>"#,
                px(*x),
                py(*y),
                esc(&se.name),
                num(*y),
                num(*x)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    // The key, in HTML under the chart: a colour swatch per series (names wrap, never cut).
    s.push_str(r#"<p class="legend">"#);
    for (k, se) in series.iter().enumerate() {
        let _ = write!(s, r#"<span class="sw line s{}"></span> {} "#, k % 4, esc(&se.name));
    }
    if marker_x.is_some_and(|m| m.is_finite()) {
        s.push_str(r#"<span class="sw today"></span> today"#);
    }
    s.push_str("</p>");
    s
}
