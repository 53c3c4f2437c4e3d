//! The cost view: what this run's crossing took, drawn as bars of the model's own counts (instructions and C steps
//! by phase) beside the same call with the mitigations switched, the vDSO path and a plain function call; the
//! expensive kinds among them; then published figures with their sources, and the reader's own machine when the
//! link carries `trace measure` figures. Built only while shown: it runs two more timelines.

use yew::prelude::*;

use crate::model::cost::{Costs, Expensive, Phase, CITED};
use crate::model::measured::{Measurement, Operation};
use crate::model::{Preset, Scenario, Timeline};

/// One bar: its label, and the count of each phase in [`Phase::ALL`] order.
fn bar(label: String, counts: [usize; 4], widest: usize, testid: &'static str) -> Html {
    let total: usize = counts.iter().sum();
    // Integer per-mille widths: formatting floats would add kilobytes to the WebAssembly.
    let mut x = 0;
    let segments = Phase::ALL.iter().zip(counts).filter(|(_, count)| *count > 0).map(|(phase, count)| {
        let width = (1000 * count / widest.max(1)).max(1);
        let rect = html! { <rect x={x.to_string()} y="0" width={width.to_string()} height="1" class={format!("seg-{}", phase.id())} /> };
        x += width;
        rect
    });
    let words: Vec<String> = Phase::ALL
        .iter()
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .map(|(phase, count)| format!("{count} {}", phase.label()))
        .collect();
    html! {
        <li class="cost-row" data-testid={testid}>
            <span class="cost-label">{ label }</span>
            <svg class="cost-bar" viewBox="0 0 1000 1" preserveAspectRatio="none" aria-hidden="true">{ for segments }</svg>
            <span class="cost-words">{ format!("{total}: {}", words.join(", ")) }</span>
        </li>
    }
}

/// The measured figures as bars in ns, longest first.
fn measured(measurement: &Measurement) -> Html {
    let widest = measurement.tenths.iter().map(|(_, tenths)| *tenths).max().unwrap_or(1);
    html! {
        <>
            <h3>{ format!("Measured on {}, Linux {}", measurement.cpu, measurement.kernel) }</h3>
            <ul class="cost-bars" data-testid="cost-measured">
                { for Operation::ALL.iter().filter_map(|operation| {
                    let tenths = measurement.tenths.iter().find(|(known, _)| known == operation)?.1;
                    let width = (1000 * u64::from(tenths) / u64::from(widest.max(1))).max(1);
                    Some(html! {
                        <li class="cost-row">
                            <span class="cost-label">{ operation.label() }</span>
                            <svg class="cost-bar" viewBox="0 0 1000 1" preserveAspectRatio="none" aria-hidden="true">
                                <rect x="0" y="0" width={width.to_string()} height="1" class="seg-ns" />
                            </svg>
                            <span class="cost-words">{ format!("{}.{} ns", tenths / 10, tenths % 10) }</span>
                        </li>
                    })
                }) }
            </ul>
            <p class="hint">{ "Medians from trace measure on that machine: times, where the bars above are counts." }</p>
        </>
    }
}

/// The cost view for a run.
pub fn cost_view(timeline: &Timeline, measurement: Option<&Measurement>) -> Html {
    let costs = Costs::of(timeline);
    let scenario = &timeline.scenario;
    let pti = scenario.runs_pti();
    let other = Costs::of(&Timeline::run(&Scenario { mitigations: !scenario.mitigations, ..scenario.clone() }));
    let vdso = Costs::of(&Timeline::run(&Scenario {
        mitigations: scenario.mitigations,
        ..Scenario::preset(Preset::VdsoClockGettime)
    }));
    // A call and a ret: what the program runs to reach any function, the wrapper included.
    let call = [2, 0, 0, 0];
    let widest = [costs.total(), other.total(), vdso.total(), 2].into_iter().max().unwrap_or(1);
    let this_label = if pti { "this call, with mitigations" } else { "this call" };
    let other_label = if pti { "without mitigations" } else { "with mitigations (PTI, verw)" };
    html! {
        <section class="panel cost-panel" aria-labelledby="cost-heading" data-testid="cost">
            <h2 id="cost-heading">{ "What the crossing cost" }</h2>
            <p class="hint">{ "Counted from the model's run: instructions, and the kernel's C code as named steps. Counts, not time." }</p>
            <ul class="cost-bars" data-testid="cost-counts">
                { bar(this_label.to_string(), costs.by_phase, widest, "cost-this") }
                if scenario.runs_pti() != other_runs_pti(scenario) {
                    { bar(other_label.to_string(), other.by_phase, widest, "cost-other") }
                }
                { bar("clock_gettime via the vDSO".to_string(), vdso.by_phase, widest, "cost-vdso") }
                { bar("a plain function call".to_string(), call, widest, "cost-call") }
            </ul>
            <ul class="cost-legend" aria-hidden="true">
                { for Phase::ALL.iter().map(|phase| html! { <li class={format!("key-{}", phase.id())}>{ phase.label() }</li> }) }
            </ul>
            <table class="cost-kinds" data-testid="cost-kinds">
                <caption>{ "The expensive kinds among them" }</caption>
                <tbody>
                    { for Expensive::ALL.iter().map(|kind| html! {
                        <tr><th scope="row">{ kind.label() }</th><td>{ costs.count(*kind) }</td></tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "Measured on real CPUs" }</h3>
            <ul class="cited" data-testid="cost-cited">
                { for CITED.iter().map(|cited| html! {
                    <li>{ format!("{} ({}). ", cited.figure, cited.on) }<a href={cited.url} rel="noopener" target="_blank">{ cited.source }</a></li>
                }) }
            </ul>
            { measurement.map_or_else(
                || html! { <p class="hint" data-testid="cost-measure-hint">{ "Your machine: run trace measure --link (see README) and open the link it prints." }</p> },
                measured,
            ) }
            <p class="hint">{ "The model leaves out IBRS, return-stack and branch-history clearing, PCID and the cache and TLB misses after the return." }</p>
        </section>
    }
}

/// Whether the comparison run (mitigations flipped) uses the PTI kernel: not for `int 0x80`, which is not mitigated.
fn other_runs_pti(scenario: &Scenario) -> bool {
    Scenario { mitigations: !scenario.mitigations, ..scenario.clone() }.runs_pti()
}
