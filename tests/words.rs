//! The words a frame says must be true of that scenario's own path, not of the usual one: each case runs a scenario
//! (with edits, as a person would type them) and checks what one frame's narration says, and does not say.
#![cfg(not(target_arch = "wasm32"))]

use syscall_explorer::model::input::set_field;
use syscall_explorer::model::trace::step_summary;
use syscall_explorer::model::{LessonStep, Preset, Program, Scenario, Timeline};

fn run(preset: Preset, edits: &[(&str, &str)]) -> Timeline {
    let mut scenario = Scenario::preset(preset);
    for (field, value) in edits {
        set_field(&mut scenario, field, value).unwrap_or_else(|why| panic!("{field}={value}: {why}"));
    }
    Timeline::run(&scenario)
}

/// The narration of the first frame whose key starts with `key`.
fn words(timeline: &Timeline, key: &str) -> String {
    let frame = timeline.frames.iter().find(|frame| frame.narration_key.starts_with(key));
    frame.unwrap_or_else(|| panic!("no frame {key}")).narration.clone()
}

#[test]
fn permission_denied_names_what_was_asked_for() {
    let read_only = words(&run(Preset::OpenatForbidden, &[]), "kernel.permission");
    assert!(read_only.contains("may not read it"), "{read_only}");
    let write_only = words(&run(Preset::OpenatForbidden, &[("flags", "1")]), "kernel.permission");
    assert!(write_only.contains("may not write it") && !write_only.contains("read"), "{write_only}");
}

#[test]
fn reading_the_terminal_has_no_file_position() {
    let text = words(&run(Preset::Read, &[("fd", "1")]), "kernel.copy_to_user");
    assert!(text.contains("terminal") && !text.contains("end of the file"), "{text}");
}

#[test]
fn the_int80_result_is_stored_by_its_own_path() {
    let text = words(&run(Preset::Int80Read, &[]), "kernel.set_return");
    assert!(text.contains("do_int80_emulation") && !text.contains("do_syscall_64"), "{text}");
}

#[test]
fn step_titles_and_summaries_come_from_the_scenario_path() {
    assert_eq!(LessonStep::Trap.title_for(Program::Int80Read), "Trap with int 0x80");
    assert!(!LessonStep::Work.title_for(Program::VdsoClockGettime).contains("privileged"));
    let int80 = run(Preset::Int80Read, &[]);
    assert!(step_summary(&int80, LessonStep::Trap).contains("int 0x80"));
    assert!(step_summary(&int80, LessonStep::Return).contains("iretq"));
    let bad_fd = run(Preset::ReadBadFd, &[]);
    let work = step_summary(&bad_fd, LessonStep::Work);
    assert!(!work.contains("copies the data") && work.contains("EBADF"), "{work}");
    let set_nr = words(&int80, "insn.set_nr");
    assert!(!set_nr.contains("wrapper"), "{set_nr}");
}

#[test]
fn step_2_says_the_arguments_are_already_in_place() {
    let text = words(&run(Preset::Read, &[]), "insn.set_nr");
    assert!(text.contains("fd in RDI") && text.contains("count in RDX"), "{text}");
}

#[test]
fn exit_ends_the_thread_and_exit_group_the_process() {
    let exit = run(Preset::RawProbe, &[("nr", "60")]);
    let text = words(&exit, "kernel.do_exit");
    assert!(text.contains("calling thread") && !text.contains("exit_group ends"), "{text}");
    let start = &run(Preset::ExitGroup, &[]).frames[0].narration;
    assert!(start.contains("_exit"), "{start}");
}
