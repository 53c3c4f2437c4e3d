//! The cost view: what this run's crossing took, drawn as bars of the model's own counts (instructions and C steps
//! by phase) beside the same call with the mitigations switched, the vDSO path and a plain function call; the
//! expensive kinds among them; then published figures with their sources, and the reader's own machine when the
//! link carries `trace measure` figures.
//!
//! Built only while shown (it runs two more timelines), and as one HTML string, like the listings' tables: it has
//! no controls, and the virtual DOM's code for it cost 10 KB of WebAssembly. Everything from outside (the CPU and
//! kernel names of a link) goes through [`escape_html`].

use std::fmt::Write as _;

use crate::model::cost::{Costs, Expensive, Phase, CITED};
use crate::model::measured::Measurement;
use crate::model::{Preset, Scenario, Timeline};

use super::common::escape_html;

/// One bar as a list item: its label, an SVG with one rectangle per phase (per-mille widths of `widest`, integers:
/// formatting floats would add kilobytes), and the counts in words, so colour is never the only signal.
fn bar(out: &mut String, label: &str, counts: &[(&str, usize)], widest: u64, words: &str, testid: &str) {
    let _ = write!(
        out,
        "<li class=\"cost-row\" data-testid=\"{testid}\"><span class=\"cost-label\">{label}</span>\
         <svg class=\"cost-bar\" viewBox=\"0 0 1000 1\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
    );
    let mut x = 0;
    for (class, count) in counts.iter().filter(|(_, count)| *count > 0) {
        let width = (1000 * *count as u64 / widest.max(1)).max(1);
        let _ = write!(out, "<rect x=\"{x}\" y=\"0\" width=\"{width}\" height=\"1\" class=\"seg-{class}\"/>");
        x += width;
    }
    let _ = write!(out, "</svg><span class=\"cost-words\">{words}</span></li>");
}

/// A run's counts as a bar.
fn phase_bar(out: &mut String, label: &str, costs: &Costs, widest: usize, testid: &str) {
    let counts: Vec<(&str, usize)> = Phase::ALL.iter().map(|phase| (phase.id(), costs.phase(*phase))).collect();
    let words: Vec<String> = Phase::ALL
        .iter()
        .filter(|phase| costs.phase(**phase) > 0)
        .map(|phase| format!("{} {}", costs.phase(*phase), phase.label()))
        .collect();
    bar(out, label, &counts, widest as u64, &format!("{}: {}", costs.total(), words.join(", ")), testid);
}

/// The measured figures as bars in ns.
fn measured(out: &mut String, measurement: &Measurement) {
    let widest = measurement.tenths.iter().map(|(_, tenths)| *tenths).max().unwrap_or(1);
    let _ = write!(
        out,
        "<h3>Measured on {}, Linux {}</h3><ul class=\"cost-bars\" data-testid=\"cost-measured\">",
        escape_html(&measurement.cpu),
        escape_html(&measurement.kernel)
    );
    for (operation, tenths) in &measurement.tenths {
        let words = format!("{}.{} ns", tenths / 10, tenths % 10);
        let testid = format!("cost-ns-{}", operation.id());
        bar(out, operation.label(), &[("ns", *tenths as usize)], u64::from(widest), &words, &testid);
    }
    out.push_str(
        "</ul><p class=\"hint\">Medians from trace measure on that machine: times, where the bars above are counts.</p>",
    );
}

/// The cost view for a run, as HTML.
pub fn cost_html(timeline: &Timeline, measurement: Option<&Measurement>) -> String {
    let costs = timeline.costs();
    let scenario = &timeline.scenario;
    let flipped = Scenario { mitigations: !scenario.mitigations, ..scenario.clone() };
    let other = (flipped.runs_pti() != scenario.runs_pti()).then(|| Timeline::run(&flipped).costs());
    let vdso =
        Timeline::run(&Scenario { mitigations: scenario.mitigations, ..Scenario::preset(Preset::VdsoClockGettime) })
            .costs();
    // A call and a ret: what the program runs to reach any function, the wrapper included.
    let call = Costs { by_phase: [2, 0, 0, 0], ..Costs::default() };
    let widest = [&costs, &vdso, &call].into_iter().chain(other.as_ref()).map(Costs::total).max().unwrap_or(1);
    let mut out = String::from(
        "<section class=\"panel cost-panel\" aria-labelledby=\"cost-heading\" data-testid=\"cost\">\
         <h2 id=\"cost-heading\">What the crossing cost</h2><p class=\"hint\">Counted from the model's run: \
         instructions, and the kernel's C code as named steps. Counts, not time.</p>\
         <ul class=\"cost-bars\" data-testid=\"cost-counts\">",
    );
    let pti = scenario.runs_pti();
    phase_bar(&mut out, if pti { "this call, with mitigations" } else { "this call" }, &costs, widest, "cost-this");
    if let Some(other) = &other {
        let label = if pti { "without mitigations" } else { "with mitigations (PTI, verw)" };
        phase_bar(&mut out, label, other, widest, "cost-other");
    }
    phase_bar(&mut out, "clock_gettime via the vDSO", &vdso, widest, "cost-vdso");
    phase_bar(&mut out, "a plain function call", &call, widest, "cost-call");
    out.push_str("</ul><ul class=\"cost-legend\" aria-hidden=\"true\">");
    for phase in Phase::ALL {
        let _ = write!(out, "<li class=\"key-{}\">{}</li>", phase.id(), phase.label());
    }
    out.push_str(
        "</ul><table class=\"cost-kinds\" data-testid=\"cost-kinds\"><caption>The expensive kinds among them\
         </caption><tbody>",
    );
    for kind in Expensive::ALL {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", kind.label(), costs.count(kind));
    }
    out.push_str("</tbody></table><h3>Measured on real CPUs</h3><ul class=\"cited\" data-testid=\"cost-cited\">");
    for cited in CITED {
        let _ = write!(
            out,
            "<li>{} ({}). <a href=\"{}\" rel=\"noopener\" target=\"_blank\">{}</a></li>",
            escape_html(cited.figure),
            escape_html(cited.on),
            cited.url,
            escape_html(cited.source)
        );
    }
    out.push_str("</ul>");
    match measurement {
        Some(measurement) => measured(&mut out, measurement),
        None => out.push_str(
            "<p class=\"hint\" data-testid=\"cost-measure-hint\">Your own machine: run trace measure --link (see the \
             README) and open the link it prints.</p>",
        ),
    }
    out.push_str(
        "<p class=\"hint\">Left out: IBRS, return-stack and branch-history clearing, PCID, and the cache and TLB \
         misses that follow a crossing.</p></section>",
    );
    out
}
