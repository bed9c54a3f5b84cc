//! The course documents' charts, as marks in points (y downwards) that the HTML summary draws as
//! SVG and the PDF summary as vector paths: a scale's total over time with its severity bands
//! shaded, the response and remission lines and the sessions on the time axis; blood pressure per
//! session (before, about 40 minutes after, before discharge). The bands, lines and points are
//! the course's outcomes ([`crate::records::CourseOutcomes`]); nothing clinical is decided here.

use crate::records::{RecordStatus, ScaleOutcome, SessionOutcome, SessionRecord};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One thing drawn, in points from the chart's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Rgb },
    Line { points: Vec<(f32, f32)>, width: f32, color: Rgb, dashed: bool },
    Dot { x: f32, y: f32, r: f32, color: Rgb, filled: bool },
    Text { x: f32, y: f32, text: String, size: f32, color: Rgb, anchor: Anchor },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub width: f32,
    pub height: f32,
    pub marks: Vec<Mark>,
    /// What the chart shows, in words (the SVG's description; the table beside it has it all).
    pub description: String,
}

const INK: Rgb = Rgb(40, 40, 40);
const AXIS: Rgb = Rgb(120, 120, 120);
const SERIES: Rgb = Rgb(20, 60, 120);
const RESPONSE: Rgb = Rgb(30, 90, 200);
const REMISSION: Rgb = Rgb(0, 120, 60);
const ALERT: Rgb = Rgb(170, 0, 0);
/// Band tints from the mildest to the most severe.
const TINTS: [Rgb; 5] =
    [Rgb(232, 245, 233), Rgb(241, 248, 221), Rgb(255, 248, 220), Rgb(255, 236, 214), Rgb(253, 224, 221)];
/// Before, about 40 minutes after, before discharge.
const BP_COLORS: [Rgb; 3] = [Rgb(20, 60, 120), Rgb(200, 90, 0), Rgb(0, 120, 60)];

const LEFT: f32 = 34.0;
const RIGHT: f32 = 96.0;
const TOP: f32 = 10.0;
const BOTTOM: f32 = 34.0;
const HEIGHT: f32 = 190.0;

fn day_of(date: &str) -> Option<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(date, f).ok().map(|d| i64::from(d.to_julian_day()))
}

/// The time axis of a course: from its first date to its last (a week at least); weeks count
/// from the course's start (`zero`; a baseline taken before it lies to its left).
#[derive(Debug, Clone, Copy)]
struct Axis {
    first: i64,
    days: i64,
    zero: i64,
}

impl Axis {
    fn over<'a>(started_on: &str, dates: impl Iterator<Item = &'a str>) -> Option<Axis> {
        let zero = day_of(started_on)?;
        let days: Vec<i64> = dates.filter_map(day_of).chain([zero]).collect();
        let (first, last) = (*days.iter().min()?, *days.iter().max()?);
        Some(Axis { first, days: (last - first).max(7), zero })
    }
}

/// The plot area and its mapping from (day, value) to points.
struct Frame {
    width: f32,
    axis: Axis,
    max: f32,
}

impl Frame {
    fn plot_w(&self) -> f32 {
        self.width - LEFT - RIGHT
    }
    fn plot_h(&self) -> f32 {
        HEIGHT - TOP - BOTTOM
    }
    fn x(&self, date: &str) -> Option<f32> {
        let d = day_of(date)? - self.axis.first;
        Some(LEFT + self.plot_w() * d as f32 / self.axis.days as f32)
    }
    fn y(&self, v: f32) -> f32 {
        TOP + self.plot_h() * (1.0 - v.clamp(0.0, self.max) / self.max)
    }

    /// The axes: value ticks at `ticks`, a date tick every week or more (at most eight).
    fn axes(&self, marks: &mut Vec<Mark>, ticks: &[u32]) {
        let (x0, x1, y0, y1) = (LEFT, LEFT + self.plot_w(), self.y(0.0), self.y(self.max));
        marks.push(Mark::Line { points: vec![(x0, y1), (x0, y0), (x1, y0)], width: 0.6, color: AXIS, dashed: false });
        for &t in ticks {
            let y = self.y(t as f32);
            marks.push(Mark::Line { points: vec![(x0 - 3.0, y), (x0, y)], width: 0.5, color: AXIS, dashed: false });
            marks.push(Mark::Text {
                x: x0 - 5.0,
                y: y + 2.5,
                text: t.to_string(),
                size: 6.5,
                color: INK,
                anchor: Anchor::End,
            });
        }
        let weeks = self.axis.days / 7;
        let step = (weeks / 8 + 1).max(1);
        let mut week = 0;
        while self.axis.zero + week * 7 <= self.axis.first + self.axis.days {
            let day = self.axis.zero + week * 7 - self.axis.first;
            let x = LEFT + self.plot_w() * day as f32 / self.axis.days as f32;
            marks.push(Mark::Line { points: vec![(x, y0), (x, y0 + 3.0)], width: 0.5, color: AXIS, dashed: false });
            let label = if week == 0 { "start".to_string() } else { format!("week {week}") };
            marks.push(Mark::Text { x, y: y0 + 11.0, text: label, size: 6.5, color: INK, anchor: Anchor::Middle });
            week += step;
        }
    }
}

/// A session on the time axis: its number, and whether a dose was given.
fn session_marks(frame: &Frame, sessions: &[SessionRecord], marks: &mut Vec<Mark>) {
    let y = frame.y(0.0) + 20.0;
    for s in sessions {
        let Some(x) = frame.x(&s.session.date) else { continue };
        let treated = s.status == RecordStatus::Final && s.outcome == Some(SessionOutcome::Treated);
        marks.push(Mark::Dot { x, y: y - 2.5, r: 2.2, color: SERIES, filled: treated });
        let dose =
            s.session.dose.dose_mg.filter(|_| treated).map(|d| format!(" {} mg", crate::eligibility::input::FmtNum(d)));
        let text = format!(
            "S{}{}",
            s.session.number,
            if sessions.len() <= 12 { dose.unwrap_or_default() } else { String::new() }
        );
        marks.push(Mark::Text { x, y: y + 6.0, text, size: 5.5, color: INK, anchor: Anchor::Middle });
    }
}

fn line_label(frame: &Frame, marks: &mut Vec<Mark>, at: u32, text: String, color: Rgb) {
    let y = frame.y(at as f32 + 0.5);
    let (x0, x1) = (LEFT, LEFT + frame.plot_w());
    marks.push(Mark::Line { points: vec![(x0, y), (x1, y)], width: 0.9, color, dashed: true });
    marks.push(Mark::Text { x: x1 + 3.0, y: y + 2.5, text, size: 6.0, color, anchor: Anchor::Start });
}

/// A scale's totals over the course: bands shaded, the response line (with a baseline) and the
/// remission line, every finalised total (a red ring where a safety item raised an alert), the
/// sessions along the time axis. None when the scale was never given.
pub fn scale_chart(o: &ScaleOutcome, started_on: &str, sessions: &[SessionRecord], width: f32) -> Option<Chart> {
    if o.points.is_empty() {
        return None;
    }
    let dates = o.points.iter().map(|p| p.date.as_str()).chain(sessions.iter().map(|s| s.session.date.as_str()));
    let frame = Frame { width, axis: Axis::over(started_on, dates)?, max: o.max_total as f32 };
    let mut marks = Vec::new();
    for (i, b) in o.bands.iter().enumerate() {
        // As the app shades them: the mildest band green, the most severe red.
        let last = o.bands.len().saturating_sub(1).max(1);
        let tint = TINTS[((i * 4 + last / 2) / last).min(TINTS.len() - 1)];
        let (top, bottom) = (frame.y(b.max as f32 + 0.5), frame.y(b.min as f32 - 0.5));
        marks.push(Mark::Rect { x: LEFT, y: top, w: frame.plot_w(), h: bottom - top, fill: tint });
        marks.push(Mark::Text {
            x: LEFT + frame.plot_w() - 2.0,
            y: (top + bottom) / 2.0 + 2.0,
            text: b.name.clone(),
            size: 5.5,
            color: AXIS,
            anchor: Anchor::End,
        });
    }
    let ticks: Vec<u32> = o.bands.iter().map(|b| b.min).chain([o.max_total]).collect();
    frame.axes(&mut marks, &ticks);
    if let Some(r) = o.response_at_most {
        line_label(&frame, &mut marks, r, format!("response ≤ {r}"), RESPONSE);
    }
    line_label(&frame, &mut marks, o.remission_at_most, format!("remission ≤ {}", o.remission_at_most), REMISSION);
    let points: Vec<(f32, f32, bool)> = o
        .points
        .iter()
        .filter_map(|p| Some((frame.x(&p.date)?, frame.y(p.score.as_ref()?.total as f32), !p.alerts.is_empty())))
        .collect();
    if points.len() > 1 {
        let line = points.iter().map(|&(x, y, _)| (x, y)).collect();
        marks.push(Mark::Line { points: line, width: 1.2, color: SERIES, dashed: false });
    }
    for &(x, y, alert) in &points {
        marks.push(Mark::Dot { x, y, r: 2.4, color: SERIES, filled: true });
        if alert {
            marks.push(Mark::Dot { x, y, r: 4.2, color: ALERT, filled: false });
        }
    }
    session_marks(&frame, sessions, &mut marks);
    let totals: Vec<String> =
        o.points.iter().filter_map(|p| Some(format!("{} {}", p.date, p.score.as_ref()?.total))).collect();
    Some(Chart {
        title: format!("{} total over the course", o.scale.name),
        width,
        height: HEIGHT,
        marks,
        description: format!(
            "{} totals by date: {}. Bands shaded; remission at {} or less{}.",
            o.scale.name,
            if totals.is_empty() { "none finalised".into() } else { totals.join(", ") },
            o.remission_at_most,
            o.response_at_most.map_or(String::new(), |r| format!("; response at {r} or less"))
        ),
    })
}

/// Blood pressure per session: systolic (solid) and diastolic (dashed) before the dose, about 40
/// minutes after and before discharge. None without a reading.
pub fn blood_pressure_chart(started_on: &str, sessions: &[SessionRecord], width: f32) -> Option<Chart> {
    let readings = |s: &SessionRecord| s.session.blood_pressures().map(|b| (b.systolic_mmhg, b.diastolic_mmhg));
    let highest = sessions.iter().flat_map(&readings).flat_map(|(a, b)| [a, b]).flatten().fold(0.0, f64::max);
    if highest == 0.0 {
        return None;
    }
    let dates = sessions.iter().map(|s| s.session.date.as_str());
    let max = ((highest / 20.0).ceil() * 20.0).max(180.0) as f32;
    let frame = Frame { width, axis: Axis::over(started_on, dates)?, max };
    let mut marks = Vec::new();
    let ticks: Vec<u32> = (0..=(max as u32)).step_by(40).collect();
    frame.axes(&mut marks, &ticks);
    let names = ["before", "40 min", "discharge"];
    for (k, color) in BP_COLORS.iter().enumerate() {
        for (diastolic, dashed) in [(false, false), (true, true)] {
            let pts: Vec<(f32, f32)> = sessions
                .iter()
                .filter_map(|s| {
                    let (sys, dia) = readings(s)[k];
                    let v = if diastolic { dia } else { sys }?;
                    Some((frame.x(&s.session.date)?, frame.y(v as f32)))
                })
                .collect();
            if pts.len() > 1 {
                marks.push(Mark::Line { points: pts.clone(), width: 1.0, color: *color, dashed });
            }
            for (x, y) in pts {
                marks.push(Mark::Dot { x, y, r: 1.8, color: *color, filled: !diastolic });
            }
        }
        let y = TOP + 8.0 + 9.0 * k as f32;
        let x = LEFT + frame.plot_w() + 6.0;
        marks.push(Mark::Line {
            points: vec![(x, y - 2.0), (x + 10.0, y - 2.0)],
            width: 1.0,
            color: *color,
            dashed: false,
        });
        marks.push(Mark::Text {
            x: x + 13.0,
            y,
            text: names[k].into(),
            size: 6.0,
            color: *color,
            anchor: Anchor::Start,
        });
    }
    marks.push(Mark::Text {
        x: LEFT + frame.plot_w() + 6.0,
        y: TOP + 38.0,
        text: "solid systolic, dashed diastolic".into(),
        size: 5.0,
        color: INK,
        anchor: Anchor::Start,
    });
    session_marks(&frame, sessions, &mut marks);
    Some(Chart {
        title: "Blood pressure per session (mmHg)".into(),
        width,
        height: HEIGHT,
        marks,
        description: "Systolic and diastolic blood pressure of each session before the dose, about 40 minutes after and before discharge; the table of sessions lists every reading.".into(),
    })
}

impl Chart {
    /// The chart as an SVG element (its title and description for screen readers).
    pub fn to_svg(&self) -> String {
        use std::fmt::Write;
        let esc = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let mut out = format!(
            "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\"><title>{}</title><desc>{}</desc>",
            self.width,
            self.height,
            esc(&self.title),
            esc(&self.title),
            esc(&self.description)
        );
        for m in &self.marks {
            let _ = match m {
                Mark::Rect { x, y, w, h, fill } => {
                    write!(
                        out,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                        fill.hex()
                    )
                }
                Mark::Line { points, width, color, dashed } => {
                    let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                    write!(
                        out,
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"{}/>",
                        pts.join(" "),
                        color.hex(),
                        if *dashed { " stroke-dasharray=\"3 2\"" } else { "" }
                    )
                }
                Mark::Dot { x, y, r, color, filled } => {
                    let paint = if *filled {
                        format!("fill=\"{}\"", color.hex())
                    } else {
                        format!("fill=\"none\" stroke=\"{}\"", color.hex())
                    };
                    write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" {paint}/>")
                }
                Mark::Text { x, y, text, size, color, anchor } => {
                    let a = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    write!(
                        out,
                        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" fill=\"{}\" text-anchor=\"{a}\">{}</text>",
                        color.hex(),
                        esc(text)
                    )
                }
            };
        }
        out.push_str("</svg>");
        out
    }
}
