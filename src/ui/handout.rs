//! The printable handout: one page per lesson step, each with the step's key frame: the narration, which side of the
//! wall the CPU is on, and the registers (changed ones marked). Built when a print is announced (the Print button, or
//! the browser's `beforeprint` for Ctrl+P and its menu) and shown only by the print stylesheet; it depends on the
//! timeline only, so stepping never re-renders it.

use yew::prelude::*;

use crate::model::cpu::{Gpr, Reg};
use crate::model::{Frame, LessonStep, Timeline};

use crate::state::TimelineRef;

#[derive(Properties, PartialEq)]
pub struct HandoutProps {
    pub timeline: TimelineRef,
}

/// The frame that best shows each step: the trap itself for step 3, the step's last frame otherwise.
pub fn key_frames(timeline: &Timeline) -> Vec<(LessonStep, &Frame)> {
    LessonStep::ALL
        .iter()
        .filter_map(|step| {
            let mut frames = timeline.frames.iter().filter(|frame| frame.step == *step);
            let chosen = if *step == LessonStep::Trap { frames.next() } else { frames.next_back() };
            chosen.map(|frame| (*step, frame))
        })
        .collect()
}

/// The handout's pages as one HTML string: built once per print of a timeline, it never changes, so it does not
/// go through the virtual DOM (which would build ~600 nodes for it).
pub fn handout_html(timeline: &Timeline) -> String {
    use super::common::escape_html as esc;
    use std::fmt::Write;
    let mut html = String::new();
    for (step, frame) in key_frames(timeline) {
        let cpu = &frame.machine.cpu;
        let cpl = frame.cpl();
        let _ = write!(
            html,
            "<section class=\"handout-page\"><p class=\"handout-scenario\">Syscall Explorer · {} · frame {} of {}</p>\
             <h2>{}</h2><p>{}</p><p class=\"handout-wall\">The CPU is in {} (CPL {}).</p>\
             <p><code>{}</code></p><p class=\"handout-narration\">{}</p><table class=\"handout-regs\"><tbody>",
            esc(timeline.scenario.preset.title()),
            frame.index + 1,
            timeline.frames.len(),
            esc(&step.heading_for(timeline.scenario.program)),
            esc(&crate::model::trace::step_summary(timeline, step)),
            cpl.mode_name(),
            cpl.number(),
            esc(&frame.executed.describe()),
            esc(&frame.narration),
        );
        for pair in Gpr::DISPLAY_ORDER.chunks(2) {
            html.push_str("<tr>");
            for gpr in pair {
                let changed = if frame.changed_regs.contains(&Reg::Gpr(*gpr)) { " ▲" } else { "" };
                let _ = write!(
                    html,
                    "<th>{}</th><td><code>{:#018x}{changed}</code></td>",
                    gpr.name().to_ascii_uppercase(),
                    cpu.get(*gpr)
                );
            }
            html.push_str("</tr>");
        }
        let mark = |reg: Reg| if frame.changed_regs.contains(&reg) { " ▲" } else { "" };
        let _ = write!(
            html,
            "<tr><th>RIP</th><td><code>{:#018x}{}</code></td><th>RFLAGS</th><td><code>{:#x}{}</code></td></tr>\
             <tr><th>CS</th><td><code>{:#x}{}</code></td><th>SS</th><td><code>{:#x}{}</code></td></tr></tbody></table></section>",
            cpu.rip,
            mark(Reg::Rip),
            cpu.rflags,
            mark(Reg::Rflags),
            cpu.cs,
            mark(Reg::Cs),
            cpu.ss,
            mark(Reg::Ss)
        );
    }
    html
}

/// The handout.
#[function_component(Handout)]
pub fn handout(props: &HandoutProps) -> Html {
    let html = use_memo(props.timeline.clone(), |timeline| AttrValue::from(handout_html(timeline)));
    html! {
        <div class="handout" data-testid="handout" aria-hidden="true">
            { Html::from_html_unchecked((*html).clone()) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Preset, Scenario};

    #[test]
    fn a_page_per_step_with_its_key_frame_and_sixteen_registers_plus_four() {
        for preset in Preset::ALL {
            let timeline = Timeline::run(&Scenario::preset(preset));
            let html = handout_html(&timeline);
            let pages = key_frames(&timeline);
            assert_eq!(html.matches("<section class=\"handout-page\">").count(), pages.len(), "{preset:?}");
            assert_eq!(html.matches("<th>").count(), pages.len() * 20, "{preset:?}");
            for (step, frame) in &pages {
                assert!(html.contains(&format!("Step {} of 7:", step.number())), "{preset:?} {step:?}");
                assert!(html.contains(&format!("frame {} of {}", frame.index + 1, timeline.frames.len())));
                // The narration is there, escaped (no raw `<` from the text can open a tag).
                assert!(html.contains(&crate::ui::common::escape_html(&frame.narration)), "{preset:?} {step:?}");
                let shown = [Reg::Rip, Reg::Rflags, Reg::Cs, Reg::Ss];
                let changed =
                    Gpr::DISPLAY_ORDER.iter().filter(|gpr| frame.changed_regs.contains(&Reg::Gpr(**gpr))).count()
                        + shown.iter().filter(|reg| frame.changed_regs.contains(reg)).count();
                let page = html.split("<section").nth(1 + pages.iter().position(|(s, _)| s == step).unwrap()).unwrap();
                assert_eq!(page.matches(" ▲").count(), changed, "{preset:?} {step:?}");
            }
        }
    }
}
