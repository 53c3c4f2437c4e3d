//! The cost view's counts, checked against the frames they count: every preset with the mitigations off and on.
#![cfg(not(target_arch = "wasm32"))]

use syscall_explorer::model::cost::{Expensive, Phase};
use syscall_explorer::model::cpu::Cpl;
use syscall_explorer::model::frame::Executed;
use syscall_explorer::model::isa::Insn;
use syscall_explorer::model::timeline::Ending;
use syscall_explorer::model::{Preset, Program, Scenario, Timeline};

fn runs() -> Vec<Timeline> {
    Preset::ALL
        .into_iter()
        .flat_map(|preset| [false, true].map(|mitigations| Scenario { mitigations, ..Scenario::preset(preset) }))
        .map(|scenario| Timeline::run(&scenario))
        .collect()
}

fn name(timeline: &Timeline) -> String {
    format!("{} (mitigations {})", timeline.scenario.preset.id(), timeline.scenario.mitigations)
}

fn insns(timeline: &Timeline) -> impl Iterator<Item = &Insn> {
    timeline.frames.iter().filter_map(|frame| match frame.executed {
        Executed::Insn(image_insn) => Some(&image_insn.insn),
        _ => None,
    })
}

#[test]
fn every_instruction_and_c_step_is_counted_once() {
    for timeline in runs() {
        let costs = timeline.costs();
        let ran = timeline
            .frames
            .iter()
            .filter(|frame| matches!(frame.executed, Executed::Insn(_) | Executed::CCode { .. }))
            .count();
        assert_eq!(costs.total(), ran, "{}", name(&timeline));
        let in_kernel = timeline
            .frames
            .windows(2)
            .filter(|pair| pair[0].cpl() == Cpl::Ring0 && !matches!(pair[1].executed, Executed::Fault { .. }))
            .count();
        let kernel = costs.phase(Phase::WayIn) + costs.phase(Phase::KernelC) + costs.phase(Phase::WayOut);
        assert_eq!(kernel, in_kernel, "{}: what ran from ring 0", name(&timeline));
    }
}

#[test]
fn the_phases_come_in_order() {
    for timeline in runs() {
        // Within one crossing: the way in, then C, then the way out; never back.
        let mut phases: Vec<&str> = Vec::new();
        let mut after_c = false;
        for pair in timeline.frames.windows(2) {
            let phase = match (&pair[1].executed, pair[0].cpl()) {
                (Executed::CCode { .. }, Cpl::Ring0) => {
                    after_c = true;
                    "c"
                }
                (Executed::Insn(_), Cpl::Ring0) if after_c => "out",
                (Executed::Insn(_), Cpl::Ring0) => "in",
                _ => continue,
            };
            if phases.last() != Some(&phase) {
                phases.push(phase);
            }
        }
        assert!(
            phases.is_empty() || phases == ["in", "c", "out"] || phases == ["in", "c"],
            "{}: {phases:?}",
            name(&timeline)
        );
    }
}

#[test]
fn the_expensive_kinds_are_the_instructions_that_are_them() {
    for timeline in runs() {
        let costs = timeline.costs();
        let count = |test: fn(&Insn) -> bool| insns(&timeline).filter(|insn| test(insn)).count();
        let cpl_changes = timeline.frames.windows(2).filter(|pair| pair[0].cpl() != pair[1].cpl()).count();
        assert_eq!(costs.count(Expensive::ModeSwitch), cpl_changes, "{}", name(&timeline));
        let cr3_changes = timeline.frames.windows(2).filter(|p| p[0].machine.cpu.cr3 != p[1].machine.cpu.cr3).count();
        assert_eq!(costs.count(Expensive::Cr3Write), cr3_changes, "{}", name(&timeline));
        assert_eq!(
            costs.count(Expensive::Verw),
            count(|insn| matches!(insn, Insn::Verw { .. })),
            "{}",
            name(&timeline)
        );
        let serialising = count(|insn| matches!(insn, Insn::MovToCr3 { .. } | Insn::Iretq));
        assert_eq!(costs.count(Expensive::Serialising), serialising, "{}", name(&timeline));
    }
}

#[test]
fn mitigations_add_the_cr3_switches_and_verw_to_every_syscall_crossing() {
    for preset in Preset::ALL {
        let plain = Timeline::run(&Scenario::preset(preset));
        let mitigated = Timeline::run(&Scenario { mitigations: true, ..Scenario::preset(preset) });
        let (before, after) = (plain.costs(), mitigated.costs());
        let crossed = before.crossed();
        let returned = plain.return_frame().is_some();
        let syscall = plain.scenario.program != Program::Int80Read;
        let id = preset.id();
        match (crossed && syscall, returned) {
            (true, true) => {
                assert_eq!(after.count(Expensive::Cr3Write), 2, "{id}");
                assert_eq!(after.count(Expensive::Verw), 1, "{id}");
                // SWITCH_TO_KERNEL_CR3: three instructions.
                assert_eq!(after.phase(Phase::WayIn), before.phase(Phase::WayIn) + 3, "{id}");
                // The SYSRET exit: 12 instructions on the entry stack (two copies, the CR3 switch with RAX saved
                // around it, RDI and RSP popped, verw) for the condensed exit's 2.
                assert_eq!(after.phase(Phase::WayOut), before.phase(Phase::WayOut) + 10, "{id}");
                assert_eq!(after.phase(Phase::KernelC), before.phase(Phase::KernelC), "{id}");
                assert_eq!(after.phase(Phase::User), before.phase(Phase::User), "{id}");
            }
            (true, false) => {
                // exit_group: only the way in is there.
                assert_eq!(after.count(Expensive::Cr3Write), 1, "{id}");
                assert_eq!(after.phase(Phase::WayIn), before.phase(Phase::WayIn) + 3, "{id}");
            }
            (false, _) => assert_eq!(before, after, "{id}: no syscall crossing, nothing to mitigate"),
        }
    }
}

#[test]
fn the_last_frame_of_a_call_says_what_it_cost() {
    for timeline in runs() {
        let costs = timeline.costs();
        let last = &timeline.frames.last().expect("frames").narration;
        if matches!(timeline.ending, Ending::Returned { .. }) {
            assert!(last.ends_with(&costs.summary()), "{}: {last}", name(&timeline));
            if costs.crossed() {
                let way_in = format!("{} instructions on the way in", costs.phase(Phase::WayIn));
                assert!(last.contains(&way_in), "{}: {last}", name(&timeline));
            }
        } else {
            assert!(!last.contains("Cost:"), "{}: a call that never returned has no cost summary", name(&timeline));
        }
    }
}

#[test]
fn the_vdso_never_crosses() {
    let costs = Timeline::run(&Scenario::preset(Preset::VdsoClockGettime)).costs();
    assert!(!costs.crossed());
    assert_eq!(costs.total(), costs.phase(Phase::User));
    assert!(costs.summary().contains("no crossing"));
}
